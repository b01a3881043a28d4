"""One self-contained HTML page of the feedback figures, readable on a phone.

Everything is inline (styles and SVG charts): the file can be emailed or opened
offline. Stored text is escaped by Jinja's autoescaping; only our own SVG is
marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from matplotlib.figure import Figure

from coordinator import charts
from coordinator.summary import (
    FeedbackSummary,
    LabelFor,
    QuestionCount,
    content_labels,
    day_text,
    rating_text,
    summarise_feedback,
    top_unanswered,
)
from storage.models import Feedback, UnansweredQuestion

RECENT_COMMENTS = 10
TOP_QUESTIONS = 10
QUESTIONS_HEADING = "Unanswered questions"
# The list under the chart says it all in words; the caption only has to say how to read the bars.
QUESTIONS_CHART_TEXT = (
    "Each bar is one of the questions listed below: the longer the bar, the more often it was asked."
)


@dataclass(frozen=True)
class Chart:
    heading: str
    svg: Markup
    text: str  # the same information in words


@dataclass(frozen=True)
class Comment:
    day: date
    rating: int
    about: str
    text: str


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("coordinator", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["day"] = day_text
    environment.filters["rating"] = rating_text
    return environment


def _chart(heading: str, figure: Figure, text: str) -> Chart:
    # Safe to mark: our own SVG, in which stored text is drawn as shapes, never written as text.
    return Chart(heading, Markup(charts.to_svg(figure)), text)


def feedback_charts(summary: FeedbackSummary) -> list[Chart]:
    """The three feedback charts with their text alternatives; none when there is no feedback."""
    if not summary.count:
        return []
    return [
        _chart(
            "Ratings over time", charts.ratings_over_time(summary), charts.ratings_over_time_text(summary)
        ),
        _chart(
            "Ratings from 1 to 5",
            charts.rating_distribution(summary),
            charts.rating_distribution_text(summary),
        ),
        _chart("Roles and topics", charts.top_topics(summary), charts.top_topics_text(summary)),
    ]


def recent_comments(rows: Sequence[Feedback], label: LabelFor, limit: int = RECENT_COMMENTS) -> list[Comment]:
    """The latest comments, newest first."""
    latest = sorted((row for row in rows if row.comment), key=lambda row: (row.day, row.id), reverse=True)
    return [Comment(row.day, row.rating, label(row.about), row.comment or "") for row in latest[:limit]]


def render_report(
    feedback: Sequence[Feedback],
    unanswered: Sequence[UnansweredQuestion],
    today: date,
    weeks: int = 8,
    label: LabelFor | None = None,
) -> str:
    """The whole page as a string. `unanswered` should be the open (not yet reviewed) questions."""
    label = label or content_labels()
    summary = summarise_feedback(feedback, today, weeks, label)
    questions: list[QuestionCount] = top_unanswered(unanswered, TOP_QUESTIONS)
    recent_weeks = sum(week.count for week in summary.weeks)
    question_chart = (
        _chart(
            QUESTIONS_HEADING,
            charts.top_unanswered_chart(questions),
            QUESTIONS_CHART_TEXT,
        )
        if questions
        else None
    )
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            today=today,
            weeks=weeks,
            summary=summary,
            recent_weeks=recent_weeks,
            charts=feedback_charts(summary),
            open_questions=len(unanswered),
            questions=questions,
            questions_heading=QUESTIONS_HEADING,
            question_chart=question_chart,
            comments=recent_comments(feedback, label),
        )
    )
