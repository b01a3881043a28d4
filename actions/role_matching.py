"""Finds which of the four roles a person means, from an entity value or their own words."""

from __future__ import annotations

import re
from difflib import get_close_matches
from functools import cache

import content
from reading.normalise import for_reading
from reading.spelling import Speller, content_texts, domain_words

_NOT_WORD = re.compile(r"[^a-z]+")


@cache
def content_speller() -> Speller:
    """Puts slips right to the content's words (the action server has no training data)."""
    return Speller(domain_words(content_texts(content.content_dir()), []))


def read(text: str) -> str:
    """A message as the actions read it: reading.normalise.for_reading with the content's words."""
    return for_reading(text, content_speller())


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
    words = read(text).split()
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


@cache
def _cues() -> dict[str, str]:
    """Each role's own wording (content: `cues`) -> role key."""
    return {read(cue): key for key, role in content.roles().roles.items() for cue in role.cues}


def role_from_cues(text: str) -> str | None:
    """The one role whose own wording the message uses ("push back without burning bridges");
    None when it uses none, or the wording of more than one role."""
    words = f" {read(text)} "
    found = {key for cue, key in _cues().items() if f" {cue} " in words}
    return found.pop() if len(found) == 1 else None


def role_meant(named: tuple[str, ...], text: str, remembered: object) -> str | None:
    """The role a message is about: one the model found in it, else one named in its words, else
    the role already under discussion, else the one whose own wording it uses (so a dilemma
    asked in a person's own words finds its role without "which role do you mean?")."""
    for value in named:
        role = role_from_value(value)
        if role:
            return role
    return role_from_text(text) or role_from_value(remembered) or role_from_cues(text)
