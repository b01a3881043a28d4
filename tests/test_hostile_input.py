"""Hostile and odd input: every message gets a sensible answer, nothing crashes, floods are slowed down.

Example-based tests for each odd kind of message and for the rate limiter, then
property-based tests (hypothesis) that push thousands of generated messages
through the real handlers (`app.process_update`, Telegram offline, a fake Rasa),
and through the rendering, the input tidying and the pseudonyms on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import logging
import re
import signal
import time
import unicodedata
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import Application, ContextTypes

import content
from bot.app import build_application
from bot.bridge import MAX_MESSAGE_CHARS, Bridge
from bot.incoming_text import clean_incoming_text, typed_words
from bot.pseudonym import pseudonymous_sender_id
from bot.rasa_client import RasaRestClient
from bot.rate_limit import RateLimiter, Verdict
from bot.rendering import TELEGRAM_TEXT_LIMIT, split_for_telegram, to_html
from bot.safety_net import CRISIS_PAYLOAD, SafetyNet
from bot.settings import Settings, SettingsError, parse_rate_limit_messages, parse_rate_limit_seconds
from storage.records import UnansweredRecord
from tests import conftest
from tests.conftest import SECRET, message_update
from tests.fakes import BOT_ID, BOT_USERNAME, FakeRasa, OfflineTelegram

TEXTS = content.bot_texts()
NOTICE = to_html(TEXTS.rate_limited.strip())
EMPTY = to_html(TEXTS.empty_message.strip())
_NET = SafetyNet()  # the net the bot runs (region: the environment's), to say what it should answer
GROUP = {"id": -100500, "type": "supergroup", "title": "Carers"}
_ids = itertools.count(1_000_000)  # message, update and chat ids that never repeat

# Budgets for the property tests below: thousands of messages through the handlers, a thousand
# cases for each part on its own; the whole file runs in well under a minute.
MANY = settings(
    max_examples=2000,
    deadline=None,
    database=None,  # nothing written into the project folder
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARTS = settings(MANY, max_examples=1000)
FEW = settings(MANY, max_examples=100)


# --- helpers ------------------------------------------------------------------------------------


class TickingClock:
    """A monotonic clock for the limiter: stands still, or moves `step` seconds each time it is read."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 1_000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def private(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Sam"}


def person(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Sam"}


def text_from(app: Application, text: str, chat_id: int, **extra: Any) -> Update:
    """A text message from a person in their own private chat (chat id = user id, as in Telegram)."""
    return message_update(app, text, chat=private(chat_id), **{"from": person(chat_id), **extra})


def press(app: Application, data: str, chat_id: int, markup: dict | None = None) -> Update:
    """A button press on one of the bot's earlier messages in `chat_id`."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": private(chat_id),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Role Guide"},
        "text": "an earlier answer",
    }
    if markup:
        message["reply_markup"] = markup
    query = {"id": str(next(_ids)), "from": person(chat_id), "chat_instance": "ci", "data": data}
    return Update.de_json({"update_id": next(_ids), "callback_query": {**query, "message": message}}, app.bot)


def sent_to(telegram: OfflineTelegram, chat_id: int, since: int = 0) -> list[dict[str, Any]]:
    """What the bot sent to one chat (sendMessage parameters), after the first `since` API calls."""
    return [
        call.params
        for call in telegram.calls[since:]
        if call.method == "sendMessage" and call.params["chat_id"] == chat_id
    ]


class _Tags(HTMLParser):
    """Collects every tag, comment or declaration the HTML parser finds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.found.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self.found.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.found.append("<!--")

    def handle_decl(self, decl: str) -> None:
        self.found.append("<!")

    def handle_pi(self, data: str) -> None:
        self.found.append("<?")

    def unknown_decl(self, data: str) -> None:
        self.found.append("<![")


def html_problems(text: str) -> list[str]:
    """Why Telegram's HTML parse mode would refuse or misread `text` (we send no tags at all)."""
    problems = []
    bare = re.sub(r"&(?:lt|gt|amp|quot);", "", text)
    for char in "<>&":
        if char in bare:
            problems.append(f"unescaped {char!r}")
    parser = _Tags()
    parser.feed(text)
    parser.close()
    if parser.found:
        problems.append(f"markup {parser.found[:3]}")
    return problems


def assert_fit_for_telegram(params: dict[str, Any]) -> None:
    """One sendMessage as Telegram would accept it: HTML mode, well formed, short enough, real UTF-8."""
    text = params["text"]
    assert params["parse_mode"] == "HTML"
    assert text.strip(), "Telegram refuses an empty message"
    assert len(text) <= TELEGRAM_TEXT_LIMIT
    text.encode("utf-8")  # a lone surrogate would fail here, and at Telegram
    assert html_problems(text) == []
    for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
        for key in row:
            assert len(key["callback_data"].encode("utf-8")) <= 64
            assert 0 < len(key["text"]) <= 64


def expected_question(text: str) -> str:
    """What Rasa should be asked for a private message (the bridge reads at most MAX_MESSAGE_CHARS)."""
    return typed_words(text).strip()[:MAX_MESSAGE_CHARS]


def expected_answer(text: str) -> list[str]:
    """What an echoing Rasa's answer to `text` looks like in Telegram, piece by piece."""
    question = typed_words(text).strip()
    if not question:
        return [EMPTY]
    crisis = _NET.reply_for(question)
    if crisis is not None:  # the safety net answers before Rasa, then Rasa answers any calm rest
        replies = [crisis.text]
        rest = _NET.rest_beside_alarm(question[:MAX_MESSAGE_CHARS])
        if rest is not None:
            replies.append(f"answer to {rest}")
        return [to_html(piece) for reply in replies for piece in split_for_telegram(reply)]
    replies = [TEXTS.too_long] if len(question) > MAX_MESSAGE_CHARS else []
    replies.append(f"answer to {question[:MAX_MESSAGE_CHARS]}")
    return [to_html(piece) for reply in replies for piece in split_for_telegram(reply)]


def no_spaces(text: str) -> str:
    return "".join(text.split())


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
async def limited_app(
    fake_rasa: FakeRasa, telegram: OfflineTelegram, clock: TickingClock
) -> AsyncIterator[Application]:
    """The bot with the default limit (8 messages per 20 s) on a clock the test moves."""
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=fake_rasa.client()), SECRET)
    limiter = RateLimiter(8, 20.0, clock=clock)
    application = build_application(conftest.settings(), bridge, request=telegram, rate_limiter=limiter)
    async with application:
        yield application


def catch_errors(application: Application) -> list[BaseException]:
    """Every exception that reaches the error handlers from now on (the bot's own handler still runs)."""
    caught: list[BaseException] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        caught.append(context.error)

    application.add_error_handler(record)
    return caught


@pytest.fixture
def errors(app: Application) -> list[BaseException]:
    return catch_errors(app)


# --- the rate limiter on its own ----------------------------------------------------------------


def test_a_chat_may_send_the_limit_then_is_told_once_then_hears_nothing(clock):
    limiter = RateLimiter(8, 20.0, clock=clock)

    verdicts = [limiter.check(1) for _ in range(12)]

    assert verdicts == [Verdict.ALLOW] * 8 + [Verdict.NOTIFY] + [Verdict.DROP] * 3


def test_a_chat_that_slows_down_is_answered_again(clock):
    limiter = RateLimiter(8, 20.0, clock=clock)
    for _ in range(10):
        limiter.check(1)

    clock.advance(2.5)  # one message's worth (20 s / 8)
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.DROP  # still flooding: no second notice within the window

    clock.advance(20.0)  # a quiet window: a full allowance again
    assert [limiter.check(1) for _ in range(9)] == [Verdict.ALLOW] * 8 + [Verdict.NOTIFY]


def test_a_chat_that_keeps_flooding_is_told_at_most_once_a_window(clock):
    clock.step = 0.1  # ten messages a second, for a minute
    limiter = RateLimiter(8, 20.0, clock=clock)

    verdicts = [limiter.check(1) for _ in range(600)]

    assert verdicts.count(Verdict.NOTIFY) == 3  # at 0.9 s, about 21 s and about 41 s
    assert verdicts.count(Verdict.ALLOW) <= 8 + 60 / 2.5 + 1


def test_chats_are_limited_separately(clock):
    limiter = RateLimiter(2, 20.0, clock=clock)

    assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTIFY]
    assert [limiter.check(2) for _ in range(2)] == [Verdict.ALLOW, Verdict.ALLOW]
    assert limiter.check("terminal") is Verdict.ALLOW


def test_quiet_chats_are_forgotten(clock):
    limiter = RateLimiter(8, 20.0, clock=clock)
    for chat in range(1_000):
        limiter.check(chat)
    assert limiter.chats_remembered == 1_000

    clock.advance(20.0)
    limiter.check("someone new")

    assert limiter.chats_remembered == 1


def test_memory_stays_bounded_when_very_many_chats_write_at_once(clock):
    limiter = RateLimiter(8, 20.0, clock=clock, max_chats=500)

    for chat in range(20_000):
        limiter.check(chat)

    assert limiter.chats_remembered == 500


def test_zero_messages_switches_the_limit_off(clock):
    limiter = RateLimiter(0, 20.0, clock=clock)

    assert {limiter.check(1) for _ in range(1_000)} == {Verdict.ALLOW}


@pytest.mark.parametrize(("messages", "seconds"), [(-1, 20.0), (8, 0.0), (8, -5.0)])
def test_a_limiter_that_cannot_work_is_refused(messages, seconds):
    with pytest.raises(ValueError):
        RateLimiter(messages, seconds)


@PARTS
@given(
    events=st.lists(
        st.tuples(st.sampled_from([1, 2, 3, 4]), st.sampled_from([0.0, 0.0, 0.0, 0.3, 1.0, 2.6, 7.0, 21.0])),
        max_size=80,
    ),
    max_messages=st.integers(1, 5),
    per_seconds=st.sampled_from([1.0, 5.0, 20.0]),
    max_chats=st.integers(1, 6),
)
def test_the_limiter_keeps_its_promises_for_any_pattern_of_messages(
    events, max_messages, per_seconds, max_chats
):
    """Whatever the timing: a quiet chat gets its full allowance, no chat gets more than its rate,
    a notice comes at most once a window and only after an allowance is used up, a message is
    dropped silently only after a notice, and memory never holds more than `max_chats` chats."""
    clock = TickingClock()
    limiter = RateLimiter(max_messages, per_seconds, clock=clock, max_chats=max_chats)
    history: dict[int, list[tuple[float, Verdict]]] = {}
    for chat, wait in events:
        clock.advance(wait)
        verdict = limiter.check(chat)
        now = clock.now
        past = history.setdefault(chat, [])
        recent = [(at, v) for at, v in past if now - at < per_seconds]
        if len(recent) < max_messages:
            # fewer than max_messages of any kind in the last window: the bucket cannot be empty
            assert verdict is Verdict.ALLOW
        allowed = [at for at, v in past if v is Verdict.ALLOW] + ([now] if verdict is Verdict.ALLOW else [])
        if max_chats >= 4:  # room for every chat; squeezed out, a chat starts afresh (memory wins)
            for start in allowed:
                in_span = [at for at in allowed if start <= at <= now]
                assert len(in_span) <= max_messages + (now - start) * max_messages / per_seconds + 1e-6
        notices = [at for at, v in recent if v is Verdict.NOTIFY]
        if verdict is Verdict.NOTIFY and max_chats >= 4:
            assert notices == []
        if verdict is Verdict.DROP:
            assert notices, "dropped without a notice in this window"
        past.append((now, verdict))
        assert limiter.chats_remembered <= max_chats


# --- settings -----------------------------------------------------------------------------------


def test_rate_limit_settings_default_to_8_messages_per_20_seconds(monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_MESSAGES", raising=False)
    monkeypatch.delenv("RATE_LIMIT_SECONDS", raising=False)

    loaded = Settings.from_env()

    assert (loaded.rate_limit_messages, loaded.rate_limit_seconds) == (8, 20.0)


def test_rate_limit_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", " 3 ")
    monkeypatch.setenv("RATE_LIMIT_SECONDS", "7.5")

    loaded = Settings.from_env()

    assert (loaded.rate_limit_messages, loaded.rate_limit_seconds) == (3, 7.5)


@pytest.mark.parametrize("raw", ["-1", "eight", "2.5", "1e3", "8 messages"])
def test_a_bad_rate_limit_messages_value_is_refused_by_name(raw):
    with pytest.raises(SettingsError, match="RATE_LIMIT_MESSAGES"):
        parse_rate_limit_messages(raw)


@pytest.mark.parametrize("raw", ["0", "-3", "soon", "nan", "inf", "20s"])
def test_a_bad_rate_limit_seconds_value_is_refused_by_name(raw):
    with pytest.raises(SettingsError, match="RATE_LIMIT_SECONDS"):
        parse_rate_limit_seconds(raw)


def test_zero_rate_limit_messages_means_no_limit():
    assert parse_rate_limit_messages("0") == 0


# --- the rate limit as people see it ------------------------------------------------------------


async def test_a_flood_of_50_messages_in_a_second_is_answered_in_order_up_to_the_limit_with_one_notice(
    limited_app, telegram, fake_rasa, clock
):
    errors = catch_errors(limited_app)
    fake_rasa.echo = True
    fake_rasa.delays = {"m0": 0.05, "m3": 0.02}  # Rasa is slower on some
    clock.step = 0.02  # 50 messages in one second
    flood = [text_from(limited_app, f"m{i}", chat_id=501) for i in range(50)]
    someone_else = text_from(limited_app, "what is tokenism", chat_id=502)

    await asyncio.gather(*(limited_app.process_update(u) for u in flood[:25]))
    await asyncio.gather(
        limited_app.process_update(someone_else), *(limited_app.process_update(u) for u in flood[25:])
    )

    to_flooder = [m["text"] for m in sent_to(telegram, 501)]
    assert to_flooder == [f"answer to m{i}" for i in range(8)] + [NOTICE]
    assert [r["message"] for r in fake_rasa.received if r["message"].startswith("m")] == [
        f"m{i}" for i in range(8)
    ]
    assert [m["text"] for m in sent_to(telegram, 502)] == ["answer to what is tokenism"]
    assert errors == []


async def test_after_the_notice_a_chat_that_waits_is_answered_again(limited_app, telegram, fake_rasa, clock):
    fake_rasa.echo = True
    for i in range(12):
        await limited_app.process_update(text_from(limited_app, f"m{i}", chat_id=501))
    before = len(telegram.calls)

    clock.advance(20.0)
    await limited_app.process_update(text_from(limited_app, "back again", chat_id=501))

    assert [m["text"] for m in sent_to(telegram, 501, since=before)] == ["answer to back again"]


async def test_over_the_limit_stickers_buttons_and_commands_are_dropped_quietly_too(
    limited_app, telegram, fake_rasa
):
    for i in range(9):
        await limited_app.process_update(text_from(limited_app, f"m{i}", chat_id=501))
    asked, before = len(fake_rasa.received), len(telegram.calls)

    await limited_app.process_update(message_update(limited_app, None, chat=private(501), dice=_DICE))
    await limited_app.process_update(press(limited_app, "/ask_roles_overview", chat_id=501))
    await limited_app.process_update(text_from(limited_app, "/roles", chat_id=501))
    await limited_app.process_update(text_from(limited_app, "/help", chat_id=501))
    await limited_app.process_update(text_from(limited_app, "   ", chat_id=501))

    assert sent_to(telegram, 501, since=before) == []
    assert len(fake_rasa.received) == asked
    assert len(telegram.sent("answerCallbackQuery")) == 1  # the button's spinner still stops


async def test_group_chatter_not_meant_for_the_bot_does_not_use_up_the_groups_allowance(
    limited_app, telegram, fake_rasa
):
    for i in range(30):
        await limited_app.process_update(message_update(limited_app, f"chat {i}", chat=GROUP))

    await limited_app.process_update(message_update(limited_app, f"@{BOT_USERNAME} hello", chat=GROUP))

    assert [m["text"] for m in telegram.sent()] == ["Hello from Rasa"]


async def test_the_limit_comes_from_the_settings(fake_rasa, telegram):
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=fake_rasa.client()), SECRET)
    strict = build_application(
        conftest.settings(rate_limit_messages=2, rate_limit_seconds=60.0), bridge, request=telegram
    )
    async with strict:
        for i in range(4):
            await strict.process_update(text_from(strict, f"m{i}", chat_id=501))

    assert [m["text"] for m in sent_to(telegram, 501)] == ["Hello from Rasa"] * 2 + [NOTICE]


async def test_with_the_limit_switched_off_every_message_is_answered(fake_rasa, telegram):
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=fake_rasa.client()), SECRET)
    unlimited = build_application(conftest.settings(rate_limit_messages=0), bridge, request=telegram)
    async with unlimited:
        for i in range(40):
            await unlimited.process_update(text_from(unlimited, f"m{i}", chat_id=501))

    assert len(sent_to(telegram, 501)) == 40


# --- odd messages, one kind at a time -----------------------------------------------------------


@pytest.mark.parametrize("text", ["👍", "🙏🙏", "😢", "👩‍👩‍👧", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "❤️‍🩹"])
async def test_an_emoji_only_message_goes_to_rasa_as_it_is_and_gets_its_answer(
    app, telegram, fake_rasa, text
):
    """Rasa decides what an emoji means (the fallback, or a thanks); the bot passes it on untouched
    apart from joiners and tag characters, which are invisible."""
    await app.process_update(message_update(app, text))

    assert fake_rasa.received[-1]["message"] == clean_incoming_text(text)
    assert fake_rasa.received[-1]["message"]  # never emptied
    assert [m["text"] for m in telegram.sent()] == ["Hello from Rasa"]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<b>",
        "&amp;",
        "*bold* _x_ [a](b)",
        '<a href="tg://user?id=1">me</a>',
        "<!-- hidden --> &lt;",
        "``` code ``` ||spoiler|| ~gone~",
    ],
)
async def test_markup_is_passed_on_as_words_and_comes_back_escaped(app, telegram, fake_rasa, errors, text):
    fake_rasa.echo = True
    await app.process_update(message_update(app, text))

    assert fake_rasa.received[-1]["message"] == text  # Rasa reads exactly what was typed
    sent = telegram.sent()
    assert [m["text"] for m in sent] == [to_html(f"answer to {text}")]
    assert html.unescape(sent[0]["text"]) == f"answer to {text}"  # shown literally, not as markup
    assert_fit_for_telegram(sent[0])
    assert errors == []


@pytest.mark.parametrize(
    "text", ["'; DROP TABLE events; --", '" OR 1=1 --', "%s %(x)s {0} {{7*7}} ${jndi:x}"]
)
async def test_sql_and_template_lookalikes_are_just_words(app, telegram, fake_rasa, errors, text):
    fake_rasa.echo = True
    await app.process_update(message_update(app, text))

    assert fake_rasa.received[-1]["message"] == text
    assert [html.unescape(m["text"]) for m in telegram.sent()] == [f"answer to {text}"]
    assert errors == []


def test_sql_lookalike_text_is_stored_as_text_and_the_tables_survive(store):
    assert store.save(UnansweredRecord.new("'; DROP TABLE unanswered_question; --")) is True
    assert store.save(UnansweredRecord.new("what is tokenism")) is True

    assert [row.text for row in store.unanswered()] == [
        "'; DROP TABLE unanswered_question; --",
        "what is tokenism",
    ]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/frobnicate", TEXTS.unknown_command),
        ("/frobnicate@" + BOT_USERNAME, TEXTS.unknown_command),
        ("/help@" + BOT_USERNAME, TEXTS.help),
        ("/start@" + BOT_USERNAME.lower(), TEXTS.welcome),
        ("/roles@" + BOT_USERNAME, "Hello from Rasa"),
        ("/help@SomeOtherBot", TEXTS.unknown_command),  # in a private chat: not ours, so unknown
        ("/", TEXTS.unknown_command),
        ("/roles extra words 👍", "Hello from Rasa"),
    ],
)
async def test_commands_odd_or_addressed_by_username_get_one_sensible_answer(
    app, telegram, errors, text, answer
):
    await app.process_update(message_update(app, text))

    assert [m["text"] for m in telegram.sent()] == [to_html(answer.strip())]
    assert errors == []


async def test_in_a_group_a_command_for_another_bot_is_left_alone(app, telegram):
    await app.process_update(message_update(app, "/frobnicate@SomeOtherBot", chat=GROUP))
    await app.process_update(message_update(app, "/frobnicate", chat=GROUP))

    assert telegram.sent() == []


_FILE = {"file_id": "f1", "file_unique_id": "u1"}
_DICE = {"emoji": "🎲", "value": 4}
NOT_TEXT = {
    "sticker": {
        **_FILE,
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    },
    "photo": [{**_FILE, "width": 1, "height": 1}],
    "voice": {**_FILE, "duration": 3},
    "audio": {**_FILE, "duration": 3},
    "video": {**_FILE, "width": 1, "height": 1, "duration": 3},
    "video_note": {**_FILE, "length": 1, "duration": 3},
    "animation": {**_FILE, "width": 1, "height": 1, "duration": 3},
    "document": {**_FILE, "file_name": "notes.pdf"},
    "location": {"latitude": 51.5, "longitude": -0.12},
    "venue": {"location": {"latitude": 51.5, "longitude": -0.12}, "title": "Hub", "address": "1 High St"},
    "contact": {"phone_number": "+447700900000", "first_name": "Mum"},
    "poll": {
        "id": "p1",
        "question": "Tea?",
        "options": [
            {"text": "yes", "voter_count": 0, "persistent_id": "o1"},
            {"text": "no", "voter_count": 0, "persistent_id": "o2"},
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    },
    "dice": _DICE,
    "story": {"chat": {"id": 77, "type": "private"}, "id": 5},
}


@pytest.mark.parametrize("kind", sorted(NOT_TEXT))
async def test_every_kind_of_non_text_message_gets_exactly_one_kind_reply(
    app, telegram, fake_rasa, errors, kind
):
    await app.process_update(message_update(app, None, **{kind: NOT_TEXT[kind]}))

    assert [m["text"] for m in telegram.sent()] == [to_html(TEXTS.non_text.strip())]
    assert fake_rasa.received == []
    assert errors == []


async def test_a_photo_with_a_caption_gets_the_text_only_reply(app, telegram, fake_rasa):
    await app.process_update(message_update(app, None, photo=NOT_TEXT["photo"], caption="what is this role?"))

    assert [m["text"] for m in telegram.sent()] == [to_html(TEXTS.non_text.strip())]


async def test_a_service_message_gets_no_reply(app, telegram, errors):
    await app.process_update(message_update(app, None, chat=GROUP, new_chat_members=[person(99)]))

    assert telegram.sent() == []
    assert errors == []


@pytest.mark.parametrize(
    ("text", "rasa_reads"),
    [
        ("what is\x00 tokenism", "what is  tokenism"),
        ("carer\x07\x1b[31m help", "carer  [31m help"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("what is to\u200bken\u00adism\u200f", "what is tokenism"),  # zero-width space, soft hyphen, RTL mark
        ("\u202eyrtne\u202c and \u2066x\u2069", "yrtne and x"),  # bidi overrides and isolates
        (
            "\uff57\uff48\uff41\uff54 is \U0001d42d\U0001d428\U0001d424\U0001d41e\U0001d427",
            "what is token",
        ),  # full-width, maths bold
        ("cafe\u0301 for carers", "café for carers"),  # a combining accent joins its letter
        ("half an emoji \ud83d here", "half an emoji \ufffd here"),  # a lone surrogate
        ("\ud83d\ude00 paired halves", "😀 paired halves"),
    ],
)
async def test_invisible_and_broken_characters_are_tidied_before_rasa_reads_the_message(
    app, telegram, fake_rasa, errors, caplog, text, rasa_reads
):
    with caplog.at_level(logging.WARNING):
        await app.process_update(message_update(app, text))

    assert fake_rasa.received[-1]["message"] == rasa_reads
    assert [m["text"] for m in telegram.sent()] == ["Hello from Rasa"]
    assert caplog.records == []  # in particular no "Rasa unavailable": a lone surrogate used to cause one
    assert errors == []


@pytest.mark.parametrize(
    "text",
    [
        " ",
        "   \n\n\t  ",
        "\u200b",
        "\u200f\u200e",
        "\u200d",
        "\ufeff",
        "\x00",
        "\x00\x01\x1f\x7f",
        "\u2028\u3000",
    ],
)
async def test_a_message_with_no_words_at_all_is_asked_for_a_question_and_rasa_is_not_bothered(
    app, telegram, fake_rasa, errors, text
):
    await app.process_update(message_update(app, text))

    assert [m["text"] for m in telegram.sent()] == [EMPTY]
    assert fake_rasa.received == []
    assert errors == []


async def test_in_a_group_a_bare_mention_gets_the_group_hint(app, telegram, fake_rasa):
    await app.process_update(message_update(app, f"@{BOT_USERNAME} \u200b", chat=GROUP))

    assert [m["text"] for m in telegram.sent()] == [to_html(TEXTS.group_hint.strip())]
    assert fake_rasa.received == []


async def test_combining_characters_piled_high_are_survived(app, telegram, fake_rasa, errors):
    zalgo = "h" + "\u0336\u0489\u0301" * 600 + "elp"
    await app.process_update(message_update(app, zalgo))

    assert len(fake_rasa.received[-1]["message"]) <= MAX_MESSAGE_CHARS
    assert telegram.sent()[-1]["text"] == "Hello from Rasa"
    assert errors == []


async def test_a_message_of_very_many_lines_is_read_in_part_and_the_person_is_told(app, telegram, fake_rasa):
    await app.process_update(message_update(app, "\n".join(["why?"] * 3000)))

    assert len(fake_rasa.received[-1]["message"]) <= MAX_MESSAGE_CHARS
    assert [m["text"] for m in telegram.sent()] == [to_html(TEXTS.too_long.strip()), "Hello from Rasa"]


async def test_blank_lines_around_a_short_question_do_not_count_as_a_long_message(app, telegram, fake_rasa):
    await app.process_update(message_update(app, "\n" * 3000 + "what is tokenism?" + " \n" * 3000))

    assert fake_rasa.received[-1]["message"] == "what is tokenism?"
    assert [m["text"] for m in telegram.sent()] == ["Hello from Rasa"]


@pytest.mark.parametrize(("length", "told"), [(MAX_MESSAGE_CHARS, False), (MAX_MESSAGE_CHARS + 1, True)])
async def test_only_messages_over_the_limit_are_cut(app, telegram, fake_rasa, length, told):
    await app.process_update(message_update(app, "a" * length))

    assert len(fake_rasa.received[-1]["message"]) == MAX_MESSAGE_CHARS
    assert (telegram.sent()[0]["text"] == to_html(TEXTS.too_long.strip())) is told


async def test_an_echoed_wall_of_ampersands_is_split_and_every_piece_fits(app, telegram, fake_rasa):
    """Escaping makes "&" five characters long: the split must count the escaped length."""
    fake_rasa.echo = True
    await app.process_update(message_update(app, "&" * 4096))

    sent = telegram.sent()
    assert len(sent) >= 3
    for params in sent:
        assert_fit_for_telegram(params)
    assert no_spaces("".join(html.unescape(m["text"]) for m in sent[1:])) == "answerto" + "&" * 2000


# --- property: thousands of generated messages through the real handlers ------------------------

EMOJI = ["👍", "🙏", "😢", "❤️", "👩‍👩‍👧", "🏳️‍🌈", "🇬🇧", "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "👋🏽", "1️⃣", "🫶", "☺︎"]
MARKUP = [
    "<script>alert(1)</script>",
    "<b>",
    "</b>",
    "<i>x</i>",
    "<a href='x'>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x1F600;",
    "&",
    "<",
    ">",
    '"',
    "'",
    "*bold*",
    "_x_",
    "[a](b)",
    "`",
    "```",
    "||",
    "\\",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?xml",
]
SQL = ["'; DROP TABLE events; --", '" OR 1=1 --', "%s", "{0}", "%(x)s", "${x}", "{{7*7}}"]
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u00ad",
    "\u2060",
]
SPACES = ["\n", "\r\n", "\r", "\t", " ", "\u00a0", "\u2028", "\u2029", "\u3000", "\u3164", "\u2800"]
WORDS = ["what is tokenism", "help", "I care for my mum", "citizen leader", f"@{BOT_USERNAME}", "@someone"]
# A crisis phrase, and words only the learned classifier flags: the help lines, then any calm rest.
ALARMS = ["I want to end it all. ", "i want to say no without feeling guilty"]

fragments = st.one_of(
    st.text(max_size=12),  # any Unicode text, all categories but surrogates
    st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zs", "Zl", "Zp"]),
    st.sampled_from(EMOJI + MARKUP + SQL + INVISIBLE + SPACES + WORDS + ALARMS),
)
short_messages = st.lists(fragments, min_size=1, max_size=25).map("".join)
long_messages = st.tuples(fragments, st.integers(100, 900)).map(
    lambda piece_times: piece_times[0] * piece_times[1]
)
messages = st.one_of(short_messages, short_messages, short_messages, long_messages).filter(
    lambda text: text != "" and not text.startswith("/")  # Telegram sends no empty text; commands below
)


@MANY
@given(
    text=messages, where=st.sampled_from(["private", "private", "edited", "group mention", "group chatter"])
)
@example(text="I want to end it all. What is tokenism and how do I spot it?", where="private")
@example(text="i want to say no without feeling guilty\u200b<b>", where="group mention")
@example(text="I want to end it all", where="edited")
async def test_any_message_gets_exactly_the_answer_it_should_and_nothing_breaks(
    app, telegram, fake_rasa, errors, caplog, text, where
):
    """Rasa echoes, so every odd character comes back through the rendering too."""
    fake_rasa.echo = True
    chat_id = next(_ids)  # a fresh chat each time: the rate limit never applies here
    calls, asked, logged, failed = (
        len(telegram.calls),
        len(fake_rasa.received),
        len(caplog.records),
        len(errors),
    )
    if where == "private":
        update = text_from(app, text, chat_id)
        question = text
    elif where == "edited":
        message = {
            "message_id": next(_ids),
            "date": 0,
            "edit_date": 1,
            "chat": private(chat_id),
            "text": text,
        }
        update = Update.de_json(
            {"update_id": next(_ids), "edited_message": {**message, "from": person(chat_id)}}, app.bot
        )
        question = text
    else:
        if where == "group mention":
            text = f"@{BOT_USERNAME} {text}"
        group = {"id": -chat_id, "type": "group", "title": "Carers"}
        update = message_update(app, text, chat=group)
        addressed = f"@{BOT_USERNAME}".lower() in text.lower()
        question = (
            re.sub(rf"@{BOT_USERNAME}\b", " ", text, flags=re.IGNORECASE).strip() if addressed else None
        )
        chat_id = -chat_id

    await app.process_update(update)

    sent = sent_to(telegram, chat_id, since=calls)
    assert errors[failed:] == []
    assert [r.getMessage() for r in caplog.records[logged:] if r.levelno >= logging.WARNING] == []
    for params in sent:
        assert_fit_for_telegram(params)
    if question is None:  # group chatter not meant for the bot
        assert sent == [] and len(fake_rasa.received) == asked
        return
    expected = expected_answer(question)
    if expected == [EMPTY] and where.startswith("group"):
        expected = [to_html(TEXTS.group_hint.strip())]
    assert [m["text"] for m in sent] == expected
    if expected[0] in (EMPTY, to_html(TEXTS.group_hint.strip())):
        assert len(fake_rasa.received) == asked
        return
    asked_for = typed_words(question).strip()
    if _NET.may_be_crisis(asked_for):  # Rasa hears of the crisis, or reads only the calm rest
        rest = _NET.rest_beside_alarm(asked_for[:MAX_MESSAGE_CHARS])
        assert [body["message"] for body in fake_rasa.received[asked:]] in (
            ([rest],) if rest is not None else ([CRISIS_PAYLOAD], [])
        )
        return
    read = fake_rasa.received[-1]["message"]
    assert read == expected_question(question)
    assert not any(
        unicodedata.category(c) in ("Cs", "Cf") or (unicodedata.category(c) == "Cc" and c not in "\n\t")
        for c in read
    )
    answer = "".join(html.unescape(m["text"]) for m in sent if m["text"] != to_html(TEXTS.too_long.strip()))
    assert no_spaces(answer) == no_spaces(f"answer to {read}")


commands = st.builds(
    lambda name, target, args: f"/{name}{target}{args}",
    st.one_of(
        st.sampled_from(["start", "help", "roles", "quiz", "feedback", "privacy", "digest", "unanswered"]),
        st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True),
    ),
    st.sampled_from(["", "", f"@{BOT_USERNAME}", f"@{BOT_USERNAME.upper()}", "@SomeOtherBot"]),
    st.one_of(st.just(""), short_messages.map(lambda args: " " + args)),
)


@settings(MANY, max_examples=500)
@given(text=commands)
async def test_any_command_in_a_private_chat_is_answered_and_a_bare_one_once(
    app, telegram, errors, caplog, text
):
    """An unknown command with words after it is read as those words, so it may get more than one
    reply (the help lines, then an answer); a bare command gets exactly one."""
    chat_id = next(_ids)
    calls, logged, failed = len(telegram.calls), len(caplog.records), len(errors)

    await app.process_update(text_from(app, text, chat_id))

    sent = sent_to(telegram, chat_id, since=calls)
    assert errors[failed:] == []
    assert [r.getMessage() for r in caplog.records[logged:] if r.levelno >= logging.WARNING] == []
    assert sent
    if len(text.split()) == 1:
        assert len(sent) == 1
    for params in sent:
        assert_fit_for_telegram(params)


no_surrogates = st.characters(exclude_categories=["Cs"])
button_payloads = st.one_of(
    st.builds(lambda intent: f"/{intent}", st.from_regex(r"[a-z_]{1,40}", fullmatch=True)),
    st.builds(
        lambda intent, value: f'/{intent}{{"role":"{value}"}}',
        st.from_regex(r"[a-z_]{1,30}", fullmatch=True),
        st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=40),
    ),
    st.text(alphabet=st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=120),
)
button_titles = st.text(alphabet=no_surrogates, max_size=100).filter(lambda title: title.strip())


@settings(MANY, max_examples=300)
@given(buttons=st.lists(st.tuples(button_titles, button_payloads), min_size=1, max_size=6))
async def test_any_buttons_from_rasa_fit_telegram_and_pressing_one_asks_rasa_its_payload(
    app, telegram, fake_rasa, errors, buttons
):
    chat_id = next(_ids)
    fake_rasa.echo = False
    fake_rasa.replies = [{"text": "Pick one", "buttons": [{"title": t, "payload": p} for t, p in buttons]}]
    calls, failed = len(telegram.calls), len(errors)
    await app.process_update(text_from(app, "hi", chat_id))
    [shown] = sent_to(telegram, chat_id, since=calls)
    assert_fit_for_telegram(shown)
    keys = [key for row in shown["reply_markup"]["inline_keyboard"] for key in row]
    assert len(keys) == len(buttons)

    payload = buttons[-1][1]
    await app.process_update(press(app, keys[-1]["callback_data"], chat_id, shown["reply_markup"]))

    assert fake_rasa.received[-1]["message"] == clean_incoming_text(payload).strip()[:MAX_MESSAGE_CHARS]
    assert errors[failed:] == []


# --- property: the parts on their own -----------------------------------------------------------

any_text = st.one_of(st.text(), short_messages, short_messages, long_messages)


@PARTS
@given(
    text_and_limit=st.one_of(
        st.tuples(any_text, st.just(TELEGRAM_TEXT_LIMIT)),
        st.tuples(st.one_of(st.text(), short_messages), st.integers(5, 300)),  # many pieces from little text
    )
)
def test_any_text_is_split_into_pieces_that_fit_once_escaped_and_lose_nothing(text_and_limit):
    text, limit = text_and_limit
    pieces = split_for_telegram(text, limit)

    for piece in pieces:
        assert piece and piece == piece.strip()
        assert len(to_html(piece)) <= limit
    assert no_spaces("".join(pieces)) == no_spaces(text)
    if len(to_html(text.strip())) <= limit:
        assert pieces == ([text.strip()] if text.strip() else [])


@PARTS
@given(text=any_text)
def test_any_text_is_escaped_into_html_telegram_reads_back_as_the_same_words(text):
    rendered = to_html(text)

    assert html_problems(rendered) == []
    assert html.unescape(rendered) == text


@contextlib.contextmanager
def fails_after(seconds: float) -> Iterator[None]:
    """Turns an endless loop into a failure instead of a hung test run (Unix, main thread)."""

    def give_up(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@FEW
@given(text=st.text(max_size=50), limit=st.integers(1, 4))
def test_a_limit_too_small_for_an_escaped_character_still_ends(text, limit):
    """ "&amp;" is 5 characters: under that no piece can fit, but splitting must still finish."""
    with fails_after(2.0):
        pieces = split_for_telegram(text, limit)

    assert no_spaces("".join(pieces)) == no_spaces(text)


@PARTS
@given(text=st.one_of(any_text, st.text(alphabet=st.characters(categories=["Cs", "Cc", "Cf", "Mn", "Zs"]))))
def test_tidying_is_stable_and_leaves_nothing_invisible_or_unencodable(text):
    tidied = clean_incoming_text(text)

    assert clean_incoming_text(tidied) == tidied
    tidied.encode("utf-8")
    for char in tidied:
        category = unicodedata.category(char)
        assert category not in ("Cs", "Cf")
        assert category != "Cc" or char in "\n\t"


@FEW
@given(text=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_tidying_leaves_plain_typed_text_exactly_as_it_is(text):
    assert clean_incoming_text(text) == text


chat_ids = st.one_of(
    st.integers(10_000_000, 2**52),  # people (private chats)
    st.integers(-1_009_999_999_999, -1_000_000_000_000),  # supergroups
)


@PARTS
@given(secret=st.text(min_size=1, max_size=64), chat_id=chat_ids, other=chat_ids)
def test_a_pseudonym_is_stable_hides_the_chat_id_and_differs_between_chats(secret, chat_id, other):
    pseudonym = pseudonymous_sender_id(secret, chat_id)

    assert pseudonym == pseudonymous_sender_id(secret, chat_id)
    assert pseudonym == pseudonymous_sender_id(secret, str(chat_id))
    assert re.fullmatch(r"[0-9a-f]{32}", pseudonym)
    assert str(chat_id) not in pseudonym and str(abs(chat_id)) not in pseudonym
    if other != chat_id:
        assert pseudonymous_sender_id(secret, other) != pseudonym
    assert pseudonymous_sender_id(secret + "x", chat_id) != pseudonym
