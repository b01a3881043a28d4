"""Coordinators' commands in Telegram: /digest, /unanswered and its button, the weekly digest, settings.

Telegram is the offline request layer (it also keeps uploaded files here);
the feedback database is a real SQLite Store in a temporary folder.
"""

from __future__ import annotations

import json
import logging
import time as clock
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update
from telegram.ext import Application
from telegram.request import RequestData

import content
from bot.__main__ import main
from bot.app import build_application
from bot.bridge import Bridge
from bot.rasa_client import RasaRestClient
from bot.settings import Settings, SettingsError
from storage.records import FeedbackRecord, UnansweredRecord
from storage.store import Store
from tests.conftest import SECRET, message_update, private_chat, settings, user
from tests.fakes import BOT_ID, BOT_USERNAME, FakeRasa, OfflineTelegram

COORDINATOR = 77  # the user (and private chat) the conftest update builders use
STRANGER = 5550123
GROUP = {"id": -100500, "type": "supergroup", "title": "Carers"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RecordingTelegram(OfflineTelegram):
    """Also keeps uploaded files, and refuses chats in `blocked` the way Telegram does."""

    def __init__(self) -> None:
        super().__init__()
        self.uploads: list[tuple[int, bytes]] = []  # (chat id, file content)
        self.blocked: set[int] = set()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **kw: Any):
        params = request_data.parameters if request_data else {}
        if params.get("chat_id") in self.blocked:
            body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return 403, json.dumps(body).encode()
        for _name, content_bytes, _mime in (request_data.multipart_data if request_data else {}).values():
            self.uploads.append((params["chat_id"], content_bytes))
        return await super().do_request(url, method, request_data, **kw)


class UntouchableStore:
    """Stands in for the database where it must not be used at all."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the feedback database was used ({name})")


@pytest.fixture
def telegram() -> RecordingTelegram:
    return RecordingTelegram()


def coordinator_application(
    fake_rasa: FakeRasa, telegram: OfflineTelegram, store: Any, **overrides: Any
) -> Application:
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=fake_rasa.client()), SECRET)
    overrides.setdefault("coordinator_ids", frozenset({COORDINATOR}))
    return build_application(settings(**overrides), bridge, request=telegram, store=store)


@pytest.fixture
async def coordinator_app(fake_rasa, telegram, store) -> AsyncIterator[Application]:
    """The bot with one coordinator (user 77) and a temporary feedback database."""
    async with coordinator_application(fake_rasa, telegram, store) as application:
        yield application


def today() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def from_stranger(app: Application, text: str) -> Update:
    return message_update(app, text, chat=private_chat(STRANGER), **{"from": user(STRANGER, "Alex")})


def button_press(app: Application, data: str, user_id: int = COORDINATOR) -> Update:
    message = {
        "message_id": 900,
        "date": int(clock.time()),
        "chat": private_chat(user_id),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Role Guide"},
        "text": "an earlier list",
    }
    query = {"id": "q1", "from": user(user_id), "chat_instance": "ci", "data": data, "message": message}
    return Update.de_json({"update_id": 901, "callback_query": query}, app.bot)


def texts_sent(telegram: OfflineTelegram) -> str:
    return "\n".join(call["text"] for call in telegram.sent())


# --- /digest -------------------------------------------------------------------------------


async def test_a_coordinators_digest_has_the_weeks_figures_then_the_chart(coordinator_app, telegram, store):
    store.save(FeedbackRecord.new(5, "Clear <b>and</b> kind & quick", "citizen_leader", day=today()))
    store.save(FeedbackRecord.new(4, None, "citizen_leader", day=today()))
    store.save(UnansweredRecord.new("Can I bring my dog?", day=today()))

    await coordinator_app.process_update(message_update(coordinator_app, "/digest"))

    text = texts_sent(telegram)
    assert "Ratings: 2. Average: 4.5 out of 5." in text
    assert "• Citizen leader: 2, average 4.5" in text
    assert "nobody has reviewed yet: 1" in text and "• Can I bring my dog? (1)" in text
    assert "“Clear &lt;b&gt;and&lt;/b&gt; kind &amp; quick”" in text  # stored text is escaped
    assert all(call["parse_mode"] == "HTML" for call in telegram.sent())
    photo = telegram.sent("sendPhoto")
    assert len(photo) == 1 and photo[0]["chat_id"] == COORDINATOR
    assert telegram.uploads[0][0] == COORDINATOR and telegram.uploads[0][1].startswith(PNG_SIGNATURE)
    assert [call.method for call in telegram.calls][-1] == "sendPhoto"  # text first, then the chart


async def test_with_no_feedback_yet_the_digest_says_so_without_a_chart(coordinator_app, telegram):
    await coordinator_app.process_update(message_update(coordinator_app, "/digest"))

    assert "No feedback yet" in texts_sent(telegram)
    assert telegram.sent("sendPhoto") == []


async def test_a_database_that_cannot_be_read_gets_a_clear_message_not_silence(
    fake_rasa, telegram, tmp_path, caplog
):
    unreachable = Store(f"sqlite:///{tmp_path / 'missing' / 'folder' / 'roleguide.db'}", tmp_path / "spool")
    async with coordinator_application(fake_rasa, telegram, unreachable) as application:
        with caplog.at_level(logging.INFO):
            await application.process_update(message_update(application, "/digest"))
            await application.process_update(message_update(application, "/unanswered"))

    unreadable = content.coordinator_texts().database_unreadable.strip()
    assert [call["text"] for call in telegram.sent()] == [unreadable, unreadable]
    assert "could not read the feedback database" in caplog.text


# --- who may use them ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/digest", "/unanswered"])
async def test_anyone_else_gets_the_ordinary_unknown_command_reply_and_nothing_is_read(
    fake_rasa, telegram, command, caplog
):
    """At the normal log level; only LOG_LEVEL=DEBUG (a debugging switch) shows library logs with ids."""
    async with coordinator_application(fake_rasa, telegram, UntouchableStore()) as application:
        with caplog.at_level(logging.INFO):
            await application.process_update(from_stranger(application, command))

    assert [call["text"] for call in telegram.sent()] == [content.bot_texts().unknown_command.strip()]
    assert telegram.sent("sendPhoto") == []
    assert fake_rasa.received == []
    assert "coordinator command refused" in caplog.text
    for private in (str(STRANGER), "Alex", command):
        assert private not in caplog.text


async def test_a_coordinator_in_a_group_is_refused_like_anyone_else(fake_rasa, telegram):
    async with coordinator_application(fake_rasa, telegram, UntouchableStore()) as application:
        await application.process_update(message_update(application, "/digest", chat=GROUP))
        assert telegram.sent() == []  # unknown commands in a group get no answer unless addressed
        await application.process_update(message_update(application, f"/digest@{BOT_USERNAME}", chat=GROUP))

    assert [call["text"] for call in telegram.sent()] == [content.bot_texts().unknown_command.strip()]
    assert telegram.sent("sendPhoto") == []


async def test_with_no_coordinators_listed_nobody_gets_a_digest_and_there_is_no_weekly_job(
    fake_rasa, telegram
):
    async with coordinator_application(
        fake_rasa, telegram, UntouchableStore(), coordinator_ids=frozenset()
    ) as application:
        await application.process_update(message_update(application, "/digest"))

        assert application.job_queue.get_jobs_by_name("weekly digest") == ()
    assert [call["text"] for call in telegram.sent()] == [content.bot_texts().unknown_command.strip()]


async def test_coordinator_commands_stay_out_of_the_public_menu_but_show_in_coordinators_chats(
    coordinator_app, telegram
):
    await coordinator_app.post_init(coordinator_app)

    menus = telegram.sent("setMyCommands")
    public = [menu for menu in menus if "scope" not in menu]
    private = [menu for menu in menus if "scope" in menu]
    assert len(public) == 1
    assert not {"digest", "unanswered"} & {c["command"] for c in public[0]["commands"]}
    assert [menu["scope"] for menu in private] == [{"type": "chat", "chat_id": COORDINATOR}]
    assert {"start", "digest", "unanswered"} <= {c["command"] for c in private[0]["commands"]}


# --- /unanswered and its button ------------------------------------------------------------


async def test_unanswered_lists_open_questions_and_the_button_marks_exactly_those_reviewed(
    coordinator_app, telegram, fake_rasa, store
):
    for text in ["Can I bring my dog?", "can I bring my dog", "Can I bring my dog?", "Is parking free?"]:
        store.save(UnansweredRecord.new(text))

    await coordinator_app.process_update(message_update(coordinator_app, "/unanswered"))

    listing = telegram.sent()[-1]
    assert listing["text"].index("Can I bring my dog? (3)") < listing["text"].index("Is parking free? (1)")
    button = listing["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == content.coordinator_texts().mark_reviewed_button
    assert len(button["callback_data"].encode()) <= 64

    store.save(UnansweredRecord.new("Asked after the list was shown"))
    await coordinator_app.process_update(button_press(coordinator_app, button["callback_data"]))

    assert [row.text for row in store.unanswered()] == ["Asked after the list was shown"]
    assert len(telegram.sent("answerCallbackQuery")) == 1
    assert telegram.sent()[-1]["text"] == content.coordinator_texts().marked_reviewed.strip()
    assert fake_rasa.received == []  # the general button handler did not also take it


async def test_a_long_list_is_split_and_shows_at_most_ten_questions(coordinator_app, telegram, store):
    for number in range(12):
        for _ in range(12 - number):
            store.save(UnansweredRecord.new(f"Question {number:02} " + "about something long " * 20))

    await coordinator_app.process_update(message_update(coordinator_app, "/unanswered"))

    pieces = telegram.sent()
    assert len(pieces) >= 2 and all(len(piece["text"]) <= 4096 for piece in pieces)
    assert "reply_markup" not in pieces[0] and "reply_markup" in pieces[-1]
    text = texts_sent(telegram)
    assert "Question 09" in text and "Question 10" not in text and "There are 2 more." in text

    data = pieces[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await coordinator_app.process_update(button_press(coordinator_app, data))
    assert {row.text[:11] for row in store.unanswered()} == {"Question 10", "Question 11"}


async def test_with_nothing_open_unanswered_says_so_without_a_button(coordinator_app, telegram):
    await coordinator_app.process_update(message_update(coordinator_app, "/unanswered"))

    assert telegram.sent()[-1]["text"] == content.coordinator_texts().nothing_open.strip()
    assert "reply_markup" not in telegram.sent()[-1]


async def test_someone_else_pressing_the_button_is_told_kindly_and_nothing_changes(
    coordinator_app, telegram, fake_rasa, store
):
    store.save(UnansweredRecord.new("Is parking free?"))
    await coordinator_app.process_update(message_update(coordinator_app, "/unanswered"))
    data = telegram.sent()[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    await coordinator_app.process_update(button_press(coordinator_app, data, user_id=STRANGER))

    answer = telegram.sent("answerCallbackQuery")[-1]
    assert answer["text"] == content.coordinator_texts().not_for_you
    assert [row.text for row in store.unanswered()] == ["Is parking free?"]
    assert fake_rasa.received == []


async def test_a_button_from_an_old_list_asks_for_a_fresh_one(coordinator_app, telegram, fake_rasa, store):
    store.save(UnansweredRecord.new("Is parking free?"))

    await coordinator_app.process_update(button_press(coordinator_app, "cdr:reviewed:from-before-a-restart"))

    assert telegram.sent()[-1]["text"] == content.coordinator_texts().list_expired.strip()
    assert len(store.unanswered()) == 1
    assert fake_rasa.received == []


# --- the weekly digest ---------------------------------------------------------------------


async def test_the_weekly_digest_is_scheduled_at_the_configured_day_time_and_zone(fake_rasa, telegram, store):
    application = coordinator_application(
        fake_rasa, telegram, store, digest_day="fri", digest_time=time(18, 30), digest_timezone="Europe/Paris"
    )

    (job,) = application.job_queue.get_jobs_by_name("weekly digest")
    paris = ZoneInfo("Europe/Paris")
    next_run = job.job.trigger.get_next_fire_time(None, datetime(2025, 6, 9, 12, 0, tzinfo=paris))  # a Monday
    assert next_run == datetime(2025, 6, 13, 18, 30, tzinfo=paris)  # that Friday
    assert str(next_run.tzinfo) == "Europe/Paris"


async def test_the_weekly_digest_defaults_to_monday_nine_oclock_london_time(fake_rasa, telegram, store):
    application = coordinator_application(fake_rasa, telegram, store)

    (job,) = application.job_queue.get_jobs_by_name("weekly digest")
    london = ZoneInfo("Europe/London")
    next_run = job.job.trigger.get_next_fire_time(
        None, datetime(2025, 6, 10, 12, 0, tzinfo=london)
    )  # Tuesday
    assert next_run == datetime(2025, 6, 16, 9, 0, tzinfo=london)


async def test_the_weekly_digest_reaches_every_coordinator_even_when_one_blocked_the_bot(
    fake_rasa, telegram, store, caplog
):
    first, second, third = 700001, 700002, 700003
    store.save(FeedbackRecord.new(4, None, None, day=today()))
    telegram.blocked = {first}
    async with coordinator_application(
        fake_rasa, telegram, store, coordinator_ids=frozenset({first, second, third})
    ) as application:
        (job,) = application.job_queue.get_jobs_by_name("weekly digest")
        with caplog.at_level(logging.INFO):
            await job.run(application)

    assert {call["chat_id"] for call in telegram.sent()} == {second, third}
    assert all("Ratings: 1. Average: 4.0 out of 5." in call["text"] for call in telegram.sent())
    assert sorted(chat for chat, _png in telegram.uploads) == [second, third]
    assert "weekly digest not delivered to a coordinator: Forbidden" in caplog.text
    assert str(first) not in caplog.text


# --- settings ------------------------------------------------------------------------------


def test_coordinator_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("COORDINATOR_IDS", "123, 456 789")
    monkeypatch.setenv("DIGEST_DAY", "Friday")
    monkeypatch.setenv("DIGEST_TIME", "7:05")
    monkeypatch.setenv("DIGEST_TIMEZONE", "America/New_York")

    loaded = Settings.from_env()

    assert loaded.coordinator_ids == {123, 456, 789}
    assert loaded.digest_day == "fri"
    assert loaded.digest_at == time(7, 5, tzinfo=ZoneInfo("America/New_York"))


def test_without_coordinator_settings_there_are_no_coordinators_and_a_monday_digest(monkeypatch):
    for name in ("COORDINATOR_IDS", "DIGEST_DAY", "DIGEST_TIME", "DIGEST_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)

    loaded = Settings.from_env()

    assert loaded.coordinator_ids == frozenset()
    assert (loaded.digest_day, loaded.digest_at) == ("mon", time(9, 0, tzinfo=ZoneInfo("Europe/London")))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COORDINATOR_IDS", "123, @sam"),
        ("COORDINATOR_IDS", "123;456"),
        ("DIGEST_TIME", "9am"),
        ("DIGEST_TIME", "24:00"),
        ("DIGEST_DAY", "someday"),
        ("DIGEST_TIMEZONE", "Mars/Olympus"),
        ("DIGEST_TIMEZONE", "Europe"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_a_message_naming_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        Settings.from_env()

    with pytest.raises(SystemExit) as stopped:
        main()
    assert name in str(stopped.value.code)


def test_the_start_up_message_does_not_repeat_the_ids(monkeypatch):
    monkeypatch.setenv("COORDINATOR_IDS", "123456789, sam")

    with pytest.raises(SystemExit) as stopped:
        main()
    assert "123456789" not in str(stopped.value.code)
