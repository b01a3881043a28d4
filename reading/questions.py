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


# A message this long, of more than one sentence or clause, may carry its question in one of
# them ("i want to leave some feedback, what happens to it" has 11 words).
LONG_MESSAGE_WORDS = 10
_SENTENCE = re.compile(r"[^.?!\n]+[.?!\n]*")


def sentences(text: str) -> list[str]:
    """The message's sentences, each with its closing punctuation."""
    return [part.strip() for part in _SENTENCE.findall(text) if part.strip()]


def question_part(text: str) -> str | None:
    """The part a long message asks its question in ("...so what would that count as?"), or None
    when the message is short, is one sentence of one clause, or asks nothing in particular.

    The last sentence that asks something is taken, from its first clause that opens a
    question to its end: "i want to campaign, is that what a disruptor does?" asks "is that
    what a disruptor does?"; "i sit on two panels, can i be both, sorry for the essay" asks
    "can i be both, sorry for the essay".
    """
    if len(text.split()) < LONG_MESSAGE_WORDS:
        return None
    parts = sentences(text)
    if len(parts) < 2 and len(_clauses(text)) < 2:
        return None
    asking = [part for part in parts if part.endswith("?") or _opens_a_question(part)]
    asking = asking or [part for part in parts if any(map(_opens_a_question, _clauses(part)))]
    if not asking:
        return None
    clauses = _clauses(asking[-1])
    first = next((number for number, clause in enumerate(clauses) if _opens_a_question(clause)), 0)
    asked = " ".join(clauses[first:])
    if _leans_back(asked):  # "..., i want to complain about the ward, how do i go about it"
        before = clauses[first - 1] if first else _sentence_before(parts, asking[-1])
        asked = f"{before} {asked}" if before else asked
    return None if asked.split() == text.split() else asked


# A question that points back and says nothing else ("how do i go about it", "what would that
# count as") asks about what was said just before it, which it takes along. "what actually happens
# to it" or "is that what a disruptor does" say what they ask, and stand alone.
POINTING_BACK_TO_ONE = frozenset({"it", "that", "this"})  # "what role would that be?"
_POINTING_BACK = POINTING_BACK_TO_ONE | {"them", "those", "these"}
_SAYS_NOTHING_ELSE = frozenset(
    {*_WH_WORDS, *_YES_NO_OPENERS, *_FILLERS}
    | {"i", "you", "we", "one", "go", "going", "about", "with", "do", "doing", "get", "start"}
    | {"begin", "on", "even", "for", "to", "then", "please", "count", "counts", "as", "make", "makes"}
    | {"me", "called", "call", "classed", "mean", "means", "sound", "sounds", "like", "fit", "under"}
)


def _leans_back(asked: str) -> bool:
    words = for_reading(asked).split()
    return any(word in _POINTING_BACK for word in words) and all(
        word in _POINTING_BACK or word in _SAYS_NOTHING_ELSE for word in words
    )


def _sentence_before(parts: list[str], sentence: str) -> str | None:
    number = parts.index(sentence)
    return parts[number - 1] if number else None


_CLAUSE = re.compile(r"[^,;]+[,;]*")


def last_clause(text: str) -> str | None:
    """The last clause of a message of more than one ("..., is there a peer group"), else None."""
    parts = [clause for sentence in sentences(text) for clause in _clauses(sentence)]
    return parts[-1] if len(parts) > 1 else None


def _clauses(sentence: str) -> list[str]:
    """A sentence's clauses, as commas and semicolons part them."""
    return [part.strip() for part in _CLAUSE.findall(sentence) if part.strip(" ,;")]


def asks_a_question(text: str) -> bool:
    """Whether a message has the shape of a question: a question mark, or a question word or
    helping verb first ("the citizen leader one" has neither)."""
    return "?" in text or any(map(_opens_a_question, sentences(text)))


def _opens_a_question(sentence: str) -> bool:
    words = _first_words(sentence)
    return bool(words) and (words[0] in _WH_WORDS or words[0] in _YES_NO_OPENERS)


# "what does a disruptor actually do", "what would i be doing day to day", "in practice".
_WHAT_IS_DONE = re.compile(
    r"\bwhat (do|does|did|would|will|could|should)\b(?:(?!\bwhat\b).)*\b(do|doing)\b"
    r"|\bday to day\b|\bin practice\b|\btypical day\b|\bexpected of\b|\bexpected to do\b"
)


def asks_what_is_done(text: str) -> bool:
    """Whether a message asks what someone does (not only what something is)."""
    return bool(_WHAT_IS_DONE.search(for_reading(text)))


# Words a hello opens with ("hiya", "good afternoon").
GREETINGS = frozenset(
    ["hi", "hiya", "hello", "hey", "heya", "hiii", "morning", "evening", "afternoon", "good", "there"]
)
# A hello followed by at least this many words says something else too.
WORDS_BEYOND_A_HELLO = 3


def after_greeting(text: str) -> str | None:
    """What a message says after the hello it opens with ("hello, i'm a carer for my dad, wanted
    to ask how much time these roles take"), or None when it opens with none or says little more."""
    words = text.split()
    opening = 0
    while opening < len(words) and for_reading(words[opening]) in GREETINGS:
        opening += 1
    rest = words[opening:]
    if not opening or len(rest) < WORDS_BEYOND_A_HELLO:
        return None
    return " ".join(rest).lstrip(",.!-: ")
