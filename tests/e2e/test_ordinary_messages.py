"""No crisis reply for any ordinary short message, end to end through Telegram, in plain chat and
inside the feedback form (as the rating and as the comment). The list: tests/safety/ordinary.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import content
from tests.e2e.conftest import TOKEN, TgClient, transcript
from tests.safety.ordinary import ordinary_messages

pytestmark = pytest.mark.e2e

PEOPLE_AT_ONCE = 12  # each message in its own chats, so the rate limit never applies


def crisis_openings() -> list[str]:
    """The first words of every crisis reply: the bot's own net and Rasa's crisis answer."""
    openings = [category.opening for category in content.crisis_lines_file().categories.values()]
    return [*openings, content.topics().topics["crisis"].text.splitlines()[0]]


def crisis_replies_to(emulator_url: str, text: str) -> list[str]:
    """Where `text` got a crisis reply: said plainly, as a feedback rating, as a feedback comment."""
    openings = crisis_openings()
    found = []

    def is_crisis(replies: list) -> bool:
        said = " ".join(transcript(replies).split())
        return any(" ".join(opening.split()) in said for opening in openings)

    def person() -> TgClient:
        return TgClient(emulator_url, token=TOKEN, timeout=30, settle=0.3)

    if is_crisis(person().send(text)):
        found.append(f"plain chat: {text}")
    rating = person()
    rating.send("/feedback")
    if is_crisis(rating.send(text)):
        found.append(f"as the rating: {text}")
    comment = person()
    comment.send("/feedback")
    comment.send("4")
    if is_crisis(comment.send(text)):
        found.append(f"as the comment: {text}")
    return found


def test_no_ordinary_message_gets_a_crisis_reply_in_chat_or_in_the_feedback_form(stack, emulator_url):
    messages = ordinary_messages()
    with ThreadPoolExecutor(PEOPLE_AT_ONCE) as pool:
        found = [
            where
            for found in pool.map(lambda t: crisis_replies_to(emulator_url, t), messages)
            for where in found
        ]

    assert found == []


def test_a_crisis_is_still_caught_as_a_feedback_comment(stack, emulator_url):
    """The check above can fail: the same way of looking finds a real crisis."""
    assert crisis_replies_to(emulator_url, "i want to end my life tonight") == [
        "plain chat: i want to end my life tonight",
        "as the rating: i want to end my life tonight",
        "as the comment: i want to end my life tonight",
    ]
