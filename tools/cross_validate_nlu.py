"""Cross-validated intent accuracy and macro-F1 of our intent classifier on nlu/.

Runs in the Rasa environment (it imports rasa):
    .venv-rasa/bin/python -m tools.cross_validate_nlu [--folds 5] [--data nlu]

Each fold trains `rasa_server.intent_classifier.NgramSvmIntentClassifier`, with
the settings config.yml gives it, on the other folds' examples and reads the
fold's own; a confidence under the FallbackClassifier's threshold counts as a
miss, as it would send the person to "say that another way". Harder than the
held-out set: many nlu/ examples are the only one of their kind. Prints a
JSON report (accuracy, macro F1, the intents that do worst) on the last line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import numpy as np
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from rasa_server.intent_classifier import NgramSvmIntentClassifier

ROOT = Path(__file__).resolve().parent.parent
FALLBACK = "nlu_fallback"
WORST_SHOWN = int(os.environ.get("CV_WORST_SHOWN", "8"))


def pipeline_settings(config_file: Path) -> tuple[dict, float]:
    """Our classifier's settings and the fallback threshold, as config.yml gives them."""
    pipeline = yaml.safe_load(config_file.read_text())["pipeline"]
    ours = next(step for step in pipeline if step["name"].endswith("NgramSvmIntentClassifier"))
    fallback = next((step for step in pipeline if step["name"] == "FallbackClassifier"), {})
    settings = {key: value for key, value in ours.items() if key != "name"}
    return settings, float(fallback.get("threshold", 0.0))


def cross_validate(data: str, folds: int, config_file: Path, threshold: float | None = None) -> dict:
    settings, configured = pipeline_settings(config_file)
    threshold = configured if threshold is None else threshold
    training = TrainingData().merge(*[load_data(str(path)) for path in sorted(Path(data).glob("*.yml"))])
    examples = [e for e in training.intent_examples if e.get("intent") and e.get("text")]
    labels = np.array([e.get("intent") for e in examples])
    expected, predicted, unsure_but_right = [], [], 0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    with tempfile.TemporaryDirectory() as directory:
        storage = LocalModelStorage(Path(directory))
        context = ExecutionContext(GraphSchema({}), "cross_validation")
        for number, (train, test) in enumerate(splitter.split(examples, labels)):
            resource = Resource(f"fold_{number}")
            classifier = NgramSvmIntentClassifier.create(settings, storage, resource, context)
            classifier.train(TrainingData([examples[i] for i in train]))
            for i in test:
                confidences = classifier.confidences(examples[i].get("text"))
                best = int(np.argmax(confidences))
                guess = classifier.intents[best] if confidences[best] >= threshold else FALLBACK
                unsure_but_right += guess == FALLBACK and classifier.intents[best] == labels[i]
                expected.append(labels[i])
                predicted.append(guess)
    intents = sorted(set(expected))
    per_intent = f1_score(expected, predicted, labels=intents, average=None, zero_division=0)
    worst = sorted(zip(intents, per_intent, strict=True), key=lambda pair: pair[1])[:WORST_SHOWN]
    total = len(expected)
    confused = Counter((e, p) for e, p in zip(expected, predicted, strict=True) if e != p)
    return {
        "examples": total,
        "folds": folds,
        "accuracy": round(sum(e == p for e, p in zip(expected, predicted, strict=True)) / total, 4),
        "macro_f1": round(float(np.mean(per_intent)), 4),
        "threshold": threshold,
        "fallback_rate": round(predicted.count(FALLBACK) / total, 4),
        # Of the messages sent to the fallback, the share the first reading had right.
        "fallback_would_have_been_right": round(unsure_but_right / max(1, predicted.count(FALLBACK)), 3),
        "worst_intents": [{"intent": intent, "f1": round(float(f1), 3)} for intent, f1 in worst],
        "most_confused": [
            {"expected": e, "got": p, "times": n} for (e, p), n in confused.most_common(WORST_SHOWN)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="nlu")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--threshold", type=float, help="instead of the FallbackClassifier's")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(json.dumps(cross_validate(args.data, args.folds, args.config, args.threshold)))


if __name__ == "__main__":
    main()
