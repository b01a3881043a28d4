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
from bot.bridge import COMMAND_PAYLOADS, Bridge
from bot.handlers import RoleGuideHandlers
from bot.settings import Settings

log = logging.getLogger(__name__)

# New and edited messages from people (not channel posts).
FROM_PEOPLE = filters.UpdateType.MESSAGES


def build_application(
    settings: Settings,
    bridge: Bridge,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    """The bot, pointed at settings.telegram_api_url. Tests pass their own offline `request`."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token or "")
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .concurrent_updates(True)
        .post_init(_set_command_menu)
        .post_shutdown(lambda _app: bridge.aclose())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    application = builder.build()
    register_handlers(application, RoleGuideHandlers(bridge))
    return application


def register_handlers(application: Application, handlers: RoleGuideHandlers) -> None:
    application.add_handler(CommandHandler("start", handlers.start, filters=FROM_PEOPLE))
    application.add_handler(CommandHandler("help", handlers.help, filters=FROM_PEOPLE))
    application.add_handler(
        CommandHandler(list(COMMAND_PAYLOADS), handlers.rasa_command, filters=FROM_PEOPLE)
    )
    application.add_handler(MessageHandler(FROM_PEOPLE & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(FROM_PEOPLE & filters.TEXT, handlers.text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(
        MessageHandler(FROM_PEOPLE & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text)
    )
    application.add_error_handler(handlers.error)


async def _set_command_menu(application: Application) -> None:
    commands = [BotCommand(c.command, c.description) for c in content.bot_texts().commands]
    await application.bot.set_my_commands(commands)
    log.info("command menu set (%d commands)", len(commands))
