"""What is saved, as plain values: built and scrubbed before anything touches the database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from importlib import metadata
from typing import Any

from storage.scrubbing import scrub

MAX_COMMENT_CHARS = 1000
MAX_QUESTION_CHARS = 500
RATINGS = range(1, 6)


def bot_version() -> str:
    try:
        return metadata.version("roleguide")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class FeedbackRecord:
    day: date
    rating: int
    comment: str | None
    about: str | None
    bot_version: str

    @classmethod
    def new(
        cls, rating: int, comment: str | None, about: str | None, day: date | None = None
    ) -> FeedbackRecord:
        if rating not in RATINGS:
            raise ValueError(f"a rating is 1 to 5, not {rating!r}")
        cleaned = scrub(comment.strip())[:MAX_COMMENT_CHARS] if comment and comment.strip() else None
        return cls(day or date.today(), rating, cleaned, about, bot_version())


@dataclass(frozen=True)
class UnansweredRecord:
    day: date
    text: str

    @classmethod
    def new(cls, text: str, day: date | None = None) -> UnansweredRecord:
        return cls(day or date.today(), scrub(" ".join(text.split()))[:MAX_QUESTION_CHARS])


Record = FeedbackRecord | UnansweredRecord
KINDS: dict[str, type[FeedbackRecord] | type[UnansweredRecord]] = {
    "feedback": FeedbackRecord,
    "unanswered": UnansweredRecord,
}


def to_json(record: Record) -> dict[str, Any]:
    kind = next(name for name, cls in KINDS.items() if isinstance(record, cls))
    return {"kind": kind, **asdict(record), "day": record.day.isoformat()}


def from_json(data: dict[str, Any]) -> Record:
    fields = dict(data)
    cls = KINDS[fields.pop("kind")]
    fields["day"] = date.fromisoformat(fields["day"])
    return cls(**fields)
