"""Rasa's SQL tracker store with less work per turn; endpoints.yml names it.

Same table, same rows and same results as Rasa's `SQLTrackerStore` (the bot's
/forget and the retention purge delete from that table), but:
- one pooled connection is reused instead of a new SQLite connection per query;
- on SQLite the database runs in write-ahead-log mode with `synchronous=NORMAL`
  (a commit no longer waits for the disk twice; a crash can lose at most the
  last turns, never corrupt the file), so readers and the writer do not block
  each other;
- reads and writes are prepared SQLAlchemy Core statements, built once, rather
  than ORM queries built and compiled for every turn.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

log = logging.getLogger(__name__)

SQLITE_BUSY_MILLISECONDS = 5000


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MILLISECONDS}")
    cursor.close()


class RoleGuideTrackerStore(SQLTrackerStore):
    """An SQL tracker store (SQLite or PostgreSQL) with prepared statements and a kept connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa's engine opens a new SQLite connection for every query: keep a few instead.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=2,
                max_overflow=8,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MILLISECONDS / 1000},
            )
            sa.event.listen(self.engine, "connect", _tune_sqlite)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        with self.session_scope():
            pass  # Rasa's own check, once: a missing POSTGRESQL_SCHEMA stops the server with a clear message
        self._prepare_statements()

    def _prepare_statements(self) -> None:
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        this_session = sa.or_(session_start.is_(None), events.c.timestamp >= session_start)
        self._all_sessions = (
            sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
        )
        self._latest_session = self._all_sessions.where(this_session)
        self._count_latest_session = (
            sa.select(sa.func.count()).select_from(events).where(events.c.sender_id == sender, this_session)
        )
        self._insert = events.insert()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        query = self._all_sessions if fetch_events_from_all_sessions else self._latest_session
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender_id": sender_id}).scalars().all()
        if not rows or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events of the latest session that are not stored yet."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = connection.execute(self._count_latest_session, {"sender_id": tracker.sender_id}).scalar()
            rows = [self._row(tracker.sender_id, event) for event in list(tracker.events)[stored:]]
            if rows:
                connection.execute(self._insert, rows)

    @staticmethod
    def _row(sender_id: str, event: Any) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
