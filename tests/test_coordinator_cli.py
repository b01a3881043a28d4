"""`roleguide`, the coordinators' command line, on a real SQLite database filled through the Store."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from coordinator.cli import main
from storage.records import FeedbackRecord, UnansweredRecord
from storage.spool import Spool
from storage.store import SPOOL_FILE, Store

TODAY = date.today()
LAST_WEEK = TODAY - timedelta(days=7)
LONG_AGO = TODAY - timedelta(days=60)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keeps the CLI's spool (and any default database) inside the test's folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("ROLEGUIDE_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'roleguide.db'}"
    Store(url, spool_path=tmp_path / "unused.jsonl").ensure_schema()
    return url


@pytest.fixture
def url(empty_url: str, tmp_path: Path) -> str:
    store = Store(empty_url, spool_path=tmp_path / "unused.jsonl")
    for record in [
        FeedbackRecord.new(5, "Really clear, thank you.", "citizen_leader", day=TODAY),
        FeedbackRecord.new(4, None, "citizen_leader", day=TODAY),
        FeedbackRecord.new(2, '=HYPERLINK("x") too long', "quiz", day=LAST_WEEK),
        FeedbackRecord.new(1, "Mail me at sam@example.org", None, day=LONG_AGO),
        UnansweredRecord.new("How do I get paid for my time?", day=LONG_AGO),
        UnansweredRecord.new("What is a peer leader?", day=LAST_WEEK),
        UnansweredRecord.new("how do I get paid for my time", day=TODAY),
    ]:
        assert store.save(record)
    return empty_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cells(text: str) -> list[list[str]]:
    """Each line of a plain-text table as its cells (columns are two or more spaces apart)."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]


def test_the_summary_shows_counts_average_distribution_weeks_and_topics(url: str, capsys) -> None:
    code, out, _ = run(capsys, "--database-url", url, "feedback", "summary", "--weeks", "3")

    assert code == 0
    assert "Feedback: 4 rating(s)" in out
    assert "Average rating: 3.0 out of 5" in out
    rows = cells(out)
    assert ["1 (not helpful)", "1", "25%"] in rows
    assert ["3", "0", "0%"] in rows
    assert ["5 (very helpful)", "1", "25%"] in rows
    assert "Last 3 weeks (weeks start on Monday)" in out
    weeks_table = out.split("Week starting")[1].split("About")[0]
    assert len([line for line in weeks_table.splitlines() if line[:1].isdigit()]) == 3
    assert ["Citizen leader", "2", "4.5"] in rows
    assert ["Something else", "1", "1.0"] in rows
    assert "Questions with no answer yet: 3" in out


def test_the_database_url_may_also_follow_the_command(url: str, capsys) -> None:
    code, out, _ = run(capsys, "feedback", "summary", "--database-url", url)

    assert code == 0 and "Feedback: 4 rating(s)" in out


def test_without_an_option_the_database_in_DATABASE_URL_is_read(url: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)

    assert "Feedback: 4 rating(s)" in run(capsys, "feedback", "summary")[1]


def test_feedback_exported_as_csv_has_the_agreed_columns_and_no_id(url: str, capsys) -> None:
    code, out, _ = run(capsys, "--database-url", url, "feedback", "export", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert list(rows[0]) == ["day", "rating", "about", "comment", "bot_version"]
    assert [(row["day"], row["rating"], row["about"]) for row in rows] == [
        (LONG_AGO.isoformat(), "1", ""),
        (LAST_WEEK.isoformat(), "2", "quiz"),
        (TODAY.isoformat(), "5", "citizen_leader"),
        (TODAY.isoformat(), "4", "citizen_leader"),
    ]
    assert rows[0]["comment"] == "Mail me at [email]"  # stored scrubbed


def test_a_comment_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(url: str, capsys) -> None:
    out = run(capsys, "--database-url", url, "feedback", "export", "--format", "csv")[1]

    assert [row["comment"] for row in csv.DictReader(io.StringIO(out))][1] == '\'=HYPERLINK("x") too long'


def test_export_since_a_day_leaves_out_older_feedback(url: str, capsys) -> None:
    since = (LAST_WEEK + timedelta(days=1)).isoformat()
    out = run(capsys, "--database-url", url, "feedback", "export", "--format", "json", "--since", since)[1]

    rows = json.loads(out)
    assert [(row["day"], row["rating"], row["comment"]) for row in rows] == [
        (TODAY.isoformat(), 5, "Really clear, thank you."),
        (TODAY.isoformat(), 4, None),
    ]
    assert set(rows[0]) == {"day", "rating", "about", "comment", "bot_version"}


def test_export_can_write_a_file_and_says_so(url: str, capsys, tmp_path: Path) -> None:
    target = tmp_path / "feedback.json"
    code, out, err = run(
        capsys, "--database-url", url, "feedback", "export", "--format", "json", "--out", str(target)
    )

    assert code == 0 and out == ""
    assert f"Wrote 4 feedback row(s) to {target}" in err
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 4


def test_open_unanswered_questions_are_listed_with_their_ids(url: str, capsys) -> None:
    code, out, _ = run(capsys, "--database-url", url, "unanswered", "list")

    assert code == 0
    assert ["1", LONG_AGO.isoformat(), "How do I get paid for my time?"] in cells(out)
    assert ["2", LAST_WEEK.isoformat(), "What is a peer leader?"] in cells(out)
    assert "roleguide unanswered review ID" in out


def test_reviewed_questions_leave_the_list_and_the_count_is_reported(url: str, capsys) -> None:
    code, out, _ = run(capsys, "--database-url", url, "unanswered", "review", "1", "3")
    assert code == 0 and out.strip() == "Marked 2 question(s) as reviewed."

    listed = run(capsys, "--database-url", url, "unanswered", "list")[1]
    assert "What is a peer leader?" in listed and "paid" not in listed

    everything = run(capsys, "--database-url", url, "unanswered", "list", "--all")[1]
    assert ["2", LAST_WEEK.isoformat(), "What is a peer leader?", "no"] in cells(everything)
    assert ["3", TODAY.isoformat(), "how do I get paid for my time", "yes"] in cells(everything)


def test_reviewing_again_or_an_unknown_id_is_explained(url: str, capsys) -> None:
    run(capsys, "--database-url", url, "unanswered", "review", "1")

    out = run(capsys, "--database-url", url, "unanswered", "review", "1", "99")[1]

    assert (
        out.strip()
        == "Marked 0 question(s) as reviewed. 2 of the ids given were already reviewed or do not exist."
    )


def test_unanswered_export_includes_reviewed_questions_and_honours_since(url: str, capsys) -> None:
    run(capsys, "--database-url", url, "unanswered", "review", "2")
    since = LAST_WEEK.isoformat()

    out = run(capsys, "--database-url", url, "unanswered", "export", "--format", "csv", "--since", since)[1]

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["id"], row["text"], row["reviewed"]) for row in rows] == [
        ("2", "What is a peer leader?", "True"),
        ("3", "how do I get paid for my time", "False"),
    ]


def test_spooled_feedback_is_added_before_reading(url: str, capsys, data_dir: Path) -> None:
    Spool(data_dir / SPOOL_FILE).append(FeedbackRecord.new(3, "kept while the database was away", "quiz"))

    code, out, err = run(capsys, "--database-url", url, "feedback", "summary")

    assert code == 0 and "Feedback: 5 rating(s)" in out
    assert "Added 1 spooled record(s)" in err
    assert not (data_dir / SPOOL_FILE).exists()


def test_a_spool_that_cannot_be_replayed_does_not_stop_a_read(url: str, capsys, data_dir: Path) -> None:
    (data_dir / SPOOL_FILE).parent.mkdir(parents=True)
    (data_dir / SPOOL_FILE).write_text("not json\n", encoding="utf-8")

    code, out, err = run(capsys, "--database-url", url, "feedback", "summary")

    assert code == 0 and "Feedback: 4 rating(s)" in out
    assert "could not add spooled feedback" in err


def test_an_empty_database_says_there_is_no_feedback_yet(empty_url: str, capsys) -> None:
    code, out, _ = run(capsys, "--database-url", empty_url, "feedback", "summary")

    assert code == 0
    assert out.startswith("No feedback yet.")
    assert run(capsys, "--database-url", empty_url, "unanswered", "list")[1].strip() == (
        "No open unanswered questions."
    )
    assert (
        json.loads(run(capsys, "--database-url", empty_url, "feedback", "export", "--format", "json")[1])
        == []
    )


def test_a_missing_database_file_is_explained_and_not_created(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nowhere" / "roleguide.db"

    code, out, err = run(capsys, "--database-url", f"sqlite:///{missing}", "feedback", "summary")

    assert code == 1 and out == ""
    assert f"No Role Guide database at {missing}: start the bot once with `make run`" in err
    assert "DATABASE_URL / --database-url" in err
    assert not missing.exists() and not missing.parent.exists()


def test_the_default_database_is_the_one_make_run_uses(data_dir: Path, capsys) -> None:
    code, _, err = run(capsys, "feedback", "summary")

    assert code == 1
    assert f"No Role Guide database at {data_dir.resolve() / 'roleguide.db'}" in err


def test_an_unreachable_database_is_one_clear_sentence_without_the_password(capsys) -> None:
    unreachable = "postgresql+psycopg://coordinator:s3cret@127.0.0.1:1/roleguide?connect_timeout=3"

    code, _, err = run(capsys, "--database-url", unreachable, "unanswered", "list")

    assert code == 1
    assert "roleguide: Could not read the database at postgresql+psycopg://coordinator:***@127.0.0.1:1" in err
    assert "s3cret" not in err and "Traceback" not in err


def test_a_database_url_that_is_not_one_is_explained(capsys) -> None:
    code, _, err = run(capsys, "--database-url", "not a url", "feedback", "summary")

    assert code == 1 and "'not a url' is not a database URL" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["feedback", "export", "--format", "csv", "--since", "2026-13-01"], "not a date, use YYYY-MM-DD"),
        (["feedback", "export", "--format", "xml"], "invalid choice: 'xml'"),
        (["feedback", "export"], "the following arguments are required: --format"),
        (["feedback", "summary", "--weeks", "0"], "not a number of weeks from 1 to 520"),
        (["unanswered", "review", "abc"], "'abc' is not a question id"),
        (["unanswered", "review"], "the following arguments are required: ID"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_options_are_usage_errors(argv: list[str], message: str, url: str, capsys) -> None:
    code, _, err = run(capsys, "--database-url", url, *argv)

    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_the_report_command_writes_one_html_file(url: str, capsys, tmp_path: Path) -> None:
    target = tmp_path / "report.html"

    code, out, _ = run(capsys, "--database-url", url, "report", "--out", str(target), "--weeks", "4")

    page = target.read_text(encoding="utf-8")
    assert code == 0 and f"Wrote {target}: 4 rating(s), 3 open question(s)." in out
    assert page.count("<svg") == 4
    assert "how do I get paid for my time" in page  # asked twice: shown once, in its latest wording
    assert "What is a peer leader?" in page
    assert "Really clear, thank you." in page
    assert [path.name for path in tmp_path.iterdir() if path.suffix == ".html"] == ["report.html"]


def test_the_report_of_an_empty_database_says_so_instead_of_drawing_empty_charts(
    empty_url: str, capsys, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"

    code, out, _ = run(capsys, "--database-url", empty_url, "report", "--out", str(target))

    page = target.read_text(encoding="utf-8")
    assert code == 0 and "No feedback yet." in out
    assert "No feedback yet." in page and "No open questions" in page
    assert "<svg" not in page


def test_a_report_that_cannot_be_written_is_explained(url: str, capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--database-url", url, "report", "--out", str(tmp_path / "no" / "report.html"))

    assert code == 1 and "Could not write" in err and "Traceback" not in err


def test_the_installed_roleguide_command_shows_its_help() -> None:
    command = Path(sys.executable).parent / "roleguide"

    result = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    assert "usage: roleguide" in result.stdout
    for command_name in ("feedback", "unanswered", "report", "--database-url"):
        assert command_name in result.stdout
