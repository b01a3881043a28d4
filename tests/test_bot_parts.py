"""Small parts of the bot layer: pseudonyms, splitting, button payloads, settings, the terminal chat."""

from __future__ import annotations

import asyncio
import io
import os

import content
from bot.button_payloads import ButtonPayloads
from bot.pseudonym import load_or_create_secret, pseudonymous_sender_id
from bot.rasa_client import Button, Reply
from bot.rendering import split_for_telegram
from bot.settings import Settings
from bot.terminal_chat import chat, render, to_send


def test_a_pseudonym_is_stable_per_chat_and_differs_between_chats_and_secrets():
    assert pseudonymous_sender_id("s", 1) == pseudonymous_sender_id("s", 1)
    assert pseudonymous_sender_id("s", 1) != pseudonymous_sender_id("s", 2)
    assert pseudonymous_sender_id("s", 1) != pseudonymous_sender_id("t", 1)
    assert len(pseudonymous_sender_id("s", 1111111111)) == 32


def test_the_secret_is_made_once_kept_private_and_reused(tmp_path):
    first = load_or_create_secret(tmp_path)
    assert load_or_create_secret(tmp_path) == first
    assert len(first) == 64
    assert oct(os.stat(tmp_path / "sender_secret").st_mode)[-3:] == "600"


def test_a_secret_from_the_environment_wins(tmp_path):
    assert load_or_create_secret(tmp_path, "given") == "given"
    assert not (tmp_path / "sender_secret").exists()


def test_short_text_is_one_piece():
    assert split_for_telegram("hello") == ["hello"]


def test_long_text_breaks_at_paragraphs_and_every_piece_fits_once_escaped():
    text = "\n\n".join(["a & b < c " * 100] * 10)
    pieces = split_for_telegram(text, limit=1000)
    assert len(pieces) > 1
    assert all(len(p.replace("&", "&amp;").replace("<", "&lt;")) <= 1000 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_a_single_unbroken_word_longer_than_the_limit_is_still_split():
    pieces = split_for_telegram("x" * 9000)
    assert [len(p) for p in pieces] == [4096, 4096, 808]


def test_short_payloads_travel_as_they_are_and_long_ones_get_a_key():
    payloads = ButtonPayloads()
    assert payloads.encode("/greet") == "/greet"
    long = "/x" + "y" * 100
    key = payloads.encode(long)
    assert len(key.encode()) <= 64 and key != long
    assert payloads.decode(key) == long


def test_old_keys_are_forgotten_beyond_capacity():
    payloads = ButtonPayloads(capacity=2)
    keys = [payloads.encode("/" + str(i) * 70) for i in range(3)]
    assert payloads.decode(keys[0]) is None
    assert payloads.decode(keys[2]) is not None


def test_settings_point_the_bot_at_a_self_hosted_bot_api(monkeypatch):
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9000/")
    settings = Settings.from_env()
    assert settings.bot_api_base_url == "http://127.0.0.1:9000/bot"
    assert settings.bot_api_file_url == "http://127.0.0.1:9000/file/bot"


def test_settings_default_to_the_public_bot_api(monkeypatch):
    monkeypatch.delenv("TELEGRAM_API_URL", raising=False)
    assert Settings.from_env().bot_api_base_url == "https://api.telegram.org/bot"


def test_the_terminal_numbers_buttons_and_a_number_presses_one():
    text, buttons = render(
        [Reply("Pick", (Button("Skills", "/ask_role_skills"), Button("Risks", "/ask_role_risks")))]
    )
    assert "[1] Skills" in text and "[2] Risks" in text
    assert to_send("2", buttons) == "/ask_role_risks"
    assert to_send("9", buttons) == "9"
    assert to_send("what is tokenism", buttons) == "what is tokenism"


class EchoBridge:
    def __init__(self):
        self.asked: list[str] = []

    async def reply_to(self, chat_id, text):
        self.asked.append(text)
        return [Reply(f"you said {text}", (Button("Again", "/again"),))]

    async def aclose(self):
        pass


def test_the_terminal_chat_goes_through_the_bridge_and_presses_buttons():
    bridge = EchoBridge()
    out = io.StringIO()
    asyncio.run(chat(bridge, io.StringIO("hello\n1\n/roles\n/help\n/nonsense\n/quit\n"), out))
    assert bridge.asked == ["hello", "/again", "/ask_roles_overview"]
    assert "guide> you said hello" in out.getvalue()
    assert "/roles" in out.getvalue()  # the help text
    assert content.bot_texts().unknown_command.strip() in out.getvalue()
