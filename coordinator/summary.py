"""Figures coordinators read: how feedback is going, and which questions went unanswered.

Pure functions over rows from `storage.Store`; nothing here touches the database.
"""

from __future__ import annotations

import string
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import content
from storage.models import Feedback, UnansweredQuestion

RATINGS = range(1, 6)
LabelFor = Callable[[str | None], str]


@dataclass(frozen=True)
class WeekFigures:
    """One week of feedback; weeks start on Monday."""

    week_start: date
    count: int
    average: float | None


@dataclass(frozen=True)
class AboutFigures:
    """Feedback about one role or topic (key None: not about anything in particular)."""

    key: str | None
    label: str
    count: int
    average: float


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: float | None
    distribution: dict[int, int]  # every rating 1..5 present, 0 if none
    weeks: list[WeekFigures]  # the last `weeks` weeks up to today's week, oldest first, empty weeks included
    by_about: list[AboutFigures]  # most feedback first
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class QuestionCount:
    """One question, however often (and however it was typed); `text` is its commonest wording."""

    text: str
    count: int
    last_day: date
    ids: list[int]


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def average(ratings: Iterable[int]) -> float | None:
    values = list(ratings)
    return sum(values) / len(values) if values else None


def day_text(day: date | None) -> str:
    """A date the way people write it: 7 Mar 2026."""
    return "–" if day is None else f"{day.day} {day:%b %Y}"


def rating_text(average: float | None) -> str:
    """An average rating to one decimal place, or a dash when there is none."""
    return "–" if average is None else f"{average:.1f}"


def content_labels() -> LabelFor:
    """Readable names for stored 'about' keys, from the content folder."""
    role_names = {key: role.name for key, role in content.roles().roles.items()}
    feedback_texts = content.feedback()
    return lambda key: feedback_texts.about_label(key, role_names)


def summarise_feedback(
    rows: Sequence[Feedback], today: date, weeks: int = 8, label: LabelFor | None = None
) -> FeedbackSummary:
    """Counts, averages, the rating spread, a weekly trend and the split by role or topic.

    Overall figures cover every row given; `weeks` only limits the weekly trend.
    """
    ratings = [row.rating for row in rows]
    days = [row.day for row in rows]
    return FeedbackSummary(
        count=len(rows),
        average=average(ratings),
        distribution={rating: ratings.count(rating) for rating in RATINGS},
        weeks=_weekly(rows, today, weeks),
        by_about=_by_about(rows, label or content_labels()),
        first_day=min(days, default=None),
        last_day=max(days, default=None),
    )


def _weekly(rows: Sequence[Feedback], today: date, weeks: int) -> list[WeekFigures]:
    by_week: dict[date, list[int]] = defaultdict(list)
    for row in rows:
        by_week[week_start(row.day)].append(row.rating)
    this_week = week_start(today)
    starts = [this_week - timedelta(weeks=back) for back in reversed(range(weeks))]
    return [WeekFigures(start, len(by_week[start]), average(by_week[start])) for start in starts]


def _by_about(rows: Sequence[Feedback], label: LabelFor) -> list[AboutFigures]:
    by_key: dict[str | None, list[int]] = defaultdict(list)
    for row in rows:
        by_key[row.about].append(row.rating)
    figures = [
        AboutFigures(key, label(key), len(ratings), sum(ratings) / len(ratings))
        for key, ratings in by_key.items()
    ]
    return sorted(figures, key=lambda about: (-about.count, about.label))


def question_key(text: str) -> str:
    """What stays of a question once case, punctuation and spacing are set aside."""
    normalised = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(
        char
        for char in normalised
        if not unicodedata.category(char).startswith("P") and char not in string.punctuation
    )
    return " ".join(kept.split())


def top_unanswered(rows: Sequence[UnansweredQuestion], limit: int = 10) -> list[QuestionCount]:
    """The questions asked most often, the same question typed differently counted as one."""
    groups: dict[str, list[UnansweredQuestion]] = defaultdict(list)
    for row in rows:
        groups[question_key(row.text)].append(row)
    counts = [_question_count(group) for group in groups.values()]
    counts.sort(key=lambda question: (-question.count, -question.last_day.toordinal(), question.text))
    return counts[:limit]


def _question_count(group: list[UnansweredQuestion]) -> QuestionCount:
    wordings = Counter(row.text for row in group)
    latest = max(group, key=lambda row: (row.day, row.id))
    # The commonest wording; between equally common ones, the latest asked.
    text = max(wordings, key=lambda wording: (wordings[wording], wording == latest.text))
    return QuestionCount(text, len(group), latest.day, sorted(row.id for row in group))
