"""/forget against the real Rasa tracker store: the conversation is gone and starts afresh."""

from __future__ import annotations

import sqlite3

import pytest

import content
from bot.pseudonym import load_or_create_secret, pseudonymous_sender_id
from tests.e2e.conftest import TgClient, transcript

pytestmark = pytest.mark.e2e


def stored_events(stack, sender: str) -> int:
    with sqlite3.connect(stack.data_dir / "rasa_tracker.db") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def test_forget_deletes_the_conversation_and_the_next_message_starts_afresh(person: TgClient, stack):
    sender = pseudonymous_sender_id(load_or_create_secret(stack.data_dir), person.chat_id)
    person.send("what does a citizen leader do")
    assert stored_events(stack, sender) > 0

    forgotten = person.send("/forget")
    assert content.bot_texts().forgotten.split("\n")[0][:30] in transcript(forgotten)
    assert stored_events(stack, sender) == 0

    # "that" no longer means the citizen leader role: the bot asks which role.
    follow_up = transcript(person.send("what skills does that need"))
    assert content.roles().roles["citizen_leader"].skills[:40] not in follow_up
    assert all(role.name in follow_up for role in content.roles().roles.values())


def test_privacy_explains_what_is_kept(person: TgClient):
    said = transcript(person.send("/privacy"))
    assert "/forget" in said and "30 days" in said
