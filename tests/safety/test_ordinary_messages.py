"""No ordinary short message raises the bot's own safety net (before Rasa); see tests/safety/ordinary.py."""

from __future__ import annotations

from safety import detect_crisis
from tests.safety.ordinary import ordinary_messages


def test_the_guard_list_holds_at_least_300_different_messages():
    messages = ordinary_messages()
    assert len(messages) >= 300
    assert len({" ".join(text.casefold().split()) for text in messages}) == len(messages)  # emoji count


def test_no_ordinary_message_raises_the_alarm():
    alarms = [text for text in ordinary_messages() if detect_crisis(text) is not None]
    assert alarms == []


def test_an_everyday_saying_does_not_hide_a_crisis_beside_it():
    assert detect_crisis("my plants are dead again") is None
    assert detect_crisis("my plants are dead again and i want to end my life tonight") is not None
