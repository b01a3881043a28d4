"""/privacy and /forget, and the scheduled purge of old conversations from Rasa's tracker store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, ContextTypes

import content
from bot.conversation_history import ConversationHistory
from bot.handlers import ChatLocks, send_text

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(hours=6)
FIRST_PURGE_AFTER = timedelta(seconds=30)


class PrivacyCommands:
    def __init__(
        self,
        history: ConversationHistory,
        sender_id: Callable[[int], str],
        retention_days: float,
        chat_locks: ChatLocks,
    ) -> None:
        self.history = history
        self.sender_id = sender_id  # chat id -> the pseudonym Rasa knows the conversation by
        self.retention_days = retention_days
        self.chat_locks = chat_locks  # shared with the Rasa turns, so /forget never cuts one in half

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        days = f"{self.retention_days:g}"
        await send_text(context.bot, update.effective_chat.id, content.bot_texts().privacy.format(days=days))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        texts = content.bot_texts()
        async with self.chat_locks.for_chat(chat_id):
            try:
                events = await asyncio.to_thread(self.history.forget, self.sender_id(chat_id))
            except Exception as error:  # the person must hear that it did not work
                log.error("could not forget a conversation: %s", type(error).__name__)
                await send_text(context.bot, chat_id, texts.forget_failed)
                return
        log.info("a conversation was forgotten on request (%d events)", events)
        await send_text(context.bot, chat_id, texts.forgotten)

    async def purge(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Job: delete conversations idle for longer than the retention period."""
        try:
            purged = await asyncio.to_thread(self.history.purge_older_than, self.retention_days)
        except Exception as error:  # try again at the next run
            log.error("could not purge old conversations: %s", type(error).__name__)
            return
        log.info("purged %d conversation(s) idle for over %g days", purged, self.retention_days)


def schedule_purge(application: Application, privacy: PrivacyCommands) -> None:
    application.job_queue.run_repeating(
        privacy.purge, interval=PURGE_EVERY, first=FIRST_PURGE_AFTER, name="purge old conversations"
    )
