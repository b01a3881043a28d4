"""`roleguide`: the coordinators' command line for feedback and unanswered questions.

    roleguide feedback summary [--weeks N]
    roleguide feedback export --format csv|json [--since YYYY-MM-DD] [--out FILE]
    roleguide unanswered list [--all]
    roleguide unanswered export --format csv|json [--since YYYY-MM-DD] [--out FILE]
    roleguide unanswered review ID [ID ...]
    roleguide report [--out report.html] [--weeks N]

Every command reads the bot's database (DATABASE_URL, else the SQLite file that
`make run` uses), or the one given with --database-url.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from coordinator.report import render_report
from coordinator.summary import (
    RATINGS,
    FeedbackSummary,
    content_labels,
    day_text,
    rating_text,
    summarise_feedback,
)
from storage.database import database_url
from storage.store import Store

FEEDBACK_COLUMNS = ("day", "rating", "about", "comment", "bot_version")
UNANSWERED_COLUMNS = ("id", "day", "text", "reviewed")
MAX_WEEKS = 520
# A spreadsheet runs a cell that starts like this as a formula: such free text gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CommandError(Exception):
    """A problem to tell the user in one sentence (exit code 1), never as a traceback."""


# Arguments


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date, use YYYY-MM-DD") from None


def weeks_argument(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= MAX_WEEKS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of weeks from 1 to {MAX_WEEKS}")
    return weeks


def id_argument(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a question id (see `roleguide unanswered list`)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    # --database-url may come before or after the command; SUPPRESS keeps a subcommand from
    # overwriting a value given before it.
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="roleguide",
        description="Read the Role Guide's anonymous feedback and the questions it could not answer.",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to read (default: DATABASE_URL, else the SQLite file `make run` uses)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_feedback_commands(commands, database)
    _add_unanswered_commands(commands, database)
    report = commands.add_parser(
        "report", parents=[database], help="write a one-page HTML report with charts (reads well on a phone)"
    )
    report.add_argument("--out", type=Path, default=Path("report.html"), help="file to write (report.html)")
    _add_weeks(report)
    report.set_defaults(run=run_report)
    return parser


def _add_feedback_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    feedback = commands.add_parser("feedback", help="feedback ratings and comments")
    actions = feedback.add_subparsers(dest="action", required=True, metavar="ACTION")
    summary = actions.add_parser("summary", parents=[database], help="figures as a table in the terminal")
    _add_weeks(summary)
    summary.set_defaults(run=run_feedback_summary)
    export = actions.add_parser("export", parents=[database], help="every feedback row as CSV or JSON")
    _add_export_options(export)
    export.set_defaults(run=run_feedback_export)


def _add_unanswered_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    unanswered = commands.add_parser("unanswered", help="questions the Role Guide could not answer")
    actions = unanswered.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[database], help="open questions with their ids")
    listing.add_argument("--all", action="store_true", help="include questions already reviewed")
    listing.set_defaults(run=run_unanswered_list)
    export = actions.add_parser(
        "export", parents=[database], help="every question (reviewed too) as CSV or JSON"
    )
    _add_export_options(export)
    export.set_defaults(run=run_unanswered_export)
    review = actions.add_parser("review", parents=[database], help="mark questions as reviewed")
    review.add_argument("ids", nargs="+", type=id_argument, metavar="ID", help="ids from `unanswered list`")
    review.set_defaults(run=run_unanswered_review)


def _add_weeks(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weeks", type=weeks_argument, default=8, help="weeks in the weekly trend (8)")


def _add_export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("csv", "json"), required=True)
    parser.add_argument("--since", type=day_argument, metavar="YYYY-MM-DD", help="only rows from this day on")
    parser.add_argument("--out", type=Path, metavar="FILE", help="file to write (default: the terminal)")


# The database


def open_store(url: str) -> Store:
    """The store behind `url`, after moving any spooled records into it.

    A SQLite file that does not exist is an error (it is never created here). A failed
    replay is only a note: what the database already holds can still be read.
    """
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise CommandError(
            f"No Role Guide database at {path}: start the bot once with `make run`, "
            "or set DATABASE_URL / --database-url"
        )
    try:
        store = Store(url)
    except (ArgumentError, ImportError, ValueError) as error:
        raise CommandError(f"Cannot use the database URL {_safe(url)}: {error}") from None
    try:
        replayed = store.replay_spool()
    except Exception as error:  # any failure: reading must still go ahead
        print(f"Note: could not add spooled feedback first ({type(error).__name__}).", file=sys.stderr)
    else:
        if replayed:
            print(f"Added {replayed} spooled record(s) to the database first.", file=sys.stderr)
    return store


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (any driver, query ignored); None for other databases or memory."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CommandError(f"{url!r} is not a database URL") from None
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name)


def _safe(url: str) -> str:
    """The URL without its password, fit to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


@contextmanager
def reading(url: str) -> Iterator[None]:
    """Turns a database failure into one clear sentence."""
    try:
        yield
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise CommandError(f"Could not read the database at {_safe(url)}: {reason}") from None


# Output


@contextmanager
def output(path: Path | None) -> Iterator[TextIO]:
    """The file to write (created whole only once everything is ready), or standard output."""
    if path is None:
        yield sys.stdout
        return
    buffer = io.StringIO()
    yield buffer
    try:
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    except OSError as error:
        raise CommandError(f"Could not write {path}: {error.strerror or error}") from None


def write_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], form: str, stream: TextIO) -> None:
    if form == "json":
        json.dump(list(rows), stream, ensure_ascii=False, indent=2, default=str)
        stream.write("\n")
        return
    writer = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: _spreadsheet_safe(value) for key, value in row.items()} for row in rows)


def _spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """Aligned plain-text columns; column numbers in `right` are right-aligned (numbers)."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(cells[0]), line(["-" * width for width in widths]), *map(line, cells[1:])])


# Commands


def run_feedback_summary(args: argparse.Namespace, store: Store) -> None:
    with reading(args.database_url):
        rows = store.feedback()
        open_questions = len(store.unanswered())
    if not rows:
        print("No feedback yet.")
    else:
        print(summary_text(summarise_feedback(rows, date.today(), args.weeks)))
    print(f"\nQuestions with no answer yet: {open_questions} (see `roleguide unanswered list`)")


def summary_text(summary: FeedbackSummary) -> str:
    """The summary as plain-text tables for a terminal."""
    share = {rating: f"{100 * count / summary.count:.0f}%" for rating, count in summary.distribution.items()}
    names = {1: "1 (not helpful)", 5: "5 (very helpful)"}
    ratings = table(
        ["Rating", "People", "Share"],
        [[names.get(rating, str(rating)), summary.distribution[rating], share[rating]] for rating in RATINGS],
        right=[1, 2],
    )
    weeks = table(
        ["Week starting", "Ratings", "Average"],
        [[day_text(week.week_start), week.count, rating_text(week.average)] for week in summary.weeks],
        right=[1, 2],
    )
    about = table(
        ["About", "Ratings", "Average"],
        [[item.label, item.count, rating_text(item.average)] for item in summary.by_about],
        right=[1, 2],
    )
    period = f"{day_text(summary.first_day)} to {day_text(summary.last_day)}"
    return "\n".join(
        [
            f"Feedback: {summary.count} rating(s), {period}",
            f"Average rating: {rating_text(summary.average)} out of 5",
            "",
            ratings,
            "",
            f"Last {len(summary.weeks)} weeks (weeks start on Monday)",
            weeks,
            "",
            about,
        ]
    )


def run_feedback_export(args: argparse.Namespace, store: Store) -> None:
    with reading(args.database_url):
        rows = store.feedback(since=args.since)
    records = [
        {
            "day": row.day.isoformat(),
            "rating": row.rating,
            "about": row.about,
            "comment": row.comment,
            "bot_version": row.bot_version,
        }
        for row in rows
    ]
    _export(args, records, FEEDBACK_COLUMNS, "feedback row(s)")


def run_unanswered_export(args: argparse.Namespace, store: Store) -> None:
    with reading(args.database_url):
        rows = store.unanswered(include_reviewed=True, since=args.since)
    records = [
        {"id": row.id, "day": row.day.isoformat(), "text": row.text, "reviewed": row.reviewed} for row in rows
    ]
    _export(args, records, UNANSWERED_COLUMNS, "question(s)")


def _export(
    args: argparse.Namespace, records: list[dict[str, Any]], columns: Sequence[str], what: str
) -> None:
    with output(args.out) as stream:
        write_rows(records, columns, args.format, stream)
    if args.out is not None:
        print(f"Wrote {len(records)} {what} to {args.out}", file=sys.stderr)


def run_unanswered_list(args: argparse.Namespace, store: Store) -> None:
    with reading(args.database_url):
        rows = store.unanswered(include_reviewed=args.all)
    if not rows:
        print("No unanswered questions yet." if args.all else "No open unanswered questions.")
        return
    headers = ["Id", "Day", "Question"] + (["Reviewed"] if args.all else [])
    lines = [
        [row.id, row.day.isoformat(), row.text] + (["yes" if row.reviewed else "no"] if args.all else [])
        for row in rows
    ]
    print(table(headers, lines, right=[0]))
    if not args.all:
        print("\nMark them as reviewed with: roleguide unanswered review ID [ID ...]")


def run_unanswered_review(args: argparse.Namespace, store: Store) -> None:
    wanted = sorted(set(args.ids))
    with reading(args.database_url):
        marked = store.mark_reviewed(wanted)
    message = f"Marked {marked} question(s) as reviewed."
    if marked < len(wanted):
        message += f" {len(wanted) - marked} of the ids given were already reviewed or do not exist."
    print(message)


def run_report(args: argparse.Namespace, store: Store) -> None:
    with reading(args.database_url):
        feedback = store.feedback()
        unanswered = store.unanswered()
    page = render_report(feedback, unanswered, date.today(), args.weeks, content_labels())
    with output(args.out) as stream:
        stream.write(page)
    print(f"Wrote {args.out}: {len(feedback)} rating(s), {len(unanswered)} open question(s).")
    if not feedback:
        print("No feedback yet.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse has already explained
        return int(exit_.code or 0)
    args.database_url = args.database_url or database_url()
    run: Callable[[argparse.Namespace, Store], None] = args.run
    try:
        run(args, open_store(args.database_url))
    except CommandError as error:
        print(f"roleguide: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
