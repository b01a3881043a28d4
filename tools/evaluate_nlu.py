"""Evaluates the trained model on held-out NLU examples as a person would meet it.

Runs in the Rasa environment (it imports rasa):
    .venv-rasa/bin/python -m tools.evaluate_nlu [--model MODEL] [--data tests/nlu/holdout.yml]

Unlike `rasa test nlu`, which undoes the FallbackClassifier's verdict, a
message that falls back counts as a miss here: the person would have been
asked to rephrase. Prints a JSON report (accuracy, weighted and macro F1,
fallback rate, the misses) on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import f1_score


async def evaluate(model: str, data: str) -> dict:
    agent = Agent.load(model)
    examples = load_data(data).intent_examples
    expected, predicted, misses = [], [], []
    for example in examples:
        parsed = await agent.parse_message(example.get("text"))
        intent, guess = example.get("intent"), parsed["intent"]["name"]
        expected.append(intent)
        predicted.append(guess)
        if guess != intent:
            misses.append({"text": example.get("text"), "expected": intent, "got": guess})
    total = len(expected)
    return {
        "examples": total,
        "accuracy": round(sum(e == p for e, p in zip(expected, predicted, strict=True)) / total, 4),
        "weighted_f1": round(f1_score(expected, predicted, average="weighted", zero_division=0), 4),
        "macro_f1": round(f1_score(expected, predicted, average="macro", zero_division=0), 4),
        "fallback_rate": round(predicted.count("nlu_fallback") / total, 4),
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/roleguide.tar.gz")
    parser.add_argument("--data", default="tests/nlu/holdout.yml")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(json.dumps(asyncio.run(evaluate(args.model, args.data))))


if __name__ == "__main__":
    main()
