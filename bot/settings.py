"""Configuration from the environment (documented in the README's settings table)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PUBLIC_BOT_API = "https://api.telegram.org"


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None
    telegram_api_url: str
    rasa_url: str
    rasa_timeout_seconds: float
    data_dir: Path
    sender_secret: str | None
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen: str
    webhook_port: int
    log_level: str

    @property
    def bot_api_base_url(self) -> str:
        """PTB appends the token and method: <root>/bot<token>/<method>."""
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_api_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
            telegram_api_url=(os.environ.get("TELEGRAM_API_URL", "").strip() or PUBLIC_BOT_API).rstrip("/"),
            rasa_url=(os.environ.get("RASA_URL", "").strip() or "http://127.0.0.1:5005").rstrip("/"),
            rasa_timeout_seconds=_float("RASA_TIMEOUT_SECONDS", 10.0),
            data_dir=Path(os.environ.get("ROLEGUIDE_DATA_DIR", "").strip() or "var"),
            sender_secret=os.environ.get("ROLEGUIDE_SENDER_SECRET", "").strip() or None,
            webhook_url=os.environ.get("WEBHOOK_URL", "").strip().rstrip("/") or None,
            webhook_secret=os.environ.get("WEBHOOK_SECRET", "").strip() or None,
            webhook_listen=os.environ.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
            webhook_port=_int("WEBHOOK_PORT", 8443),
            log_level=os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO",
        )
