"""Turns the phrases in content/crisis_patterns.yml into regular expressions.

A phrase is plain words with a few marks (explained at the top of the YAML):
    (a|b c|)   one of these; an empty choice makes it optional
    [a b]      may be left out; [a|b] one of these or neither
    {name}     any entry of the word list `name` (entries are phrases too)
    word*      any word that starts like this ("suicid*")
    *          any one word
    ...        up to four words in between, within one sentence
    **         later in the same sentence (up to fifteen words in between)
    ***        later in the message, even in a later sentence (up to forty words in between)
    $          the sentence or message ends here
Literal words are tidied exactly like messages (see normalise.tidy), so
"can't" in a phrase meets "cant", "CANT" and a curly "can't" in a message.

The expressions work on tidied text with a space before every word: each
piece starts with its own space, so a phrase only ever starts at a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from safety.normalise import tidy

GAP_WORDS = 4
SENTENCE_GAP_WORDS = 15  # "**": two signals in one sentence, however it is worded in between
MESSAGE_GAP_WORDS = 40  # "***": two signals in one message ("relapsed last night. the razor thing")
_TOKEN = re.compile(r"\{[a-z_]+\}[a-z]*|\.\.\.|[()\[\]|$]|[^\s()\[\]|{}$]+|\{|\}")
_LIST = re.compile(r"\{([a-z_]+)\}([a-z]*)")
_WORD = "[a-z0-9]+"
_SAME_AS = {"to": "(?:to|2)", "for": "(?:for|4)"}  # "want 2 die", "4 good"


class PhraseError(ValueError):
    """A phrase or word list in the YAML cannot be understood."""


class WordLists:
    """The YAML's `words:` lists, each compiled once into one alternation."""

    def __init__(self, lists: Mapping[str, list[str]]) -> None:
        self._lists = dict(lists)
        self._compiled: dict[str, str] = {}
        self._in_progress: set[str] = set()

    def regex(self, name: str) -> str:
        if name in self._compiled:
            return self._compiled[name]
        if name not in self._lists:
            raise PhraseError(f"unknown word list {{{name}}}")
        if name in self._in_progress:
            raise PhraseError(f"word list {{{name}}} refers back to itself")
        self._in_progress.add(name)
        try:
            entries = [_compile_sequence(_tokens(entry), self, entry) for entry in self._lists[name]]
        finally:
            self._in_progress.discard(name)
        self._compiled[name] = "(?:" + "|".join(entries) + ")"
        return self._compiled[name]


def compile_phrase(phrase: str, words: WordLists) -> str:
    """The regular expression for one phrase (to be searched in ' ' + tidied text + ' ')."""
    body = _compile_sequence(_tokens(phrase), words, phrase)
    if not body:
        raise PhraseError(f"empty phrase {phrase!r}")
    return body + "(?![a-z0-9])"


def _tokens(phrase: str) -> list[str]:
    return _TOKEN.findall(phrase)


def _compile_sequence(tokens: list[str], words: WordLists, phrase: str) -> str:
    pieces, rest = _sequence(tokens, words, phrase)
    if rest:
        raise PhraseError(f"unexpected {rest[0]!r} in phrase {phrase!r}")
    return pieces


def _sequence(tokens: list[str], words: WordLists, phrase: str) -> tuple[str, list[str]]:
    """Pieces up to a closing bracket or '|'; returns the regex and the tokens left."""
    pieces: list[str] = []
    while tokens and tokens[0] not in (")", "]", "|"):
        piece, tokens = _piece(tokens, words, phrase)
        pieces.append(piece)
    return "".join(pieces), tokens


def _piece(tokens: list[str], words: WordLists, phrase: str) -> tuple[str, list[str]]:
    token, rest = tokens[0], tokens[1:]
    if token == "(":
        return _choice(rest, words, phrase, ")")
    if token == "[":  # [a] or [a|b]: may be left out
        inner, rest = _choice(rest, words, phrase, "]")
        return f"{inner}?", rest
    listed = _LIST.fullmatch(token)
    if listed:  # {relative} or {relative}s ("mums", "dads")
        return words.regex(listed.group(1)) + listed.group(2), rest
    if token in ("{", "}"):
        raise PhraseError(f"a word list name must be {{lower_case}} in phrase {phrase!r}")
    return _simple(token, phrase), rest


def _choice(tokens: list[str], words: WordLists, phrase: str, bracket: str) -> tuple[str, list[str]]:
    options: list[str] = []
    while True:
        option, tokens = _sequence(tokens, words, phrase)
        options.append(option)
        if tokens and tokens[0] == "|":
            tokens = tokens[1:]
            continue
        return "(?:" + "|".join(options) + ")", _closed(tokens, bracket, phrase)


def _closed(tokens: list[str], bracket: str, phrase: str) -> list[str]:
    if not tokens or tokens[0] != bracket:
        raise PhraseError(f"missing {bracket!r} in phrase {phrase!r}")
    return tokens[1:]


def _simple(token: str, phrase: str) -> str:
    if token == "...":
        return f"(?: {_WORD}){{0,{GAP_WORDS}}}"
    if token == "**":
        return f"(?: {_WORD}){{0,{SENTENCE_GAP_WORDS}}}"
    if token == "***":  # sentence ends (lone dots) count as words here
        return f"(?: (?:{_WORD}|\\.)){{0,{MESSAGE_GAP_WORDS}}}"
    if token == "*":
        return f" {_WORD}"
    if token == "$":
        return r"(?= (?:\.|$))"
    if token.endswith("*"):
        stem = tidy(token[:-1])
        if not stem or " " in stem:
            raise PhraseError(f"{token!r} in phrase {phrase!r}: '*' goes at the end of one word")
        return f" {re.escape(stem)}[a-z0-9]*"
    if not re.fullmatch("[\\w'\u2019\\-]+", token):
        marks = "( | ) [ ] { } * ** *** ... $"
        raise PhraseError(f"{token!r} in phrase {phrase!r}: use only words and the marks {marks}")
    return "".join(f" {_SAME_AS.get(word) or re.escape(word)}" for word in tidy(token).split())
