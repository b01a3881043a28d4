"""How long a conversation is kept after its last message: TRACKER_RETENTION_DAYS.

Read by the bot (which deletes older conversations) and by the action server (whose
privacy answer says how long), so both say the same.
"""

from __future__ import annotations

import os

DEFAULT_RETENTION_DAYS = 30.0


def parse_retention_days(raw: str) -> float:
    """A number of days above zero (default 30); ValueError, naming the variable, otherwise."""
    try:
        days = float(raw) if raw.strip() else DEFAULT_RETENTION_DAYS
    except ValueError:
        days = 0.0
    if not days > 0:
        raise ValueError(f"TRACKER_RETENTION_DAYS must be a number of days above 0, not {raw!r}")
    return days


def retention_days() -> float:
    return parse_retention_days(os.environ.get("TRACKER_RETENTION_DAYS", ""))
