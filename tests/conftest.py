from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.bridge import Bridge
from bot.rasa_client import RasaRestClient
from bot.settings import Settings
from storage.store import Store
from tests.fakes import BOT_ID, FakeRasa, OfflineTelegram


@pytest.fixture(autouse=True)
def data_kept_apart(tmp_path_factory, monkeypatch):
    """No test writes to the project's own var/: feedback, the spool and secrets go to a temp folder."""
    from actions import saving

    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ROLEGUIDE_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    saving.store.cache_clear()
    yield folder
    saving.store.cache_clear()


SECRET = "test-secret"
_update_ids = itertools.count(1)


def settings(**overrides: Any) -> Settings:
    values = dict(
        telegram_token="123456:TEST",
        telegram_api_url="http://bot-api.invalid",
        rasa_url="http://rasa.invalid",
        rasa_deadline_seconds=2.0,
        data_dir=None,
        sender_secret=SECRET,
        webhook_url=None,
        webhook_secret=None,
        webhook_listen="127.0.0.1",
        webhook_port=8443,
        log_level="INFO",
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def telegram() -> OfflineTelegram:
    return OfflineTelegram()


@pytest.fixture
async def app(fake_rasa: FakeRasa, telegram: OfflineTelegram) -> AsyncIterator[Application]:
    bridge = Bridge(RasaRestClient("http://rasa.invalid", 2.0, client=fake_rasa.client()), SECRET)
    application = build_application(settings(), bridge, request=telegram)
    async with application:
        yield application


@pytest.fixture
def store(tmp_path) -> Store:
    """A fresh SQLite feedback database (and spool) in the test's own folder."""
    return Store(f"sqlite:///{tmp_path / 'roleguide.db'}", spool_path=tmp_path / "spool" / "pending.jsonl")


def user(user_id: int = 77, first_name: str = "Sam") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name}


def private_chat(chat_id: int = 77) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Sam"}


def message_update(
    app: Application, text: str | None = None, chat: dict | None = None, **extra: Any
) -> Update:
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": chat or private_chat(),
        "from": user(),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(extra)
    return Update.de_json({"update_id": next(_update_ids), "message": message}, app.bot)


def edited_message_update(app: Application, text: str) -> Update:
    message = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "edit_date": int(time.time()),
        "chat": private_chat(),
        "from": user(),
        "text": text,
    }
    return Update.de_json({"update_id": next(_update_ids), "edited_message": message}, app.bot)


def callback_update(app: Application, data: str, markup: dict | None = None) -> Update:
    message = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": private_chat(),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Role Guide"},
        "text": "an earlier answer",
    }
    if markup:
        message["reply_markup"] = markup
    query = {
        "id": str(next(_update_ids)),
        "from": user(),
        "chat_instance": "ci-1",
        "data": data,
        "message": message,
    }
    return Update.de_json({"update_id": next(_update_ids), "callback_query": query}, app.bot)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the figures tests measured (record_property("figure", ...)), e.g. NLU accuracy, in every run."""
    figures = [
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        for name, value in getattr(report, "user_properties", [])
        if name == "figure"
    ]
    if figures:
        terminalreporter.section("measured")
        for figure in figures:
            terminalreporter.write_line(figure)
