"""The blind ledger: every blind set has its first run recorded, and `make test` shows the latest."""

from __future__ import annotations

import re
from pathlib import Path

from tools import eval_sets

LEDGER = Path(__file__).parent / "BLIND_LEDGER.md"
ROW = re.compile(r"^\| (\d{4}-\d{2}-\d{2}) \| (\S+) \| (.+?) \| ([0-9a-f]{7,40}) \| (.+?) \|$")


def ledger_rows() -> list[tuple[str, ...]]:
    return [match.groups() for line in LEDGER.read_text().splitlines() if (match := ROW.match(line))]


def test_the_last_ledger_entry_is_shown_with_the_measured_figures(record_property):
    rows = ledger_rows()
    assert rows, "the ledger has no entries"
    date, name, figure, commit, status = rows[-1]
    entry = f"{date} {name}: {figure} (commit {commit}, {status})"
    record_property("figure", f"blind ledger, last entry: {entry}")


def test_every_blind_set_has_its_first_run_in_the_ledger():
    recorded = {row[1] for row in ledger_rows()}
    blind = [
        path.relative_to(eval_sets.ROOT).as_posix()
        for path in eval_sets.files(("tests/e2e/blind_*.yml", "tests/safety/crisis_blind_*.yml"))
    ]
    assert blind
    missing = [name for name in blind if name not in recorded]
    assert not missing, f"blind sets with no first run recorded: {missing}"
