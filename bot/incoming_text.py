"""Tidies what people type before anything reads it: the crisis check, the blank check and Rasa.

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
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n?")
_KEPT_CONTROLS = frozenset("\n\t")


def _whole_code_points(text: str) -> str:
    """Pairs of surrogates become the character they encode; a lone one becomes U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _visible_or_space(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cc":
        return char if char in _KEPT_CONTROLS else " "
    if category == "Cf":
        return ""
    return char


def clean_incoming_text(text: str) -> str:
    """The message as Rasa and the checks should read it (see the module docstring); idempotent."""
    text = _LINE_BREAKS.sub("\n", _whole_code_points(text))
    text = "".join(_visible_or_space(char) for char in text)
    return unicodedata.normalize("NFKC", text)
