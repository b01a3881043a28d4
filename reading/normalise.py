"""One normaliser for what people type, shared by the bot, the safety net, Rasa's intent
classifier and the actions.

Three steps, each usable on its own:
- `clean`: the characters (broken emoji halves, control and invisible characters, look-alike
  letters folded by NFKC); the words are not changed. Every message gets this first.
- `TEXT_SPEAK` / `expand_text_speak`: common text-speak and spoken forms as plain words
  ("u" -> "you", "wat" -> "what", "cannae" -> "cant"), word by word.
- `for_reading`: lower case, apostrophes dropped, text-speak expanded (a "1" that stands for
  "one" too), closing kisses ("ta x") dropped, and slips in domain words put right by a
  `reading.spelling.Speller`: what the intent classifier and the role and support matching read.

The safety net's own tidying (safety/normalise.py) builds on `clean` and the same text-speak
table, so a crisis phrase and a question are read the same way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the bot and the safety net never spell-check, so never load symspellpy
    from reading.spelling import Speller

_LINE_BREAKS = re.compile(r"\r\n?")
_KEPT_CONTROLS = frozenset("\n\t")
_APOSTROPHES = re.compile("['`\u2018\u2019\u00b4\u02bc]")
_WORDS = re.compile(r"[a-z0-9]+")

# Text-speak and spoken forms, as words after repeated letters are made single
# (so "gonna" is listed as "gona" too).
TEXT_SPEAK = {
    "wana": "want to",
    "wanna": "want to",
    "gona": "going to",
    "gonna": "going to",
    "gota": "got to",
    "ima": "i am going to",
    "u": "you",
    "ur": "your",
    "rn": "right now",
    "dnt": "dont",
    "cnt": "cant",
    "cba": "cant be bothered",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "wich": "which",
    "pls": "please",
    "plz": "please",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bc": "because",
    "tho": "though",
    "thx": "thanks",
    "ty": "thank you",
    "abt": "about",
    "r": "are",
    "y": "why",
    "b4": "before",
    "2day": "today",
    "2nite": "tonight",
    "2night": "tonight",
    "tonite": "tonight",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "doesnt": "does not",
    "cant": "can not",
    "wont": "will not",
    "idk": "i dont know",
    "dunno": "dont know",
    "tbh": "to be honest",
    "ppl": "people",
    "sth": "something",
    "smth": "something",
    "w": "with",
    "wiv": "with",
    "gd": "good",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    "grp": "group",
    # Scots: "cannae get up", "dinnae ken"
    "canae": "cant",
    "cana": "cant",
    "dinae": "dont",
    "didnae": "didnt",
    "couldnae": "couldnt",
    "wouldnae": "wouldnt",
    "isnae": "isnt",
    "wisnae": "wasnt",
    "winae": "wont",
    "tae": "to",
    # Welsh courtesies, common in English messages from Wales: "diolch (yn fawr)" thanks
    # (very much), "helo" and "shwmae" hello, "hwyl (fawr)" bye.
    "diolch": "thanks",
    "yn": "",
    "fawr": "",
    "helo": "hello",
    "shwmae": "hello",
    "hwyl": "bye",
    # a digit for a sound: "any1", "no1 told me", "sum1"
    "any1": "anyone",
    "some1": "someone",
    "sum1": "someone",
    "every1": "everyone",
    "no1": "no one",
    "evry1": "everyone",
}
# A "1" that follows one of these, or "the" and one more word, is the word "one" ("which 1",
# "the campaigner 1"); a bare "1" or "option 1" stays a number (a quiz answer).
_ONE_AFTER = frozenset(
    {"which", "the", "that", "this", "each", "every", "any", "no", "other", "right", "wrong", "last", "same"}
)
# The forms the safety net's phrases are written against keep their own spelling there
# ("im", "dont" and "cant" stay single words; see safety/normalise.py).
SAFETY_KEEPS = frozenset({"im", "ive", "dont", "doesnt", "cant", "wont", "r", "y", "w", "ty"})
# For reading, each form is expanded all the way ("dnt" -> "dont" -> "do not").
_READING_TABLE = {
    word: " ".join(TEXT_SPEAK.get(part, part) for part in plain.split()) for word, plain in TEXT_SPEAK.items()
}


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


def clean(text: str) -> str:
    """The message with only its characters tidied (see the module docstring); idempotent."""
    text = _LINE_BREAKS.sub("\n", _whole_code_points(text))
    text = "".join(_visible_or_space(char) for char in text)
    return unicodedata.normalize("NFKC", text)


def expand_text_speak(words: list[str], table: dict[str, str] = TEXT_SPEAK) -> list[str]:
    return [table.get(word, word) for word in words]


def for_reading(text: str, speller: Speller | None = None) -> str:
    """Lower-case words with text-speak expanded and domain-word slips put right."""
    words = _WORDS.findall(_APOSTROPHES.sub("", clean(text).lower()))
    words = " ".join(expand_text_speak(words, _READING_TABLE)).split()
    words = _without_closing_kisses(words)
    if speller:
        words = [speller.correct(word) for word in words]
    return " ".join(_ones_as_words(words))


_KISSES = re.compile(r"^(x+|(xo)+x?)$")


def _without_closing_kisses(words: list[str]) -> list[str]:
    """ "ok ta x", "thanks love xx": the kisses a message ends with say nothing about what it asks."""
    while len(words) > 1 and _KISSES.match(words[-1]):
        words = words[:-1]
    return words


def _ones_as_words(words: list[str]) -> list[str]:
    read: list[str] = []
    for word in words:
        before = read[-1] if read else ""
        two_before = read[-2] if len(read) > 1 else ""
        read.append("one" if word == "1" and (before in _ONE_AFTER or two_before == "the") else word)
    return read
