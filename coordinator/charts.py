"""Charts of the feedback figures, for the HTML report (SVG) and Telegram (PNG).

Made for people who rarely read charts, often on a phone: a plain-words title,
labelled axes, numbers written on the bars where they fit, large type and the Okabe-Ito
colour-blind-safe palette. Uses `matplotlib.figure.Figure` with the Agg canvas,
never pyplot, so nothing is kept in global state between charts.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coordinator.summary import FeedbackSummary, QuestionCount

# Okabe & Ito (2008), safe for the common kinds of colour blindness.
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
INK = "#222222"
GRID = "#DDDDDD"

WIDTH_INCHES = 4.5  # 324 pt: shown nearly 1:1 on a phone, so the type below stays big enough
TITLE_SIZE = 16
LABEL_SIZE = 14
TICK_SIZE = 14
RATING_WORDS = {1: "not helpful", 5: "very helpful"}
LABEL_WIDTH = 36  # characters per line of a long bar label
BAR_HEIGHT = 0.4  # axis units (one unit is INCHES_PER_UNIT tall)
INCHES_PER_UNIT = 0.8
LINE_UNITS = 0.25  # one line of label text
LABEL_LINES = 2
MAX_LABELLED_WEEKS = 13  # more bars than this have no room for their numbers on a phone
CHAR_POINTS = 0.6 * TICK_SIZE  # the average width of a character


def new_figure(height_inches: float) -> Figure:
    figure = Figure(figsize=(WIDTH_INCHES, height_inches), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _style(axes: Axes, title: str, xlabel: str = "", ylabel: str = "") -> None:
    axes.set_title(title, fontsize=TITLE_SIZE, color=INK, loc="left", pad=10)
    axes.set_xlabel(xlabel, fontsize=LABEL_SIZE, color=INK)
    axes.set_ylabel(ylabel, fontsize=LABEL_SIZE, color=INK)
    axes.tick_params(labelsize=TICK_SIZE, colors=INK)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_axisbelow(True)


def _label_bars(axes: Axes, bars: BarContainer, labels: Sequence[str]) -> None:
    axes.bar_label(bars, labels=labels, padding=3, fontsize=TICK_SIZE, color=INK)


def _week_label(start: date) -> str:
    return f"{start.day} {start:%b}"


def ratings_over_time(summary: FeedbackSummary) -> Figure:
    """Two panels sharing the weeks: how many ratings (bars), then the average rating (line, 1 to 5)."""
    figure = new_figure(6.2)
    count_axes, average_axes = figure.subplots(2, 1, sharex=True)
    positions = list(range(len(summary.weeks)))
    counts = [week.count for week in summary.weeks]
    averages = [math.nan if week.average is None else week.average for week in summary.weeks]

    bars = count_axes.bar(positions, counts, color=BLUE, width=0.7)
    if len(counts) <= MAX_LABELLED_WEEKS:
        _label_bars(count_axes, bars, [str(count) for count in counts])
    _style(count_axes, "How many ratings each week", ylabel="Ratings")
    count_axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    count_axes.set_ylim(0, max([*counts, 1]) * 1.2)
    count_axes.grid(axis="y", color=GRID)

    average_axes.plot(positions, averages, color=VERMILLION, marker="o", markersize=7, linewidth=2.5)
    _style(average_axes, "Average rating each week", xlabel="Week starting", ylabel="Average (1–5)")
    average_axes.set_ylim(0.8, 5.2)
    average_axes.set_yticks([1, 2, 3, 4, 5])
    average_axes.grid(axis="y", color=GRID)

    step = max(1, math.ceil(len(positions) / 5))  # about five dates, so they never overlap on a phone
    shown = summary.weeks[::step]
    average_axes.set_xticks(positions[::step], [_week_label(week.week_start) for week in shown])
    average_axes.set_xlim(-0.6, max(len(positions), 1) - 0.4)
    return figure


def rating_distribution(summary: FeedbackSummary) -> Figure:
    """How many people gave each rating, from 1 (not helpful) to 5 (very helpful)."""
    figure = new_figure(4.4)
    axes = figure.subplots()
    ratings = sorted(summary.distribution)
    counts = [summary.distribution[rating] for rating in ratings]
    bars = axes.bar(ratings, counts, color=BLUE, width=0.7)
    _label_bars(axes, bars, [str(count) for count in counts])
    _style(axes, "How people rated the Role Guide", xlabel="Rating", ylabel="People")
    axes.set_xticks(ratings, [_rating_tick(rating) for rating in ratings])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes.set_ylim(0, max([*counts, 1]) * 1.2)
    return figure


def _rating_tick(rating: int) -> str:
    words = RATING_WORDS.get(rating)
    return (f"{rating}\n" + words.replace(" ", "\n")) if words else str(rating)


def _wrap(text: str) -> str:
    lines = textwrap.wrap(text, LABEL_WIDTH, max_lines=LABEL_LINES, placeholder="…") or [""]
    return "\n".join(lines)


def _horizontal_bars(
    title: str, xlabel: str, labels: Sequence[str], counts: Sequence[int], notes: Sequence[str], colour: str
) -> Figure:
    """Bars that read top to bottom, largest first, each with its label above it across the full width.

    Labels above the bars (not beside them) leave the bars the whole width of a phone.
    """
    wrapped = [_wrap(label) for label in labels]
    label_tops, positions, bottom = _stack(wrapped)
    figure = new_figure(1.4 + INCHES_PER_UNIT * bottom)
    axes = figure.subplots()
    bars = axes.barh(positions, counts, color=colour, height=BAR_HEIGHT)
    _label_bars(axes, bars, notes)
    for top, label in zip(label_tops, wrapped, strict=True):
        axes.text(0, top, label, fontsize=TICK_SIZE, color=INK, va="top", linespacing=1.15, parse_math=False)
    _style(axes, "", xlabel=xlabel)
    figure.suptitle(title, fontsize=TITLE_SIZE, color=INK, x=0.02, ha="left")
    axes.set_yticks([])
    axes.spines["left"].set_visible(False)
    axes.set_ylim(bottom, 0)  # top to bottom
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes.set_xlim(0, max([*counts, 1]) / (1 - _note_share(notes)))
    return figure


def _note_share(notes: Sequence[str]) -> float:
    """The share of the width to keep free after the longest bar, so its note fits."""
    longest = max((len(note) for note in notes), default=0) + 1
    return min(0.6, longest * CHAR_POINTS / (WIDTH_INCHES * 72 * 0.95))


def _stack(wrapped_labels: Sequence[str]) -> tuple[list[float], list[float], float]:
    """Where each label starts and each bar sits (axis units, growing downwards), and the bottom."""
    label_tops: list[float] = []
    positions: list[float] = []
    top = 0.1
    for label in wrapped_labels:
        label_tops.append(top)
        top += LINE_UNITS * (label.count("\n") + 1) + 0.04
        positions.append(top + BAR_HEIGHT / 2)
        top += BAR_HEIGHT + 0.35
    return label_tops, positions, max(top - 0.15, 1.0)


def top_topics(summary: FeedbackSummary) -> Figure:
    """How much feedback each role or topic had, with its average rating."""
    return _horizontal_bars(
        "What feedback was about",
        "Ratings",
        [about.label for about in summary.by_about],
        [about.count for about in summary.by_about],
        [f"{about.count} (average {about.average:.1f})" for about in summary.by_about],
        GREEN,
    )


def top_unanswered_chart(questions: Sequence[QuestionCount]) -> Figure:
    """The questions the Role Guide could not answer, most asked first."""
    return _horizontal_bars(
        "Questions with no answer yet",
        "Times asked",
        [question.text for question in questions],
        [question.count for question in questions],
        [str(question.count) for question in questions],
        ORANGE,
    )


SVG_START = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
SVG_NOTES = re.compile(r"\s*(?:<metadata>.*?</metadata>|<!--.*?-->)", re.DOTALL)
SVG_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
SVG_ID = re.compile(r'\bid="([^"]+)"')
SVG_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def to_svg(figure: Figure) -> str:
    """Inline <svg> markup: no XML header, no fixed size (scale it with CSS `width: 100%`).

    Text is drawn as shapes, so it looks the same without the font; the comments matplotlib
    adds (which repeat the text) and its metadata are left out. Ids are prefixed per chart,
    so several charts on one page never share an id.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    markup = SVG_NOTES.sub("", SVG_START.sub("", buffer.getvalue(), count=1))
    opening_end = markup.index(">") + 1
    markup = SVG_SIZE.sub("", markup[:opening_end]) + markup[opening_end:]
    prefix = "c" + hashlib.sha256(markup.encode()).hexdigest()[:8] + "-"
    markup = SVG_ID.sub(lambda match: f'id="{prefix}{match.group(1)}"', markup)
    return SVG_REFERENCE.sub(lambda match: match.group(1) + prefix + match.group(2), markup).strip()


def to_png(figure: Figure, dpi: int = 144) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


# Short text alternatives, for people who cannot see (or would rather not read) the charts.


def ratings_over_time_text(summary: FeedbackSummary) -> str:
    weeks = "; ".join(
        f"{_week_label(week.week_start)}: {_ratings(week.count)}"
        + (f", average {week.average:.1f}" if week.average is not None else "")
        for week in summary.weeks
    )
    return f"Ratings each week for the last {len(summary.weeks)} weeks, oldest first. {weeks}."


def rating_distribution_text(summary: FeedbackSummary) -> str:
    parts = [
        f"{count} gave {rating}" + (f" ({RATING_WORDS[rating]})" if rating in RATING_WORDS else "")
        for rating, count in summary.distribution.items()
    ]
    return f"Of {_ratings(summary.count)}: " + ", ".join(parts) + "."


def top_topics_text(summary: FeedbackSummary) -> str:
    parts = [
        f"{about.label}: {_ratings(about.count)}, average {about.average:.1f}" for about in summary.by_about
    ]
    return "What feedback was about, most first. " + "; ".join(parts) + "."


def top_unanswered_text(questions: Sequence[QuestionCount]) -> str:
    parts = [f"“{question.text}” asked {_times(question.count)}" for question in questions]
    return "Questions with no answer yet, most asked first. " + "; ".join(parts) + "."


def _ratings(count: int) -> str:
    return "1 rating" if count == 1 else f"{count} ratings"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
