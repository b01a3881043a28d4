"""Stand-ins for the two parts a unit test cannot run: Telegram's servers and (for bot tests) Rasa.

`OfflineTelegram` replaces PTB's request layer: it fails on nothing, touches
no network, records every Bot API call and answers like Telegram would.
`FakeRasa` answers Rasa's REST channel through the Rasa client's transport
interface (bot.rasa_client.RasaTransport), failing the ways aiohttp does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.rasa_client import NotConnected

BOT_ID = 4242
BOT_USERNAME = "RoleGuideTestBot"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]


class OfflineTelegram(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_: Any):
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(ApiCall(api_method, params))
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Role Guide",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "sendMessage":
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": params["chat_id"], "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Role Guide"},
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]


@dataclass
class FakeRasa:
    """Answers Rasa's REST webhook with `replies`, or fails the way it is told to."""

    replies: list[dict[str, Any]] = field(default_factory=lambda: [{"text": "Hello from Rasa"}])
    failure: str | None = None  # "down", "timeout", "error", "empty", "not-json"
    received: list[dict[str, Any]] = field(default_factory=list)
    echo: bool = False  # answer "answer to <message>" instead of `replies`
    delays: dict[str, float] = field(default_factory=dict)  # message -> seconds to think
    failures_left: int | None = None  # fail only this many requests, then recover (None: every one)
    closed: bool = False  # the client closed its transport

    async def post_json(self, url: str, payload: dict[str, Any], seconds: float) -> tuple[int, bytes]:
        body = json.loads(json.dumps(payload))  # what went over the wire
        self.received.append(body)
        await asyncio.sleep(self.delays.get(body["message"], 0))
        if self.failures_left is not None:
            if self.failures_left <= 0:
                self.failure = None
            self.failures_left -= 1
        if self.echo:
            return 200, json.dumps([{"text": f"answer to {body['message']}"}]).encode()
        if self.failure == "down":
            raise NotConnected("ClientConnectorError")
        if self.failure == "timeout":
            raise asyncio.TimeoutError
        if self.failure == "error":
            return 500, json.dumps({"error": "boom"}).encode()
        if self.failure == "empty":
            return 200, b"[]"
        if self.failure == "not-json":
            return 200, b"<html>proxy error</html>"
        return 200, json.dumps(self.replies).encode()

    async def get_status(self, url: str, seconds: float) -> int:
        """The server root, as health checks ask it."""
        if self.failure == "down":
            raise NotConnected("ClientConnectorError")
        return 200

    async def aclose(self) -> None:
        self.closed = True

    def client(self) -> FakeRasa:
        """The transport to give RasaRestClient (this fake itself)."""
        return self
