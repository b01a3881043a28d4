"""Measures the learned crisis classifier (safety/crisis_classifier.py) on messages it never learnt from.

    .venv/bin/python -m tools.evaluate_crisis_classifier [--quiet]

On the two blind held-out sets (tests/safety/crisis_holdout_2.yml and
crisis_blind_3.yml, written by people who never saw the patterns or the
training data) it prints, for the classifier alone, for the phrase matcher
alone and for "matcher OR classifier": recall (per category too) and false
alarms on the sets' `none` messages. On tests/nlu/holdout.yml (never learnt
from) it prints the false-alarm rate on the ordinary, non-crisis questions and
the recall on its crisis examples. Then the cross-validation figures that set
the threshold, the training time and the time per message, and the misses and
false alarms (with the classifier's probability). The functions are used by
tests/safety/test_crisis_classifier.py too.

crisis_holdout_2.yml is no longer fully blind: crisis_eval.yml (training data for
the classifier, tuning data for the matcher) has since gained families of new
sentences written after its misses were seen. crisis_blind_3.yml is the clean one.
Some of tests/nlu/holdout.yml's messages also appear word for word in nlu/*.yml.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from safety.crisis_classifier import CRISIS_INTENT, CrisisClassifier, read_nlu_file

ROOT = Path(__file__).resolve().parent.parent
BLIND_SETS = (
    ROOT / "tests" / "safety" / "crisis_holdout_2.yml",
    ROOT / "tests" / "safety" / "crisis_blind_3.yml",
)
NLU_HOLDOUT = ROOT / "tests" / "nlu" / "holdout.yml"
NONE = "none"  # a blind set's category for a message that must not raise the alarm


@dataclass(frozen=True)
class Message:
    text: str
    category: str | None  # None: not a crisis


@dataclass
class Figures:
    """What one detector did on one set of messages."""

    name: str
    positives: int = 0
    caught: int = 0
    negatives: int = 0
    false_alarms: int = 0
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[Message] = field(default_factory=list)
    alarms: list[Message] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0

    def summary(self) -> str:
        parts = []
        if self.positives:
            parts.append(f"recall {self.recall:.1%} ({self.caught}/{self.positives})")
        if self.negatives:
            parts.append(f"false alarms {self.false_alarm_rate:.1%} ({self.false_alarms}/{self.negatives})")
        return ", ".join(parts)


def load_blind_set(path: Path) -> list[Message]:
    """`messages: - {text, category}`, category `none` for a message that must not raise the alarm."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Message(str(item["text"]), None if item["category"] == NONE else str(item["category"]))
        for item in data["messages"]
    ]


def load_nlu_holdout(path: Path = NLU_HOLDOUT) -> list[Message]:
    """tests/nlu/holdout.yml: its crisis examples are crises, every other intent's are not."""
    return [Message(text, CRISIS_INTENT if label else None) for text, label, _ in read_nlu_file(path)]


def evaluate(messages: Iterable[Message], name: str, raises_alarm: Callable[[str], bool]) -> Figures:
    figures = Figures(name)
    for message in messages:
        alarm = raises_alarm(message.text)
        if message.category is None:
            figures.negatives += 1
            figures.false_alarms += alarm
            if alarm:
                figures.alarms.append(message)
            continue
        figures.positives += 1
        figures.caught += alarm
        counts = figures.by_category[message.category]
        counts[0] += alarm
        counts[1] += 1
        if not alarm:
            figures.misses.append(message)
    return figures


def matcher_alarm(text: str) -> bool:
    from safety import find_crisis  # the phrase matcher: imported here, so the classifier works without it

    return find_crisis(text) is not None


def detectors(classifier: CrisisClassifier) -> dict[str, Callable[[str], bool]]:
    """The three ways of raising the alarm that are compared."""
    return {
        "classifier": classifier.is_crisis,
        "matcher": matcher_alarm,
        "matcher OR classifier": lambda text: matcher_alarm(text) or classifier.is_crisis(text),
    }


def mean_ms_per_message(classifier: CrisisClassifier, texts: list[str], repeat: int = 5) -> float:
    """Mean time of one `probability` call, over `repeat` passes of `texts`, after loading."""
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            classifier.probability(text)
    return 1000 * (time.perf_counter() - started) / (repeat * len(texts))


def report(figures: Figures, classifier: CrisisClassifier, show_misses: bool = True) -> str:
    lines = [f"  {figures.name}: {figures.summary()}"]
    if figures.by_category and len(figures.by_category) > 1:
        lines.append(
            "      by category: "
            + ", ".join(
                f"{key} {caught}/{total}" for key, (caught, total) in sorted(figures.by_category.items())
            )
        )
    if show_misses:
        lines += [
            f"      MISSED [{m.category}] p={classifier.probability(m.text):.2f} {m.text}"
            for m in figures.misses
        ]
        lines += [
            f"      FALSE ALARM p={classifier.probability(m.text):.2f} {m.text}" for m in figures.alarms
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = parser.parse_args()

    started = time.perf_counter()
    classifier = CrisisClassifier.from_files()
    loading = time.perf_counter() - started
    check, data = classifier.cross_validation, classifier.data
    print(
        f"== training: {len(data.texts)} messages ({data.positives} crises, {data.negatives} not) "
        f"from {len(data.files)} files, {loading:.2f} s with reading the files "
        f"({classifier.training_seconds:.2f} s fitting and cross-validation)"
    )
    print(
        f"== threshold {classifier.threshold:.3f}, out of fold: recall {check.recall:.1%}, false alarms on "
        f"ordinary NLU examples {check.nlu_false_alarms:.3%}, on the safety sets' negatives "
        f"{check.hard_false_alarms:.1%}; a {check.recall_threshold:.3f} threshold would have caught 99% "
        f"at {check.nlu_false_alarms_at_target:.1%} false alarms on ordinary examples"
    )

    sets = [(path.name, load_blind_set(path)) for path in BLIND_SETS]
    sets.append((f"{NLU_HOLDOUT.relative_to(ROOT)} (ordinary questions; crisis intent)", load_nlu_holdout()))
    for name, messages in sets:
        print(f"== {name}")
        for detector, raises_alarm in detectors(classifier).items():
            figures = evaluate(messages, detector, raises_alarm)
            show = not args.quiet and detector != "matcher"  # the matcher's misses: tools/evaluate_crisis
            print(report(figures, classifier, show_misses=show))

    texts = [message.text for _, messages in sets for message in messages]
    print(
        f"== speed: {mean_ms_per_message(classifier, texts):.3f} ms per message after loading "
        f"(mean over {len(texts)} messages x 5)"
    )


if __name__ == "__main__":
    main()
