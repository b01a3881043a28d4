"""Per-chat rate limiting: a token bucket for each chat, so one flood cannot crowd out everyone else.

A chat may send `max_messages` quickly; after that it earns one more message
every `per_seconds / max_messages` seconds, and a quiet `per_seconds` fills the
bucket again. The first message over the limit gets one kind notice
(Verdict.NOTIFY); further ones within the next `per_seconds` are dropped
silently (Verdict.DROP). The limiter only gives a verdict: the caller decides,
so a message that may be a crisis is always answered, whatever the limiter says.

Memory is bounded: a chat quiet for `per_seconds` is in the same state as a new
one and is forgotten; beyond `max_chats` the least recently active chat goes.
`max_messages=0` switches limiting off.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_CHATS = 10_000
_ROUNDING = 1e-9  # 2.5 s at 0.4 messages a second is one whole message, whatever the floats say


class Verdict(enum.Enum):
    """What to do with one message."""

    ALLOW = "allow"  # answer it as usual
    NOTIFY = "notify"  # over the limit: send the one kind notice, do not answer it
    DROP = "drop"  # over the limit and already told: say nothing


@dataclass
class _Bucket:
    tokens: float
    updated_at: float
    notice_until: float = float("-inf")  # no second notice before this time


class RateLimiter:
    """`max_messages` per `per_seconds` for each chat, with bursts up to `max_messages` (0: no limit)."""

    def __init__(
        self,
        max_messages: int,
        per_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = DEFAULT_MAX_CHATS,
    ) -> None:
        if max_messages < 0:
            raise ValueError("max_messages must be 0 (no limit) or more")
        if per_seconds <= 0:
            raise ValueError("per_seconds must be more than 0")
        if max_chats < 1:
            raise ValueError("max_chats must be at least 1")
        self.max_messages = max_messages
        self.per_seconds = per_seconds
        self._refill_per_second = max_messages / per_seconds
        self._clock = clock
        self._max_chats = max_chats
        self._buckets: OrderedDict[int | str, _Bucket] = OrderedDict()  # least recently active first

    @property
    def chats_remembered(self) -> int:
        """How many chats the limiter holds state for right now."""
        return len(self._buckets)

    def check(self, chat_id: int | str) -> Verdict:
        """Count one message from `chat_id` and say whether to answer it, notify, or drop it."""
        if self.max_messages == 0:
            return Verdict.ALLOW
        now = self._clock()
        self._forget_quiet_chats(now)
        bucket = self._buckets.pop(chat_id, None)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.max_messages), updated_at=now)
        else:
            elapsed = max(0.0, now - bucket.updated_at)
            refilled = bucket.tokens + elapsed * self._refill_per_second
            # Exactly full after a quiet window (no rounding), so forgetting a quiet chat changes nothing.
            full = elapsed >= self.per_seconds or refilled >= self.max_messages
            bucket.tokens = float(self.max_messages) if full else refilled
            bucket.updated_at = now
        self._buckets[chat_id] = bucket  # now the most recently active
        while len(self._buckets) > self._max_chats:
            self._buckets.popitem(last=False)

        if bucket.tokens >= 1.0 - _ROUNDING:
            bucket.tokens -= 1.0
            return Verdict.ALLOW
        if now >= bucket.notice_until:
            bucket.notice_until = now + self.per_seconds
            return Verdict.NOTIFY
        return Verdict.DROP

    def _forget_quiet_chats(self, now: float) -> None:
        """Drop chats quiet for a whole window: their bucket is full and no notice is pending."""
        while self._buckets:
            bucket = next(iter(self._buckets.values()))
            if now - bucket.updated_at < self.per_seconds:
                break
            self._buckets.popitem(last=False)
