"""Restarts a process of the stack that dies, with backoff, and gives up on one that keeps dying.

`make run` (tools.stack) watches the action server, Rasa and the bot with it;
the resilience tests and the soak test run it in a thread. It only looks at
whether a process is alive (a process that hangs but lives is not restarted)
and, after a restart, waits for the process's health check before calling it
back. It logs process names, exit codes and times: never anything people said.

Backoff: the first restart waits `first_backoff` seconds; each further crash
before the process had run `stable_seconds` doubles the wait (up to
`max_backoff`). A process that crashes more than `max_crashes` times within
`window_seconds` is given up on: `check()` raises GaveUp.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import signal
import subprocess
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger("stack")


class GaveUp(RuntimeError):
    """A process crashed too often in a short time; the message says which and where its log is."""


class Phase(enum.Enum):
    RUNNING = "running"
    WAITING = "waiting"  # dead, waiting out its backoff
    STARTING = "starting"  # restarted, its health check not answered yet


@dataclass
class Watched:
    name: str
    process: subprocess.Popen
    respawn: Callable[[], subprocess.Popen]
    health_url: str | None = None  # None: alive counts as up
    finishes_run: bool = False  # exiting with code 0 ends the run (the terminal chat's /quit)
    own_group: bool = True  # started in its own session: its whole process group can be killed
    log_path: Path | None = None
    phase: Phase = Phase.RUNNING
    since: float = 0.0  # when the current phase began
    crashes: deque[float] = field(default_factory=deque)
    quick_crashes: int = 0  # crashes in a row, each before it had run stable_seconds


@dataclass(frozen=True)
class Event:
    at: float  # time.monotonic()
    name: str
    what: str  # "exited", "restarting", "up", "gave up"
    detail: str = ""


class Supervisor:
    def __init__(
        self,
        *,
        max_crashes: int = 5,
        window_seconds: float = 300.0,
        first_backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_seconds: float = 30.0,
        start_timeout: float = 180.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_crashes = max_crashes
        self.window_seconds = window_seconds
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.stable_seconds = stable_seconds
        self.start_timeout = start_timeout
        self._clock = clock
        self._watched: dict[str, Watched] = {}
        self.restarts: Counter[str] = Counter()
        self.events: list[Event] = []
        self.gave_up: GaveUp | None = None  # set by in_background()

    def watch(self, watched: Watched) -> None:
        watched.since = self._clock()
        self._watched[watched.name] = watched

    def process(self, name: str) -> subprocess.Popen:
        return self._watched[name].process

    def phase(self, name: str) -> Phase:
        return self._watched[name].phase

    def check(self) -> bool:
        """One look at every process; False when the run is over (see Watched.finishes_run)."""
        return all(self._check_one(watched) for watched in list(self._watched.values()))

    def run(self, stop: threading.Event | None = None, interval: float = 0.5) -> None:
        """Check every `interval` seconds until the run is over or `stop` is set; raises GaveUp."""
        stop = stop or threading.Event()
        while not stop.is_set() and self.check():
            stop.wait(interval)

    def _check_one(self, watched: Watched) -> bool:
        now = self._clock()
        if watched.phase is Phase.WAITING:
            if now >= watched.since:
                watched.process = watched.respawn()
                self.restarts[watched.name] += 1
                self._note(watched, "restarting", f"pid {watched.process.pid}")
                self._enter(watched, Phase.STARTING)
            return True
        code = watched.process.poll()
        if code is not None:
            if code == 0 and watched.finishes_run:
                log.info("%s ended; stopping the Role Guide", watched.name)
                return False
            self._crashed(watched, f"exited with code {code}")
        elif watched.phase is Phase.STARTING:
            if _answers(watched.health_url):
                self._note(watched, "up", f"after {now - watched.since:.1f} s")
                self._enter(watched, Phase.RUNNING)
            elif now - watched.since > self.start_timeout:
                self._crashed(watched, f"did not answer within {self.start_timeout:.0f} s")
        return True

    def _crashed(self, watched: Watched, how: str) -> None:
        now = self._clock()
        _kill(watched.process, watched.own_group)  # and anything it left behind in its group
        ran_for = now - watched.since
        watched.quick_crashes = 0 if ran_for >= self.stable_seconds else watched.quick_crashes + 1
        watched.crashes.append(now)
        while watched.crashes and now - watched.crashes[0] > self.window_seconds:
            watched.crashes.popleft()
        self._note(watched, "exited", how)
        if len(watched.crashes) > self.max_crashes:
            where = f"; its log: {watched.log_path}" if watched.log_path else ""
            message = (
                f"{watched.name} crashed {len(watched.crashes)} times in {self.window_seconds:.0f} s; "
                f"giving up on it{where}"
            )
            self._note(watched, "gave up")
            raise GaveUp(message)
        backoff = min(self.max_backoff, self.first_backoff * 2 ** max(0, watched.quick_crashes - 1))
        log.warning("%s %s; restarting it in %.0f s", watched.name, how, backoff)
        self._enter(watched, Phase.WAITING, at=now + backoff)

    def _enter(self, watched: Watched, phase: Phase, at: float | None = None) -> None:
        watched.phase = phase
        watched.since = self._clock() if at is None else at

    def _note(self, watched: Watched, what: str, detail: str = "") -> None:
        self.events.append(Event(self._clock(), watched.name, what, detail))
        if what in ("restarting", "up"):
            log.info("%s %s %s", watched.name, what, detail)


@contextlib.contextmanager
def in_background(supervisor: Supervisor, interval: float = 0.25) -> Iterator[Supervisor]:
    """Run the supervisor in a thread while the block runs (tests, the soak test).

    If it gives up, `supervisor.gave_up` holds why.
    """
    stop = threading.Event()

    def run() -> None:
        try:
            supervisor.run(stop, interval)
        except GaveUp as error:
            supervisor.gave_up = error
            log.error("%s", error)

    thread = threading.Thread(target=run, name="supervisor", daemon=True)
    thread.start()
    try:
        yield supervisor
    finally:
        stop.set()
        thread.join()


def _answers(url: str | None) -> bool:
    if url is None:
        return True
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=1.0).status_code == 200
    return False


def _kill(process: subprocess.Popen, own_group: bool) -> None:
    """SIGKILL the process, and everything in its process group when it was started as the group's leader.

    The group outlives a dead leader while anything is left in it, and Linux does not give
    its id to a new process meanwhile, so killing the group of a dead process is safe.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if own_group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
