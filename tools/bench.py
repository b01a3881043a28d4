"""Benchmark: our whole stack against stock Rasa, both driven through the Telegram emulator.

    python -m tools.bench [--users 20] [--seconds 60] [--skip-stock] [--retrain] [--profile]
    (or: make bench BENCH_ARGS="...")

For each variant (ours: config.yml and our Rasa launcher; stock: Rasa 3.6's
default config, tools/stock_config.yml, run by plain `rasa run`, same data,
same tracker store, same action server and bot) it:
1. trains the model, or reuses one trained from the same inputs (the training
   time and peak memory are kept beside it in var/bench/models/);
2. starts the action server, Rasa and the bot against the emulator and times
   start-up until the first real answer reaches a Telegram user;
3. has `--users` simulated people talk with no pause between messages for
   `--seconds` (after a few seconds' warm-up): each person is a new chat taking
   one journey of the soak test's mix (questions answered by our custom
   action, buttons, the quiz, feedback, a crisis message, a sticker), then the
   next person takes their place;
4. records turns per second, the time to the first reply (p50/p95/p99), turns
   with no reply, the peak resident memory of Rasa + actions + bot, and the
   CPU time each process spent per turn (where the time goes);
5. evaluates NLU accuracy on the held-out split (tools/evaluate_nlu.py).

With --profile, py-spy records flame graphs of Rasa and the bot (ours only)
into the run's folder. The last line is always:
    bench: <X> turns/s, p50 <Y> ms, p95 <Z> ms; stock <W> turns/s; ratio <R>x
The exit code is 1 when a target of issue 6 was missed (see TARGETS).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from tools.emulator import free_port, running_emulator, tgclient
from tools.memory import MemorySampler, MemorySeries
from tools.soak_people import Person, Turn, offline_mark, pick_journey
from tools.stack import RASA_BIN, ROOT, Stack, rasa_env_json, wait_until_up

log = logging.getLogger("bench")

TOKEN = "434343:BENCH-ROLE-GUIDE"
BENCH_DIR = ROOT / "var" / "bench"
MODEL_CACHE = BENCH_DIR / "models"
TRAINING_DATA = ("nlu", "stories")
OUR_PROCESSES = ("rasa", "actions", "bot")  # what counts towards the memory target
SETTLE_SECONDS = 0.05  # quiet time after the first reply that ends a turn
REPLY_TIMEOUT = 10.0  # no reply by then: an empty turn
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Issue 6's targets on a 2-core machine with 20 users.
TARGETS = {
    "turns_per_second": 100.0,
    "p95_ms": 300.0,
    "empty": 0,
    "ratio": 4.0,
    "memory_mb": 900.0,
    "startup_seconds": 25.0,
    "training_seconds": 60.0,
}


@dataclass(frozen=True)
class Variant:
    name: str
    config: Path
    stock: bool  # plain `rasa run`, without our launcher's fixes
    endpoints: str  # relative to ROOT


OURS = Variant("ours", ROOT / "config.yml", stock=False, endpoints="endpoints.yml")
STOCK = Variant(
    "stock", ROOT / "tools" / "stock_config.yml", stock=True, endpoints="tools/stock_endpoints.yml"
)


@dataclass(frozen=True)
class Training:
    model: Path
    seconds: float
    peak_mb: float
    trained_at: str
    cached: bool = False


@dataclass
class Quality:
    accuracy: float | None = None
    weighted_f1: float | None = None
    fallback_rate: float | None = None


@dataclass
class Result:
    """What one variant did under load."""

    variant: str
    users: int
    seconds: float
    turns: list[Turn]
    startup_seconds: float
    training: Training
    peak_mb: dict[str, float]  # per process, and "total" (the highest sum of ours at one moment)
    cpu_ms_per_turn: dict[str, float]
    quality: Quality = field(default_factory=Quality)
    errors: int = 0

    @property
    def answered(self) -> list[float]:
        return sorted(turn.latency for turn in self.turns if turn.latency is not None)

    @property
    def empty(self) -> int:
        return sum(1 for turn in self.turns if turn.latency is None)

    @property
    def offline(self) -> int:
        return sum(1 for turn in self.turns if turn.offline)

    @property
    def turns_per_second(self) -> float:
        """Turns answered properly: an offline answer (Rasa too slow or down) is not counted."""
        proper = sum(1 for turn in self.turns if turn.latency is not None and not turn.offline)
        return proper / self.seconds if self.seconds else 0.0

    def latency_ms(self, share: float) -> float | None:
        values = self.answered
        if not values:
            return None
        return 1000 * values[max(0, math.ceil(share * len(values)) - 1)]


# ---------------------------------------------------------------- training


def inputs_key(config: Path) -> str:
    """A hash of everything a model is trained from (and the Rasa version pins)."""
    digest = hashlib.sha256()
    files = [config, ROOT / "domain.yml", ROOT / "requirements" / "rasa.lock"]
    for folder in TRAINING_DATA:
        files += sorted((ROOT / folder).rglob("*.yml"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def train(variant: Variant, retrain: bool = False) -> Training:
    """Train the variant's model into the cache, unless one from the same inputs is there.

    Rasa's own cache of trained components gets a new empty folder, so this is always a
    full training, as on a new machine.
    """
    name = f"{variant.name}-{inputs_key(variant.config)}"
    model, record = MODEL_CACHE / f"{name}.tar.gz", MODEL_CACHE / f"{name}.json"
    if model.exists() and record.exists() and not retrain:
        kept = json.loads(record.read_text())
        return Training(model, kept["seconds"], kept["peak_mb"], kept["trained_at"], cached=True)
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    log.info("training %s (%s) ...", variant.name, variant.config.name)
    with tempfile.TemporaryDirectory(prefix="rasa-cache-") as empty_cache:
        started = time.monotonic()
        process = subprocess.Popen(
            [
                str(RASA_BIN), "train", "--data", *TRAINING_DATA,
                "--config", str(variant.config), "--domain", "domain.yml",
                "--out", str(MODEL_CACHE), "--fixed-model-name", name,
            ],
            cwd=ROOT,
            env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", RASA_CACHE_DIRECTORY=empty_cache),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
    if process.returncode != 0 or not model.exists():
        raise SystemExit(f"training {variant.name} failed (exit {process.returncode})")
    training = Training(model, seconds, usage.ru_maxrss / 1024, datetime.now().isoformat(timespec="seconds"))
    record.write_text(json.dumps({k: v for k, v in asdict(training).items() if k not in ("model", "cached")}))
    return training


def given_model(path: Path) -> Training:
    """A model trained elsewhere (--model): its training was not measured here."""
    if not path.exists():
        raise SystemExit(f"no model at {path}")
    return Training(path, math.nan, math.nan, "elsewhere", cached=True)


# ---------------------------------------------------------------- measuring processes


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def peaks_mb(series: dict[str, MemorySeries], counted: Sequence[str]) -> dict[str, float]:
    """Each process's peak, and as "total" the highest sum of the `counted` ones at one moment
    (the sampler reads every process at the same moment each round)."""
    peaks = {name: top for name, one in series.items() if (top := one.max_mb()) is not None}
    totals: dict[float, float] = {}
    for name in counted:
        for at, mb in series[name].samples if name in series else []:
            totals[at] = totals.get(at, 0.0) + mb
    peaks["total"] = max(totals.values(), default=0.0)
    return peaks


def cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    snapshot = {name: cpu_seconds(pid) for name, pid in pids.items()}
    times = os.times()
    snapshot["load generator"] = times.user + times.system
    return {name: value for name, value in snapshot.items() if value is not None}


# ---------------------------------------------------------------- the load


def drive(emulator_url: str, users: int, until: float, seed: int) -> tuple[list[Turn], int]:
    """`users` people at once, each a new chat taking one journey with no pause; returns the turns
    and how many client errors there were."""
    client_module = tgclient()
    rng = random.Random(seed)
    turns: list[Turn] = []
    errors = 0
    lock = threading.Lock()

    def one_seat(seat_seed: float) -> None:
        nonlocal errors
        seat_rng = random.Random(seat_seed)
        while time.monotonic() < until:
            client = client_module.TgClient(emulator_url, token=TOKEN, first_name="Bench")
            person = Person(
                client, client_module.transcript, seat_rng, (0.0, 0.0), REPLY_TIMEOUT, SETTLE_SECONDS
            )
            person.take_journey(pick_journey(seat_rng), until)
            client.close()
            with lock:
                turns.extend(person.turns)
                errors += len(person.errors)

    threads = [threading.Thread(target=one_seat, args=(rng.random(),)) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return turns, errors


def first_answer(emulator_url: str, deadline: float) -> None:
    """Wait until a person gets a real answer (not the offline one) through the bot."""
    client = tgclient().TgClient(emulator_url, token=TOKEN, first_name="Startup")
    offline = offline_mark()
    while time.monotonic() < deadline:
        replies = client.send("what is tokenism", timeout=5, settle=0)
        if replies and offline not in replies[0].get("text", ""):
            return
        time.sleep(0.2)
    raise TimeoutError("no real answer through the bot")


# ---------------------------------------------------------------- one variant


@dataclass(frozen=True)
class BenchConfig:
    users: int = 20
    seconds: float = 60.0
    warm_up: float = 5.0
    seed: int = 11
    profile: bool = False
    quality: bool = True


def bench_variant(
    variant: Variant,
    training: Training,
    emulator_url: str,
    emulator_pid: int | None,
    config: BenchConfig,
    folder: Path,
) -> Result:
    os.environ.pop("DATABASE_URL", None)  # the bench's feedback stays in its own folder
    folder.mkdir(parents=True, exist_ok=True)
    stack = Stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        data_dir=folder / "data",
        log_dir=folder / "logs",
        model=training.model,
        stock_rasa=variant.stock,
        endpoints=variant.endpoints,
    )
    try:
        started = time.monotonic()
        stack.start_services()
        bot = stack.start_bot(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": emulator_url, "HEALTH_PORT": str(free_port())}
        )
        wait_until_up(stack.health_url("bot"), bot, 60)
        first_answer(emulator_url, started + 120)
        startup = time.monotonic() - started
        log.info("%s: first answer %.1f s after the start", variant.name, startup)

        def pids() -> dict[str, int]:
            named = {name: process.pid for name, process in stack.processes.items()}
            if emulator_pid is not None:
                named["emulator"] = emulator_pid
            return named

        with MemorySampler(pids, every=0.5) as sampler:
            now = time.monotonic()
            window_start, until = now + config.warm_up, now + config.warm_up + config.seconds
            cpu: dict[str, dict[str, float]] = {}
            timer = threading.Timer(config.warm_up, lambda: cpu.setdefault("start", cpu_snapshot(pids())))
            timer.start()
            profilers = _start_profilers(stack, folder, config) if config.profile else []
            log.info(
                "%s: %d people for %.0f s (+%.0f s warm-up)",
                variant.name,
                config.users,
                config.seconds,
                config.warm_up,
            )
            turns, errors = drive(emulator_url, config.users, until, config.seed)
            cpu["end"] = cpu_snapshot(pids())
            window_end = time.monotonic()
            for profiler in profilers:
                profiler.wait()
        counted = [turn for turn in turns if window_start <= turn.sent_at < until]
        elapsed = min(window_end, until) - window_start
        result = Result(
            variant=variant.name,
            users=config.users,
            seconds=elapsed,
            turns=counted,
            startup_seconds=startup,
            training=training,
            peak_mb=peaks_mb(sampler.series, OUR_PROCESSES),
            cpu_ms_per_turn=_cpu_per_turn(cpu, len(counted)),
            errors=errors,
        )
    finally:
        stack.stop()
    if config.quality:
        result.quality = evaluate_nlu(training.model)
    return result


def _cpu_per_turn(cpu: dict[str, dict[str, float]], turns: int) -> dict[str, float]:
    start, end = cpu.get("start", {}), cpu.get("end", {})
    return {name: 1000 * (end[name] - start[name]) / max(1, turns) for name in end if name in start}


def _start_profilers(stack: Stack, folder: Path, config: BenchConfig) -> list[subprocess.Popen]:
    """py-spy flame graphs of Rasa and the bot over the measured window."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        log.warning("--profile needs py-spy (pip install py-spy); no profile taken")
        return []
    profilers = []
    for name in ("rasa", "bot"):
        command = [
            spy, "record", "--pid", str(stack.processes[name].pid), "--duration", str(int(config.seconds)),
            "--rate", "200", "--nonblocking", "--output", str(folder / f"profile-{name}.svg"),
        ]  # fmt: skip
        profilers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return profilers


def evaluate_nlu(model: Path) -> Quality:
    """Held-out NLU accuracy of a model (tools/evaluate_nlu.py, in the Rasa environment)."""
    try:
        report = rasa_env_json("-m", "tools.evaluate_nlu", "--model", str(model))
    except RuntimeError as error:
        log.warning("NLU evaluation failed: %s", str(error).strip().splitlines()[-1:])
        return Quality()
    return Quality(report["accuracy"], report["weighted_f1"], report["fallback_rate"])


# ---------------------------------------------------------------- the report


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _fraction(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def variant_table(result: Result) -> str:
    training = result.training
    if math.isnan(training.seconds):
        training_text = "not measured (--model)"
    else:
        kept = f" (kept from {training.trained_at})" if training.cached else ""
        training_text = f"{training.seconds:.0f} s, peak {training.peak_mb:.0f} MB{kept}"
    rows = [
        (
            "turns/s",
            f"{result.turns_per_second:.1f} ({len(result.answered) - result.offline} turns in "
            f"{result.seconds:.0f} s, {result.users} people)",
        ),
        ("first reply p50 / p95 / p99", " / ".join(_ms(result.latency_ms(q)) for q in (0.5, 0.95, 0.99))),
        ("turns with no reply", str(result.empty)),
        ("offline answers (Rasa too slow or down)", str(result.offline)),
        ("client errors", str(result.errors)),
        ("peak memory, Rasa + actions + bot", f"{result.peak_mb.get('total', 0):.0f} MB"),
        (
            "  per process",
            ", ".join(
                f"{name} {result.peak_mb[name]:.0f}"
                for name in (*OUR_PROCESSES, "emulator")
                if name in result.peak_mb
            )
            + " MB",
        ),
        (
            "CPU per turn",
            ", ".join(
                f"{name} {ms:.1f}"
                for name, ms in sorted(result.cpu_ms_per_turn.items(), key=lambda kv: -kv[1])
            )
            + " ms",
        ),
        ("start-up to first answer", f"{result.startup_seconds:.1f} s"),
        ("full training", training_text),
        (
            "NLU held-out accuracy / weighted F1 / fallback",
            " / ".join(
                _fraction(v)
                for v in (result.quality.accuracy, result.quality.weighted_f1, result.quality.fallback_rate)
            ),
        ),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join([f"{result.variant}:", *(f"  {label.ljust(width)}  {value}" for label, value in rows)])


def check_targets(ours: Result, stock: Result | None) -> list[tuple[str, bool]]:
    """Each of issue 6's targets in words, and whether it was met."""
    p95 = ours.latency_ms(0.95)
    checks = [
        (
            f"at least {TARGETS['turns_per_second']:.0f} turns/s",
            ours.turns_per_second >= TARGETS["turns_per_second"],
        ),
        (f"p95 at most {TARGETS['p95_ms']:.0f} ms", p95 is not None and p95 <= TARGETS["p95_ms"]),
        ("no turn without a reply", ours.empty == 0),
        (
            f"total memory at most {TARGETS['memory_mb']:.0f} MB",
            ours.peak_mb.get("total", math.inf) <= TARGETS["memory_mb"],
        ),
        (
            f"start-up to first answer at most {TARGETS['startup_seconds']:.0f} s",
            ours.startup_seconds <= TARGETS["startup_seconds"],
        ),
        (
            f"training at most {TARGETS['training_seconds']:.0f} s",
            ours.training.seconds <= TARGETS["training_seconds"],
        ),
    ]
    if stock is not None:
        checks.append(
            (f"at least {TARGETS['ratio']:.0f}x stock's turns/s", ratio(ours, stock) >= TARGETS["ratio"])
        )
        if ours.quality.accuracy is not None and stock.quality.accuracy is not None:
            checks.append(
                ("NLU accuracy no worse than stock's", ours.quality.accuracy >= stock.quality.accuracy)
            )
    return checks


def ratio(ours: Result, stock: Result | None) -> float:
    if stock is None or stock.turns_per_second == 0:
        return math.nan
    return ours.turns_per_second / stock.turns_per_second


def last_line(ours: Result, stock: Result | None) -> str:
    stock_tps = "n/a" if stock is None else f"{stock.turns_per_second:.1f}"
    ratio_text = "n/a" if stock is None else f"{ratio(ours, stock):.1f}"
    return (
        f"bench: {ours.turns_per_second:.1f} turns/s, p50 {ours.latency_ms(0.5) or 0:.0f} ms, "
        f"p95 {ours.latency_ms(0.95) or 0:.0f} ms; stock {stock_tps} turns/s; ratio {ratio_text}x"
    )


def report(ours: Result, stock: Result | None) -> tuple[str, bool]:
    """The whole printout and whether every target was met."""
    checks = check_targets(ours, stock)
    lines = [variant_table(ours)]
    if stock is not None:
        lines.append(variant_table(stock))
    lines.append("targets:")
    lines += [f"  [{'x' if met else ' '}] {what}" for what, met in checks]
    lines.append(last_line(ours, stock))
    return "\n".join(lines), all(met for _, met in checks)


# ---------------------------------------------------------------- main


def emulator_pid(url: str) -> int | None:
    port = url.rsplit(":", 1)[1]
    try:
        return int((ROOT / ".tgemu" / f"emulator-{port}.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per variant")
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--skip-stock", action="store_true", help="ours only (no ratio)")
    parser.add_argument(
        "--retrain", action="store_true", help="train even when a model from the same inputs is kept"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy flame graphs of Rasa and the bot")
    parser.add_argument("--no-quality", action="store_true", help="skip the NLU evaluation")
    parser.add_argument("--model", type=Path, help="ours: this trained model, not trained by the bench")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where each run's logs go")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    config = BenchConfig(
        args.users, args.seconds, args.warm_up, profile=args.profile, quality=not args.no_quality
    )
    folder = args.out / datetime.now().strftime("%Y%m%d-%H%M%S")
    variants = [OURS] if args.skip_stock else [OURS, STOCK]
    trainings = {variant.name: train(variant, args.retrain) for variant in variants if variant is not OURS}
    trainings["ours"] = given_model(args.model) if args.model else train(OURS, args.retrain)
    results: dict[str, Result] = {}
    with running_emulator() as emulator_url:
        pid = emulator_pid(emulator_url)
        for variant in variants:
            results[variant.name] = bench_variant(
                variant,
                trainings[variant.name],
                emulator_url,
                pid,
                BenchConfig(**{**asdict(config), "profile": config.profile and not variant.stock}),
                folder / variant.name,
            )
    text, met = report(results["ours"], results.get("stock"))
    print(f"(logs and profiles in {folder})")
    print(text, flush=True)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
