"""A circuit breaker for Rasa: after a run of failures, stop waiting on it for a while.

Closed (the normal state): every message goes to Rasa. After `failures_to_open`
failures in a row the breaker opens: for `open_seconds` messages are answered
offline at once, without waiting on a Rasa that is down or stuck. Then one
message is let through as a probe (half-open); while it is out, the others
still get the offline answer. If the probe gets Rasa's answer the breaker
closes, if it fails the breaker opens again (and a probe that never reports
back is followed by another after `open_seconds`). `failures_to_open=0`
switches the breaker off.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(
        self,
        failures_to_open: int = 3,
        open_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._failures_to_open = failures_to_open
        self._open_seconds = open_seconds
        self._clock = clock
        self._failures = 0
        self._state = BreakerState.CLOSED
        self._since = 0.0  # when it opened, or when the last probe went out

    @property
    def state(self) -> BreakerState:
        return self._state

    def allow(self) -> bool:
        """Whether to ask Rasa now. In the half-open state only the one probe is allowed."""
        if self._state is BreakerState.CLOSED:
            return True
        now = self._clock()
        if now - self._since < self._open_seconds:
            return False
        self._state = BreakerState.HALF_OPEN
        self._since = now
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._state = BreakerState.CLOSED

    def record_failure(self) -> None:
        if self._failures_to_open <= 0:
            return
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self._failures_to_open:
            self._state = BreakerState.OPEN
            self._since = self._clock()
