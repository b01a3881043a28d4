"""Configuration from the environment (documented in the README's settings table)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import content
from bot.rasa_client import DEFAULT_DEADLINE_SECONDS, DEFAULT_RETRIES
from storage import retention
from storage.database import database_url

PUBLIC_BOT_API = "https://api.telegram.org"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SettingsError(ValueError):
    """A setting has a value the bot cannot use; the message names the variable."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def parse_crisis_region(raw: str) -> str | None:
    """CRISIS_REGION: a region in content/crisis_lines.yml (or another name for one); empty: the default."""
    if not raw.strip():
        return None
    lines = content.crisis_lines_file()
    region = lines.find_region(raw)
    if region is not None:
        return region
    known = ", ".join(sorted(lines.regions))
    raise SettingsError(f"CRISIS_REGION {raw.strip()!r} is not a region in crisis_lines.yml ({known})")


def parse_retention_days(raw: str) -> float:
    """TRACKER_RETENTION_DAYS: a number of days above zero (default 30; storage/retention.py)."""
    try:
        return retention.parse_retention_days(raw)
    except ValueError as error:
        raise SettingsError(str(error)) from None


def parse_coordinator_ids(raw: str) -> frozenset[int]:
    """COORDINATOR_IDS: Telegram user ids separated by commas or spaces; empty means no coordinators."""
    parts = [part for part in re.split(r"[,\s]+", raw) if part]
    bad = [part for part in parts if not re.fullmatch(r"[0-9]+", part)]
    if bad:
        raise SettingsError(
            f"COORDINATOR_IDS must be Telegram user ids (numbers) separated by commas or spaces; "
            f"{len(bad)} entr{'y is' if len(bad) == 1 else 'ies are'} not a number"
        )
    return frozenset(int(part) for part in parts)


def parse_rate_limit_messages(raw: str) -> int:
    """RATE_LIMIT_MESSAGES: how many messages a chat may send per RATE_LIMIT_SECONDS; 0 means no limit."""
    value = raw.strip() or "8"
    if not re.fullmatch(r"[0-9]+", value):
        raise SettingsError(f"RATE_LIMIT_MESSAGES must be a whole number (0 for no limit), not {raw!r}")
    return int(value)


def parse_rate_limit_seconds(raw: str) -> float:
    """RATE_LIMIT_SECONDS: the length of the rate limit's window, in seconds (more than 0)."""
    value = raw.strip() or "20"
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise SettingsError(f"RATE_LIMIT_SECONDS must be a number of seconds more than 0, not {raw!r}")
    return seconds


def parse_seconds(name: str, raw: str, default: float) -> float:
    """A number of seconds more than 0, held in the variable `name`."""
    try:
        seconds = float(raw.strip()) if raw.strip() else default
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise SettingsError(f"{name} must be a number of seconds more than 0, not {raw!r}")
    return seconds


def parse_count(name: str, raw: str, default: int, most: int | None = None) -> int:
    """A whole number from 0 (to `most`), held in the variable `name`."""
    value = raw.strip() or str(default)
    if not re.fullmatch(r"[0-9]+", value) or (most is not None and int(value) > most):
        limit = f" up to {most}" if most is not None else ""
        raise SettingsError(f"{name} must be a whole number from 0{limit}, not {raw!r}")
    return int(value)


def parse_rasa_deadline(raw: str, older_name_raw: str) -> float:
    """RASA_DEADLINE_SECONDS, or its older name RASA_TIMEOUT_SECONDS when only that is set."""
    if raw.strip() or not older_name_raw.strip():
        return parse_seconds("RASA_DEADLINE_SECONDS", raw, DEFAULT_DEADLINE_SECONDS)
    return parse_seconds("RASA_TIMEOUT_SECONDS", older_name_raw, DEFAULT_DEADLINE_SECONDS)


def parse_digest_day(raw: str) -> str:
    """DIGEST_DAY: mon, tue, ... sun (full English names are fine too)."""
    day = raw.strip().lower() or "mon"
    for short, full in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
        if day in (short, full):
            return short
    raise SettingsError(f"DIGEST_DAY must be one of {', '.join(WEEKDAYS)}, not {raw!r}")


def parse_digest_time(raw: str) -> time:
    """DIGEST_TIME: HH:MM on a 24-hour clock."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip() or "09:00")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(f"DIGEST_TIME must be HH:MM on a 24-hour clock, like 09:00, not {raw!r}")
    return time(int(match[1]), int(match[2]))


def parse_timezone(raw: str) -> str:
    """DIGEST_TIMEZONE: a time zone name such as Europe/London."""
    name = raw.strip() or "Europe/London"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise SettingsError(
            f"DIGEST_TIMEZONE must be a time zone name like Europe/London, not {raw!r}"
        ) from error
    return name


def parse_rasa_urls(raw: str) -> tuple[str, ...]:
    """RASA_URLS: Rasa servers' roots, separated by commas or spaces (http:// or https://)."""
    urls = tuple(dict.fromkeys(part.rstrip("/") for part in raw.replace(",", " ").split()))
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise SettingsError(f"RASA_URLS: {url!r} is not an http:// or https:// address")
    return urls


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None
    telegram_api_url: str
    rasa_url: str
    rasa_deadline_seconds: float  # from receiving a message to the offline answer, retries included
    data_dir: Path
    sender_secret: str | None
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen: str
    webhook_port: int
    log_level: str
    coordinator_ids: frozenset[int] = frozenset()
    digest_day: str = "mon"  # one of WEEKDAYS
    digest_time: time = time(9, 0)
    digest_timezone: str = "Europe/London"
    database_url: str | None = None  # None: storage.database.database_url() decides
    rate_limit_messages: int = 8  # per chat per rate_limit_seconds; 0: no limit
    rate_limit_seconds: float = 20.0
    tracker_retention_days: float = 30.0  # conversations are deleted this long after their last message
    rasa_retries: int = DEFAULT_RETRIES  # extra attempts, only when Rasa cannot have seen the message
    rasa_breaker_failures: int = 3  # failures in a row that open the circuit breaker; 0: no breaker
    rasa_breaker_seconds: float = 5.0  # how long it stays open before a probe
    health_port: int = 0  # the bot's HTTP health check; 0: none
    health_listen: str = "127.0.0.1"
    crisis_region: str | None = None  # whose help lines come first; None: crisis_lines.yml's default
    rasa_urls: tuple[str, ...] = ()  # several Rasa servers (bot.rasa_pool); empty: rasa_url alone

    @property
    def rasa_servers(self) -> tuple[str, ...]:
        """Every Rasa server the bot talks to: RASA_URLS, or RASA_URL alone."""
        return self.rasa_urls or (self.rasa_url,)

    @property
    def digest_at(self) -> time:
        """When the weekly digest goes out: DIGEST_TIME in DIGEST_TIMEZONE."""
        return self.digest_time.replace(tzinfo=ZoneInfo(self.digest_timezone))

    @property
    def bot_api_base_url(self) -> str:
        """PTB appends the token and method: <root>/bot<token>/<method>."""
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_api_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    @classmethod
    def from_env(cls) -> Settings:
        """Read the environment; raises SettingsError, naming the variable, for a value it cannot use."""
        return cls(
            telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
            telegram_api_url=(os.environ.get("TELEGRAM_API_URL", "").strip() or PUBLIC_BOT_API).rstrip("/"),
            rasa_url=(os.environ.get("RASA_URL", "").strip() or "http://127.0.0.1:5005").rstrip("/"),
            rasa_deadline_seconds=parse_rasa_deadline(
                os.environ.get("RASA_DEADLINE_SECONDS", ""), os.environ.get("RASA_TIMEOUT_SECONDS", "")
            ),
            data_dir=Path(os.environ.get("ROLEGUIDE_DATA_DIR", "").strip() or "var"),
            sender_secret=os.environ.get("ROLEGUIDE_SENDER_SECRET", "").strip() or None,
            webhook_url=os.environ.get("WEBHOOK_URL", "").strip().rstrip("/") or None,
            webhook_secret=os.environ.get("WEBHOOK_SECRET", "").strip() or None,
            webhook_listen=os.environ.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
            webhook_port=_int("WEBHOOK_PORT", 8443),
            log_level=os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO",
            coordinator_ids=parse_coordinator_ids(os.environ.get("COORDINATOR_IDS", "")),
            digest_day=parse_digest_day(os.environ.get("DIGEST_DAY", "")),
            digest_time=parse_digest_time(os.environ.get("DIGEST_TIME", "")),
            digest_timezone=parse_timezone(os.environ.get("DIGEST_TIMEZONE", "")),
            database_url=database_url(),
            rate_limit_messages=parse_rate_limit_messages(os.environ.get("RATE_LIMIT_MESSAGES", "")),
            rate_limit_seconds=parse_rate_limit_seconds(os.environ.get("RATE_LIMIT_SECONDS", "")),
            tracker_retention_days=parse_retention_days(os.environ.get("TRACKER_RETENTION_DAYS", "")),
            rasa_retries=parse_count("RASA_RETRIES", os.environ.get("RASA_RETRIES", ""), DEFAULT_RETRIES),
            rasa_breaker_failures=parse_count(
                "RASA_BREAKER_FAILURES", os.environ.get("RASA_BREAKER_FAILURES", ""), 3
            ),
            rasa_breaker_seconds=parse_seconds(
                "RASA_BREAKER_SECONDS", os.environ.get("RASA_BREAKER_SECONDS", ""), 5.0
            ),
            health_port=parse_count("HEALTH_PORT", os.environ.get("HEALTH_PORT", ""), 0, most=65535),
            health_listen=os.environ.get("HEALTH_LISTEN", "").strip() or "127.0.0.1",
            crisis_region=parse_crisis_region(os.environ.get("CRISIS_REGION", "")),
            rasa_urls=parse_rasa_urls(os.environ.get("RASA_URLS", "")),
        )
