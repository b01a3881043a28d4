"""Simulated people for the soak test: each talks to the bot through the Telegram emulator.

A person keeps picking a short journey (explore the roles with buttons, ask
questions, take the quiz, give feedback, say something distressing, send a
sticker), waits a few seconds between messages like someone typing, and
records for every message when it was sent, how long the first reply took,
and whether the reply carried the crisis lines or was the offline answer.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Any

import content

# A reply with the crisis lines has the Samaritans' number (content/crisis_lines.yml).
CRISIS_MARK = "116 123"

QUESTIONS = (
    "what is a citizen leader",
    "whats the diffrence between co-production and consultation",
    "if they pay me will it mess up my carers allowance?",
    "what is tokenism",
    "how do i get my travel expenses paid",
    "i care for my mum, can i still take part in meetings?",
    "what does an improvement expert do",
    "tell me about disruptors",
    "is there any training for people like me",
    "i run a whatsapp group for parents of disabled kids, is that a role?",
    "what skills does that need?",
    "who can help me find a peer network near leeds",
    "hello",
    "what can you do",
)
CRISIS_MESSAGES = (
    "my dad keeps saying he wants to end it all and i dont know what to do",
    "im thinking about ending it all",
    "i dont want to be here anymore",
)
FEEDBACK_COMMENTS = ("it was really clear thanks", "a bit long but helpful", "more about money please")

# Journeys: ("send", text), ("press", label regex or None for any button), ("crisis", None),
# ("question", None) for a random question, ("sticker", None).
Step = tuple[str, str | None]
JOURNEYS: tuple[tuple[int, tuple[Step, ...]], ...] = (
    (4, (("send", "/start"), ("press", "four roles"), ("press", None), ("question", None), ("press", None))),
    (5, (("question", None), ("question", None), ("press", None))),
    (2, (("send", "/quiz"), *(("press", None),) * 6)),
    (2, (("send", "/feedback"), ("press", r"^[1-5]"), ("comment", None), ("press", None))),
    (1, (("crisis", None), ("question", None))),
    (1, (("send", "/roles"), ("press", None), ("sticker", None))),
)


def pick_journey(rng: random.Random) -> tuple[Step, ...]:
    """One journey, the common ones more often."""
    return rng.choices([journey for _, journey in JOURNEYS], [weight for weight, _ in JOURNEYS])[0]


@dataclass(frozen=True)
class Turn:
    """One message a person sent and what came back."""

    kind: str  # "text", "press", "crisis", "sticker", ...
    sent_at: float  # time.monotonic()
    latency: float | None  # seconds to the first reply message; None: no reply
    crisis_lines: bool  # the reply carried the crisis lines
    offline: bool  # the reply was the offline answer (Rasa down)


def offline_mark() -> str:
    """The first line of the offline answer (content/bot.yml `unavailable`)."""
    return content.bot_texts().unavailable.strip().splitlines()[0]


class Person:
    """One simulated person with their own chat; `run()` talks until the time is up."""

    def __init__(
        self,
        client: Any,  # a tgclient.TgClient
        transcript: Any,  # tgclient.transcript
        rng: random.Random,
        think: tuple[float, float],
        reply_timeout: float,
        settle: float = 0.5,
    ):
        self._client = client
        self._transcript = transcript
        self._rng = rng
        self._think = think
        self._reply_timeout = reply_timeout
        self._settle = settle  # quiet seconds after the first reply that end a turn
        self._offline = offline_mark()
        self.turns: list[Turn] = []
        self.errors: list[str] = []

    def run(self, until: float) -> None:
        """Journey after journey in one chat until the time is up."""
        while time.monotonic() < until:
            self.take_journey(pick_journey(self._rng), until)

    def take_journey(self, journey: tuple[Step, ...], until: float) -> None:
        for step in journey:
            if time.monotonic() >= until:
                return
            try:
                self._take(step)
            except Exception as error:  # the emulator dropped a connection: note it, go on
                self.errors.append(type(error).__name__)
            if self._think[1] > 0:
                time.sleep(self._rng.uniform(*self._think))

    def _take(self, step: Step) -> None:
        action, value = step
        if action == "press":
            button = self._pick_button(value)
            if button is not None:
                self._press(button)
                return
            action = "question"
        if action == "question":
            self._send("text", self._rng.choice(QUESTIONS))
        elif action == "crisis":
            self._send("crisis", self._rng.choice(CRISIS_MESSAGES))
        elif action == "comment":
            self._send("text", self._rng.choice(FEEDBACK_COMMENTS))
        elif action == "sticker":
            started = time.monotonic()
            replies = self._client.send_sticker("🙂", timeout=self._reply_timeout, settle=0)
            self._record("sticker", started, replies)
        else:
            self._send("command" if (value or "").startswith("/") else "text", value or "")

    def _send(self, kind: str, text: str) -> None:
        started = time.monotonic()
        replies = self._client.send(text, timeout=self._reply_timeout, settle=0)
        self._record(kind, started, replies)

    def _press(self, callback_data: str) -> None:
        started = time.monotonic()
        # The callback answer counts as one reply: wait for it and one message.
        replies = self._client.press(callback_data, timeout=self._reply_timeout, settle=0, min_replies=2)
        self._record("press", started, replies)

    def _pick_button(self, pattern: str | None) -> str | None:
        buttons = [b for b in self._client.buttons() if b.get("callback_data")]
        if pattern is not None:
            buttons = [b for b in buttons if re.search(pattern, b.get("text", ""), re.IGNORECASE)]
        return self._rng.choice(buttons)["callback_data"] if buttons else None

    def _record(self, kind: str, started: float, first: list[dict]) -> None:
        latency = time.monotonic() - started if first else None
        rest = self._client.wait(timeout=0, settle=self._settle, min_replies=0) if first else []
        said = self._transcript(first + rest)
        self.turns.append(Turn(kind, started, latency, CRISIS_MARK in said, self._offline in said))
