"""Finds which of the four roles a person means, from an entity value or their own words."""

from __future__ import annotations

import re
from difflib import get_close_matches
from functools import cache

import content

_NOT_WORD = re.compile(r"[^a-z]+")


def _normalise(text: str) -> str:
    """Lower case, words only: 'Disruptor/Advocate!' -> 'disruptor advocate'."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


@cache
def _alias_index() -> dict[str, str]:
    """Every normalised alias and role name -> role key."""
    index: dict[str, str] = {}
    for key, role in content.roles().roles.items():
        for alias in [key, role.name, *role.aliases]:
            index[_normalise(alias)] = key
    return index


def role_from_value(value: object) -> str | None:
    """A role key from an entity or slot value, forgiving plurals and misspellings."""
    if not isinstance(value, str) or not value.strip():
        return None
    index = _alias_index()
    wanted = _normalise(value)
    if wanted in index:
        return index[wanted]
    close = get_close_matches(wanted, list(index), n=1, cutoff=0.8)
    return index[close[0]] if close else None


def role_from_text(text: str) -> str | None:
    """The role named in free text, if any: exact aliases first, then near misses.

    Checks every run of one to three words, longest first, so 'citizen leader'
    beats a shorter alias inside it.
    """
    words = _normalise(text).split()
    index = _alias_index()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in index:
                return index[phrase]
    for size in (3, 2):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            close = get_close_matches(phrase, list(index), n=1, cutoff=0.85)
            if close and " " in close[0]:
                return index[close[0]]
    return None


def role_meant(named: tuple[str, ...], text: str, remembered: object) -> str | None:
    """The role a message is about: one the model found in it, else one in its words, else the
    role already under discussion."""
    for value in named:
        role = role_from_value(value)
        if role:
            return role
    return role_from_text(text) or role_from_value(remembered)
