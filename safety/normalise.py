"""Tidies a message before the crisis phrases are looked for in it.

The same tidying is applied to the phrases in content/crisis_patterns.yml, so
a coordinator writes plain English ("can't go on") and it still meets "CANT
go onnn", "cant go on" and the same with a curly apostrophe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from reading.normalise import SAFETY_KEEPS, clean
from reading.normalise import TEXT_SPEAK as READING_TEXT_SPEAK

# Digits that stand in for letters inside a word: k1ll, su1c1de, d13.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"(?<![a-z0-9@$])[a-z][a-z0-9@$]*[0-9@$][a-z0-9@$]*")
_APOSTROPHES = re.compile("['`\u2018\u2019\u00b4\u02bc]")  # straight, curly, accents used as one
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
_NOT_A_WORD = re.compile(r"[^a-z0-9.]+")  # sentence ends are lone dots by then
_SPACED_LETTERS = re.compile(r"\b(?:[a-z] ){3,}[a-z]\b")  # "k i l l" -> "kill"
# Three letters spaced out are joined only into these words ("d i e"): "u r a star" stays.
_SPACED_SHORT = re.compile(r"\b(?:[a-z] ){2}[a-z]\b")
SPACED_SHORT_WORDS = frozenset({"die", "cut", "kms", "kys"})
# Letters strung with dots, dashes, stars or underscores: "k.i.l.l", "d-i-e", "s*u*i*c*i*d*e".
_STRUNG_LETTERS = re.compile(r"\b(?:[a-z][.\-*_]){2,}[a-z]\b")
_SELF_HARM_SHORT = re.compile(r"\bs ?/ ?h\b")  # "s/h": self-harm
_REPEATS = re.compile(r"([a-z])\1+")  # "killll", "dieee", "nooo" (and "kill" -> "kil")

# Text speak, after repeats are made single ("gonna" is "gona" by then): the one table in
# reading/normalise.py, but for the forms the phrases are written with ("im", "dont").
TEXT_SPEAK = {word: plain for word, plain in READING_TEXT_SPEAK.items() if word not in SAFETY_KEEPS}

# A dropped final "g" ("cuttin", "killin", "dyin"), for the words the crisis phrases
# use; only listed words, since many words end in "in" (insulin, again, cousin).
# Written as they are after repeats are made single ("cuttin" is "cutin" by then).
_G_DROPPED_WORDS = (  # one block of words, split below
    "cutin kilin dyin hurtin harmin thinkin crashin jumpin hangin bledin breathin burnin takin "
    "goin nothin somethin wantin tryin endin hitin beatin chokin fitin scratchin starvin "
    "overdosin drownin stabin punchin kickin slapin shakin smotherin stranglin bitin colapsin "
    "faintin cryin screamin shoutin planin savin stockpilin sayin talkin feelin lookin walkin "
    "drivin steerin swervin pickin bangin headbangin bruisin sufocatin poisonin wakin respondin "
    "movin makin lyin layin sitin falin sleepin"
)
G_DROPPED = {word: f"{word}g" for word in _G_DROPPED_WORDS.split()}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _text_speak(text: str) -> str:
    return " ".join(TEXT_SPEAK.get(word) or G_DROPPED.get(word, word) for word in text.split(" "))


def tidy(text: str) -> str:
    """Lower case, plain letters, no apostrophes or punctuation, single letters for repeats.

    A sentence end (. ! ? ; : or a new line) stays as a lone "." so a phrase can
    say "the message or sentence ends here".
    """
    text = _strip_accents(clean(text)).lower()
    text = _APOSTROPHES.sub("", text)
    text = _LEET_WORD.sub(lambda found: found.group().translate(_LEET), text)
    text = _SELF_HARM_SHORT.sub("self harm", text)
    text = _STRUNG_LETTERS.sub(lambda found: re.sub(r"[.\-*_]", "", found.group()), text)
    text = _SENTENCE_END.sub(" . ", text)
    text = " ".join(_NOT_A_WORD.sub(" ", text).split())
    text = _SPACED_LETTERS.sub(lambda found: found.group().replace(" ", ""), text)
    text = _SPACED_SHORT.sub(_short_word_if_known, text)
    text = _REPEATS.sub(r"\1", text)
    return _text_speak(text)


def _short_word_if_known(found: re.Match[str]) -> str:
    joined = found.group().replace(" ", "")
    return joined if joined in SPACED_SHORT_WORDS else found.group()


class Speller:
    """Puts back a small set of words when a message has them with one letter slipped.

    Only long, unusual words are listed (in the YAML), so that a one-letter change
    never turns an everyday word into one of them: "unconcious" -> "unconscious".
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._by_variant: dict[str, str] = {}
        for word in words:
            tidied = tidy(word)
            for variant in (tidied, *_deletions(tidied)):
                self._by_variant.setdefault(variant, tidied)
        self._known = {tidy(word) for word in words}

    def correct(self, word: str) -> str:
        if len(word) < 5 or word in self._known or self._inflected(word):
            return word
        if word in self._by_variant:
            return self._by_variant[word]
        for variant in _deletions(word):
            if variant in self._by_variant:
                return self._by_variant[variant]
        return word

    def _inflected(self, word: str) -> bool:
        """'husbands', 'overdoses', 'breath' (of 'breathe') are words in their own right, not slips."""
        return word[:-1] in self._known or f"{word}e" in self._known or f"{word}d" in self._known

    def correct_all(self, text: str) -> str:
        return " ".join(self.correct(word) for word in text.split(" "))


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def normalise(text: str, speller: Speller | None = None) -> str:
    """`tidy` plus one-letter slips in the listed words put right."""
    tidied = tidy(text)
    return speller.correct_all(tidied) if speller else tidied
