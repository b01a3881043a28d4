"""The bot's health check: a tiny HTTP server (asyncio's own) for process monitors.

`GET /health` (or `GET /`) answers 200 with JSON while the bot's event loop
runs, whether or not Rasa is up (the bot still answers people then):

    {"status": "ok", "uptime_seconds": 812.4, "rasa_reachable": true,
     "rasa_circuit": "closed", "updates_handled": 57,
     "last_update_handled_seconds_ago": 3.1}

`rasa_reachable` is checked when asked (Rasa's `GET /`, one second at most);
`rasa_circuit` is the circuit breaker's state ("off" without one);
`last_update_handled_seconds_ago` is null until the first update. It is on
when HEALTH_PORT is set, on HEALTH_LISTEN (loopback by default). It tells
nothing about people or messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.rasa_client import RasaRestClient
from bot.rasa_pool import RasaPool

log = logging.getLogger(__name__)

# After every other handler group, so an update counts once it has been handled.
HANDLED_GROUP = 1000
READ_SECONDS = 2.0
MAX_HEADER_LINES = 100


class BotHealth:
    """What the health check reports: uptime, Rasa, and the updates handled so far."""

    def __init__(self, rasa: RasaRestClient | RasaPool, clock: Callable[[], float] = time.monotonic):
        self._rasa = rasa
        self._clock = clock
        self._started_at = clock()
        self.updates_handled = 0
        self._last_update_at: float | None = None

    def note_update(self) -> None:
        self.updates_handled += 1
        self._last_update_at = self._clock()

    async def report(self) -> dict[str, object]:
        now = self._clock()
        breaker = self._rasa.breaker
        return {
            "status": "ok",
            "uptime_seconds": round(now - self._started_at, 1),
            "rasa_reachable": await self._rasa.reachable(),
            "rasa_circuit": breaker.state.value if breaker is not None else "off",
            "updates_handled": self.updates_handled,
            "last_update_handled_seconds_ago": (
                None if self._last_update_at is None else round(now - self._last_update_at, 1)
            ),
        }


class HealthServer:
    """Serves BotHealth.report() as JSON on `GET /health` and `GET /`; anything else is 404."""

    def __init__(self, health: BotHealth, host: str, port: int):
        self._health = health
        self._host = host
        self._port = port
        self._server: asyncio.AbstractServer | None = None
        self.port: int | None = None  # once started

    async def start(self) -> int:
        """Start listening; returns the port (useful when started on port 0)."""
        self._server = await asyncio.start_server(self._answer, self._host, self._port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("health check on http://%s:%d/health", self._host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), READ_SECONDS)
            for _ in range(MAX_HEADER_LINES):
                if (await asyncio.wait_for(reader.readline(), READ_SECONDS)).strip() in (b"", b"\r\n"):
                    break
            method, path, *_ = [*request_line.decode("latin-1").split(), "", ""]
            if method in ("GET", "HEAD") and path.split("?")[0] in ("/", "/health"):
                status, body = "200 OK", json.dumps(await self._health.report()).encode()
            else:
                status, body = "404 Not Found", b'{"status": "not found"}'
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + (b"" if method == "HEAD" else body))
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError, UnicodeError):
            pass  # a client that says nothing or goes away gets nothing
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def attach(application: Application, health: BotHealth, host: str, port: int) -> HealthServer:
    """Count handled updates, and run the health server while the application runs."""

    async def note(_update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        health.note_update()

    application.add_handler(TypeHandler(Update, note), group=HANDLED_GROUP)
    server = HealthServer(health, host, port)
    post_init, post_shutdown = application.post_init, application.post_shutdown

    async def start(app: Application) -> None:
        if post_init is not None:
            await post_init(app)
        await server.start()

    async def stop(app: Application) -> None:
        await server.stop()
        if post_shutdown is not None:
            await post_shutdown(app)

    application.post_init = start
    application.post_shutdown = stop
    return server
