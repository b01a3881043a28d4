"""The supervisor behind `make run`: restarts a process that dies, backs off, gives up on a crash loop.

Processes here are stand-ins with a fake clock; tests/e2e/test_resilience.py
kills the real Rasa and action server.
"""

from __future__ import annotations

import itertools
import subprocess
from typing import cast

import pytest

from tools.supervisor import GaveUp, Phase, Supervisor, Watched

_pids = itertools.count(40_000)


class FakeProcess:
    """Enough of subprocess.Popen for the supervisor: alive until told to exit."""

    def __init__(self) -> None:
        self.pid = next(_pids)
        self.returncode: int | None = None
        self.killed = False

    def poll(self) -> int | None:
        return self.returncode

    def kill(self) -> None:
        self.killed = True

    def wait(self, timeout: float | None = None) -> int | None:
        return self.returncode


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Service:
    """A watched service whose every start is recorded."""

    def __init__(self) -> None:
        self.started: list[FakeProcess] = [FakeProcess()]

    def respawn(self) -> subprocess.Popen:
        self.started.append(FakeProcess())
        return cast(subprocess.Popen, self.started[-1])

    @property
    def current(self) -> FakeProcess:
        return self.started[-1]


def supervised(clock: FakeClock, finishes_run: bool = False, **options) -> tuple[Supervisor, Service]:
    supervisor = Supervisor(clock=clock, **options)
    service = Service()
    supervisor.watch(
        Watched(
            "rasa",
            cast(subprocess.Popen, service.current),
            service.respawn,
            finishes_run=finishes_run,
            own_group=False,
            log_path=None,
        )
    )
    return supervisor, service


def test_a_process_that_dies_is_restarted_after_a_backoff_and_counted():
    clock = FakeClock()
    supervisor, rasa = supervised(clock, first_backoff=1.0)
    assert supervisor.check()

    rasa.current.returncode = -9
    supervisor.check()
    assert supervisor.phase("rasa") is Phase.WAITING
    clock.now += 0.5
    supervisor.check()
    assert len(rasa.started) == 1  # still backing off

    clock.now += 0.6
    supervisor.check()
    assert len(rasa.started) == 2
    assert supervisor.restarts["rasa"] == 1
    supervisor.check()  # no health check to wait for: up at once
    assert supervisor.phase("rasa") is Phase.RUNNING
    assert [event.what for event in supervisor.events] == ["exited", "restarting", "up"]
    assert "-9" in supervisor.events[0].detail


def crash_and_restart(supervisor: Supervisor, service: Service, clock: FakeClock) -> float:
    """Crash the current process; returns the backoff the supervisor chose."""
    service.current.returncode = 1
    supervisor.check()
    before = len(service.started)
    waited = 0.0
    while len(service.started) == before:
        clock.now += 0.25
        waited += 0.25
        supervisor.check()
    supervisor.check()
    return waited


def test_quick_crashes_double_the_backoff_and_a_stable_run_resets_it():
    clock = FakeClock()
    supervisor, rasa = supervised(
        clock, first_backoff=1.0, max_backoff=4.0, stable_seconds=30, max_crashes=100
    )
    clock.now += 60  # the first start ran a good while
    backoffs = [crash_and_restart(supervisor, rasa, clock) for _ in range(4)]
    assert backoffs == [1.0, 1.0, 2.0, 4.0]  # the first crash after a long run waits the least

    clock.now += 60
    assert crash_and_restart(supervisor, rasa, clock) == 1.0


def test_a_process_that_keeps_crashing_is_given_up_on_with_a_clear_message():
    clock = FakeClock()
    supervisor, rasa = supervised(clock, max_crashes=3, window_seconds=300, first_backoff=1.0)
    for _ in range(3):
        crash_and_restart(supervisor, rasa, clock)

    rasa.current.returncode = 1
    with pytest.raises(GaveUp, match=r"rasa crashed 4 times in 300 s"):
        supervisor.check()
    assert supervisor.events[-1].what == "gave up"


def test_crashes_spread_over_a_long_time_are_not_a_crash_loop():
    clock = FakeClock()
    supervisor, rasa = supervised(clock, max_crashes=3, window_seconds=300)
    for _ in range(10):
        clock.now += 200
        crash_and_restart(supervisor, rasa, clock)
    assert supervisor.restarts["rasa"] == 10


def test_the_terminal_chat_ending_normally_ends_the_run_but_a_crash_restarts_it():
    clock = FakeClock()
    supervisor, chat = supervised(clock, finishes_run=True)
    chat.current.returncode = 2
    assert supervisor.check()
    clock.now += 5
    supervisor.check()
    assert len(chat.started) == 2

    supervisor.check()
    chat.current.returncode = 0
    assert not supervisor.check()


def test_a_restarted_process_counts_as_up_only_once_its_health_check_answers():
    clock = FakeClock()
    supervisor = Supervisor(clock=clock, first_backoff=1.0, start_timeout=60)
    service = Service()
    supervisor.watch(
        Watched(
            "actions",
            cast(subprocess.Popen, service.current),
            service.respawn,
            health_url="http://127.0.0.1:9/health",  # nothing listens on the discard port
            own_group=False,
        )
    )
    service.current.returncode = -9
    supervisor.check()
    clock.now += 1
    supervisor.check()
    supervisor.check()
    assert supervisor.phase("actions") is Phase.STARTING

    clock.now += 61
    supervisor.check()
    assert service.started[1].killed  # never answered: killed and started again
    assert supervisor.phase("actions") is Phase.WAITING
