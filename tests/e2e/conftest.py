"""The real stack for end-to-end tests: Bot API emulator, action server, Rasa server and the bot.

Telegram itself is the one part that cannot run here; the local Bot API
emulator in ../shared/telegram-emulator stands in for it (TELEGRAM_EMULATOR_DIR
points elsewhere). Everything else is started for real, the way `make run`
starts it (tools.stack).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools.emulator import free_port, running_emulator, tgclient
from tools.stack import Stack

TOKEN = "987654:E2E-ROLE-GUIDE"
transcript = tgclient().transcript


class TgClient(tgclient().TgClient):
    """The emulator's client, except that a press waits for the bot's message, not only for the
    callback answer (which the bot sends first, before asking Rasa): otherwise a slow first turn
    on a busy machine ends the wait with nothing."""

    def press(self, button, *, min_replies: int = 2, **options):
        return super().press(button, min_replies=min_replies, **options)


__all__ = ["TOKEN", "TgClient", "free_port", "transcript"]


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    with running_emulator() as url:
        yield url


@pytest.fixture(scope="session")
def stack(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    run_dir = tmp_path_factory.mktemp("stack")
    running = Stack(
        rasa_port=free_port(), actions_port=free_port(), data_dir=run_dir / "data", log_dir=run_dir / "logs"
    )
    try:
        running.start_services()
        running.start_bot({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": emulator_url})
        first = TgClient(emulator_url, token=TOKEN)
        if not first.send("/start", timeout=60):
            pytest.fail(f"the bot did not answer /start; logs in {running.log_dir}")
        # /start is answered by the bot alone; one question warms Rasa and the action server too,
        # so the first test's first question is not the one that waits for them.
        if not first.send("what is tokenism", timeout=60):
            pytest.fail(f"the bot did not answer a first question; logs in {running.log_dir}")
        yield running
    finally:
        running.stop()


@pytest.fixture
def person(stack: Stack, emulator_url: str) -> TgClient:
    """A new Telegram user in a private chat with the bot."""
    return TgClient(emulator_url, token=TOKEN, first_name="Zephyrine")


@pytest.fixture
def group_member(stack: Stack, emulator_url: str) -> TgClient:
    return TgClient(emulator_url, token=TOKEN, chat_id=-1001234567, chat_type="group", first_name="Member")
