"""How close the two likeliest readings must be before the bot asks "Did you mean ...?".

Runs in the Rasa environment (it imports rasa):
    .venv-rasa/bin/python -m tools.did_you_mean [--model MODEL]

Reads labelled messages (tests/nlu/holdout.yml, and the typed turns of the
conversation sets whose expectation names one intent), parses each with the
model and, for each margin, counts the messages whose top two readings are
closer than it: asked needlessly (the first reading was right), put right
(the second was), and asked to no avail (neither was). Prints a JSON table on
the last line; actions/answers.py's DID_YOU_MEAN_MARGIN is chosen from it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import yaml
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parent.parent
MARGINS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
# Below this the FallbackClassifier answers (config.yml), so no question is asked.
FALLBACK_THRESHOLD = 0.3
ASPECT_INTENTS = {
    "about": "ask_role_about",
    "examples": "ask_role_examples",
    "skills": "ask_role_skills",
    "risks": "ask_role_risks",
    "start": "ask_role_start",
    "support": "ask_role_support",
}
DESCRIBED = {
    "community_builder": "describe_community_work",
    "improvement_expert": "describe_improvement_work",
    "disruptor_advocate": "describe_advocacy_work",
    "citizen_leader": "describe_leadership_work",
}


def intent_of(expect: object) -> str | None:
    """The one intent a conversation turn's expectation stands for, if it names one."""
    if not isinstance(expect, str):
        return None
    kind, _, rest = expect.partition(":")
    if kind == "topic":
        return rest
    if kind == "role":
        return ASPECT_INTENTS.get(rest.split(":")[-1])
    if kind == "describes":
        return DESCRIBED.get(rest)
    return None


def labelled_messages() -> list[tuple[str, str]]:
    pairs = [
        (e.get("text"), e.get("intent"))
        for e in load_data(str(ROOT / "tests/nlu/holdout.yml")).intent_examples
    ]
    for path in sorted((ROOT / "tests/e2e").glob("*_conversations*.yml")):
        for conversation in yaml.safe_load(path.read_text())["conversations"]:
            for turn in conversation["turns"]:
                intent = intent_of(turn.get("expect"))
                if "say" in turn and intent:
                    pairs.append((turn["say"], intent))
    return pairs


async def measure(model: str) -> dict:
    agent = Agent.load(model)
    readings = []
    for text, intent in labelled_messages():
        ranking = (await agent.parse_message(text))["intent_ranking"]
        ranking = [guess for guess in ranking if guess["name"] != "nlu_fallback"]
        readings.append((intent, ranking[0], ranking[1]))
    table = []
    for margin in MARGINS:
        close = [
            r
            for r in readings
            if r[1]["confidence"] >= FALLBACK_THRESHOLD and r[1]["confidence"] - r[2]["confidence"] < margin
        ]
        table.append(
            {
                "margin": margin,
                "asked": len(close),
                "needless": sum(intent == first["name"] for intent, first, _ in close),
                "put_right": sum(intent == second["name"] for intent, _, second in close),
                "to_no_avail": sum(
                    intent not in (first["name"], second["name"]) for intent, first, second in close
                ),
            }
        )
    right = sum(intent == first["name"] for intent, first, _ in readings)
    return {"messages": len(readings), "first_reading_right": right, "by_margin": table}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/roleguide.tar.gz")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(json.dumps(asyncio.run(measure(args.model))))


if __name__ == "__main__":
    main()
