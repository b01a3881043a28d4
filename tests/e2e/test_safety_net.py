"""The safety net through Telegram against the real stack: help lines first, then the conversation goes on."""

from __future__ import annotations

import time

import pytest

import content
from safety import crisis_reply, find_crisis
from tests.e2e.conftest import TgClient, transcript

pytestmark = pytest.mark.e2e

NOT_BREATHING = "my husband has collapsed on the kitchen floor and hes not breathing properly"


def test_a_medical_emergency_gets_999_first_at_once(person: TgClient):
    started = time.monotonic()
    replies = person.send(NOT_BREATHING)
    answered_in = time.monotonic() - started

    said = transcript(replies)
    assert answered_in < 5
    first_line = next(line for line in said.splitlines() if line.startswith("•"))
    assert "999" in first_line
    assert crisis_reply(find_crisis(NOT_BREATHING)).splitlines()[0] in said


def test_after_the_help_lines_the_conversation_carries_on(person: TgClient):
    person.send("i keep thinking everyone would be better off if i wasnt here")
    said = transcript(person.send("what is tokenism?"))
    assert content.topics().topics["ask_tokenism"].text.splitlines()[0] in said


def test_a_crisis_in_the_middle_of_feedback_ends_the_feedback(person: TgClient):
    person.send("/feedback")
    help_lines = transcript(person.send("sorry i cant do this anymore, i want to end my life"))
    assert "116 123" in help_lines

    after = transcript(person.send("4"))
    assert content.feedback().texts.ask_comment.splitlines()[0] not in after  # no longer rating


def test_a_calm_story_of_a_past_crisis_gets_the_help_lines_and_its_answer(person: TgClient):
    story = (
        "my brother took his own life in 2019. im ok now and i campaign to change crisis care. "
        "what skills does a disruptor need?"
    )
    messages = [reply["text"] for reply in person.send(story, min_replies=2)]

    assert "116 123" in messages[0]  # the help lines first
    role = content.roles().roles["disruptor_advocate"].name
    assert any(f"{role} · Skills needed" in message for message in messages[1:]), messages


def test_a_press_on_where_you_live_adds_that_nations_lines(person: TgClient):
    first = transcript(person.send("i cant cope anymore and i want to end my life"))
    assert "116 123" in first and "Breathing Space" not in first

    added = transcript(person.press("Scotland"))
    assert "In Scotland" in added and "Breathing Space" in added and "NHS 24" in added
