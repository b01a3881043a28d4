"""Processes die and come back: the stack under its supervisor, as `make run` runs it.

Rasa, the action server and the bot are killed with SIGKILL; the supervisor
restarts each, their health checks answer again, and meanwhile people get the
offline answer with the crisis lines within five seconds. Then a short soak:
ten people for under a minute while Rasa is killed once.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

import content
from tests.e2e.conftest import TgClient, free_port, transcript
from tools.soak import SoakConfig, run_soak
from tools.stack import Stack, wait_until_up
from tools.supervisor import Phase, Supervisor, in_background

pytestmark = pytest.mark.e2e

TOKEN = "777001:E2E-SUPERVISED"
BACK_WITHIN_SECONDS = 120


@pytest.fixture(scope="module")
def supervised(
    emulator_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, Supervisor]]:
    run_dir = tmp_path_factory.mktemp("supervised")
    stack = Stack(
        rasa_port=free_port(), actions_port=free_port(), data_dir=run_dir / "data", log_dir=run_dir / "logs"
    )
    try:
        stack.start_services()
        bot = stack.start_bot(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": emulator_url, "HEALTH_PORT": str(free_port())}
        )
        wait_until_up(stack.health_url("bot"), bot, 60)
        with in_background(stack.supervise(Supervisor(max_crashes=20))) as supervisor:
            yield stack, supervisor
        assert supervisor.gave_up is None
    finally:
        stack.stop()


def kill(stack: Stack, name: str) -> None:
    os.kill(stack.processes[name].pid, signal.SIGKILL)


def wait_until_running(
    supervisor: Supervisor, names: tuple[str, ...], restarts_before: dict[str, int]
) -> None:
    deadline = time.monotonic() + BACK_WITHIN_SECONDS
    while time.monotonic() < deadline:
        restarted = all(supervisor.restarts[name] > restarts_before.get(name, 0) for name in names)
        if restarted and all(supervisor.phase(name) is Phase.RUNNING for name in names):
            return
        time.sleep(0.5)
    pytest.fail(f"{names} not back within {BACK_WITHIN_SECONDS} s; events: {supervisor.events}")


def answers_health_check(url: str | None) -> bool:
    assert url is not None
    return httpx.get(url, timeout=5).status_code == 200


def offline(said: str) -> bool:
    return content.bot_texts().unavailable.strip().splitlines()[0] in said


def test_killed_rasa_and_action_server_come_back_and_meanwhile_people_get_the_offline_answer(
    supervised, emulator_url
):
    stack, supervisor = supervised
    person = TgClient(emulator_url, token=TOKEN, first_name="Outage")
    before = dict(supervisor.restarts)

    kill(stack, "rasa")
    kill(stack, "actions")
    started = time.monotonic()
    during = person.send("what is a citizen leader", timeout=10, settle=0)
    latency = time.monotonic() - started
    crisis = transcript(person.send("im thinking about ending it all", timeout=10))
    bot_health = httpx.get(stack.health_url("bot") or "", timeout=5).json()

    said = transcript(during)
    assert offline(said) and "Citizen leader" in said and "116 123" in said
    assert latency < 5.0
    assert "116 123" in crisis and "999" in crisis
    assert bot_health["rasa_reachable"] is False

    wait_until_running(supervisor, ("rasa", "actions"), before)
    assert answers_health_check(stack.health_url("rasa"))
    assert answers_health_check(stack.health_url("actions"))
    assert httpx.get(stack.health_url("bot") or "", timeout=5).json()["rasa_reachable"] is True
    tokenism = transcript(person.send("what is tokenism"))
    assert content.topics().topics["ask_tokenism"].text.strip()[:50] in tokenism


def test_a_killed_bot_comes_back_and_answers(supervised, emulator_url):
    stack, supervisor = supervised
    before = dict(supervisor.restarts)

    kill(stack, "bot")
    wait_until_running(supervisor, ("bot",), before)

    assert answers_health_check(stack.health_url("bot"))
    replies = TgClient(emulator_url, token=TOKEN, first_name="After").send("/start", timeout=20)
    assert "Citizen leader" in transcript(replies)


def test_a_short_soak_with_rasa_killed_once_leaves_no_message_unanswered(
    supervised, emulator_url, record_property
):
    stack, supervisor = supervised
    config = SoakConfig(
        users=10, seconds=50, kill_every=0, first_kill=8, warm_up=10, sample_every=2, max_growth_mb=60
    )

    report = run_soak(stack, supervisor, emulator_url, TOKEN, config)

    record_property("figure", "short soak (10 people, 50 s, Rasa killed once):\n" + report.table())
    assert len(report.kills) == 1 and report.restarts.get("rasa") == 1
    assert report.turns and report.unanswered == 0, report.table()
    assert any(report.in_outage(turn) and turn.offline for turn in report.turns), report.table()
    assert not report.problems, report.table()
    slowest = report.latency(1.0)
    assert slowest is not None and slowest < 5.0, report.table()
