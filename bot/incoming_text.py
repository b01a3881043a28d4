"""Tidies what people type before anything reads it: the crisis check, the blank check and Rasa.

This is reading.normalise.clean, the first step of the project's one normaliser.

Telegram delivers whatever a client sends, so a message may hold characters
nobody meant to write and some that break things further on:

- lone surrogates (half an emoji from a broken client) cannot be encoded as
  UTF-8, so the request to Rasa would fail: they become U+FFFD;
- control characters (a null byte, escape codes) are refused by PostgreSQL
  and mean nothing to Rasa: they become spaces (new lines and tabs stay);
- invisible format characters (zero-width spaces, direction marks, joiners,
  soft hyphens) carry no words, and inside a word they would hide it from
  Rasa and from the crisis check: they are removed;
- NFKC folds look-alikes into plain letters (full-width and "bold" maths
  letters from fancy-text apps become "help"; "e" + a combining accent is "é").

The words themselves are never changed, and markup is left as it is: replies
are escaped when they are sent (bot.rendering), not here.
"""

from __future__ import annotations

import re

from reading.normalise import clean

# Slashes (and the spaces among them) before the first word of typed text.
_LEADING_SLASHES = re.compile(r"^[\s/]*/\s*")


def clean_incoming_text(text: str) -> str:
    """The message as Rasa and the checks should read it (see the module docstring); idempotent."""
    return clean(text)


def typed_words(text: str) -> str:
    """Typed text with any slashes before its first word dropped: "/kill myself" or "/ what is
    tokenism" are read, by the safety net and by Rasa, as what they say. To Rasa a leading "/"
    names an intent, and only our own buttons and commands may send one."""
    return _LEADING_SLASHES.sub("", clean_incoming_text(text), count=1)
