"""The bot's health check: 200 with JSON about uptime, Rasa and the last update, for process monitors."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx

from bot.app import build_application
from bot.bridge import Bridge
from bot.circuit_breaker import CircuitBreaker
from bot.health import BotHealth, HealthServer, attach
from bot.rasa_client import RasaRestClient
from tests.conftest import SECRET, message_update, settings
from tests.fakes import FakeRasa, OfflineTelegram


async def get(port: int, path: str = "/health", method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.request(method, f"http://127.0.0.1:{port}{path}", timeout=5)


@contextlib.asynccontextmanager
async def health_server(fake_rasa: FakeRasa, breaker: CircuitBreaker | None = None) -> AsyncIterator[int]:
    """A health server on a free port, reporting on a Rasa client talking to `fake_rasa`."""
    rasa = RasaRestClient("http://rasa.invalid", client=fake_rasa.client(), breaker=breaker)
    server = HealthServer(BotHealth(rasa), "127.0.0.1", 0)
    try:
        yield await server.start()
    finally:
        await server.stop()


async def test_the_health_check_answers_200_with_uptime_and_whether_rasa_is_reachable(fake_rasa):
    async with health_server(fake_rasa, CircuitBreaker()) as port:
        up = await get(port)
        fake_rasa.failure = "down"
        down = await get(port, "/")

    assert up.status_code == 200 and up.headers["content-type"] == "application/json"
    report = up.json()
    assert report["status"] == "ok"
    assert report["uptime_seconds"] >= 0
    assert report["rasa_reachable"] is True
    assert report["rasa_circuit"] == "closed"
    assert report["updates_handled"] == 0 and report["last_update_handled_seconds_ago"] is None
    assert down.status_code == 200 and down.json()["rasa_reachable"] is False


async def test_other_paths_are_not_found_and_head_has_no_body(fake_rasa):
    async with health_server(fake_rasa) as port:
        missing = await get(port, "/admin")
        head = await get(port, method="HEAD")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\xff\xfe nonsense\r\n\r\n")
        garbage = await asyncio.wait_for(reader.read(), 3)
        writer.close()

    assert missing.status_code == 404
    assert head.status_code == 200 and head.content == b""
    assert garbage.startswith(b"HTTP/1.1 404")


async def test_attached_to_the_bot_it_runs_with_it_and_counts_handled_updates(
    fake_rasa: FakeRasa, telegram: OfflineTelegram
):
    rasa = RasaRestClient("http://rasa.invalid", client=fake_rasa.client())
    application = build_application(settings(), Bridge(rasa, SECRET), request=telegram)
    server = attach(application, BotHealth(rasa), "127.0.0.1", 0)
    async with application:
        await application.post_init(application)  # what run_polling/run_webhook call
        await application.process_update(message_update(application, "hello"))
        report = (await get(server.port)).json()
        await application.post_shutdown(application)

    assert report["updates_handled"] == 1
    assert 0 <= report["last_update_handled_seconds_ago"] < 5
    assert telegram.sent("setMyCommands")  # the bot's own start-up still ran
    assert fake_rasa.closed  # and so did its shutdown (the Rasa client closed its connections)
    assert json.loads(json.dumps(report)) == report
