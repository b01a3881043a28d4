"""The crisis safety net's matcher: does a message say someone may be in danger?

Runs before anything else sees a message. Built from content/crisis_patterns.yml:
the message is tidied (safety.normalise), everyday sayings listed under
`not_crisis` are blanked out, then each kind of crisis's phrases are looked for,
in the file's order. No message text is kept or logged.

Any phrase may end with `unless <phrase>`: it then counts only when that other
phrase is nowhere in the message. A `not_crisis` saying such as "overdosed ...
years ago unless {happening_now}" is ignored only when nothing in the message
says it is happening now ("...and I've started again tonight").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import content
from content import ContentError
from content.schema import CrisisPatterns, CrisisPatternsFile
from safety.normalise import Speller, normalise
from safety.phrases import PhraseError, WordLists, compile_phrase

BLANK = " ~"  # what a blanked-out saying leaves: not a word, so no phrase runs across it
_UNLESS = re.compile(r"\s+unless\s+")

Compiled = tuple[str, re.Pattern[str]]  # (YAML text, compiled) to say which one matched


@dataclass(frozen=True)
class CrisisMatch:
    """A crisis was found: its kind, every kind found (most urgent first) and the YAML phrase that matched."""

    category: str
    categories: tuple[str, ...]
    phrase: str


@dataclass(frozen=True)
class _Guarded:
    """Phrases that count only when their `unless` phrase is not in the message."""

    unless: re.Pattern[str]
    any_phrase: re.Pattern[str]
    phrases: tuple[Compiled, ...]


@dataclass(frozen=True)
class _Category:
    name: str
    any_phrase: re.Pattern[str] | None
    phrases: tuple[Compiled, ...]
    guarded: tuple[_Guarded, ...]

    def found_in(self, text: str) -> bool:
        if self.any_phrase is not None and self.any_phrase.search(text):
            return True
        return any(group.any_phrase.search(text) and not group.unless.search(text) for group in self.guarded)

    def first_phrase(self, text: str) -> str:
        counting = [*self.phrases]
        counting += [
            found for group in self.guarded if not group.unless.search(text) for found in group.phrases
        ]
        return next(source for source, pattern in counting if pattern.search(text))


class CrisisMatcher:
    """Finds crisis wording in a message: `match(text)` gives a CrisisMatch or None."""

    def __init__(self, patterns: CrisisPatternsFile) -> None:
        words = WordLists(patterns.words)
        self._speller = Speller(patterns.spelling)
        sayings, guarded = _split_guarded(patterns.not_crisis, words, "not_crisis")
        self._sayings = _either(sayings) if sayings else None
        self._guarded_sayings = guarded
        self._categories = tuple(_category(name, found, words) for name, found in patterns.categories.items())

    @classmethod
    def from_content(cls) -> CrisisMatcher:
        """The matcher for the deployment's content folder (crisis_patterns.yml)."""
        return cls(content.crisis_patterns())

    def prepare(self, text: str) -> str:
        """The text as the phrases see it: tidied, with everyday sayings blanked out."""
        tidied = f" {normalise(text, self._speller)} "
        prepared = self._sayings.sub(BLANK, tidied) if self._sayings else tidied
        for group in self._guarded_sayings:
            if not group.unless.search(tidied):  # the whole message, sayings and all: when unsure, catch
                prepared = group.any_phrase.sub(BLANK, prepared)
        return prepared

    def match(self, text: str) -> CrisisMatch | None:
        """The crisis this message describes, or None. Never raises on odd input."""
        if not text or not text.strip():
            return None
        prepared = self.prepare(text)
        found = [category for category in self._categories if category.found_in(prepared)]
        if not found:
            return None
        first = found[0]
        return CrisisMatch(first.name, tuple(c.name for c in found), first.first_phrase(prepared))


def _category(name: str, patterns: CrisisPatterns, words: WordLists) -> _Category:
    compiled, guarded = _split_guarded(patterns.phrases, words, name)
    compiled += [(pattern, _regex(pattern, name)) for pattern in patterns.regex]
    return _Category(name, _either(compiled) if compiled else None, tuple(compiled), guarded)


def _split_guarded(
    phrases: list[str], words: WordLists, where: str
) -> tuple[list[Compiled], tuple[_Guarded, ...]]:
    """Plain phrases compiled, and those ending `unless ...` compiled in groups, one per unless-phrase."""
    plain: list[str] = []
    by_unless: dict[str, list[Compiled]] = {}
    for phrase in phrases:
        main, *unless = _UNLESS.split(phrase.strip(), maxsplit=1)
        if not unless:
            plain.append(phrase)
            continue
        compiled = _regex(_phrase_regex(main, words, where), where, phrase)
        by_unless.setdefault(unless[0], []).append((phrase, compiled))
    guarded = tuple(
        _Guarded(_regex(_phrase_regex(unless, words, where), where, unless), _either(group), tuple(group))
        for unless, group in by_unless.items()
    )
    return _compiled(plain, words, where), guarded


def _compiled(phrases: list[str], words: WordLists, where: str) -> list[Compiled]:
    return [(phrase, _regex(_phrase_regex(phrase, words, where), where, phrase)) for phrase in phrases]


def _phrase_regex(phrase: str, words: WordLists, where: str) -> str:
    try:
        return compile_phrase(phrase, words)
    except PhraseError as error:
        raise ContentError(f"crisis_patterns.yml, {where}: {error}") from error


def _regex(pattern: str, where: str, phrase: str | None = None) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        problem = f"bad pattern {phrase or pattern!r}: {error}"
        raise ContentError(f"crisis_patterns.yml, {where}: {problem}") from error


def _either(compiled: list[Compiled]) -> re.Pattern[str]:
    """One expression for a whole list: one search per message instead of one per phrase."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in compiled))


@cache
def crisis_matcher() -> CrisisMatcher:
    """The shared matcher, built once from the content folder (cache_clear() after content.reload())."""
    return CrisisMatcher.from_content()


def find_crisis(text: str) -> CrisisMatch | None:
    """Shortcut: the shared matcher's verdict on one message."""
    return crisis_matcher().match(text)
