"""Feedback given in a Telegram chat, end to end: it reaches the coordinators' export, scrubbed, anonymous."""

from __future__ import annotations

import json
import subprocess

import pytest

import content
from tests.e2e.conftest import TgClient, transcript
from tools.stack import ROOT, Stack

pytestmark = pytest.mark.e2e

ROLEGUIDE = ROOT / ".venv" / "bin" / "roleguide"


def export(stack: Stack, *what: str) -> list[dict]:
    """What a coordinator gets from `roleguide ... export --format json` for this stack's database."""
    database = f"sqlite:///{stack.data_dir / 'roleguide.db'}"
    result = subprocess.run(
        [str(ROLEGUIDE), *what, "export", "--format", "json", "--database-url", database],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_feedback_given_by_taps_and_typing_shows_up_in_the_export_scrubbed(person: TgClient, stack):
    texts = content.feedback().texts
    comment = "Clear answers. My name is Zephyrine, text me on 07700 900987 or zeph@example.org"

    asked = person.send("/feedback")
    assert texts.ask_rating.split("\n")[1][:30] in transcript(asked)
    person.press("4")
    person.send(comment)
    thanks = person.press(content.roles().roles["improvement_expert"].name)
    assert texts.thanks.strip() in transcript(thanks)

    rows = [row for row in export(stack, "feedback") if row["about"] == "improvement_expert"]
    assert [row["rating"] for row in rows] == [4]
    assert rows[0]["comment"] == "Clear answers. My name is Zephyrine, text me on [phone] or [email]"
    assert str(person.chat_id) not in json.dumps(rows)


def test_feedback_asked_for_in_words_can_be_stopped_and_nothing_is_saved(person: TgClient, stack):
    before = len(export(stack, "feedback"))

    person.send("can I leave some feedback?")
    person.send("5")
    stopped = person.send("never mind")

    assert content.feedback().texts.cancelled.strip() in transcript(stopped)
    assert len(export(stack, "feedback")) == before


def test_a_question_the_bot_cannot_answer_reaches_the_unanswered_list(person: TgClient, stack):
    person.send("how do i get my blue badge renewed, my email is zz@example.net")

    questions = [q["text"] for q in export(stack, "unanswered")]
    assert "how do i get my blue badge renewed, my email is [email]" in questions


def test_no_telegram_id_in_any_database_file_or_log(person: TgClient, stack):
    person.send("/feedback")
    person.press("5")
    person.press(content.feedback().buttons.skip)
    person.press(content.feedback().buttons.skip)

    files = [*stack.data_dir.rglob("*"), *stack.log_dir.rglob("*")]
    stored = b"".join(path.read_bytes() for path in files if path.is_file())
    assert b"roleguide.db" in b"".join(str(p).encode() for p in files)  # the feedback database is there
    for identifier in {person.chat_id, person.user_id}:
        assert str(identifier).encode() not in stored


def test_after_several_helpful_answers_a_rating_is_invited_once(person: TgClient):
    feedback = content.feedback()
    questions = [
        "what is tokenism",
        "what is co-production",
        "what does a citizen leader do",
        "what skills does that need",
        "can i claim my travel costs back",
        "what is integrated care",
    ]
    said = [transcript(person.send(question)) for question in questions]

    invited = [feedback.texts.invite.strip() in text for text in said]
    assert invited.count(True) == 1 and invited.index(True) == feedback.invite_after_answers - 1

    asked = person.press(feedback.buttons.invite)
    assert feedback.rating_titles[0] in transcript(asked)
