"""/privacy, /forget and the purge of old conversations from Rasa's tracker store."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

import content
from bot.app import build_application
from bot.bridge import Bridge
from bot.conversation_history import ConversationHistory
from bot.pseudonym import pseudonymous_sender_id
from bot.rasa_client import RasaRestClient
from bot.rendering import to_html
from tests.conftest import SECRET, message_update, settings
from tests.fakes import FakeRasa, OfflineTelegram

DAY = 86_400
# The table as Rasa 3.6's SQLTrackerStore creates it.
RASA_EVENTS_TABLE = """
CREATE TABLE events (
    id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT
)"""


class TrackerFile:
    """A Rasa tracker database file with conversations in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with sqlite3.connect(path) as db:
            db.execute(RASA_EVENTS_TABLE)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def add(self, sender: str, *ages_in_days: float) -> None:
        with sqlite3.connect(self.path) as db:
            for age in ages_in_days:
                db.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                    (sender, time.time() - age * DAY),
                )

    def senders(self) -> set[str]:
        with sqlite3.connect(self.path) as db:
            return {row[0] for row in db.execute("SELECT sender_id FROM events")}


def said(telegram: OfflineTelegram) -> list[str]:
    return [message["text"] for message in telegram.sent()]


@pytest.fixture
def tracker_file(tmp_path) -> TrackerFile:
    return TrackerFile(tmp_path / "rasa_tracker.db")


def test_forget_deletes_one_conversation_and_no_other(tracker_file):
    tracker_file.add("alice", 0.1, 0.0)
    tracker_file.add("bob", 0.2)

    assert ConversationHistory(tracker_file.url).forget("alice") == 2
    assert tracker_file.senders() == {"bob"}


def test_conversations_idle_past_the_retention_period_are_purged_whole(tracker_file):
    tracker_file.add("stale", 45, 40)
    tracker_file.add("still_talking", 50, 0.5)  # started long ago, but active: kept whole
    tracker_file.add("recent", 3)

    assert ConversationHistory(tracker_file.url).purge_older_than(30) == 1
    assert tracker_file.senders() == {"still_talking", "recent"}
    with sqlite3.connect(tracker_file.path) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'still_talking'").fetchone() == (2,)


def test_before_rasa_has_stored_anything_there_is_nothing_to_delete(tmp_path):
    history = ConversationHistory(f"sqlite:///{tmp_path / 'empty.db'}")
    assert history.forget("anyone") == 0
    assert history.purge_older_than(30) == 0


@pytest.fixture
async def app_with_history(tracker_file, telegram: OfflineTelegram) -> AsyncIterator[Application]:
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=FakeRasa().client()), SECRET)
    application = build_application(
        settings(tracker_retention_days=14.0),
        bridge,
        request=telegram,
        history=ConversationHistory(tracker_file.url),
    )
    async with application:
        yield application


async def test_privacy_says_what_is_kept_and_for_how_long(app_with_history, telegram):
    await app_with_history.process_update(message_update(app_with_history, "/privacy"))

    [text] = said(telegram)
    assert "14 days after your last message" in text
    assert "/forget" in text


async def test_forget_deletes_this_chats_conversation_and_confirms(app_with_history, telegram, tracker_file):
    mine, someone_elses = pseudonymous_sender_id(SECRET, 77), pseudonymous_sender_id(SECRET, 78)
    tracker_file.add(mine, 0.01, 0.0)
    tracker_file.add(someone_elses, 0.0)

    await app_with_history.process_update(message_update(app_with_history, "/forget"))

    assert tracker_file.senders() == {someone_elses}
    assert said(telegram) == [to_html(content.bot_texts().forgotten.strip())]


async def test_when_forgetting_fails_the_person_is_told(tmp_path, telegram):
    broken = ConversationHistory(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=FakeRasa().client()), SECRET)
    application = build_application(settings(), bridge, request=telegram, history=broken)
    async with application:
        await application.process_update(message_update(application, "/forget"))

    assert said(telegram) == [to_html(content.bot_texts().forget_failed.strip())]


async def test_the_purge_runs_on_a_schedule_and_deletes_old_conversations(app_with_history, tracker_file):
    tracker_file.add("stale", 20)
    tracker_file.add("fresh", 1)
    [job] = [j for j in app_with_history.job_queue.jobs() if j.name == "purge old conversations"]

    await job.callback(None)

    assert tracker_file.senders() == {"fresh"}


def test_a_retention_period_that_is_not_a_positive_number_stops_start_up(monkeypatch):
    from bot.settings import Settings, SettingsError

    for bad in ("0", "-3", "a month"):
        monkeypatch.setenv("TRACKER_RETENTION_DAYS", bad)
        with pytest.raises(SettingsError, match="TRACKER_RETENTION_DAYS"):
            Settings.from_env()
