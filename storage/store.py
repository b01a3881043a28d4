"""Saving and reading feedback and unanswered questions, with the spool as a safety net."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from storage.database import data_dir, database_url, make_engine, upgrade, with_driver
from storage.models import Feedback, UnansweredQuestion
from storage.records import FeedbackRecord, Record, UnansweredRecord
from storage.spool import Spool

log = logging.getLogger(__name__)
SPOOL_FILE = Path("spool") / "pending.jsonl"


class Store:
    """One database (DATABASE_URL or the SQLite default) and its spool file."""

    def __init__(self, url: str | None = None, spool_path: Path | None = None) -> None:
        self.url = with_driver(url) if url else database_url()
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.spool = Spool(spool_path or data_dir() / SPOOL_FILE)
        self._schema_ready = False

    def ensure_schema(self) -> None:
        if not self._schema_ready:
            upgrade(self.engine)
            self._schema_ready = True

    def save(self, record: Record) -> bool:
        """Store the record: True if it is in the database now, False if it waits in the spool.

        Never raises for a database failure: the record is spooled and replayed by a later save.
        """
        try:
            self.ensure_schema()
            self.replay_spool()
            self._write_all([record])
            return True
        except Exception as error:  # any failure at all must not lose the record
            log.warning("Could not write to the database (%s); kept in the spool", type(error).__name__)
            self.spool.append(record)
            return False

    def replay_spool(self) -> int:
        """Write everything waiting in the spool; returns how many records that was."""
        self.ensure_schema()
        return self.spool.replay(self._write_all)

    def _write_all(self, records: Sequence[Record]) -> None:
        with self.sessions.begin() as session:
            session.add_all(_row(record) for record in records)

    def feedback(self, since: date | None = None) -> list[Feedback]:
        query = select(Feedback).order_by(Feedback.day, Feedback.id)
        if since is not None:
            query = query.where(Feedback.day >= since)
        self.ensure_schema()
        with self.sessions() as session:
            return list(session.scalars(query))

    def unanswered(
        self, include_reviewed: bool = False, since: date | None = None
    ) -> list[UnansweredQuestion]:
        query = select(UnansweredQuestion).order_by(UnansweredQuestion.day, UnansweredQuestion.id)
        if not include_reviewed:
            query = query.where(UnansweredQuestion.reviewed.is_(False))
        if since is not None:
            query = query.where(UnansweredQuestion.day >= since)
        self.ensure_schema()
        with self.sessions() as session:
            return list(session.scalars(query))

    def mark_reviewed(self, ids: Iterable[int]) -> int:
        """Mark these unanswered questions as reviewed; returns how many were still open."""
        wanted = list(ids)
        self.ensure_schema()
        with self.sessions.begin() as session:
            result = session.execute(
                update(UnansweredQuestion)
                .where(UnansweredQuestion.id.in_(wanted), UnansweredQuestion.reviewed.is_(False))
                .values(reviewed=True)
            )
            return result.rowcount


def _row(record: Record) -> Feedback | UnansweredQuestion:
    if isinstance(record, FeedbackRecord):
        return Feedback(
            day=record.day,
            rating=record.rating,
            comment=record.comment,
            about=record.about,
            bot_version=record.bot_version,
        )
    if isinstance(record, UnansweredRecord):
        return UnansweredQuestion(day=record.day, text=record.text, reviewed=False)
    raise TypeError(f"not a record: {record!r}")
