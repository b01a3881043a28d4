"""What coordinators read in Telegram, built from the Store: the digest and the open questions.

The texts come from content/coordinator.yml and are plain text: whoever sends
them escapes them (the bot sends HTML). Nothing here knows about Telegram.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError

import content
from content.schema import CoordinatorTexts
from coordinator.charts import ratings_over_time, to_png
from coordinator.summary import QuestionCount, average, summarise_feedback, top_unanswered, week_start
from storage.models import Feedback, UnansweredQuestion
from storage.store import Store

DIGEST_DAYS = 7  # the digest covers the last 7 days, today included
CHART_WEEKS = 8
TOP_QUESTIONS = 3  # in the digest
LISTED_QUESTIONS = 10  # in /unanswered
RECENT_COMMENTS = 3
SHORT_TEXT_CHARS = 200  # a comment or question in the digest is cut to this


class DatabaseUnreadable(RuntimeError):
    """The feedback database could not be read (down, missing, or refusing the connection)."""


@dataclass(frozen=True)
class Digest:
    text: str
    chart_png: bytes | None  # None when there is no feedback to draw
    chart_caption: str


@dataclass(frozen=True)
class OpenQuestions:
    text: str
    ids: list[int]  # every stored question behind the ones shown; empty when nothing is open


@contextmanager
def using_the_database() -> Iterator[None]:
    """Turn any failure to reach or use the database into DatabaseUnreadable (named by its kind)."""
    try:
        yield
    except (SQLAlchemyError, CommandError, OSError) as error:
        raise DatabaseUnreadable(type(error).__name__) from error


def build_digest(store: Store, today: date) -> Digest:
    """The digest of the 7 days up to `today`, with a chart of the last 8 weeks of ratings."""
    with using_the_database():
        feedback = store.feedback(since=week_start(today) - timedelta(weeks=CHART_WEEKS - 1))
        questions = store.unanswered()
    texts = content.coordinator_texts()
    chart = to_png(ratings_over_time(summarise_feedback(feedback, today, CHART_WEEKS))) if feedback else None
    return Digest(
        digest_text(feedback, questions, today), chart, texts.chart_caption.format(weeks=CHART_WEEKS)
    )


def digest_text(feedback: Sequence[Feedback], questions: Sequence[UnansweredQuestion], today: date) -> str:
    """The digest: feedback figures and topics, open questions, recent comments (plain text)."""
    texts = content.coordinator_texts()
    first_day = today - timedelta(days=DIGEST_DAYS - 1)
    this_week = [row for row in feedback if first_day <= row.day <= today]
    week_before = [row for row in feedback if first_day - timedelta(days=DIGEST_DAYS) <= row.day < first_day]
    sections = [
        texts.digest_heading.format(first_day=_day(first_day), last_day=_day(today)),
        _feedback_section(this_week, week_before, today, any_feedback=bool(feedback), texts=texts),
        _questions_section(questions, texts),
        _comments_section(this_week, texts),
    ]
    return "\n\n".join(section for section in sections if section)


def _feedback_section(
    this_week: Sequence[Feedback],
    week_before: Sequence[Feedback],
    today: date,
    any_feedback: bool,
    texts: CoordinatorTexts,
) -> str:
    if not any_feedback:
        return texts.no_feedback_yet.format(weeks=CHART_WEEKS)
    if not this_week:
        return texts.no_feedback_this_week
    summary = summarise_feedback(this_week, today, weeks=1)
    current = summary.average or 0.0  # never 0: this week has ratings
    lines = [
        texts.feedback_figures.format(count=summary.count, average=_rating(current)),
        _comparison(current, average(row.rating for row in week_before), texts),
        texts.by_about_heading,
        *(
            texts.by_about_line.format(label=about.label, count=about.count, average=_rating(about.average))
            for about in summary.by_about
        ),
    ]
    return "\n".join(lines)


def _comparison(current: float, previous: float | None, texts: CoordinatorTexts) -> str:
    """How the average moved, in the same rounding the coordinator reads."""
    if previous is None:
        return texts.compared_none
    change = round(round(current, 1) - round(previous, 1), 1)
    if change > 0:
        return texts.compared_up.format(change=_rating(change), previous=_rating(previous))
    if change < 0:
        return texts.compared_down.format(change=_rating(-change), previous=_rating(previous))
    return texts.compared_same.format(previous=_rating(previous))


def _questions_section(questions: Sequence[UnansweredQuestion], texts: CoordinatorTexts) -> str:
    lines = [texts.open_questions.format(count=len(questions))]
    if questions:
        top = top_unanswered(questions, limit=TOP_QUESTIONS)
        lines += [texts.top_questions_heading, *_question_lines(top, texts), texts.see_all_questions]
    return "\n".join(lines)


def _comments_section(this_week: Sequence[Feedback], texts: CoordinatorTexts) -> str:
    """The newest few comments, or nothing when there are none."""
    recent = [row for row in reversed(this_week) if row.comment][:RECENT_COMMENTS]
    if not recent:
        return ""
    lines = [
        texts.comment_line.format(comment=_short(row.comment or ""), rating=row.rating) for row in recent
    ]
    return "\n".join([texts.comments_heading, *lines])


def open_questions(store: Store, limit: int = LISTED_QUESTIONS) -> OpenQuestions:
    """The open questions, most asked first, at most `limit` of them, and the ids behind those shown."""
    with using_the_database():
        rows = store.unanswered()
    texts = content.coordinator_texts()
    grouped = top_unanswered(rows, limit=len(rows))
    shown = grouped[:limit]
    if not shown:
        return OpenQuestions(texts.nothing_open, [])
    lines = [texts.unanswered_heading, *_question_lines(shown, texts, shorten=False)]
    if len(grouped) > limit:
        lines += ["", texts.unanswered_more.format(count=len(grouped) - limit)]
    return OpenQuestions("\n".join(lines), sorted(row_id for question in shown for row_id in question.ids))


def mark_reviewed(store: Store, ids: Sequence[int]) -> int:
    """Mark these stored questions as reviewed; how many were still open."""
    with using_the_database():
        return store.mark_reviewed(ids)


def _question_lines(
    questions: Sequence[QuestionCount], texts: CoordinatorTexts, shorten: bool = True
) -> list[str]:
    return [
        texts.question_line.format(text=_short(q.text) if shorten else q.text, count=q.count)
        for q in questions
    ]


def _rating(value: float) -> str:
    return f"{value:.1f}"


def _day(day: date) -> str:
    """E.g. '3 June': no leading zero, no year (the digest is about this week)."""
    return f"{day.day} {day:%B}"


def _short(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
