"""Starts the bot: Telegram (polling, or a webhook when WEBHOOK_URL is set), or a terminal chat."""

from __future__ import annotations

import asyncio
import logging

import content
from bot.app import build_application
from bot.bridge import Bridge
from bot.circuit_breaker import CircuitBreaker
from bot.health import BotHealth, attach
from bot.pseudonym import load_or_create_secret
from bot.rasa_client import RasaRestClient
from bot.rasa_pool import RasaPool
from bot.safety_net import SafetyNet
from bot.settings import Settings, SettingsError
from bot.terminal_chat import chat

log = logging.getLogger("bot")


def configure_logging(level: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def make_rasa_client(settings: Settings) -> RasaRestClient | RasaPool:
    """The Rasa client with the answer deadline, retries and circuit breaker from the settings;
    with several servers (RASA_URLS), a pool of them, where the next server is the retry."""
    servers = settings.rasa_servers
    clients = [
        RasaRestClient(
            url,
            settings.rasa_deadline_seconds,
            retries=settings.rasa_retries if len(servers) == 1 else 0,
            breaker=CircuitBreaker(settings.rasa_breaker_failures, settings.rasa_breaker_seconds),
        )
        for url in servers
    ]
    return clients[0] if len(clients) == 1 else RasaPool(clients)


def make_bridge(settings: Settings, rasa: RasaRestClient | RasaPool | None = None) -> Bridge:
    secret = load_or_create_secret(settings.data_dir, settings.sender_secret)
    return Bridge(rasa or make_rasa_client(settings), secret, SafetyNet(settings.crisis_region))


def main() -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise SystemExit(f"Cannot start the Role Guide: {error}") from None
    configure_logging(settings.log_level)
    content.load_all()
    if not settings.telegram_token:
        log.info("no TELEGRAM_BOT_TOKEN: starting the terminal chat")
        asyncio.run(chat(make_bridge(settings)))
        return

    rasa = make_rasa_client(settings)
    application = build_application(settings, make_bridge(settings, rasa))
    if settings.health_port:
        attach(application, BotHealth(rasa), settings.health_listen, settings.health_port)
    if settings.webhook_url:
        if not settings.webhook_secret:
            raise SystemExit(
                "WEBHOOK_SECRET must be set in webhook mode (Telegram sends it with every update)"
            )
        log.info("webhook mode on %s:%d", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=f"{settings.webhook_url}/telegram",
            secret_token=settings.webhook_secret,
        )
    else:
        log.info("polling %s", settings.telegram_api_url)
        application.run_polling()


if __name__ == "__main__":
    main()
