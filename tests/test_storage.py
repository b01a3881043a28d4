"""Storage: scrubbing, what a row may hold, migrations, and the spool that loses nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from sqlalchemy import inspect

from storage.database import make_engine, upgrade, with_driver
from storage.records import FeedbackRecord, UnansweredRecord
from storage.scrubbing import scrub
from storage.store import Store
from tests.postgres import postgres_bin, throwaway_postgres


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("mail me at jo.bloggs@example.co.uk", "mail me at [email]"),
        ("JO@NHS.NET please", "[email] please"),
        ("my mobile is 07700 900123", "my mobile is [phone]"),
        ("ring 07700900123", "ring [phone]"),
        ("call +44 20 7946 0958 after 6", "call [phone] after 6"),
        ("(020) 7946-0958", "[phone]"),
        ("office 0161 496 0000 ext 2", "office [phone]"),  # the extension goes too
        ("follow @carer_jane on there", "follow [handle] on there"),
        ("see https://example.org/my-blog?id=7 for more", "see [link] for more"),
        ("www.mysite.co.uk has it", "[link] has it"),
        ("look at t.me/janesgroup", "look at [link]"),
        ("I live in SW1A 1AA", "I live in [postcode]"),
        ("postcode m1 1ae", "postcode [postcode]"),
        ("near LS11 5DB and B33 8TH", "near [postcode] and [postcode]"),
        # things that are not contact details stay as they are
        ("I waited 3 months in 2024 for 12 meetings", "I waited 3 months in 2024 for 12 meetings"),
        ("rated it 4/5 on 12/03/2025", "rated it 4/5 on 12/03/2025"),
        ("Call 999 or 111 in an emergency", "Call 999 or 111 in an emergency"),
        ("e.g. this, i.e. that", "e.g. this, i.e. that"),
        ("between £1000 and £20000", "between £1000 and £20000"),
        ("Co-production @ the trust", "Co-production @ the trust"),
    ],
)
def test_contact_details_are_scrubbed_from_free_text(written, stored):
    assert scrub(written) == stored


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'roleguide.db'}", tmp_path / "spool" / "pending.jsonl")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if postgres_bin() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A new, empty database of each kind the store runs on (PostgreSQL: a new database per test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roleguide.db'}"
    server = request.getfixturevalue("postgres_url")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def any_store(database_url, tmp_path) -> Store:
    return Store(database_url, tmp_path / "spool" / "pending.jsonl")


def test_migrations_create_both_tables_and_can_run_again(database_url):
    engine = make_engine(with_driver(database_url))
    upgrade(engine)
    upgrade(engine)  # already up to date: nothing happens, nothing fails
    tables = set(inspect(engine).get_table_names())
    assert {"feedback", "unanswered_question", "alembic_version"} <= tables


def test_a_feedback_row_holds_no_id_name_or_time(any_store):
    assert any_store.save(FeedbackRecord.new(5, "thanks", "quiz", day=date(2026, 11, 2)))

    columns = {c["name"] for c in inspect(any_store.engine).get_columns("feedback")}
    assert columns == {"id", "day", "rating", "comment", "about", "bot_version"}
    [row] = any_store.feedback()
    assert row.day == date(2026, 11, 2) and row.bot_version


def test_nothing_that_could_identify_someone_reaches_the_database_file(tmp_path, store):
    chat_id, pseudonym, name = "5512345678", "f3a9c1d2e4b5a6978877", "Bernadette"
    store.save(FeedbackRecord.new(3, "it was fine, email me: bern@example.com, 07700 900456", "general"))
    store.save(UnansweredRecord.new("what about @bernie_c and www.bernie.me"))

    raw = b"".join(p.read_bytes() for p in tmp_path.glob("roleguide.db*"))
    for identifier in (
        chat_id,
        pseudonym,
        name,
        "bern@example.com",
        "07700 900456",
        "@bernie_c",
        "bernie.me",
    ):
        assert identifier.encode() not in raw
    assert b"it was fine" in raw  # the check reads the real file


def test_a_rating_outside_1_to_5_is_refused():
    with pytest.raises(ValueError):
        FeedbackRecord.new(6, None, None)


def test_with_the_database_unavailable_feedback_is_spooled_then_replayed(tmp_path):
    missing_folder = tmp_path / "not-yet"
    store = Store(f"sqlite:///{missing_folder / 'roleguide.db'}", tmp_path / "spool.jsonl")

    assert store.save(FeedbackRecord.new(2, "slow to load, call 07700 900123", None)) is False
    assert store.save(UnansweredRecord.new("where is my nearest carers centre")) is False
    spooled = [json.loads(line) for line in (tmp_path / "spool.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in spooled] == ["feedback", "unanswered"]
    assert spooled[0]["comment"] == "slow to load, call [phone]"  # scrubbed before it touches the disk

    missing_folder.mkdir()  # the database is back
    assert store.save(FeedbackRecord.new(5, "better now", None)) is True

    assert [(f.rating, f.comment) for f in store.feedback()] == [
        (2, "slow to load, call [phone]"),
        (5, "better now"),
    ]
    assert [q.text for q in store.unanswered()] == ["where is my nearest carers centre"]
    assert not (tmp_path / "spool.jsonl").exists()


def test_a_failed_replay_keeps_the_spool(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gone' / 'db.sqlite'}", tmp_path / "spool.jsonl")
    store.save(FeedbackRecord.new(4, None, None))

    with pytest.raises(Exception):  # noqa: B017 - whatever the database says, the spool must survive
        store.replay_spool()
    assert len(store.spool.pending()) == 1


def test_unanswered_questions_can_be_marked_reviewed(any_store):
    for text in ("what is pip", "can you book my gp", "what is pip"):
        assert any_store.save(UnansweredRecord.new(text))
    first, second, _ = any_store.unanswered()

    assert any_store.mark_reviewed([first.id, second.id]) == 2
    assert any_store.mark_reviewed([first.id]) == 0  # already reviewed
    assert [q.text for q in any_store.unanswered()] == ["what is pip"]
    assert len(any_store.unanswered(include_reviewed=True)) == 3


def test_the_sqlite_database_lets_a_reader_in_while_a_writer_works(store):
    store.save(FeedbackRecord.new(4, None, None))
    path = store.engine.url.database
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_postgresql_works_through_database_url(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # written as hosting services write it
    store = Store(spool_path=tmp_path / "spool.jsonl")

    assert store.save(FeedbackRecord.new(5, "email me at a@b.org", "citizen_leader")) is True
    assert store.save(UnansweredRecord.new("what is a care act assessment")) is True
    [question] = store.unanswered()
    assert store.mark_reviewed([question.id]) == 1

    assert store.engine.dialect.name == "postgresql"
    assert [(f.rating, f.comment) for f in store.feedback()] == [(5, "email me at [email]")]
    assert store.unanswered() == []
    assert not (tmp_path / "spool.jsonl").exists()


def test_the_migrations_build_exactly_the_tables_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    engine = make_engine(with_driver(database_url))
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []  # else: write a migration (see alembic.ini)
