"""The Telegram layer as a person sees it: PTB's request layer is offline, Rasa is a fake transport."""

from __future__ import annotations

import asyncio
import logging

import content
from bot.pseudonym import pseudonymous_sender_id
from bot.rendering import to_html
from bot.typing_indicator import SHOW_AFTER_SECONDS
from tests.conftest import SECRET, callback_update, edited_message_update, message_update
from tests.fakes import BOT_ID, BOT_USERNAME


async def test_a_question_is_answered_with_rasas_reply_and_its_buttons(app, telegram, fake_rasa):
    fake_rasa.replies = [
        {
            "text": "A citizen leader shares a vision.",
            "buttons": [{"title": "Skills", "payload": "/ask_role_skills"}],
        }
    ]
    await app.process_update(message_update(app, "what is a citizen leader"))

    sent = telegram.sent()
    assert len(sent) == 1
    assert sent[0]["text"] == "A citizen leader shares a vision."
    assert sent[0]["parse_mode"] == "HTML"
    keyboard = sent[0]["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0] == {"text": "Skills", "callback_data": "/ask_role_skills"}


async def test_rasa_sees_a_pseudonym_never_the_telegram_chat_id(app, fake_rasa):
    await app.process_update(message_update(app, "hello"))

    sender = fake_rasa.received[0]["sender"]
    assert sender == pseudonymous_sender_id(SECRET, 77)
    assert sender != "77" and len(sender) == 32


async def test_a_typing_indicator_is_shown_while_waiting_for_a_slow_answer(app, telegram, fake_rasa):
    fake_rasa.delays = {"hello": SHOW_AFTER_SECONDS + 0.3}
    await app.process_update(message_update(app, "hello"))

    assert telegram.sent("sendChatAction")[0]["action"] == "typing"
    assert telegram.sent()[0]["text"]  # and the answer still came


async def test_a_quick_answer_comes_without_a_flash_of_typing(app, telegram):
    await app.process_update(message_update(app, "hello"))

    assert telegram.sent("sendChatAction") == []
    assert telegram.sent()[0]["text"]


async def test_html_in_answers_is_escaped(app, telegram, fake_rasa):
    fake_rasa.replies = [{"text": "Use <b> & <script>alert(1)</script>"}]
    await app.process_update(message_update(app, "hi"))

    assert telegram.sent()[0]["text"] == "Use &lt;b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"


async def test_a_long_answer_is_split_under_telegrams_limit_with_buttons_on_the_last_piece(
    app, telegram, fake_rasa
):
    paragraph = "word " * 300
    fake_rasa.replies = [
        {"text": "\n\n".join([paragraph] * 5), "buttons": [{"title": "More", "payload": "/more"}]}
    ]
    await app.process_update(message_update(app, "tell me everything"))

    sent = telegram.sent()
    assert len(sent) >= 2
    assert all(len(piece["text"]) <= 4096 for piece in sent)
    assert "reply_markup" not in sent[0]
    assert sent[-1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "More"


async def test_a_long_button_payload_is_mapped_to_short_callback_data_and_back(app, telegram, fake_rasa):
    long_payload = '/ask_role_skills{"role":"disruptor_advocate","extra":"padding to pass sixty-four bytes"}'
    fake_rasa.replies = [{"text": "Pick one", "buttons": [{"title": "Skills", "payload": long_payload}]}]
    await app.process_update(message_update(app, "hi"))
    data = telegram.sent()[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64

    fake_rasa.replies = [{"text": "Skills answer"}]
    await app.process_update(callback_update(app, data))

    assert fake_rasa.received[-1]["message"] == long_payload


async def test_pressing_a_button_answers_the_query_and_sends_its_payload_to_rasa(app, telegram, fake_rasa):
    fake_rasa.replies = [{"text": "Here are the skills."}]
    await app.process_update(callback_update(app, '/ask_role_skills{"role":"citizen_leader"}'))

    assert len(telegram.sent("answerCallbackQuery")) == 1
    assert fake_rasa.received[-1]["message"] == '/ask_role_skills{"role":"citizen_leader"}'
    assert telegram.sent()[-1]["text"] == "Here are the skills."


async def test_an_expired_button_key_is_sent_as_its_title(app, telegram, fake_rasa):
    markup = {"inline_keyboard": [[{"text": "Skills needed", "callback_data": "k:unknownkey"}]]}
    await app.process_update(callback_update(app, "k:unknownkey", markup))

    assert fake_rasa.received[-1]["message"] == "Skills needed"
    assert len(telegram.sent("answerCallbackQuery")) == 1


async def test_an_unknown_button_without_a_title_gets_a_kind_reply(app, telegram, fake_rasa):
    await app.process_update(callback_update(app, "k:gone"))

    assert fake_rasa.received == []
    assert telegram.sent()[-1]["text"] == content.bot_texts().button_expired.strip()


async def test_rasa_down_still_gets_a_helpful_reply_with_crisis_lines(app, telegram, fake_rasa):
    fake_rasa.failure = "down"
    await app.process_update(message_update(app, "what is co-production"))

    text = telegram.sent()[-1]["text"]
    assert "116 123" in text and "999" in text
    assert "Community builder" in text


async def test_every_kind_of_rasa_failure_gets_the_offline_answer(app, telegram, fake_rasa):
    for failure in ("timeout", "error", "empty", "not-json"):
        fake_rasa.failure = failure
        before = len(telegram.sent())
        await app.process_update(message_update(app, "hello"))
        replies = telegram.sent()[before:]
        assert len(replies) == 1, failure
        assert "116 123" in replies[0]["text"], failure


async def test_a_failure_is_logged_without_the_message_or_the_chat_id(app, fake_rasa, caplog):
    """At the normal log level; only LOG_LEVEL=DEBUG (a debugging switch) shows more."""
    fake_rasa.failure = "timeout"
    with caplog.at_level(logging.INFO):
        await app.process_update(message_update(app, "my secret worry about mum"))

    assert "timed out" in caplog.text
    assert "secret worry" not in caplog.text
    assert "77" not in caplog.text


async def test_a_sticker_gets_a_kind_text_only_reply_and_rasa_is_not_asked(app, telegram, fake_rasa):
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    await app.process_update(message_update(app, None, sticker=sticker))

    assert fake_rasa.received == []
    assert telegram.sent()[-1]["text"] == content.bot_texts().non_text.strip()


async def test_a_voice_note_and_a_photo_get_the_text_only_reply(app, telegram):
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
    photo = [{"file_id": "p1", "file_unique_id": "p1", "width": 1, "height": 1}]
    await app.process_update(message_update(app, None, voice=voice))
    await app.process_update(message_update(app, None, photo=photo))

    assert [m["text"] for m in telegram.sent()] == [content.bot_texts().non_text.strip()] * 2


async def test_an_edited_message_is_answered_again(app, telegram, fake_rasa):
    await app.process_update(edited_message_update(app, "what is tokenism"))

    assert fake_rasa.received[-1]["message"] == "what is tokenism"
    assert telegram.sent()[-1]["text"] == "Hello from Rasa"


async def test_start_welcomes_names_the_four_roles_and_offers_buttons(app, telegram, fake_rasa):
    await app.process_update(message_update(app, "/start"))

    welcome = telegram.sent()[-1]
    for role in ("Community builder", "Improvement expert", "Disruptor", "Citizen leader"):
        assert role in welcome["text"]
    assert "999" in welcome["text"]
    assert welcome["reply_markup"]["inline_keyboard"]
    assert fake_rasa.received == []  # works even when Rasa is down


async def test_help_lists_the_commands(app, telegram):
    await app.process_update(message_update(app, "/help"))

    text = telegram.sent()[-1]["text"]
    assert "/start" in text and "/roles" in text


async def test_roles_asks_rasa_for_the_overview(app, fake_rasa):
    await app.process_update(message_update(app, "/roles"))

    assert fake_rasa.received[-1]["message"] == "/ask_roles_overview"


async def test_about_asks_rasa_for_the_same_answer_as_who_made_you(app, fake_rasa):
    await app.process_update(message_update(app, "/about"))

    assert fake_rasa.received[-1]["message"] == "/ask_about_bot"


async def test_an_unknown_command_gets_a_kind_reply(app, telegram, fake_rasa):
    await app.process_update(message_update(app, "/frobnicate"))

    assert fake_rasa.received == []
    assert telegram.sent()[-1]["text"] == content.bot_texts().unknown_command.strip()


async def test_in_a_group_the_bot_stays_quiet_unless_addressed(app, telegram, fake_rasa):
    group = {"id": -100500, "type": "supergroup", "title": "Carers"}
    await app.process_update(message_update(app, "anyone going to the meeting?", chat=group))
    assert telegram.sent() == []

    await app.process_update(message_update(app, f"@{BOT_USERNAME} what is tokenism?", chat=group))
    assert fake_rasa.received[-1]["message"] == "what is tokenism?"
    assert telegram.sent()[-1]["chat_id"] == -100500


async def test_in_a_group_a_reply_to_the_bot_is_answered(app, fake_rasa):
    group = {"id": -100500, "type": "supergroup", "title": "Carers"}
    earlier = {
        "message_id": 5,
        "date": 0,
        "chat": group,
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "RG"},
        "text": "earlier answer",
    }
    await app.process_update(message_update(app, "and for carers?", chat=group, reply_to_message=earlier))

    assert fake_rasa.received[-1]["message"] == "and for carers?"


async def test_the_command_menu_is_set_at_start_up(fake_rasa, telegram):
    from bot.app import build_application
    from bot.bridge import Bridge
    from bot.rasa_client import RasaRestClient
    from tests.conftest import settings

    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=fake_rasa.client()), SECRET)
    application = build_application(settings(), bridge, request=telegram)
    await application.initialize()
    await application.post_init(application)
    await application.shutdown()

    commands = telegram.sent("setMyCommands")[0]["commands"]
    assert {c["command"] for c in commands} == {
        "start",
        "help",
        "roles",
        "quiz",
        "feedback",
        "privacy",
        "forget",
        "about",
    }


async def test_two_quick_messages_from_one_chat_are_answered_in_the_order_sent(app, telegram, fake_rasa):
    fake_rasa.echo = True
    fake_rasa.delays = {"first": 0.2}  # Rasa is slower on the first message
    await asyncio.gather(
        app.process_update(message_update(app, "first")),
        app.process_update(message_update(app, "second")),
    )

    assert [m["text"] for m in telegram.sent()] == ["answer to first", "answer to second"]


async def test_a_very_long_message_is_read_in_part_and_the_person_is_told(app, telegram, fake_rasa):
    await app.process_update(message_update(app, "what is tokenism? " + "blah " * 800))

    assert len(fake_rasa.received[-1]["message"]) <= 2000
    texts = [m["text"] for m in telegram.sent()]
    assert texts[0] == to_html(content.bot_texts().too_long.strip())
    assert texts[1] == "Hello from Rasa"
