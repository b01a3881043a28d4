"""Builds the python-telegram-bot Application: handlers registered in one place."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

import content
from bot.aiohttp_request import AiohttpRequest
from bot.bridge import COMMAND_PAYLOADS, Bridge
from bot.conversation_history import ConversationHistory, tracker_database_url
from bot.coordinator_commands import CALLBACK_PATTERN, CoordinatorCommands, schedule_weekly_digest
from bot.handlers import RoleGuideHandlers
from bot.privacy_commands import PrivacyCommands, schedule_purge
from bot.rate_limit import RateLimiter
from bot.settings import Settings
from storage.store import Store

log = logging.getLogger(__name__)

# New and edited messages from people (not channel posts).
FROM_PEOPLE = filters.UpdateType.MESSAGES


def build_application(
    settings: Settings,
    bridge: Bridge,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    store: Store | None = None,
    history: ConversationHistory | None = None,
    rate_limiter: RateLimiter | None = None,
) -> Application:
    """The bot, pointed at settings.telegram_api_url.

    Tests pass their own `request`, `store`, `history` and `rate_limiter`.
    """
    if rate_limiter is None:
        rate_limiter = RateLimiter(settings.rate_limit_messages, settings.rate_limit_seconds)
    handlers = RoleGuideHandlers(bridge, rate_limiter=rate_limiter)
    privacy = PrivacyCommands(
        history or ConversationHistory(tracker_database_url(settings.data_dir)),
        bridge.sender_id,
        settings.tracker_retention_days,
        handlers.chat_locks,
    )
    coordinators = CoordinatorCommands(
        settings.coordinator_ids,
        store if store is not None else Store(settings.database_url),
        settings.digest_timezone,
        refuse=handlers.unknown_command,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token or "")
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .concurrent_updates(True)
        .post_init(lambda app: _set_command_menu(app, coordinators))
        .post_shutdown(lambda _app: bridge.aclose())
    )
    # Tests pass an offline request; otherwise aiohttp rather than PTB's default httpx
    # (bot/aiohttp_request.py). getUpdates waits long, so it has a request of its own.
    if request is None:
        request, get_updates_request = AiohttpRequest(), AiohttpRequest(connection_pool_size=1)
    builder = builder.request(request).get_updates_request(get_updates_request or request)
    application = builder.build()
    register_handlers(application, handlers, coordinators, privacy)
    schedule_weekly_digest(application, settings, coordinators)
    schedule_purge(application, privacy)
    return application


def register_handlers(
    application: Application,
    handlers: RoleGuideHandlers,
    coordinators: CoordinatorCommands,
    privacy: PrivacyCommands,
) -> None:
    """In order: the first handler that matches an update answers it."""
    application.add_handler(CommandHandler("start", handlers.start, filters=FROM_PEOPLE))
    application.add_handler(CommandHandler("help", handlers.help, filters=FROM_PEOPLE))
    application.add_handler(CommandHandler("privacy", privacy.privacy, filters=FROM_PEOPLE))
    application.add_handler(CommandHandler("forget", privacy.forget, filters=FROM_PEOPLE))
    application.add_handler(
        CommandHandler(list(COMMAND_PAYLOADS), handlers.rasa_command, filters=FROM_PEOPLE)
    )
    # Coordinators' commands come before unknown_command (what anyone else gets from them), and
    # their button before the general one, so it never reaches Rasa.
    application.add_handler(CommandHandler("digest", coordinators.digest, filters=FROM_PEOPLE))
    application.add_handler(CommandHandler("unanswered", coordinators.unanswered, filters=FROM_PEOPLE))
    application.add_handler(CallbackQueryHandler(coordinators.mark_reviewed, pattern=CALLBACK_PATTERN))
    application.add_handler(MessageHandler(FROM_PEOPLE & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(FROM_PEOPLE & filters.TEXT, handlers.text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(
        MessageHandler(FROM_PEOPLE & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text)
    )
    application.add_error_handler(handlers.error)


async def _set_command_menu(application: Application, coordinators: CoordinatorCommands) -> None:
    """The public menu for everyone; coordinators' own chats also list their commands."""
    commands = [BotCommand(c.command, c.description) for c in content.bot_texts().commands]
    await application.bot.set_my_commands(commands)
    log.info("command menu set (%d commands)", len(commands))
    await coordinators.set_command_menus(application.bot, commands)
