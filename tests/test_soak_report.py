"""The soak verdict: a message with no reply, a crisis reply without help lines or memory growth fails it."""

from __future__ import annotations

from tools.memory import MemorySeries
from tools.soak import SoakConfig, SoakReport
from tools.soak_people import Turn


def turn(at: float, latency: float | None, kind: str = "text", crisis_lines: bool = False) -> Turn:
    return Turn(kind, at, latency, crisis_lines, offline=False)


def flat(mb: float, seconds: int = 120) -> MemorySeries:
    return MemorySeries([(float(t), mb) for t in range(0, seconds, 5)])


def report(turns: list[Turn], memory: dict[str, MemorySeries] | None = None) -> SoakReport:
    result = SoakReport(
        config=SoakConfig(warm_up=10, max_growth_mb=50),
        turns=turns,
        errors=[],
        kills=[100.0],
        outages=[(100.0, 120.0)],
        restarts={"rasa": 1},
        memory=memory if memory is not None else {"bot": flat(120), "actions": flat(80)},
        duration=120,
    )
    result.check()
    return result


def test_a_soak_where_everyone_got_an_answer_in_time_passes():
    result = report([turn(90 + n, 0.1 * n) for n in range(1, 11)] + [turn(110, 0.2, "crisis", True)])

    assert result.problems == []
    assert result.latency(0.5) == 0.5 and result.latency(1.0) == 1.0
    assert result.in_outage(result.turns[-1])
    assert "PASSED" in result.table()


def test_one_message_without_a_reply_fails_the_soak():
    result = report([turn(1, 0.2), turn(2, None)])

    assert result.unanswered == 1
    assert result.problems == ["1 message(s) got no reply"]
    assert "FAILED" in result.table()


def test_a_crisis_reply_without_the_crisis_lines_fails_the_soak():
    assert report([turn(1, 0.2, "crisis", crisis_lines=False)]).problems == [
        "1 crisis message(s) got no crisis lines"
    ]


def test_memory_that_keeps_growing_fails_the_soak_and_its_slope_is_reported():
    growing = MemorySeries([(float(t), 100 + t) for t in range(0, 120, 5)])  # 60 MB a minute

    result = report([turn(1, 0.2)], {"bot": growing, "actions": flat(80)})

    assert result.problems and result.problems[0].startswith("bot memory grew")
    assert round(growing.slope_mb_per_minute(10) or 0) == 60
    assert round(flat(80).slope_mb_per_minute(10) or 0) == 0
