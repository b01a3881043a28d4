"""The bot's Bot API request layer (aiohttp) against a real local HTTP server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.aiohttp_request import AiohttpRequest
from tests.local_server import serving
from tools.emulator import free_port

TOKEN = "123:TEST"


class BotApi:
    """A tiny Bot API: records what arrives, answers like Telegram."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type.startswith("multipart/"):
            fields = {}
            async for part in await request.multipart():
                fields[part.name] = (part.filename, await part.read())
        else:
            fields = dict(await request.post())
        self.received.append({"method": method, "fields": fields, "agent": request.headers.get("User-Agent")})
        await asyncio.sleep(self.delay)
        if method == "getMe":
            result = {"id": 123, "is_bot": True, "first_name": "Role Guide", "username": "RoleGuideBot"}
            return web.json_response({"ok": True, "result": result})
        return web.json_response({"ok": True, "result": True})


@pytest.fixture
async def bot_api() -> AsyncIterator[tuple[BotApi, str]]:
    api = BotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.handle)
    async with serving(app) as url:
        yield api, f"{url}/bot"


async def test_a_bot_on_aiohttp_talks_to_the_bot_api_with_its_parameters(bot_api):
    api, base_url = bot_api
    async with Bot(TOKEN, base_url=base_url, request=AiohttpRequest()) as bot:
        me = await bot.get_me()
        await bot.send_message(chat_id=77, text="Hello <b>there</b>", parse_mode="HTML")

    assert me.username == "RoleGuideBot"
    sent = api.received[-1]
    assert sent["method"] == "sendMessage"
    assert sent["fields"]["chat_id"] == "77" and sent["fields"]["text"] == "Hello <b>there</b>"
    assert "python-telegram-bot" in sent["agent"]


async def test_files_go_as_multipart(bot_api):
    api, base_url = bot_api
    async with Bot(TOKEN, base_url=base_url, request=AiohttpRequest()) as bot:
        await bot.send_photo(
            chat_id=77, photo=InputFile(b"\x89PNG-chart", filename="chart.png"), caption="week"
        )

    fields = api.received[-1]["fields"]
    assert fields["caption"][1] == b"week"
    assert fields["photo"] == ("chart.png", b"\x89PNG-chart")


async def test_a_slow_answer_is_a_timeout_and_a_dead_server_a_network_error(bot_api):
    api, base_url = bot_api
    api.delay = 1.0
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    with pytest.raises(TimedOut):
        await request.post(
            f"{base_url}{TOKEN}/sendMessage", RequestData([RequestParameter("text", "hi", None)])
        )
    with pytest.raises(NetworkError):
        await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")
    await request.shutdown()


async def test_it_must_be_initialised_and_can_be_again_after_shutdown(bot_api):
    _, base_url = bot_api
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.initialize()
    status, body = await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    await request.shutdown()
    assert status == 200 and json.loads(body)["ok"] is True
