"""Soak test: many simulated people talk to the whole Role Guide for minutes while Rasa keeps dying.

    python -m tools.soak [--users 30] [--minutes 5] [--kill-every 60]    (or: make soak)

It starts the Telegram emulator, the action server, Rasa and the bot (with its
health check) under the supervisor, as `make run` does, in a fresh data folder
under var/soak/. People (tools.soak_people) send a realistic mix; every
`--kill-every` seconds Rasa gets SIGKILL and the supervisor restarts it. The
resident memory of the bot and the action server is sampled throughout.

The summary: messages sent, replies, messages with no reply (must be 0),
reply latency (p50, p95, max; the bot promises an answer within 5 s), crisis
lines in the replies to crisis messages (during outages too), offline answers,
restarts, and memory at the start and end with its slope. The exit code is 1
when a message went unanswered, a crisis message got no crisis lines, or the
memory of the bot or the action server grew more than --max-growth-mb.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import random
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tools.emulator import free_port, running_emulator, tgclient
from tools.memory import MemorySampler, MemorySeries
from tools.soak_people import Person, Turn
from tools.stack import ROOT, Stack, wait_until_up
from tools.supervisor import Phase, Supervisor, in_background

log = logging.getLogger("soak")

TOKEN = "424242:SOAK-ROLE-GUIDE"
ANSWER_PROMISE_SECONDS = 5.0
WATCHED_MEMORY = ("bot", "actions")  # Rasa is restarted on purpose, so its memory starts over


@dataclass(frozen=True)
class SoakConfig:
    users: int = 30
    seconds: float = 300.0
    kill_every: float = 60.0  # 0: Rasa is never killed
    first_kill: float | None = None  # None: after kill_every
    think: tuple[float, float] = (3.0, 8.0)  # seconds between one person's messages
    reply_timeout: float = 30.0  # nothing by then counts as no reply
    sample_every: float = 5.0
    warm_up: float = 30.0  # memory is compared from this long after the start
    max_growth_mb: float = 50.0
    seed: int = 7


@dataclass
class SoakReport:
    config: SoakConfig
    turns: list[Turn]
    errors: list[str]
    kills: list[float]  # when Rasa was killed (time.monotonic())
    outages: list[tuple[float, float]]  # from a kill until Rasa answered again
    restarts: dict[str, int]
    memory: dict[str, MemorySeries]
    duration: float
    problems: list[str] = field(default_factory=list)

    @property
    def answered(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.latency is not None]

    @property
    def unanswered(self) -> int:
        return len(self.turns) - len(self.answered)

    def latency(self, share: float) -> float | None:
        """The latency below which `share` of the answered messages came (0.5: median)."""
        values = sorted(turn.latency for turn in self.answered if turn.latency is not None)
        if not values:
            return None
        return values[max(0, math.ceil(share * len(values)) - 1)]

    def in_outage(self, turn: Turn) -> bool:
        return any(start <= turn.sent_at <= end for start, end in self.outages)

    def memory_growth(self, name: str) -> float | None:
        series = self.memory.get(name)
        if series is None:
            return None
        start, end = series.start_mb(self.config.warm_up), series.end_mb()
        return None if start is None or end is None else end - start

    def check(self) -> list[str]:
        """What went wrong, in words; empty when the soak passed."""
        problems = []
        if not self.turns:
            problems.append("no messages were sent")
        if self.unanswered:
            problems.append(f"{self.unanswered} message(s) got no reply")
        crisis = [turn for turn in self.answered if turn.kind == "crisis"]
        missing = [turn for turn in crisis if not turn.crisis_lines]
        if missing:
            problems.append(f"{len(missing)} crisis message(s) got no crisis lines")
        for name in WATCHED_MEMORY:
            growth = self.memory_growth(name)
            if growth is not None and growth > self.config.max_growth_mb:
                problems.append(
                    f"{name} memory grew {growth:.0f} MB (more than {self.config.max_growth_mb:.0f})"
                )
        self.problems = problems
        return problems

    def table(self) -> str:
        """The summary, as aligned rows."""
        crisis = [turn for turn in self.answered if turn.kind == "crisis"]
        crisis_out = [turn for turn in crisis if self.in_outage(turn)]
        during = [turn for turn in self.turns if self.in_outage(turn)]
        rows: list[tuple[str, str]] = [
            ("run", f"{self.duration:.0f} s, {self.config.users} people, Rasa killed {len(self.kills)}x"),
            ("messages sent", str(len(self.turns))),
            ("replies received", str(len(self.answered))),
            ("messages with no reply", str(self.unanswered)),
            (
                "reply latency p50 / p95 / max",
                " / ".join(_seconds(self.latency(q)) for q in (0.5, 0.95, 1.0)),
            ),
            (f"replies slower than {ANSWER_PROMISE_SECONDS:.0f} s", str(self._slower_than_promise())),
            (
                "sent during Rasa outages",
                f"{len(during)} ({sum(t.offline for t in during)} answered offline)",
            ),
            ("offline answers in all", str(sum(turn.offline for turn in self.turns))),
            ("crisis messages with crisis lines", f"{sum(t.crisis_lines for t in crisis)}/{len(crisis)}"),
            ("  of them during outages", f"{sum(t.crisis_lines for t in crisis_out)}/{len(crisis_out)}"),
            (
                "Rasa outages (kill to answering)",
                ", ".join(f"{end - start:.1f} s" for start, end in self.outages),
            ),
            (
                "process restarts",
                ", ".join(f"{name} {count}" for name, count in self.restarts.items()) or "0",
            ),
            ("client errors", str(len(self.errors))),
        ]
        for name in (*WATCHED_MEMORY, "rasa"):
            rows.append((f"{name} RSS start / end / max", self._memory_row(name)))
        width = max(len(label) for label, _ in rows)
        lines = [f"{label.ljust(width)}  {value}" for label, value in rows]
        verdict = "PASSED" if not self.problems else "FAILED: " + "; ".join(self.problems)
        return "\n".join(["Soak test", "-" * (width + 30), *lines, "-" * (width + 30), verdict])

    def _slower_than_promise(self) -> int:
        return sum(1 for turn in self.answered if (turn.latency or 0) > ANSWER_PROMISE_SECONDS)

    def _memory_row(self, name: str) -> str:
        series = self.memory.get(name)
        if series is None or not series.samples:
            return "not sampled"
        start = series.start_mb(self.config.warm_up)
        end, top = series.end_mb(), series.max_mb()
        slope = series.slope_mb_per_minute(self.config.warm_up)
        text = f"{_mb(start)} / {_mb(end)} / {_mb(top)}"
        if name in WATCHED_MEMORY:
            slope_text = "n/a" if slope is None else f"{slope:+.2f} MB/min"
            text += f", slope {slope_text}, growth {_mb(self.memory_growth(name))}"
        else:
            text += " (restarted on purpose)"
        return text


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def run_soak(
    stack: Stack, supervisor: Supervisor, emulator_url: str, token: str, config: SoakConfig
) -> SoakReport:
    """Run the people, the Rasa killer and the memory sampler against a supervised, running stack."""
    client_module = tgclient()
    rng = random.Random(config.seed)
    people = [
        Person(
            client_module.TgClient(emulator_url, token=token, first_name=f"Soak{n}"),
            client_module.transcript,
            random.Random(rng.random()),
            config.think,
            config.reply_timeout,
        )
        for n in range(config.users)
    ]
    sampler = MemorySampler(
        lambda: {name: process.pid for name, process in list(stack.processes.items())},
        config.sample_every,
    )
    restarts_before = dict(supervisor.restarts)
    started = time.monotonic()
    until = started + config.seconds
    kills: list[float] = []
    stop_killing = threading.Event()
    killer = threading.Thread(
        target=_kill_rasa_now_and_then, args=(stack, supervisor, config, started, kills, stop_killing)
    )
    threads = [
        threading.Thread(target=person.run, args=(until,), name=f"person-{n}")
        for n, person in enumerate(people)
    ]
    sampler.start()
    killer.start()
    for thread in threads:  # people arrive over the first few seconds, not all at once
        thread.start()
        time.sleep(config.think[0] / len(threads))
    for thread in threads:
        thread.join()
    stop_killing.set()
    killer.join()
    sampler.stop()
    duration = time.monotonic() - started
    turns = sorted((turn for person in people for turn in person.turns), key=lambda turn: turn.sent_at)
    report = SoakReport(
        config=config,
        turns=turns,
        errors=[error for person in people for error in person.errors],
        kills=kills,
        outages=_outages(kills, supervisor, time.monotonic()),
        restarts={
            name: count - restarts_before.get(name, 0)
            for name, count in supervisor.restarts.items()
            if count > restarts_before.get(name, 0)
        },
        memory=sampler.series,
        duration=duration,
    )
    report.check()
    return report


def _kill_rasa_now_and_then(
    stack: Stack,
    supervisor: Supervisor,
    config: SoakConfig,
    started: float,
    kills: list[float],
    stop: threading.Event,
) -> None:
    """SIGKILL Rasa at first_kill, then every kill_every seconds (never while it is still restarting)."""
    if config.kill_every <= 0 and config.first_kill is None:
        return
    next_kill = started + (config.first_kill if config.first_kill is not None else config.kill_every)
    end = started + config.seconds
    while next_kill < end and not stop.wait(max(0.0, next_kill - time.monotonic())):
        if supervisor.phase("rasa") is Phase.RUNNING:
            os.kill(stack.processes["rasa"].pid, signal.SIGKILL)
            kills.append(time.monotonic())
            log.info("killed Rasa (kill %d)", len(kills))
        if config.kill_every <= 0:
            return
        next_kill += config.kill_every


def _outages(kills: Sequence[float], supervisor: Supervisor, now: float) -> list[tuple[float, float]]:
    """From each kill until the supervisor saw Rasa answer again (or now, if it has not yet)."""
    ups = [event.at for event in supervisor.events if event.name == "rasa" and event.what == "up"]
    return [(kill, next((up for up in ups if up > kill), now)) for kill in kills]


def soak_on_a_new_stack(config: SoakConfig, folder: Path) -> SoakReport:
    """Start the emulator and a supervised stack in `folder`, soak it, stop everything."""
    os.environ.pop("DATABASE_URL", None)  # the soak's feedback goes to its own folder, never a real database
    with running_emulator() as emulator_url:
        stack = Stack(
            rasa_port=free_port(), actions_port=free_port(), data_dir=folder / "data", log_dir=folder / "logs"
        )
        try:
            log.info("starting the stack (logs in %s)", stack.log_dir)
            stack.start_services()
            bot = stack.start_bot(
                {
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_URL": emulator_url,
                    "HEALTH_PORT": str(free_port()),
                }
            )
            wait_until_up(stack.health_url("bot"), bot, 60)
            supervisor = stack.supervise(Supervisor(max_crashes=1000))
            with in_background(supervisor):
                log.info(
                    "%d people for %.0f s; Rasa killed every %.0f s",
                    config.users,
                    config.seconds,
                    config.kill_every,
                )
                return run_soak(stack, supervisor, emulator_url, TOKEN, config)
        finally:
            stack.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--kill-every", type=float, default=60.0, help="seconds between Rasa kills; 0: none")
    parser.add_argument("--max-growth-mb", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    config = SoakConfig(
        users=args.users,
        seconds=args.minutes * 60,
        kill_every=args.kill_every,
        max_growth_mb=args.max_growth_mb,
        seed=args.seed,
    )
    folder = ROOT / "var" / "soak" / datetime.now().strftime("%Y%m%d-%H%M%S")
    report = soak_on_a_new_stack(config, folder)
    print(report.table(), flush=True)
    print(f"(logs in {folder / 'logs'})")
    return 0 if not report.problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
