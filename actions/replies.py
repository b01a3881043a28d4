"""What an answer is made from (what Rasa understood) and what it is (text, buttons, slots to set)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A guess this unlikely is not worth offering as a "did you mean" button.
MIN_GUESS = 0.1


@dataclass(frozen=True)
class ButtonSpec:
    title: str
    payload: str


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: list[ButtonSpec] = field(default_factory=list)
    remember: dict[str, Any] = field(default_factory=dict)  # slots to set for later turns
    unanswered: bool = False  # the bot could not answer: the question goes to the coordinators' log


@dataclass(frozen=True)
class Understood:
    """What Rasa made of the latest message, plus what the conversation remembers."""

    intent: str
    text: str = ""
    entities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # entity -> values
    slots: Mapping[str, Any] = field(default_factory=dict)
    # Rasa's guesses (intent, confidence), most likely first, without nlu_fallback.
    ranking: tuple[tuple[str, float], ...] = ()
    # The bot's safety net gave the help lines for other sentences of this message (bot.bridge).
    beside_help_lines: bool = False
    # ...and the whole message came beside them: only the learned classifier raised the alarm.
    whole_beside_help_lines: bool = False

    def entity(self, name: str) -> str | None:
        values = self.entities.get(name) or ()
        return values[0] if values else None

    @property
    def role_entities(self) -> tuple[str, ...]:
        return tuple(self.entities.get("role") or ())

    @property
    def remembered_role(self) -> str | None:
        return self.slots.get("role")

    @property
    def remembered_aspect(self) -> str | None:
        return self.slots.get("role_aspect")

    @property
    def is_button_press(self) -> bool:
        """Button payloads reach Rasa as '/intent{...}', which no one types."""
        return self.text.startswith("/")

    @property
    def likely_intents(self) -> tuple[str, ...]:
        return tuple(intent for intent, confidence in self.ranking if confidence >= MIN_GUESS)

    def close_call(self, first: str, second: str, margin: float) -> bool:
        """Whether `second` came within `margin` of `first` in Rasa's ranking."""
        scores = dict(self.ranking)
        return first in scores and second in scores and scores[first] - scores[second] < margin
