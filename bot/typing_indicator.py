"""Shows 'typing…' in the chat while a slow answer is being worked out.

Most answers arrive well within a second, where the indicator would only flash
and cost a request to Telegram per message; it appears once the answer has
taken SHOW_AFTER_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

log = logging.getLogger(__name__)

SHOW_AFTER_SECONDS = 0.5
# Telegram shows a chat action for about five seconds, so it is renewed sooner.
RENEW_EVERY_SECONDS = 4.0


@contextlib.asynccontextmanager
async def typing_indicator(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    async def show() -> None:
        try:
            await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
        except TelegramError as error:  # a missing indicator must never cost the answer
            log.debug("typing indicator failed: %s", type(error).__name__)

    async def keep_typing() -> None:
        await asyncio.sleep(SHOW_AFTER_SECONDS)
        while True:
            await show()
            await asyncio.sleep(RENEW_EVERY_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
