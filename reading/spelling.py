"""Puts right slips in the words this bot knows ("improvment", "comunity", "tokenisn").

SymSpell (symspellpy) finds, for a word, the known words within an edit distance
(Damerau-Levenshtein: a letter added, dropped, changed or two swapped). The known
words are the domain's: those of the training examples and the content, with how
often each is used: every word of the content (which is spelt with care) and
those words of the training examples that are English (so the slips people make
in the examples are not taken for words). A word is only changed when it is in
neither that list nor English (symspellpy's own frequency dictionary), so
ordinary words are never "corrected" into domain words, and short words, numbers
and names are left as they are.
"""

from __future__ import annotations

import importlib.resources
import re
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml
from symspellpy import SymSpell, Verbosity

WORD = re.compile(r"[a-z]+")
# Words shorter than this are never changed ("u", "ta", "mum"); up to LONG_WORD letters may
# differ by one edit, longer words by two.
MIN_LENGTH = 4
LONG_WORD = 7


class EnglishWords:
    """symspellpy's English word list (82,765 words), used only to know a word when it sees one.

    Kept as a sorted array of the words' CRC-32s (330 kB) rather than a set of strings (9 MB
    in every process that reads): a word not in the list shares a CRC with one in it about
    once in 50,000 times, and is then merely left as it is.
    """

    def __init__(self) -> None:
        listing = importlib.resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
        words = (line.split(" ", 1)[0] for line in listing.read_text(encoding="utf-8").splitlines())
        self._crcs = array("I", sorted({zlib.crc32(word.encode()) for word in words}))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        crc = zlib.crc32(word.encode())
        at = bisect_left(self._crcs, crc)
        return at < len(self._crcs) and self._crcs[at] == crc


@cache
def english_words() -> EnglishWords:
    return EnglishWords()


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each lower-case word appears in some texts."""
    return Counter(word for text in texts for word in WORD.findall(text.lower()))


# Lists of misspellings on purpose: role aliases, and the crisis phrase families.
_SLIPS_ON_PURPOSE = {"aliases"}
_FILES_OF_SLIPS = {"crisis_patterns.yml"}


def _strings(data: object) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in _SLIPS_ON_PURPOSE:
                yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def content_texts(folder: Path) -> list[str]:
    """Every text in the content's YAML files (read as plain YAML: no schema needed)."""
    paths = [path for path in sorted(folder.glob("*.yml")) if path.name not in _FILES_OF_SLIPS]
    return [text for path in paths for text in _strings(yaml.safe_load(path.read_text()))]


def domain_words(content: Iterable[str], examples: Iterable[str]) -> Counter[str]:
    """The words to put slips right to: all the content's, and the examples' English ones."""
    english = english_words()
    counts = word_counts(content)
    counts.update({word: n for word, n in word_counts(examples).items() if word in english or word in counts})
    return counts


class Speller:
    def __init__(self, counts: Counter[str] | dict[str, int]) -> None:
        self.counts = {word: int(count) for word, count in counts.items() if WORD.fullmatch(word)}
        # A prefix of 5 letters keeps the index small (a third of the memory of 7) and finds
        # every slip these words are checked for.
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)
        for word, count in self.counts.items():
            if len(word) >= MIN_LENGTH:
                self._symspell.create_dictionary_entry(word, count)
        self._english = english_words()

    def correct(self, word: str) -> str:
        """The word, or the domain word it is a slip of (the nearest; the commonest if several)."""
        if len(word) < MIN_LENGTH or word in self.counts or not word.isalpha() or word in self._english:
            return word
        distance = 1 if len(word) <= LONG_WORD else 2
        found = self._symspell.lookup(word, Verbosity.TOP, max_edit_distance=distance)
        return found[0].term if found else word
