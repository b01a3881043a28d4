"""Parses messages with the trained model, for tests/test_rasa_model.py.

Runs in the Rasa environment, from the repository root:
    .venv-rasa/bin/python tests/rasa_env/parse_messages.py MESSAGE...

Prints one JSON object on its last line: message -> {"intent", "confidence", "roles", "ranking"}
(ranking: the three likeliest intents other than the fallback, as [name, confidence]).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for rasa_server
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.core.agent import Agent


async def parse(messages: list[str]) -> dict:
    agent = Agent.load("models/roleguide.tar.gz")
    parsed = {}
    for message in messages:
        result = await agent.parse_message(message)
        parsed[message] = {
            "intent": result["intent"]["name"],
            "confidence": result["intent"]["confidence"],
            "roles": [e["value"] for e in result["entities"] if e["entity"] == "role"],
            "ranking": [
                [guess["name"], guess["confidence"]]
                for guess in result.get("intent_ranking", [])
                if guess["name"] != "nlu_fallback"
            ][:3],
        }
    return parsed


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    print(json.dumps(asyncio.run(parse(sys.argv[1:]))))
