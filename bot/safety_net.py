"""The safety net, first on every message: crisis wording gets the help lines at once, before Rasa.

The phrase matcher and the learned classifier (see safety/) run here; Rasa's own
crisis intent is one more net behind them.

A safety feature must not swallow a question. When the alarm comes from some
sentences of a message and the others ask something ("my son took his own life in
2021. I'm doing OK now. What skills do I need to keep campaigning?"), the help lines
go first and the other sentences, never the alarming ones, go on to Rasa
(`rest_beside_alarm`), which answers them only if they ask a question it understands.
When no crisis phrase matched at all and only the learned classifier raised the alarm,
the words are ordinary ones ("i want to say no without feeling guilty" scores high on
"guilty"): the whole message goes to Rasa beside the help lines, which answers its
question unless it reads a crisis there too.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import content
from bot.rasa_client import Button, Reply
from reading.questions import sentences
from safety import (
    LEARNED,
    CrisisMatch,
    build_nets,
    crisis_reply,
    detect_crisis,
    place_buttons,
    place_reply,
)

log = logging.getLogger(__name__)

# What Rasa is told instead of the message, so the conversation knows (a feedback form
# ends, no invitation follows); its own answer would only repeat the help lines.
CRISIS_PAYLOAD = "/crisis"
CRISIS_TOPIC = "crisis"
# Fewer words than this left beside an alarm ask nothing worth answering ("help me").
MIN_WORDS_BESIDE_ALARM = 3


class SafetyNet:
    def __init__(self, region: str | None = None) -> None:
        self.region = region  # CRISIS_REGION: which country's help lines (None: the environment's)
        build_nets()  # now (a second or two), not at someone's first message

    def may_be_crisis(self, text: str) -> bool:
        return _match(text) is not None

    def reply_for(self, text: str) -> Reply | None:
        """The help-lines reply if the message may be a crisis, else None."""
        match = _match(text)
        if match is None:
            return None
        # The kind and the YAML phrase that matched: never the message.
        log.info("safety net: help lines sent before Rasa (%s)", match.category)
        places = tuple(Button(*place) for place in place_buttons(match.category, self.region))
        return Reply(crisis_reply(match, self.region), places + _follow_up_buttons())

    def reply_for_place(self, payload: str) -> Reply | None:
        """The lines a place button under the help lines adds ("Scotland"), or None if not one."""
        text = place_reply(payload, self.region)
        return Reply(text) if text else None

    def rest_beside_alarm(self, text: str) -> str | None:
        """The sentences of an alarming message that raise no alarm, if the alarm came from others.

        None when every sentence, or only the whole, raises it, or too little is left:
        then the help lines stand alone. What is returned raises no alarm itself, except a
        message only the learned classifier flagged, which is returned whole.
        """
        match = _match(text)
        if match is not None and match.phrase == LEARNED:
            return text
        parts = sentences(text)
        calm = [part for part in parts if _match(part) is None]
        if len(calm) == len(parts):  # no sentence alone raised it: the whole message did
            return None
        rest = " ".join(calm)
        if len(rest.split()) < MIN_WORDS_BESIDE_ALARM or _match(rest) is not None:
            return None
        return rest


def _follow_up_buttons() -> tuple[Button, ...]:
    """The crisis topic's buttons (content/topics.yml), e.g. "I'm OK, just worn out" for a false alarm."""
    return tuple(Button(b.title, b.payload) for b in content.topics().topics[CRISIS_TOPIC].buttons)


@lru_cache(maxsize=256)  # the handler (for the rate limit) and the bridge check the same message
def _match(text: str) -> CrisisMatch | None:
    if text.startswith("/"):  # a button's payload or a command, never typed words
        return None
    return detect_crisis(text)
