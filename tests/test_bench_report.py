"""The bench's verdict: turns/s, latency percentiles, the targets and its exact last line."""

from __future__ import annotations

import math
import re
from pathlib import Path

from tools.bench import TARGETS, Quality, Result, Training, check_targets, last_line, peaks_mb, ratio, report
from tools.memory import MemorySeries
from tools.soak_people import Turn

LAST_LINE = re.compile(
    r"^bench: (?P<x>[\d.]+) turns/s, p50 (?P<p50>\d+) ms, p95 (?P<p95>\d+) ms; "
    r"stock (?P<stock>[\d.]+|n/a) turns/s; ratio (?P<ratio>[\d.]+|n/a)x$"
)


def result(
    name: str,
    turns_per_second: float,
    latency: float = 0.1,
    empty: int = 0,
    memory: float = 800,
    startup: float = 15,
    training: float = 50,
    accuracy: float | None = 0.96,
    seconds: float = 10,
) -> Result:
    answered = round(turns_per_second * seconds)
    turns = [Turn("text", float(n), latency, False, False) for n in range(answered)]
    turns += [Turn("text", float(n), None, False, False) for n in range(empty)]
    return Result(
        variant=name,
        users=20,
        seconds=seconds,
        turns=turns,
        startup_seconds=startup,
        training=Training(Path("model.tar.gz"), training, 900, "2026-11-28T02:00:00"),
        peak_mb={"rasa": memory - 300, "actions": 80, "bot": 220, "total": memory},
        cpu_ms_per_turn={"rasa": 8.0, "bot": 4.5},
        quality=Quality(accuracy, accuracy, 0.01),
    )


def test_the_last_line_has_the_exact_form_with_the_ratio_to_stock():
    ours, stock = result("ours", 104.0, latency=0.15), result("stock", 21.0, latency=0.9)

    line = last_line(ours, stock)

    match = LAST_LINE.match(line)
    assert match, line
    assert float(match["x"]) == 104.0 and match["p50"] == "150" and match["p95"] == "150"
    assert float(match["stock"]) == 21.0 and float(match["ratio"]) == round(104 / 21, 1)
    assert report(ours, stock)[0].splitlines()[-1] == line


def test_without_stock_the_ratio_is_not_made_up():
    line = last_line(result("ours", 50.0), None)

    assert LAST_LINE.match(line) and line.endswith("stock n/a turns/s; ratio n/ax")
    assert math.isnan(ratio(result("ours", 50.0), None))


def test_a_run_that_meets_every_target_passes():
    text, met = report(result("ours", 120.0), result("stock", 25.0, accuracy=0.95))

    assert met
    assert "[ ]" not in text and text.count("[x]") == len(check_targets(result("ours", 120.0), None)) + 2


def test_each_missed_target_fails_the_run_and_is_named():
    cases = {
        "turns/s": result("ours", TARGETS["turns_per_second"] - 1),
        "p95": result("ours", 120.0, latency=0.31),
        "no turn without a reply": result("ours", 120.0, empty=1),
        "memory": result("ours", 120.0, memory=901),
        "start-up": result("ours", 120.0, startup=26),
        "training": result("ours", 120.0, training=61),
        "stock's turns/s": result("ours", 99.0 + 2),  # 101 vs stock 26: under 4x
        "accuracy": result("ours", 120.0, accuracy=0.90),
    }
    for target, ours in cases.items():
        text, met = report(ours, result("stock", 26.0, accuracy=0.95))
        missed = [line for line in text.splitlines() if line.startswith("  [ ]")]
        assert not met, target
        assert any(target in line for line in missed), (target, missed)


def test_percentiles_count_answered_turns_only():
    ours = result("ours", 10.0, latency=0.2, empty=3)
    ours.turns[0] = Turn("text", 0.0, 2.0, False, False)

    assert ours.empty == 3 and len(ours.answered) == 100
    assert ours.latency_ms(0.5) == 200 and ours.latency_ms(1.0) == 2000
    assert ours.turns_per_second == 10.0


def test_offline_answers_do_not_count_as_turns_served():
    ours = result("ours", 10.0)
    ours.turns[:50] = [Turn("text", 0.0, 4.6, False, True)] * 50

    assert ours.offline == 50 and ours.empty == 0
    assert ours.turns_per_second == 5.0


def test_the_memory_total_is_the_highest_sum_at_one_moment_not_the_sum_of_peaks():
    series = {
        "rasa": MemorySeries([(0.0, 500.0), (0.5, 560.0), (1.0, 520.0)]),
        "bot": MemorySeries([(0.0, 240.0), (0.5, 200.0), (1.0, 210.0)]),
        "emulator": MemorySeries([(0.0, 900.0)]),  # not ours: not counted
    }

    peaks = peaks_mb(series, ("rasa", "actions", "bot"))

    assert peaks == {"rasa": 560.0, "bot": 240.0, "emulator": 900.0, "total": 760.0}
