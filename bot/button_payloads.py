"""Maps Rasa button payloads to Telegram callback data, which may be at most 64 bytes."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

CALLBACK_DATA_LIMIT = 64
KEY_PREFIX = "k:"


class ButtonPayloads:
    """Short payloads travel as they are (and so survive a bot restart); long ones get a key.

    Keys are kept in a bounded in-memory map. A key that is no longer known
    (after a restart, or pushed out) decodes to None, and the caller falls back
    to the button's title.
    """

    def __init__(self, capacity: int = 20_000):
        self._capacity = capacity
        self._payload_by_key: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(KEY_PREFIX):
            return payload
        key = KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._payload_by_key[key] = payload
        self._payload_by_key.move_to_end(key)
        while len(self._payload_by_key) > self._capacity:
            self._payload_by_key.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        if data.startswith(KEY_PREFIX):
            return self._payload_by_key.get(data)
        return data
