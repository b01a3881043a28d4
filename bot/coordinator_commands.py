"""Commands for the Role Guide's coordinators, in their own private chat: /digest and /unanswered.

Only the user ids listed in COORDINATOR_IDS may use them, and only in a
private chat (a digest is never posted into a group). Anyone else gets the
ordinary unknown-command reply, as if the commands did not exist. The same
digest goes to every coordinator once a week.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

import content
from bot.handlers import send_text
from bot.settings import Settings
from content.schema import CoordinatorTexts
from coordinator.digest import DatabaseUnreadable, Digest, build_digest, mark_reviewed, open_questions
from storage.store import Store

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "cdr:"  # every coordinator button starts with this
CALLBACK_PATTERN = f"^{CALLBACK_PREFIX}"
MARK_REVIEWED = f"{CALLBACK_PREFIX}reviewed:"
PTB_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # JobQueue.run_daily: 0 is Sunday

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
Result = TypeVar("Result")


class ShownLists:
    """The question ids behind each /unanswered list, under a short key that fits in callback data.

    Kept in memory, at most `capacity` lists: after a restart the button says the list is too old.
    """

    def __init__(self, capacity: int = 200) -> None:
        self._capacity = capacity
        self._ids_by_key: OrderedDict[str, list[int]] = OrderedDict()

    def remember(self, ids: Sequence[int]) -> str:
        key = secrets.token_urlsafe(9)  # 12 characters
        self._ids_by_key[key] = list(ids)
        while len(self._ids_by_key) > self._capacity:
            self._ids_by_key.popitem(last=False)
        return key

    def get(self, key: str) -> list[int] | None:
        return self._ids_by_key.get(key)

    def forget(self, key: str) -> None:
        self._ids_by_key.pop(key, None)


class CoordinatorCommands:
    """The coordinators' commands, their button, their command menu and the weekly digest."""

    def __init__(
        self, coordinator_ids: Collection[int], store: Store, timezone: str, refuse: Handler
    ) -> None:
        self.coordinator_ids = frozenset(coordinator_ids)
        self.store = store
        self.timezone = ZoneInfo(timezone)
        self.refuse = refuse  # the ordinary unknown-command reply
        self.shown_lists = ShownLists()

    # --- commands -------------------------------------------------------------------------

    async def digest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/digest: the last 7 days in short, then the chart."""
        if await self._refused(update, context):
            return
        await self._deliver(context.bot, update.effective_chat.id, await self._read_digest())

    async def unanswered(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/unanswered: the open questions, most asked first, with a button to mark them reviewed."""
        if await self._refused(update, context):
            return
        chat_id = update.effective_chat.id
        listing = await self._use_store(open_questions, self.store)
        if listing is None:
            await send_text(context.bot, chat_id, _texts().database_unreadable)
            return
        keyboard = None
        if listing.ids:
            callback_data = MARK_REVIEWED + self.shown_lists.remember(listing.ids)
            button = InlineKeyboardButton(_texts().mark_reviewed_button, callback_data=callback_data)
            keyboard = InlineKeyboardMarkup([[button]])
        await send_text(context.bot, chat_id, listing.text, keyboard)

    async def mark_reviewed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The "Mark these as reviewed" button: marks exactly the questions its list showed."""
        query = update.callback_query
        if not self.is_coordinator_in_private(update):
            log.info("coordinator button refused")
            await query.answer(_texts().not_for_you, show_alert=True)
            return
        await query.answer()
        chat_id = update.effective_chat.id
        key = (query.data or "").removeprefix(MARK_REVIEWED)
        ids = self.shown_lists.get(key)
        if ids is None:
            await send_text(context.bot, chat_id, _texts().list_expired)
            return
        marked = await self._use_store(mark_reviewed, self.store, ids)
        if marked is None:
            await send_text(context.bot, chat_id, _texts().database_unreadable)
            return
        self.shown_lists.forget(key)
        with contextlib.suppress(BadRequest):  # the button has done its job; fine if it cannot go
            await query.edit_message_reply_markup(reply_markup=None)
        done = _texts().marked_reviewed if marked else _texts().already_reviewed
        await send_text(context.bot, chat_id, done)

    # --- the weekly digest and the menu ----------------------------------------------------

    async def weekly_digest(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The JobQueue callback: the digest to every coordinator; one failed delivery stops no other."""
        digest = await self._read_digest()
        for chat_id in sorted(self.coordinator_ids):  # a private chat's id is the user's id
            try:
                await self._deliver(context.bot, chat_id, digest)
            except TelegramError as error:  # e.g. Forbidden: they blocked the bot
                log.warning("weekly digest not delivered to a coordinator: %s", type(error).__name__)

    async def set_command_menus(self, bot: Bot, public: Sequence[BotCommand]) -> None:
        """Coordinators see their commands after the public ones, in their own chats only."""
        menu = [*public, *(BotCommand(c.command, c.description) for c in _texts().commands)]
        for chat_id in sorted(self.coordinator_ids):
            try:
                await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
            except TelegramError as error:  # e.g. they have not started a chat with the bot yet
                log.warning("coordinator command menu not set for a coordinator: %s", type(error).__name__)

    # --- shared ---------------------------------------------------------------------------

    def is_coordinator_in_private(self, update: Update) -> bool:
        user, chat = update.effective_user, update.effective_chat
        return bool(user and chat and user.id in self.coordinator_ids and chat.type == ChatType.PRIVATE)

    async def _refused(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """True (after the ordinary unknown-command reply) unless a coordinator asks in private."""
        if self.is_coordinator_in_private(update):
            return False
        log.info("coordinator command refused")
        await self.refuse(update, context)
        return True

    async def _use_store(self, work: Callable[..., Result], *args: object) -> Result | None:
        """Run blocking database work in a worker thread; None (and a log line) if the database fails."""
        try:
            return await asyncio.to_thread(work, *args)
        except DatabaseUnreadable as error:
            log.error("could not read the feedback database: %s", error)
            return None

    async def _read_digest(self) -> Digest | None:
        return await self._use_store(build_digest, self.store, datetime.now(self.timezone).date())

    async def _deliver(self, bot: Bot, chat_id: int, digest: Digest | None) -> None:
        """The digest text, then its chart; or the "couldn't read the database" text."""
        if digest is None:
            await send_text(bot, chat_id, _texts().database_unreadable)
            return
        await send_text(bot, chat_id, digest.text)
        if digest.chart_png:
            await bot.send_photo(chat_id, photo=digest.chart_png, caption=digest.chart_caption)


def schedule_weekly_digest(
    application: Application, settings: Settings, commands: CoordinatorCommands
) -> None:
    """Send the digest every DIGEST_DAY at DIGEST_TIME (DIGEST_TIMEZONE); no coordinators, no job."""
    if not settings.coordinator_ids:
        return
    if application.job_queue is None:
        raise RuntimeError("the weekly digest needs python-telegram-bot[job-queue]")
    application.job_queue.run_daily(
        commands.weekly_digest,
        time=settings.digest_at,
        days=(PTB_WEEKDAYS.index(settings.digest_day),),
        name="weekly digest",
    )
    when = f"{settings.digest_day} {settings.digest_time:%H:%M} ({settings.digest_timezone})"
    log.info("weekly digest scheduled: %s", when)


def _texts() -> CoordinatorTexts:
    return content.coordinator_texts()
