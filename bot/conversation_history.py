"""Deletes conversations from Rasa's tracker store: one chat's on /forget, stale ones on a schedule.

Rasa keeps each conversation as rows in its `events` table, under the pseudonymous
sender id (never a Telegram id). Rasa reads them back from the database at every
message, so deleted rows are gone for good: the next message starts afresh.
A conversation is purged whole, once its last message is older than the retention
period; cutting events out of a live conversation would corrupt it.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, func, inspect, select

from storage.database import data_dir as default_data_dir
from storage.database import make_engine, with_driver

log = logging.getLogger(__name__)
SECONDS_PER_DAY = 86_400

# Only the columns we need of Rasa's own table (rasa/core/tracker_store.py, SQLTrackerStore).
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
)


def tracker_database_url(data_dir: Path | None = None) -> str:
    """TRACKER_DATABASE_URL, else the SQLite file `make run` gives Rasa (RASA_TRACKER_DB)."""
    url = os.environ.get("TRACKER_DATABASE_URL", "").strip()
    if url:
        return with_driver(url)  # 'postgresql://…' as Rasa's settings write it -> psycopg 3
    folder = data_dir or default_data_dir()
    path = os.environ.get("RASA_TRACKER_DB", "").strip() or str(folder / "rasa_tracker.db")
    return f"sqlite:///{Path(path).resolve()}"


class ConversationHistory:
    def __init__(self, url: str) -> None:
        # SQLite: WAL and a busy timeout, so our deletes and Rasa's writes wait for each other.
        self.engine = make_engine(url)

    def forget(self, sender_id: str) -> int:
        """Delete everything Rasa keeps of one conversation; returns how many events went."""
        if not self._has_events_table():
            return 0
        with self.engine.begin() as connection:
            return connection.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount

    def purge_older_than(self, days: float, now: float | None = None) -> int:
        """Delete every conversation whose last event is older than `days`; returns how many."""
        if not self._has_events_table():
            return 0
        cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
        stale = (
            select(EVENTS.c.sender_id)
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < cutoff)
        )
        with self.engine.begin() as connection:
            senders = list(connection.scalars(stale))
            for start in range(0, len(senders), 500):  # SQLite limits how many values one IN may hold
                batch = senders[start : start + 500]
                connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(batch)))
        return len(senders)

    def _has_events_table(self) -> bool:
        """False before Rasa has stored its first conversation."""
        return inspect(self.engine).has_table("events")
