"""The Rasa client's HTTP on aiohttp, against a real local server: each failure gets the right name."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.rasa_client import AiohttpTransport, NotConnected, RasaRestClient, RasaUnavailable, TransportFailed
from tests.local_server import serving
from tools.emulator import free_port


class FakeRasaServer:
    """Rasa's REST webhook over real HTTP: answers, thinks slowly, or hangs up."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.hang_up = False
        self.peers: set[object] = set()

    async def webhook(self, request: web.Request) -> web.Response:
        self.peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        body = await request.json()
        if self.hang_up and request.transport is not None:
            request.transport.close()
        await asyncio.sleep(self.delay)
        return web.json_response([{"text": f"answer to {body['message']}"}])

    async def root(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")


@pytest.fixture
async def rasa_server() -> AsyncIterator[tuple[FakeRasaServer, str]]:
    server = FakeRasaServer()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", server.webhook)
    app.router.add_get("/", server.root)
    async with serving(app) as url:
        yield server, url


async def test_messages_are_answered_over_one_kept_connection(rasa_server):
    server, url = rasa_server
    client = RasaRestClient(url)
    replies = [await client.send("sender", f"question {n}") for n in range(3)]
    healthy = await client.reachable()
    await client.aclose()

    assert [reply[0].text for reply in replies] == [f"answer to question {n}" for n in range(3)]
    assert healthy
    assert len(server.peers) == 1


async def test_no_server_is_not_connected_and_retryable():
    transport = AiohttpTransport()
    with pytest.raises(NotConnected):
        await transport.post_json(f"http://127.0.0.1:{free_port()}/webhooks/rest/webhook", {}, 1.0)
    client = RasaRestClient(f"http://127.0.0.1:{free_port()}", 0.5, transport, retries=0)
    with pytest.raises(RasaUnavailable) as failure:
        await client.send("sender", "hello")
    assert failure.value.retryable and "could not connect" in str(failure.value)
    assert not await client.reachable()
    await transport.aclose()


async def test_a_slow_answer_times_out_and_is_not_retried(rasa_server):
    server, url = rasa_server
    server.delay = 2.0
    client = RasaRestClient(url, 0.5, retries=2)
    with pytest.raises(RasaUnavailable) as failure:
        await client.send("sender", "hello")
    await client.aclose()

    assert str(failure.value) == "timed out" and not failure.value.retryable


async def test_a_dropped_connection_is_a_failure_rasa_may_have_seen(rasa_server):
    server, url = rasa_server
    server.hang_up = True
    transport = AiohttpTransport()
    with pytest.raises(TransportFailed):
        await transport.post_json(f"{url}/webhooks/rest/webhook", {"sender": "s", "message": "hi"}, 2.0)
    client = RasaRestClient(url, 2.0, transport)
    with pytest.raises(RasaUnavailable) as failure:
        await client.send("sender", "hello")
    await transport.aclose()

    assert not failure.value.retryable
