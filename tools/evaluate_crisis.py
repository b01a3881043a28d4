"""Measures the crisis safety net on labelled messages and on the assistant's ordinary questions.

    .venv/bin/python -m tools.evaluate_crisis [--quiet] [--set FILE ...]

Its last line sums up the whole pre-Rasa net (phrases and classifier) on the --set files, or
on every labelled set: `crisis net: recall R% (a/b); lines-only on non-crises F% (c/d);
check-in on non-crises G% (e/f)`.

For tests/safety/crisis_eval.yml (the set the patterns were built from),
tests/safety/crisis_holdout.yml (kept apart, never tuned on),
tests/safety/crisis_holdout_2.yml, tests/safety/crisis_blind_3.yml and crisis_blind_4.yml (each
written blind, but the patterns were tuned against its misses afterwards, so
neither is blind any more) it prints recall
(crises caught), the share put in the right category, recall per category
and per kind of wording, and the false-alarm rate on the hard negatives. For
every example in tests/nlu/holdout.yml and nlu/*.yml except the crisis intent
it prints the false-alarm rate. Then the mean time per message. `--set FILE`
measures another labelled file as well (either layout, see `load_any`), e.g. a
new blind set, without it becoming part of the defaults. The functions are
used by tests/safety/test_crisis.py too.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from safety.crisis import CrisisMatcher, crisis_matcher

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "safety" / "crisis_eval.yml"
HOLDOUT_SET = ROOT / "tests" / "safety" / "crisis_holdout.yml"
HOLDOUT_2_SET = ROOT / "tests" / "safety" / "crisis_holdout_2.yml"  # blind once; tuned against since
BLIND_3_SET = ROOT / "tests" / "safety" / "crisis_blind_3.yml"  # blind once; tuned against since
# blind once; tuned against since. First run, before any tuning on it: matcher 53/87 = 60.9% recall,
# 4/68 false alarms; matcher+classifier 80/87 = 92.0% recall, 9/68 false alarms.
BLIND_4_SET = ROOT / "tests" / "safety" / "crisis_blind_4.yml"
NO_CRISIS = "none"  # the category of a message that must not raise the alarm, in a `messages:` file
NLU_FILES = (ROOT / "tests" / "nlu" / "holdout.yml", *sorted((ROOT / "nlu").glob("*.yml")))
CRISIS_INTENT = "crisis"
ANY_CATEGORY = "any"  # a positive whose kind of crisis is not labelled: catching it is enough
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")  # [text](entity) or [text]{"entity": ...}


@dataclass(frozen=True)
class Example:
    """One labelled message: category None means it must not raise the alarm."""

    text: str
    category: str | None
    kind: str


@dataclass
class Figures:
    """What the matcher did on one set of messages."""

    name: str
    positives: int = 0
    caught: int = 0
    right_category: int = 0
    negatives: int = 0
    false_alarms: int = 0
    seconds: float = 0.0
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[Example] = field(default_factory=list)
    wrong_category: list[tuple[Example, str]] = field(default_factory=list)
    alarms: list[tuple[Example, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 1.0

    @property
    def category_accuracy(self) -> float:
        return self.right_category / self.positives if self.positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0

    @property
    def ms_per_message(self) -> float:
        total = self.positives + self.negatives
        return 1000 * self.seconds / total if total else 0.0


def load_labelled(path: Path) -> list[Example]:
    """A crisis_eval.yml-style file: positives by category and kind, negatives by kind."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = [
        Example(str(text), category, kind)
        for category, kinds in data["positives"].items()
        for kind, texts in kinds.items()
        for text in texts
    ]
    negatives = data["negatives"].items()
    examples += [Example(str(text), None, kind) for kind, texts in negatives for text in texts]
    return examples


def load_messages(path: Path) -> list[Example]:
    """A `messages:` file (crisis_holdout_2.yml): {text, category} each; category "none" must not alarm."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for message in data["messages"]:
        category = None if message["category"] == NO_CRISIS else str(message["category"])
        kind = message.get("kind") or ("message" if category else "negative")
        examples.append(Example(str(message["text"]), category, kind))
    return examples


def load_any(path: Path) -> list[Example]:
    """Either layout: positives/negatives (crisis_eval.yml) or a flat `messages:` list."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return load_messages(path) if "messages" in data else load_labelled(path)


def nlu_examples(paths: Iterable[Path] = NLU_FILES, skip_intent: str = CRISIS_INTENT) -> list[Example]:
    """Every intent example in Rasa NLU files except `skip_intent`, annotations stripped to their text."""
    examples = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent or intent == skip_intent:  # (skip_intent "" keeps every intent)
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = _example_text(line)
                if text:
                    examples.append(Example(text, None, intent))
    return examples


def nlu_crisis_examples(paths: Iterable[Path] = NLU_FILES) -> list[Example]:
    """The crisis intent's own examples (written for Rasa, not for this matcher): all must be caught."""
    return [
        Example(example.text, ANY_CATEGORY, "nlu_crisis_intent")
        for example in nlu_examples(paths, skip_intent="")
        if example.kind == CRISIS_INTENT
    ]


def _example_text(line: str) -> str:
    line = line.strip()
    if not line.startswith("- "):
        return ""
    return _ANNOTATION.sub(r"\1", line[2:]).strip()


def evaluate(examples: Iterable[Example], name: str, matcher: CrisisMatcher | None = None) -> Figures:
    """Runs every example through the matcher and counts catches, right categories and false alarms."""
    matcher = matcher or crisis_matcher()
    figures = Figures(name)
    for example in examples:
        started = time.perf_counter()
        found = matcher.match(example.text)
        figures.seconds += time.perf_counter() - started
        _count(figures, example, found.category if found else None)
    return figures


def _count(figures: Figures, example: Example, found: str | None) -> None:
    if example.category is None:
        figures.negatives += 1
        if found:
            figures.false_alarms += 1
            figures.alarms.append((example, found))
        return
    figures.positives += 1
    caught = found is not None
    figures.caught += caught
    figures.right_category += found == example.category or (caught and example.category == ANY_CATEGORY)
    for counts, key in ((figures.by_category, example.category), (figures.by_kind, example.kind)):
        counts[key][0] += caught
        counts[key][1] += 1
    if not caught:
        figures.misses.append(example)
    elif found != example.category and example.category != ANY_CATEGORY:
        figures.wrong_category.append((example, found or ""))


def mean_ms_per_message(texts: list[str], matcher: CrisisMatcher | None = None, repeat: int = 5) -> float:
    """Mean time for one `match` call, over `repeat` passes of `texts`."""
    matcher = matcher or crisis_matcher()
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            matcher.match(text)
    return 1000 * (time.perf_counter() - started) / (repeat * len(texts))


def report(figures: Figures, show_misses: bool = True) -> str:
    """Readable lines for one set."""
    lines = [f"== {figures.name}"]
    if figures.positives:
        lines.append(
            f"recall {figures.recall:.1%} ({figures.caught}/{figures.positives}), "
            f"right category {figures.category_accuracy:.1%}"
        )
        lines.append("  by category: " + _breakdown(figures.by_category))
        lines.append("  by kind:     " + _breakdown(figures.by_kind))
    if figures.negatives:
        lines.append(
            f"false alarms {figures.false_positive_rate:.2%} ({figures.false_alarms}/{figures.negatives})"
        )
    if show_misses:
        lines += [f"  MISSED [{e.category}/{e.kind}] {e.text}" for e in figures.misses]
        lines += [f"  category [{e.category} -> {got}] {e.text}" for e, got in figures.wrong_category]
        lines += [f"  FALSE ALARM [{e.kind} -> {got}] {e.text}" for e, got in figures.alarms]
    return "\n".join(lines)


def _breakdown(counts: dict[str, list[int]]) -> str:
    return ", ".join(f"{key} {caught}/{total}" for key, (caught, total) in sorted(counts.items()))


def all_sets(extra: Iterable[Path] = ()) -> list[Figures]:
    """Tuning set, held-out sets, ordinary NLU examples, the crisis intent's examples, any `extra` files."""
    sets = [
        evaluate(load_labelled(EVAL_SET), "crisis_eval.yml (patterns built from these)"),
        evaluate(load_labelled(HOLDOUT_SET), "crisis_holdout.yml (held out, never tuned on)"),
    ]
    for path in (HOLDOUT_2_SET, BLIND_3_SET, BLIND_4_SET):
        if path.exists():
            sets.append(evaluate(load_messages(path), f"{path.name} (written blind; tuned on since)"))
    sets += [
        evaluate(nlu_examples(), "NLU examples except the crisis intent (tests/nlu/holdout.yml + nlu/*.yml)"),
        evaluate(nlu_crisis_examples(), "NLU crisis-intent examples (written for Rasa by others)"),
    ]
    return sets + [evaluate(load_any(path), f"{path.name} (--set)") for path in extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    parser.add_argument(
        "--set", type=Path, action="append", default=[], help="another labelled file to measure"
    )
    args = parser.parse_args()
    sets = all_sets(args.set)
    for figures in sets:
        print(report(figures, show_misses=not args.quiet))
    texts = [e.text for e in (*load_labelled(EVAL_SET), *load_labelled(HOLDOUT_SET), *nlu_examples())]
    print(f"== speed: {mean_ms_per_message(texts):.3f} ms per message (mean over {len(texts)} messages x 5)")
    measured = args.set or [EVAL_SET, HOLDOUT_SET, HOLDOUT_2_SET, BLIND_3_SET, BLIND_4_SET]
    print(whole_net_line([example for path in measured for example in load_any(path)]))


def whole_net_line(examples: Iterable[Example]) -> str:
    """The whole pre-Rasa net (phrases and classifier, `safety.detect_crisis`), in one line.

    Every alarm today gets the help lines (the first level); a check-in level for
    uncertain messages is not built yet, so no message gets one.
    """
    from safety import detect_crisis  # the classifier trains on import's first use: only when asked

    caught = crises = lines_only = calm = 0
    for example in examples:
        alarmed = detect_crisis(example.text) is not None
        if example.category is None:
            calm += 1
            lines_only += alarmed
        else:
            crises += 1
            caught += alarmed
    check_in = 0

    def share(part: int, whole: int) -> str:
        return f"{100 * part / whole if whole else 0:.1f}% ({part}/{whole})"

    return (
        f"crisis net: recall {share(caught, crises)}; lines-only on non-crises {share(lines_only, calm)}; "
        f"check-in on non-crises {share(check_in, calm)}"
    )


if __name__ == "__main__":
    main()
