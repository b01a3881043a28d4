"""Three fixes for work Rasa 3.6 repeats on every turn; same behaviour, less time.

Found by profiling Rasa under `make bench` (py-spy; tools/bench.py --profile):
1. Every reply from the action server is checked against a JSON schema with
   `jsonschema.validate()`, which with jsonschema 4.17 (Rasa's pin) checks the
   schema itself and builds a new validator on each call: about half of
   Rasa's time on a custom-action turn. Here the validator is built once; the
   verdicts and error messages are the same.
2. Each call to the action server opens a new aiohttp session and TCP
   connection. Here each endpoint keeps one session (connections are reused,
   and dropped after a short idle time, before the action server's own
   keep-alive timeout of 5 s can close them under a request).
3. Loading a conversation turns each stored event back into an object by
   searching all Event subclasses for its type name. Here the classes found
   are remembered.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

IDLE_CONNECTION_SECONDS = 2.0


def install() -> None:
    validate_action_results_with_one_validator()
    keep_endpoint_sessions()
    remember_event_classes()


def validate_action_results_with_one_validator() -> None:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        # The message Rasa's own check gives.
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


class _KeptSession:
    """Stands in for a new session in Rasa's `async with endpoint.session() as session:`,
    handing out an open one and leaving it open afterwards."""

    def __init__(self, session: aiohttp.ClientSession):
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


def keep_endpoint_sessions() -> None:
    sessions: dict[tuple[int, str, str, str], aiohttp.ClientSession] = {}

    def session(self: EndpointConfig) -> Any:
        key = (id(asyncio.get_running_loop()), str(self.url), repr(self.headers), repr(self.basic_auth))
        kept = sessions.get(key)
        if kept is None or kept.closed:
            # What EndpointConfig.session() builds, with a connector that keeps connections.
            auth = None
            if self.basic_auth:
                auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            kept = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
            )
            sessions[key] = kept
        return _KeptSession(kept)

    EndpointConfig.session = session  # type: ignore[method-assign]


def remember_event_classes() -> None:
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        if type_name not in found:
            for cls in all_subclasses(Event):
                if cls.type_name == type_name:
                    found[type_name] = cls
                    break
        if type_name in found:
            return found[type_name]
        # Rasa's own answers for a name no class has.
        if type_name == "topic":
            return None
        if default is not None:
            return default
        raise ValueError(f"Unknown event name '{type_name}'.")

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
