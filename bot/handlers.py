"""Telegram update handlers: commands, text, button presses and everything else people send."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

import content
from bot.bridge import COMMAND_PAYLOADS, Bridge, offline_replies, welcome_reply
from bot.button_payloads import ButtonPayloads
from bot.incoming_text import typed_words
from bot.rasa_client import Reply
from bot.rate_limit import RateLimiter, Verdict
from bot.rendering import inline_keyboard, split_for_telegram, to_html
from bot.typing_indicator import typing_indicator

log = logging.getLogger(__name__)


class ChatLocks:
    """One lock per chat, so a chat's messages are answered in order while chats run concurrently.

    Locks live only while someone holds or waits for them (weak references).
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def for_chat(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat_id] = lock
        return lock


class RoleGuideHandlers:
    """What the handlers share: the bridge to Rasa, button payloads, per-chat order, the rate limit."""

    def __init__(
        self,
        bridge: Bridge,
        payloads: ButtonPayloads | None = None,
        rate_limiter: RateLimiter | None = None,
    ):
        self.bridge = bridge
        self.payloads = payloads or ButtonPayloads()
        self.chat_locks = ChatLocks()
        # By default no limit (build_application passes the one from the settings).
        self.rate_limiter = RateLimiter(0, 1.0) if rate_limiter is None else rate_limiter

    # --- commands -------------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._over_rate_limit(update.effective_message):
            return
        await self._send(update.effective_message, [welcome_reply()])

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._over_rate_limit(update.effective_message):
            return
        await self._send(update.effective_message, [Reply(content.bot_texts().help)])

    async def rasa_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/roles, /quiz: commands whose answer comes from Rasa (see COMMAND_PAYLOADS)."""
        message = update.effective_message
        if await self._over_rate_limit(message):
            return
        command = (message.text or "").split()[0].lstrip("/").split("@")[0].lower()
        await self._ask_rasa(message, COMMAND_PAYLOADS[command], context)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A "/word" we do not know: said in words ("/kill myself", "/what is tokenism") it is read as
        the words; alone, the person is shown our commands. The safety net reads both."""
        message = update.effective_message
        question = addressed_text(message, context.bot.username, context.bot.id)
        if question is None:
            return
        words = typed_words(question)
        if len(words.split()) > 1 or self.bridge.safety_net.may_be_crisis(words):
            await self._answer_typed(message, words, context)
            return
        if await self._over_rate_limit(message):
            return
        await self._send(message, [Reply(content.bot_texts().unknown_command)])

    # --- messages -------------------------------------------------------------------------

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        question = addressed_text(message, context.bot.username, context.bot.id)
        if question is None:
            return
        await self._answer_typed(message, typed_words(question), context)

    async def _answer_typed(
        self, message: Message, question: str, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Answer words a person typed (`typed_words`: never an intent payload)."""
        # A message that may be a crisis is always answered, even over the rate limit
        # (the bridge's safety net answers it before Rasa).
        if not self.bridge.safety_net.may_be_crisis(question) and await self._over_rate_limit(message):
            return
        if not question.strip():
            hint = content.bot_texts().empty_message
            if message.chat.type != ChatType.PRIVATE:
                hint = content.bot_texts().group_hint
            await self._send(message, [Reply(hint)])
            return
        await self._ask_rasa(message, question, context)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message.chat.type != ChatType.PRIVATE and not _is_reply_to_bot(message, context.bot.id):
            return
        if await self._over_rate_limit(message):
            return
        await self._send(message, [Reply(content.bot_texts().non_text)])

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        message = query.message
        if not isinstance(message, Message):  # too old for Telegram to show us
            return
        if await self._over_rate_limit(message):
            return
        payload = self.payloads.decode(query.data or "") or _button_title(message.reply_markup, query.data)
        if not payload:
            await self._send(message, [Reply(content.bot_texts().button_expired)])
            return
        await self._ask_rasa(message, payload, context)

    # --- failures -------------------------------------------------------------------------

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure (its kind, never the message) and still answer the person."""
        log.error("handler failed: %s", type(context.error).__name__, exc_info=context.error)
        if isinstance(update, Update) and update.effective_message:
            try:
                await self._send(update.effective_message, offline_replies())
            except TelegramError as error:
                log.error("could not send the fallback answer: %s", type(error).__name__)

    # --- shared ---------------------------------------------------------------------------

    async def _over_rate_limit(self, message: Message) -> bool:
        """Count the message; True means it is over the limit and the caller drops it.

        The first message over the limit gets one kind notice (sent after the answers its
        chat is still waiting for); the next ones get nothing until the chat slows down.
        """
        verdict = self.rate_limiter.check(message.chat_id)
        if verdict is Verdict.NOTIFY:
            log.info("a chat is over the rate limit; it was told once")
            async with self.chat_locks.for_chat(message.chat_id):
                await self._send(message, [Reply(content.bot_texts().rate_limited)])
        return verdict is not Verdict.ALLOW

    async def _ask_rasa(self, message: Message, text: str, context: ContextTypes.DEFAULT_TYPE) -> None:
        received_at = time.monotonic()  # the answer deadline counts the wait for this chat's lock too
        async with self.chat_locks.for_chat(message.chat_id):
            batches = self.bridge.replies(message.chat_id, text, received_at=received_at)
            while True:  # each batch as soon as it is ready: the help lines never wait for Rasa
                async with typing_indicator(context.bot, message.chat_id):
                    replies = await anext(batches, None)
                if replies is None:
                    break
                await self._send(message, replies)

    async def _send(self, message: Message, replies: Sequence[Reply]) -> None:
        for reply in replies:
            keyboard = inline_keyboard(reply.buttons, self.payloads)
            await send_text(message.get_bot(), message.chat_id, reply.text, keyboard)


async def send_text(bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Plain text as escaped HTML, split under Telegram's limit; the keyboard goes on the last piece."""
    pieces = split_for_telegram(text)
    for index, piece in enumerate(pieces):
        is_last = index == len(pieces) - 1
        await bot.send_message(
            chat_id=chat_id,
            text=to_html(piece),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if is_last else None,
            disable_web_page_preview=True,
        )


def addressed_text(message: Message, bot_username: str | None, bot_id: int) -> str | None:
    """The text meant for the bot, or None when a group message is not addressed to it.

    In private chats every message is for the bot. In groups it answers only
    when mentioned by @username (the mention is removed) or replied to.
    """
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    if bot_username and _mentions_bot(message, bot_username):
        return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()
    if _is_reply_to_bot(message, bot_id):
        return text
    return None


def _mentions_bot(message: Message, bot_username: str | None) -> bool:
    text = message.text or ""
    return bool(bot_username) and f"@{bot_username}".lower() in text.lower()


def _is_reply_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


def _button_title(markup: InlineKeyboardMarkup | None, data: str | None) -> str | None:
    """The label of the pressed button: said as text when its payload is no longer known."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for key in row:
            if key.callback_data == data:
                return key.text
    return None
