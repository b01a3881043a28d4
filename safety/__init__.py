"""The crisis safety net: spots wording that means someone may be in danger, and says where help is.

Two nets, both run by the bot before Rasa: `find_crisis` (phrases in
content/crisis_patterns.yml, which also name the kind of crisis) and, for what
they miss, a learned classifier trained at start-up on the labelled examples.
`detect_crisis(text)` runs both; the bot sends `crisis_reply(match, region)`.
"""

import re

from safety import crisis_classifier as _learned  # the module (its name is also a function in it)
from safety.crisis import BLANK as _SAYING_BLANKED
from safety.crisis import CrisisMatch, CrisisMatcher, crisis_matcher, find_crisis
from safety.replies import crisis_reply, place_buttons, place_reply

# When only the classifier raised the alarm the kind is unknown: the general lines
# for someone who may not be safe (999 first, then listening services) fit best.
UNKNOWN_KIND = "suicide"
LEARNED = "(learned classifier)"


# Shorter messages are left to the phrases: on a few words (or markup) the classifier guesses.
CLASSIFIER_MIN_WORDS = 4
_WORD = re.compile(r"[^\W\d_]{2,}")


def detect_crisis(text: str) -> CrisisMatch | None:
    """The phrase matcher's finding, else the classifier's (kind unknown), else None."""
    found = find_crisis(text)
    if found is not None or len(_WORD.findall(text)) < CLASSIFIER_MIN_WORDS or not _learned.is_crisis(text):
        return found
    # "my plants are dead again": an everyday saying (not_crisis) held the only alarming words.
    prepared = crisis_matcher().prepare(text)
    if _SAYING_BLANKED in prepared:
        rest = prepared.replace(_SAYING_BLANKED, " ")
        if len(_WORD.findall(rest)) < CLASSIFIER_MIN_WORDS or not _learned.is_crisis(rest):
            return None
    return CrisisMatch(category=UNKNOWN_KIND, categories=(), phrase=LEARNED)


def build_nets() -> None:
    """Compile the phrases and train the classifier now (about two seconds), not at a first message."""
    crisis_matcher()
    _learned.crisis_classifier()


__all__ = [
    "LEARNED",
    "CrisisMatch",
    "CrisisMatcher",
    "build_nets",
    "crisis_matcher",
    "crisis_reply",
    "detect_crisis",
    "find_crisis",
    "place_buttons",
    "place_reply",
]
