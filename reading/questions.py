"""What shape a question has: a yes/no question gets its yes or no first (actions/answers.py)."""

from __future__ import annotations

import re

from reading.normalise import for_reading

# Words a yes/no question starts with, once greetings and fillers are skipped.
_YES_NO_OPENERS = frozenset(
    [
        "do",
        "does",
        "did",
        "is",
        "are",
        "am",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "should",
        "shall",
        "must",
        "may",
        "might",
        "have",
        "has",
        "need",
    ]
)
_FILLERS = frozenset(
    [
        "so",
        "ok",
        "okay",
        "and",
        "but",
        "hi",
        "hiya",
        "hello",
        "hey",
        "um",
        "erm",
        "well",
        "right",
        "then",
        "also",
        "just",
        "please",
        "sorry",
    ]
)
# "can you tell me what...", "could you explain...": a request for the detail, not a yes/no question.
_REQUESTS = frozenset(["tell", "explain", "show", "give", "list", "say", "describe", "help", "send", "let"])
_WH_WORDS = frozenset(["what", "which", "who", "whom", "whose", "where", "when", "why", "how"])


def is_yes_no_question(text: str) -> bool:
    """Whether a message asks yes or no ("do I need a diagnosis?", "is it paid?").

    The last sentence that asks something is read: its first word after any fillers must be a
    helping verb, and it must not be a polite request for an explanation ("can you tell me
    what...") or hold a question word before its verb ("so what do I need").
    """
    sentences = [part for part in text.replace("!", "?").replace(".", "?").split("?") if part.strip()]
    asking = [words for words in map(_first_words, sentences) if words and words[0] in _YES_NO_OPENERS]
    if not asking:
        return False
    words = asking[-1]
    if len(words) > 2 and words[1] in ("you", "u") and words[2] in _REQUESTS:
        return False
    return not any(word in _WH_WORDS for word in words[:2])


def _first_words(sentence: str) -> list[str]:
    words = for_reading(sentence).split()
    while words and words[0] in _FILLERS:
        words = words[1:]
    return words


# A message this long, of more than one sentence, may carry its question in one of them.
LONG_MESSAGE_WORDS = 15
_SENTENCE = re.compile(r"[^.?!\n]+[.?!\n]*")


def sentences(text: str) -> list[str]:
    """The message's sentences, each with its closing punctuation."""
    return [part.strip() for part in _SENTENCE.findall(text) if part.strip()]


def question_part(text: str) -> str | None:
    """The sentence a long message asks its question in ("...so what would that count as?"),
    or None when the message is short, is one sentence, or asks nothing in particular."""
    parts = sentences(text)
    if len(parts) < 2 or len(text.split()) < LONG_MESSAGE_WORDS:
        return None
    asking = [part for part in parts if part.endswith("?") or _opens_a_question(part)]
    return asking[-1] if asking else None


def _opens_a_question(sentence: str) -> bool:
    words = _first_words(sentence)
    return bool(words) and (words[0] in _WH_WORDS or words[0] in _YES_NO_OPENERS)
