"""The quiz and the support finder through Telegram, by tapping buttons."""

from __future__ import annotations

import pytest

import content
from tests.e2e.conftest import TgClient, transcript

pytestmark = pytest.mark.e2e


def best_option_for(question, role: str):
    return max(question.options, key=lambda option: option.scores.get(role, 0))


def test_the_quiz_by_taps_names_a_role_and_leads_on_to_support(person: TgClient):
    quiz = content.quiz()
    replies = person.send("/quiz")
    assert quiz.questions[0].text in transcript(replies)

    for question in quiz.questions:
        replies = person.press(best_option_for(question, "community_builder").title)
    said = transcript(replies)
    assert content.roles().roles["community_builder"].name in said
    assert quiz.why["community_builder"].strip()[:40] in said

    support = person.press(quiz.texts.find_support_button)
    assert "https://" in transcript(support)


def test_the_quiz_can_be_stopped_and_restarted_at_any_point(person: TgClient):
    quiz = content.quiz()
    person.send("which role would suit me?")
    person.press(quiz.questions[0].options[1].title)
    restarted = person.press(quiz.texts.restart_button)
    assert f"{quiz.questions[0].text}" in transcript(restarted)
    stopped = person.press(quiz.texts.cancel_button)
    assert quiz.texts.cancelled.strip() in transcript(stopped)


def test_a_carer_finds_support_and_narrows_it_with_buttons(person: TgClient):
    replies = person.send("im a carer for my husband, is there any support for people like me in scotland")
    said = transcript(replies)
    assert said.count("https://") == 3

    online = person.press(content.support_catalogue().texts.online_button)
    assert "https://" in transcript(online)
