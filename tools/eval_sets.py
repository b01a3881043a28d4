"""Which files the project learns from and which it is measured on, and the messages in each.

Figures only mean something when no evaluation message was learnt from, so
tests/test_eval_sets.py fails on any message found on both sides once case,
spacing and punctuation are set aside (`comparable`). Training data is what
Rasa learns (nlu/) and what the safety net learns (its labelled sets);
evaluation files are every set a figure is measured on.

    .venv/bin/python -m tools.eval_sets            # list overlaps, exit 1 if any
    .venv/bin/python -m tools.eval_sets --drop     # take them out of nlu/ (the evaluation side stays)
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# What is learnt from. The safety classifier learns from two labelled sets as well as nlu/.
TRAINING_GLOBS = ("nlu/*.yml", "tests/safety/crisis_eval.yml", "tests/safety/crisis_holdout.yml")
# What figures are measured on.
EVALUATION_GLOBS = (
    "tests/nlu/*.yml",
    "tests/stories/*.yml",
    "tests/e2e/held_out_*.yml",
    "tests/e2e/blind_*.yml",
    "tests/safety/crisis_holdout_2.yml",
    "tests/safety/crisis_blind_*.yml",
)

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_NOT_WORD = re.compile(r"[\W_]+")
_SECTION = re.compile(r"^- (intent|synonym|regex|lookup): ")


def comparable(text: str) -> str:
    """A message as the overlap check compares it: entity markup, case, accents, punctuation and
    spacing all gone, so "thank you" is "thankyou" and "co-production" is "coproduction"."""
    plain = unicodedata.normalize("NFKD", _ANNOTATION.sub(r"\1", text).casefold())
    return _NOT_WORD.sub("", "".join(char for char in plain if not unicodedata.combining(char)))


def is_command(text: str) -> bool:
    """Commands (/help) are answered by the bot itself and never read by the model."""
    return text.startswith("/")


def files(globs: tuple[str, ...], root: Path = ROOT) -> list[Path]:
    return sorted({path for pattern in globs for path in root.glob(pattern)})


def messages(path: Path) -> list[str]:
    """Every message a person types in one file, whatever its layout."""
    return list(_messages_in(yaml.safe_load(path.read_text()) or {}))


def _messages_in(data: object) -> Iterator[str]:
    """Rasa NLU (`intent` + `examples`), Rasa test stories (`user`), conversations (`say`),
    safety sets (`text`, or lists of bare messages under labels)."""
    if isinstance(data, dict):
        if "intent" in data and isinstance(data.get("examples"), str):
            yield from _nlu_examples(data["examples"])
            return
        if "synonym" in data or "lookup" in data or "regex" in data:
            return
        for key, value in data.items():
            if key in ("user", "say", "text") and isinstance(value, str):
                yield value.strip()
            elif key not in ("name", "expect", "story", "rule", "version", "category", "kind", "intent"):
                yield from _messages_in(value)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, str):
                yield item.strip()
            else:
                yield from _messages_in(item)


def _nlu_examples(block: str) -> Iterator[str]:
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            yield line[2:].strip()


def training_messages(root: Path = ROOT) -> set[str]:
    return {comparable(text) for path in files(TRAINING_GLOBS, root) for text in messages(path)} - {""}


def overlaps(root: Path = ROOT) -> dict[str, list[str]]:
    """Evaluation file -> its messages that are also training data."""
    learnt = training_messages(root)
    found = {}
    for path in files(EVALUATION_GLOBS, root):
        shared = sorted(
            {text for text in messages(path) if comparable(text) in learnt and not is_command(text)}
        )
        if shared:
            found[str(path.relative_to(root))] = shared
    return found


def evaluation_messages(root: Path = ROOT) -> set[str]:
    return {comparable(text) for path in files(EVALUATION_GLOBS, root) for text in messages(path)}


def drop_from_training(root: Path = ROOT) -> int:
    """Takes every example that is also an evaluation message out of nlu/; how many went.

    A blind set must stay as it was first written, so an overlap is settled on the training side.
    """
    measured = evaluation_messages(root)
    dropped = 0
    for path in sorted(root.glob("nlu/*.yml")):
        kept, in_intent = [], False
        for line in path.read_text().splitlines(keepends=True):
            stripped = line.strip()
            if _SECTION.match(stripped):
                in_intent = stripped.startswith("- intent:")
            elif in_intent and stripped.startswith("- ") and comparable(stripped[2:]) in measured:
                dropped += 1
                continue
            kept.append(line)
        path.write_text("".join(kept))
    return dropped


def main() -> int:
    if "--drop" in sys.argv[1:]:
        print(f"dropped {drop_from_training()} examples from nlu/")
    found = overlaps()
    for name, shared in found.items():
        print(f"{name}: {len(shared)} messages also in training data")
        for text in shared:
            print(f"  {text}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
