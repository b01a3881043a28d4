"""Webhook mode: the Bot API server posts updates to the bot, which checks Telegram's secret token."""

from __future__ import annotations

import time

import httpx
import pytest

import content
from tests.e2e.conftest import TgClient, free_port, transcript
from tools.stack import Stack, stop_process

pytestmark = pytest.mark.e2e

WEBHOOK_TOKEN = "555111:E2E-WEBHOOK"
SECRET = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def webhook_bot(stack: Stack, emulator_url: str):
    port = free_port()
    health_port = free_port()
    process = stack.start_bot(
        {
            "TELEGRAM_BOT_TOKEN": WEBHOOK_TOKEN,
            "TELEGRAM_API_URL": emulator_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "HEALTH_PORT": str(health_port),
        },
        name="webhook-bot",
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield f"http://127.0.0.1:{port}/telegram", f"http://127.0.0.1:{health_port}/health"
    stop_process(process)


def test_updates_posted_with_the_secret_are_answered(webhook_bot, emulator_url):
    person = TgClient(emulator_url, token=WEBHOOK_TOKEN, first_name="Hook")
    replies = person.send("what is tokenism", timeout=20)
    assert content.topics().topics["ask_tokenism"].text.strip()[:50] in transcript(replies)


def test_a_post_without_the_secret_is_refused(webhook_bot):
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hello"},
    }
    webhook, _ = webhook_bot
    assert httpx.post(webhook, json=update, timeout=5).status_code == 403
    forged = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    assert httpx.post(webhook, json=update, headers=forged, timeout=5).status_code == 403


def test_in_webhook_mode_the_health_check_answers_for_a_load_balancer(webhook_bot, emulator_url):
    _, health = webhook_bot
    TgClient(emulator_url, token=WEBHOOK_TOKEN, first_name="Hook").send("hello", timeout=20)
    report = httpx.get(health, timeout=5).json()

    assert report["status"] == "ok" and report["rasa_reachable"] is True
    assert report["updates_handled"] >= 1
