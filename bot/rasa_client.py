"""Talks to Rasa's REST channel (/webhooks/rest/webhook) over one reused HTTP connection pool.

HTTP goes through a small transport (`RasaTransport`): aiohttp here
(`AiohttpTransport`, a third of httpx's CPU per request), a fake in the tests.

Every message gets an answer or a RasaUnavailable within one deadline
(RASA_DEADLINE_SECONDS, counted from when the bot got the message), so the
person is never left waiting: each attempt's timeout shrinks to the time left.

Retrying is only safe when Rasa cannot have seen the message, because a
message Rasa handled is in its conversation tracker, and sending it again
would make Rasa handle it twice (a quiz answer or a rating counted twice, a
form moved on a step). So only these are retried, with a jittered backoff,
while the deadline allows:
- the connection could not be made (refused, connect timeout, no free
  connection in the pool): nothing was sent;
- HTTP 500, 502, 503: Rasa answers 5xx only before it handles a message
  (whatever fails while it handles one comes back as `200 []`), and a proxy's
  502/503 mean Rasa was not reached.
Not retried, because Rasa may have handled the message: a timeout after the
message was sent (Rasa may still be working on it), a dropped connection, a
504 from a proxy, an empty `[]` answer (Rasa 3.6 sends it when an action
failed, usually because the action server is down; the message is already in
the tracker), and an answer that is not JSON.

A message sent with `metadata` (the safety net's `beside_help_lines`, see
bot.bridge) may be answered with nothing to add: one custom message
`{"nothing_to_add": true}` and no text, which `send` returns as no replies.

An optional circuit breaker (bot.circuit_breaker) answers at once, without
asking Rasa, after a run of failures.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from bot.circuit_breaker import CircuitBreaker

log = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
DEFAULT_DEADLINE_SECONDS = 4.5
DEFAULT_RETRIES = 2
# A connection on loopback or a LAN is made in milliseconds: a dead host must not eat the deadline.
CONNECT_TIMEOUT_SECONDS = 1.0
FIRST_BACKOFF_SECONDS = 0.2  # doubled for each retry, times a random 0.5-1.0
MIN_ATTEMPT_SECONDS = 0.1  # no attempt is started with less time left than this
RETRYABLE_STATUS = frozenset({500, 502, 503})
NOTHING_TO_ADD = "nothing_to_add"  # the custom message an action sends when it has nothing to say


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message for the person: text and optional next-step buttons."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


class RasaUnavailable(Exception):
    """Rasa could not be reached, timed out, or answered with an error or nothing.

    The message names the kind of failure only, never what the person wrote.
    `retryable` is true when Rasa cannot have seen the message.
    """

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.retryable = retryable


class NotConnected(Exception):
    """The connection could not be made (refused, connect timeout, no free connection): nothing was sent."""


class TransportFailed(Exception):
    """The request failed after it may have been sent (a dropped connection, say)."""


class RasaTransport(Protocol):
    """HTTP for the client. Raises NotConnected, TransportFailed or asyncio.TimeoutError."""

    async def post_json(self, url: str, payload: dict[str, Any], seconds: float) -> tuple[int, bytes]: ...

    async def get_status(self, url: str, seconds: float) -> int: ...

    async def aclose(self) -> None: ...


class AiohttpTransport:
    """One aiohttp session (created in the running event loop on first use) with kept connections."""

    def __init__(self, max_connections: int = 100):
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._max_connections))
        return self._session

    async def post_json(self, url: str, payload: dict[str, Any], seconds: float) -> tuple[int, bytes]:
        timeout = aiohttp.ClientTimeout(total=seconds, connect=min(CONNECT_TIMEOUT_SECONDS, seconds))
        try:
            async with self._open().post(url, json=payload, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ClientConnectorError as error:
            raise NotConnected(type(error).__name__) from error
        except aiohttp.ConnectionTimeoutError as error:
            raise NotConnected(type(error).__name__) from error
        except aiohttp.ClientError as error:
            raise TransportFailed(type(error).__name__) from error

    async def get_status(self, url: str, seconds: float) -> int:
        try:
            async with self._open().get(url, timeout=aiohttp.ClientTimeout(total=seconds)) as response:
                return response.status
        except aiohttp.ClientConnectorError as error:
            raise NotConnected(type(error).__name__) from error
        except aiohttp.ClientError as error:
            raise TransportFailed(type(error).__name__) from error

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class RasaRestClient:
    def __init__(
        self,
        base_url: str,
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        client: RasaTransport | None = None,
        *,
        retries: int = DEFAULT_RETRIES,
        breaker: CircuitBreaker | None = None,
    ):
        self._base_url = base_url.rstrip("/")
        self._url = f"{self._base_url}{REST_WEBHOOK_PATH}"
        self._deadline_seconds = deadline_seconds
        self._retries = retries
        self.breaker = breaker
        self._client: RasaTransport = client or AiohttpTransport()

    @property
    def base_url(self) -> str:
        return self._base_url

    async def send(
        self,
        sender_id: str,
        text: str,
        *,
        received_at: float | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        """Rasa's replies, or RasaUnavailable, by the deadline after `received_at` (monotonic; now)."""
        deadline = (time.monotonic() if received_at is None else received_at) + self._deadline_seconds
        if deadline - time.monotonic() < MIN_ATTEMPT_SECONDS:
            raise RasaUnavailable("no time left to ask (the message waited too long)")
        if self.breaker is not None and not self.breaker.allow():
            raise RasaUnavailable("circuit open after repeated failures; not asked", retryable=True)
        try:
            payload: dict[str, Any] = {"sender": sender_id, "message": text}
            if metadata:
                payload["metadata"] = metadata
            replies = await self._send_with_retries(payload, deadline)
        except RasaUnavailable:
            if self.breaker is not None:
                self.breaker.record_failure()
            raise
        if self.breaker is not None:
            self.breaker.record_success()
        return replies

    async def _send_with_retries(self, payload: dict[str, Any], deadline: float) -> list[Reply]:
        attempt = 0
        while True:
            try:
                return await self._attempt(payload, deadline - time.monotonic())
            except RasaUnavailable as error:
                pause = FIRST_BACKOFF_SECONDS * 2**attempt * random.uniform(0.5, 1.0)
                out_of_time = time.monotonic() + pause + MIN_ATTEMPT_SECONDS > deadline
                if not error.retryable or attempt >= self._retries or out_of_time:
                    raise
                attempt += 1
                log.debug("Rasa attempt %d failed (%s); retrying in %.2f s", attempt, error, pause)
                await asyncio.sleep(pause)

    async def _attempt(self, payload: dict[str, Any], seconds: float) -> list[Reply]:
        try:
            status, body = await asyncio.wait_for(
                self._client.post_json(self._url, payload, seconds), seconds
            )
        except asyncio.TimeoutError as error:
            raise RasaUnavailable("timed out") from error
        except NotConnected as error:
            raise RasaUnavailable(f"could not connect: {error}", retryable=True) from error
        except TransportFailed as error:
            raise RasaUnavailable(str(error)) from error
        if status >= 400:
            raise RasaUnavailable(f"HTTP {status}", retryable=status in RETRYABLE_STATUS)
        try:
            messages = json.loads(body)
        except ValueError as error:
            raise RasaUnavailable("answer was not JSON") from error
        if not isinstance(messages, list):
            raise RasaUnavailable("answer was not a list")
        replies = [reply for reply in map(_reply_from, messages) if reply is not None]
        if not replies and not any(_says_nothing_to_add(message) for message in messages):
            raise RasaUnavailable("answered nothing")
        return replies

    async def reachable(self, timeout_seconds: float = 1.0) -> bool:
        """Whether Rasa's server answers `GET /` now (for health checks; sends no message)."""
        try:
            status = await asyncio.wait_for(
                self._client.get_status(f"{self._base_url}/", timeout_seconds), timeout_seconds
            )
        except (asyncio.TimeoutError, NotConnected, TransportFailed):
            return False
        return status == 200

    async def aclose(self) -> None:
        await self._client.aclose()


def _says_nothing_to_add(message: object) -> bool:
    custom = message.get("custom") if isinstance(message, dict) else None
    return isinstance(custom, dict) and custom.get(NOTHING_TO_ADD) is True


def _reply_from(message: object) -> Reply | None:
    if not isinstance(message, dict):
        return None
    text = message.get("text")
    buttons = tuple(
        Button(str(button["title"]), str(button["payload"]))
        for button in message.get("buttons") or []
        if isinstance(button, dict) and button.get("title") and button.get("payload")
    )
    if not isinstance(text, str) or not text.strip():
        return None
    return Reply(text=text, buttons=buttons)
