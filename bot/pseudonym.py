"""Pseudonymous sender ids: Rasa sees HMAC(secret, chat id), never a Telegram id."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILENAME = "sender_secret"


def pseudonymous_sender_id(secret: str, chat_id: int | str) -> str:
    """A stable id for one chat that cannot be turned back into the chat id without the secret."""
    digest = hmac.new(secret.encode(), str(chat_id).encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def load_or_create_secret(data_dir: Path, given: str | None = None) -> str:
    """The HMAC key: from the environment if given, else a file made once (outside git)."""
    if given:
        return given
    path = data_dir / SECRET_FILENAME
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # Create with owner-only permissions; never world-readable, even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret
