"""Runs Rasa's own code and rasa_server's fixes on the same inputs, for tests/test_rasa_server.py.

Runs in the Rasa environment, from the repository root:
    .venv-rasa/bin/python tests/rasa_env/check_rasa_server.py [--model models/roleguide.tar.gz]

Everything Rasa does unpatched is measured first, then speedups.install() runs and the
same is measured again. Prints one JSON object on its last line: for each check what
Rasa gave ("before") and what the patched Rasa gave ("after"), for the test to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import socket
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for rasa_server
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_server import speedups
from rasa_server.tracker_store import RoleGuideTrackerStore

ROOT = Path(__file__).resolve().parents[2]
Json = dict[str, Any]

MESSAGES = 40
LATE_EVENT = "late_event"
ROW_COLUMNS = "sender_id, type_name, timestamp, intent_name, action_name, data"

# What a custom action may answer: one valid reply and the ways a reply can be wrong.
BUTTONS = [{"title": "Disruptor", "payload": '/ask_role_about{"role": "disruptor"}'}]
ACTION_RESULTS: dict[str, Any] = {
    "valid": {
        "events": [
            {"event": "slot", "name": "role", "value": "disruptor", "timestamp": None},
            {"event": "active_loop", "name": "feedback_form", "timestamp": 1700000000.5},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "Which role?", "buttons": BUTTONS, "custom": {}, "elements": []}],
    },
    "valid without responses": {"events": []},
    "events not a list": {"events": {"event": "slot", "name": "role"}, "responses": []},
    "event with an unknown name": {"events": [{"event": "no_such_event", "name": "role"}]},
    "event with an ill-typed timestamp": {
        "events": [{"event": "slot", "name": "role", "value": "x", "timestamp": "yesterday"}]
    },
    "event without its name": {"events": [{"event": "slot", "value": "x"}]},
    "responses not a list": {"events": [], "responses": "Which role?"},
    "response not an object": {"events": [], "responses": ["Which role?"]},
    "result not an object": [],
}


def validation_verdicts(validate: Callable[[RemoteAction, Any], bool]) -> dict[str, Json]:
    """The verdict, error message, path and failed keyword for each action-server result."""
    action = RemoteAction("action_check", None)
    verdicts = {}
    for name, result in ACTION_RESULTS.items():
        try:
            verdicts[name] = {"valid": validate(action, result)}
        except ValidationError as error:
            verdicts[name] = {
                "valid": False,
                "message": error.message,
                "path": list(error.absolute_path),
                "validator": error.validator,
            }
    return verdicts


def events_of(tracker: DialogueStateTracker | None) -> list[Json] | None:
    """A tracker's events as Rasa serialises them (None for no tracker)."""
    return None if tracker is None else [event.as_dict() for event in tracker.events]


def late_event_class(type_name: str) -> type[Event]:
    """An Event class defined after Rasa has started, as a plugin might add one."""
    return type("LateEvent", (SlotSet,), {"type_name": type_name, "__module__": __name__})


def event_type_names() -> list[str]:
    """The type names of the Event classes imported so far (loading a model imports a few more)."""
    return sorted({cls.type_name for cls in all_subclasses(Event)})


def event_class_lookups(names: list[str]) -> dict[str, str | None]:
    """What Event.resolve_by_type answers for these names, "topic", unknown names and a late class."""

    def resolve(type_name: str, default: type[Event] | None = None) -> str | None:
        try:
            found = Event.resolve_by_type(type_name, default)
        except ValueError as error:
            return f"ValueError: {error}"
        return None if found is None else f"{found.__module__}.{found.__qualname__}"

    lookups = {name: resolve(name) for name in names}
    lookups["topic"] = resolve("topic")
    lookups["unknown"] = resolve("no_such_event")
    lookups["unknown with a default"] = resolve("no_such_event", SlotSet)
    lookups["unknown again, another default"] = resolve("no_such_event", BotUttered)
    lookups["late, before it is defined"] = resolve(LATE_EVENT, SlotSet)
    late = late_event_class(LATE_EVENT)
    lookups["late, once defined"] = resolve(LATE_EVENT)
    del late
    gc.collect()  # gone again (unless remembered), so the next round of lookups starts from the same classes
    return lookups


def holdout_messages(count: int = MESSAGES) -> list[str]:
    """About `count` held-out messages, spread over the whole file (so over many intents)."""
    examples = load_data(str(ROOT / "tests" / "nlu" / "holdout.yml")).intent_examples
    step = max(1, len(examples) // count)
    return [example.get("text") for example in examples[::step][:count]]


async def parses(agent: Agent, messages: list[str]) -> list[Json]:
    """The intent, its confidence, the whole ranking and the entities Rasa gives each message."""
    results = []
    for text in messages:
        parsed = await agent.parse_message(text)
        results.append(
            {
                "text": text,
                "intent": parsed["intent"]["name"],
                "confidence": parsed["intent"]["confidence"],
                "ranking": [[item["name"], item["confidence"]] for item in parsed.get("intent_ranking", [])],
                "entities": parsed.get("entities", []),
            }
        )
    return results


async def nlu_results(model: str, messages: list[str]) -> Json:
    """Loads the model (into a new Agent) and parses the messages."""
    agent = Agent.load(model)
    return {"parses": await parses(agent, messages)}


def a_conversation(domain: Domain, sender: str) -> tuple[DialogueStateTracker, list[list[Event]]]:
    """A new tracker and the events of three turns to add to it, the last in a second session."""
    clock = iter(1700000000.0 + step for step in range(100))

    def at(event: Event) -> Event:
        event.timestamp = next(clock)
        return event

    parse_data = {
        "intent": {"name": "ask_role_about", "confidence": 0.93},
        "entities": [{"entity": "role", "value": "disruptor", "start": 10, "end": 19}],
        "text": "what is a disruptor",
    }
    first_session = [
        at(ActionExecuted("action_session_start")),
        at(SessionStarted()),
        at(ActionExecuted("action_listen")),
        at(UserUttered("what is a disruptor", parse_data["intent"], parse_data["entities"], parse_data)),
        at(SlotSet("role", "disruptor")),
        at(ActionExecuted("action_answer")),
        at(BotUttered("A disruptor questions how things are done.", {"buttons": BUTTONS})),
        at(ActionExecuted("action_listen")),
    ]
    feedback_turn = [
        at(UserUttered("I want to give feedback", {"name": "give_feedback", "confidence": 0.8})),
        at(ActionExecuted("feedback_form")),
        at(ActiveLoop("feedback_form")),
        at(ActionExecuted("action_listen")),
    ]
    second_session = [
        at(ActionExecuted("action_session_start")),
        at(SessionStarted()),
        at(SlotSet("role", "disruptor")),
        at(ActionExecuted("action_listen")),
        at(UserUttered("hello again", {"name": "greet", "confidence": 0.99})),
        at(BotUttered("Welcome back.")),
        at(ActionExecuted("action_listen")),
    ]
    return DialogueStateTracker(sender, domain.slots), [first_session, feedback_turn, second_session]


async def store_conversation(store: TrackerStore, domain: Domain, sender: str, reload: bool) -> Json:
    """Saves a conversation turn by turn, then reads it back the ways Rasa does.

    With `reload` each turn starts from the tracker the store gives back (as Rasa's server
    does); without, one tracker is kept in memory and saved after each turn."""
    tracker, turns = a_conversation(domain, sender)
    latest_after_each_save = []
    for events in turns:
        if reload:
            tracker = await store.retrieve(sender) or tracker
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        latest_after_each_save.append(events_of(await store.retrieve(sender)))
    return {
        "latest after each save": latest_after_each_save,
        "full": events_of(await store.retrieve_full_tracker(sender)),
    }


async def tracker_store_answers(store: TrackerStore, domain: Domain) -> Json:
    """Two conversations (a kept tracker, a reloaded one) and the answers for an unknown sender."""
    return {
        "kept tracker": await store_conversation(store, domain, "kept-tracker", reload=False),
        "reloaded tracker": await store_conversation(store, domain, "reloaded-tracker", reload=True),
        "unknown sender": events_of(await store.retrieve("no-such-sender")),
        "unknown sender, full": events_of(await store.retrieve_full_tracker("no-such-sender")),
        "keys": sorted(await store.keys()),
    }


def stored_rows(path: Path) -> list[list[Any]]:
    """The rows of the events table, in the order they were written (ignoring their ids)."""
    with sqlite3.connect(path) as connection:
        return [list(row) for row in connection.execute(f"SELECT {ROW_COLUMNS} FROM events ORDER BY id")]


def journal_mode(path: Path) -> str:
    """SQLite's journal mode for the file ("wal" once a connection has switched it)."""
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]


async def shared_database(path: Path, domain: Domain) -> Json:
    """Two of our stores on one file (two Rasa servers): each sees what the other saved."""
    first = RoleGuideTrackerStore(domain=domain, dialect="sqlite", db=str(path))
    second = RoleGuideTrackerStore(domain=domain, dialect="sqlite", db=str(path))
    tracker, turns = a_conversation(domain, "shared")
    for event in turns[0]:
        tracker.update(event)
    await first.save(tracker)
    results = {
        "first's view after the first saved": events_of(await first.retrieve("shared")),
        "second's view after the first saved": events_of(await second.retrieve("shared")),
    }
    tracker = await second.retrieve("shared")
    for event in turns[1]:
        tracker.update(event)
    await second.save(tracker)
    results["second's tracker that it saved"] = events_of(tracker)
    results["first's view after the second saved"] = events_of(await first.retrieve("shared"))
    for store in (first, second):
        store.engine.dispose()
    return results


async def tracker_store_results(domain: Domain) -> Json:
    """The same conversation through Rasa's SQLTrackerStore and ours, each on its own SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        rasa_db, our_db, shared_db = (Path(folder) / name for name in ("rasa.db", "ours.db", "shared.db"))
        rasa_store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(rasa_db))
        our_store = RoleGuideTrackerStore(domain=domain, dialect="sqlite", db=str(our_db))
        results = {
            "rasa": await tracker_store_answers(rasa_store, domain),
            "ours": await tracker_store_answers(our_store, domain),
            "rasa rows": stored_rows(rasa_db),
            "our rows": stored_rows(our_db),
            "rasa journal mode": journal_mode(rasa_db),
            "our journal mode": journal_mode(our_db),
            "shared database": await shared_database(shared_db, domain),
        }
        for store in (rasa_store, our_store):
            store.engine.dispose()
        return results


class ActionServerStandIn:
    """A tiny HTTP server that answers POSTs with what it was sent and remembers who asked."""

    def __init__(self) -> None:
        self.client_ports: list[int] = []
        self.authorizations: list[str | None] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def answer(self, request: web.Request) -> web.Response:
        self.client_ports.append(request.transport.get_extra_info("peername")[1])
        self.authorizations.append(request.headers.get("Authorization"))
        return web.json_response({"received": await request.json(), "number": len(self.client_ports)})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self.answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        listening = socket.create_server(("127.0.0.1", 0))
        self.port = listening.getsockname()[1]
        await web.SockSite(self.runner, listening).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def a_closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        return listening.getsockname()[1]


async def request_outcome(endpoint: EndpointConfig, body: Json) -> Json:
    """The reply to a POST, or the type of exception it raised."""
    try:
        return {"reply": await endpoint.request(method="post", json=body)}
    except Exception as error:
        return {"error": f"{type(error).__module__}.{type(error).__qualname__}"}


async def endpoint_results() -> Json:
    """Three POSTs to one endpoint, one with basic auth, and one to a port nobody listens on."""
    server = ActionServerStandIn()
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/webhook"
        endpoint = EndpointConfig(url=url)
        replies = [await request_outcome(endpoint, {"next_action": f"action_{n}"}) for n in range(3)]
        connections = len(set(server.client_ports))
        requests_seen = len(server.client_ports)
        with_auth = EndpointConfig(url=url, basic_auth={"username": "rasa", "password": "secret"})
        auth_reply = await request_outcome(with_auth, {"next_action": "action_auth"})
        authorization = server.authorizations[-1] if len(server.authorizations) > requests_seen else None
    finally:
        await server.stop()
    closed = EndpointConfig(url=f"http://127.0.0.1:{a_closed_port()}/webhook")
    return {
        "replies": replies,
        "requests seen": requests_seen,
        "connections": connections,
        "basic auth reply": auth_reply,
        "basic auth header": authorization,
        "closed port": await request_outcome(closed, {"next_action": "action_nobody"}),
    }


async def run_checks(model: str) -> Json:
    """Everything with Rasa as it is, then everything again with speedups installed."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    messages = holdout_messages()
    rasa_validate = RemoteAction._validate_action_result
    before = {
        "validation": validation_verdicts(rasa_validate),
        "nlu": await nlu_results(model, messages),
        "endpoint": await endpoint_results(),
    }
    event_names = event_type_names()  # once the model has been loaded (it imports more Event classes)
    before["event classes"] = event_class_lookups(event_names)
    speedups.install()
    assert RemoteAction._validate_action_result is not rasa_validate, "speedups.install() changed nothing"
    after = {
        "validation": validation_verdicts(RemoteAction._validate_action_result),
        "event classes": event_class_lookups(event_names),
        "nlu": await nlu_results(model, messages),
        "endpoint": await endpoint_results(),
    }
    checks = {name: {"before": before[name], "after": after[name]} for name in before}
    checks["tracker store"] = await tracker_store_results(domain)
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "roleguide.tar.gz"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(json.dumps(asyncio.run(run_checks(args.model)), default=str))


if __name__ == "__main__":
    main()
