"""Never silent within five seconds: Rasa down, slow or failing still gets the person an answer in time.

Rasa is the fake transport (tests.fakes.FakeRasa), Telegram the offline
request layer; the Rasa client has its real defaults (deadline, retries).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application

import content
from bot.app import build_application
from bot.bridge import Bridge
from bot.circuit_breaker import BreakerState, CircuitBreaker
from bot.rasa_client import DEFAULT_DEADLINE_SECONDS, RasaRestClient
from bot.settings import Settings, SettingsError
from tests.conftest import SECRET, message_update, settings
from tests.fakes import FakeRasa, OfflineTelegram

FIVE_SECONDS = 5.0


def is_offline_answer(text: str) -> bool:
    """The offline answer: sorry and try again soon, the crisis lines, then the four roles."""
    unavailable = content.bot_texts().unavailable.strip()
    return (
        unavailable.splitlines()[0] in text
        and "116 123" in text
        and "Citizen leader" in text
        and text.index("999") < text.index("116 123") < text.index("Community builder")
    )


async def real_app(
    fake_rasa: FakeRasa, telegram: OfflineTelegram, breaker: CircuitBreaker | None = None
) -> Application:
    """The bot with the Rasa client's own defaults: the deadline and retries it runs with."""
    rasa = RasaRestClient("http://rasa.invalid", client=fake_rasa.client(), breaker=breaker)
    return build_application(settings(), Bridge(rasa, SECRET), request=telegram)


@pytest.fixture
async def bot(fake_rasa: FakeRasa, telegram: OfflineTelegram) -> AsyncIterator[Application]:
    application = await real_app(fake_rasa, telegram)
    async with application:
        yield application


async def timed_answer(app: Application, text: str, chat_id: int = 77) -> float:
    started = time.monotonic()
    chat = {"id": chat_id, "type": "private", "first_name": "Sam"}
    await app.process_update(message_update(app, text, chat=chat))
    return time.monotonic() - started


def test_the_deadline_leaves_time_to_send_the_answer_within_five_seconds():
    assert DEFAULT_DEADLINE_SECONDS <= FIVE_SECONDS - 0.5


@pytest.mark.parametrize("failure", ["down", "timeout", "error", "empty", "not-json", "slow"])
async def test_each_kind_of_rasa_failure_is_answered_offline_within_five_seconds(
    bot, telegram, fake_rasa, failure
):
    if failure == "slow":
        fake_rasa.delays["what is a citizen leader"] = 30.0
    else:
        fake_rasa.failure = failure

    seconds = await timed_answer(bot, "what is a citizen leader")

    assert seconds < FIVE_SECONDS, failure
    sent = telegram.sent()
    assert len(sent) == 1
    assert is_offline_answer(sent[0]["text"]), sent[0]["text"]


@pytest.mark.parametrize("failure", ["down", "error"])
async def test_a_failure_rasa_never_saw_is_retried_and_gets_rasas_real_answer(
    bot, telegram, fake_rasa, failure
):
    fake_rasa.failure, fake_rasa.failures_left = failure, 1
    fake_rasa.replies = [{"text": "A citizen leader shares a vision."}]

    seconds = await timed_answer(bot, "what is a citizen leader")

    assert [sent["text"] for sent in telegram.sent()] == ["A citizen leader shares a vision."]
    assert len(fake_rasa.received) == 2
    assert seconds < FIVE_SECONDS


@pytest.mark.parametrize("failure", ["timeout", "empty", "not-json"])
async def test_a_failure_after_rasa_may_have_handled_the_message_is_not_retried(
    bot, telegram, fake_rasa, failure
):
    """A second try would make Rasa see the message twice (a quiz answer counted twice)."""
    fake_rasa.failure = failure

    await timed_answer(bot, "4")

    assert len(fake_rasa.received) == 1
    assert is_offline_answer(telegram.sent()[0]["text"])


async def test_retries_stop_at_the_deadline(fake_rasa):
    fake_rasa.failure = "down"
    rasa = RasaRestClient("http://rasa.invalid", 0.6, client=fake_rasa.client(), retries=100)
    bridge = Bridge(rasa, SECRET)

    started = time.monotonic()
    replies = await bridge.reply_to(77, "hello")

    assert time.monotonic() - started < 0.7
    assert is_offline_answer(replies[0].text)
    assert 2 <= len(fake_rasa.received) < 100


async def test_a_message_that_waited_for_its_chat_is_still_answered_within_five_seconds(
    bot, telegram, fake_rasa
):
    """Messages from one chat are answered in order; the deadline counts the wait for the one before."""
    fake_rasa.echo = True
    fake_rasa.delays = {"first": 3.0, "second": 3.0}

    first, second = await asyncio.gather(timed_answer(bot, "first"), timed_answer(bot, "second"))

    assert first < FIVE_SECONDS and second < FIVE_SECONDS
    texts = [sent["text"] for sent in telegram.sent()]
    assert texts[0] == "answer to first"
    assert is_offline_answer(texts[1])


async def test_after_repeated_failures_the_breaker_answers_at_once_without_asking_rasa(fake_rasa, telegram):
    fake_rasa.failure = "timeout"
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=0.3)
    application = await real_app(fake_rasa, telegram, breaker)
    async with application:
        for _ in range(3):
            await timed_answer(application, "hello")
        assert breaker.state is BreakerState.OPEN

        seconds = await timed_answer(application, "hello again")
        assert seconds < 0.2
        assert len(fake_rasa.received) == 3
        assert is_offline_answer(telegram.sent()[-1]["text"])

        fake_rasa.failure = None
        await asyncio.sleep(0.3)
        await timed_answer(application, "are you back?")
        assert telegram.sent()[-1]["text"] == "Hello from Rasa"
        assert breaker.state is BreakerState.CLOSED


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_after_failures_in_a_row_and_a_success_resets_the_count():
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=5, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.allow()

    breaker.record_failure()

    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_an_open_breaker_lets_one_probe_through_after_a_while():
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=1, open_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 4.9
    assert not breaker.allow()

    clock.now += 0.2
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # everyone else, while it is out
    assert breaker.state is BreakerState.HALF_OPEN


def test_a_failed_probe_opens_the_breaker_again_and_a_good_one_closes_it():
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=5, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    breaker.record_failure()  # one failed probe is enough
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()

    clock.now += 5
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_a_probe_that_never_reports_back_is_followed_by_another():
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=1, open_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    clock.now += 5
    assert breaker.allow()


def test_a_breaker_with_no_failure_count_never_opens():
    breaker = CircuitBreaker(failures_to_open=0, open_seconds=5)
    for _ in range(50):
        breaker.record_failure()
    assert breaker.allow()
    assert breaker.state is BreakerState.CLOSED


# --- settings ----------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "RASA_DEADLINE_SECONDS",
        "RASA_TIMEOUT_SECONDS",
        "RASA_RETRIES",
        "RASA_BREAKER_FAILURES",
        "RASA_BREAKER_SECONDS",
        "HEALTH_PORT",
        "HEALTH_LISTEN",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_by_default_rasa_gets_four_and_a_half_seconds_two_retries_and_a_breaker(clean_env):
    loaded = Settings.from_env()
    assert loaded.rasa_deadline_seconds == 4.5
    assert loaded.rasa_retries == 2
    assert (loaded.rasa_breaker_failures, loaded.rasa_breaker_seconds) == (3, 5.0)
    assert (loaded.health_port, loaded.health_listen) == (0, "127.0.0.1")


def test_the_older_timeout_name_still_sets_the_deadline_unless_the_new_one_is_set(clean_env):
    clean_env.setenv("RASA_TIMEOUT_SECONDS", "3")
    assert Settings.from_env().rasa_deadline_seconds == 3.0
    clean_env.setenv("RASA_DEADLINE_SECONDS", "2.5")
    assert Settings.from_env().rasa_deadline_seconds == 2.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RASA_DEADLINE_SECONDS", "0"),
        ("RASA_DEADLINE_SECONDS", "soon"),
        ("RASA_TIMEOUT_SECONDS", "-1"),
        ("RASA_RETRIES", "two"),
        ("RASA_BREAKER_FAILURES", "-3"),
        ("RASA_BREAKER_SECONDS", "nan"),
        ("HEALTH_PORT", "70000"),
        ("HEALTH_PORT", "http"),
    ],
)
def test_a_setting_that_cannot_be_used_stops_start_up_naming_it(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        Settings.from_env()
