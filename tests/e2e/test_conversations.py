"""People talking to the whole Role Guide through a local Telegram Bot API, buttons and all."""

from __future__ import annotations

import sqlite3

import pytest

import content
from tests.e2e.conftest import TgClient, transcript

pytestmark = pytest.mark.e2e

ROLES = content.roles().roles


def opening(text: str, length: int = 60) -> str:
    """The first words of a content text, enough to recognise it in a reply."""
    return text.strip()[:length]


def test_a_newcomer_starts_explores_a_role_with_buttons_and_asks_follow_ups(person: TgClient):
    welcome = person.send("/start")
    assert "Citizen leader" in transcript(welcome)

    overview = person.press("The four roles")
    assert opening(content.topics().topics["ask_roles_overview"].text) in transcript(overview)

    about = person.press(ROLES["community_builder"].name)
    assert opening(ROLES["community_builder"].about) in transcript(about)

    skills = person.send("what skills does that need?")
    assert opening(ROLES["community_builder"].skills) in transcript(skills)

    other = person.send("and for citizen leaders?")
    assert opening(ROLES["citizen_leader"].skills) in transcript(other)

    risks = person.press("Risks and dilemmas")
    assert opening(ROLES["citizen_leader"].risks) in transcript(risks)


def test_someone_describes_their_work_and_learns_its_name(person: TgClient):
    replies = person.send(
        "i started a whatsapp group for mums of kids with autism in our town, we meet for coffee "
        "every month and share tips. is that one of these roles??"
    )
    assert opening(ROLES["community_builder"].sounds_like) in transcript(replies)

    start = person.send("how would i get started properly")
    assert opening(ROLES["community_builder"].start) in transcript(start)


def test_a_carer_asks_about_coproduction_and_money(person: TgClient):
    coproduction = person.send("whats the diffrence between co-production and consultation")
    assert opening(content.topics().topics["ask_coproduction_vs_consultation"].text) in transcript(
        coproduction
    )

    money = person.send("if they pay me will it mess up my carers allowance?")
    assert opening(content.topics().topics["ask_expenses"].text) in transcript(money)


def test_a_role_question_with_no_role_yet_asks_which_role_and_the_button_answers_it(person: TgClient):
    picker = person.send("what skills would i need")
    assert opening(content.topics().topics["pick_role"].text) in transcript(picker)

    answer = person.press(ROLES["improvement_expert"].name)
    assert opening(ROLES["improvement_expert"].skills) in transcript(answer)


def test_one_persons_conversation_does_not_leak_into_anothers(person: TgClient, emulator_url: str):
    from tests.e2e.conftest import TOKEN

    person.send("tell me about disruptors")
    stranger = TgClient(emulator_url, token=TOKEN, first_name="Stranger")
    replies = stranger.send("what are the risks of that?")
    assert opening(content.topics().topics["pick_role"].text) in transcript(replies)


def test_a_distressed_message_gets_the_crisis_lines(person: TgClient):
    for message in (
        "my dad keeps saying he wants to end it all and i dont know what to do",
        "im thinking about ending it all",  # understood only weakly: still the help lines
    ):
        said = transcript(person.send(message))
        assert "116 123" in said and "999" in said, message


def test_a_sticker_and_a_voice_note_get_a_kind_text_only_reply(person: TgClient):
    for replies in (person.send_sticker("🙂"), person.send_voice()):
        assert transcript(replies) == content.bot_texts().non_text.strip()


def test_in_a_group_the_bot_answers_only_when_mentioned(group_member: TgClient):
    assert group_member.send("is anyone going on thursday?", timeout=3, min_replies=0) == []
    replies = group_member.send("@TestNameBot what is tokenism?")
    assert opening(content.topics().topics["ask_tokenism"].text) in transcript(replies)


def test_nonsense_gets_a_request_to_rephrase_with_topic_buttons(person: TgClient):
    replies = person.send("qwzx blorp vvv")
    assert replies and replies[-1]["buttons"]


def test_logs_hold_no_message_text_and_no_telegram_id(person: TgClient, stack):
    person.send("my neighbour Bartholomew said I should ask about expenses")
    logs = "\n".join(path.read_text(errors="replace") for path in stack.log_dir.glob("*.log"))
    assert logs  # the processes do log
    assert "Bartholomew" not in logs
    assert str(person.chat_id) not in logs


def test_what_rasa_stores_holds_no_telegram_id_or_name(person: TgClient, stack):
    person.send("hello there")
    database = stack.data_dir / "rasa_tracker.db"
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT sender_id, data FROM events").fetchall()
    assert rows
    stored = "\n".join(f"{sender} {data}" for sender, data in rows)
    assert str(person.chat_id) not in stored
    assert str(person.user_id) not in stored
    assert "Zephyrine" not in stored


def test_with_rasa_killed_every_message_still_gets_a_reply_with_crisis_lines(person: TgClient, stack):
    stack.processes["rasa"].kill()
    stack.processes["rasa"].wait()
    try:
        for question in ("what is a citizen leader", "hello?", "/roles"):
            said = transcript(person.send(question))
            assert "116 123" in said, question
            assert "Citizen leader" in said, question
    finally:
        stack.start_rasa()
    assert opening(content.topics().topics["ask_tokenism"].text) in transcript(
        person.send("what is tokenism")
    )
