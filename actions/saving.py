"""The action server's one Store (feedback and unanswered questions), used off the event loop."""

from __future__ import annotations

import asyncio
import logging
from functools import cache

from storage.records import Record
from storage.store import Store

log = logging.getLogger(__name__)


@cache
def store() -> Store:
    return Store()


async def save(record: Record) -> bool:
    """Store the record (or spool it if the database is down). False only if it could not be kept."""
    try:
        await asyncio.to_thread(store().save, record)
        return True
    except Exception as error:  # even the spool failed (disk full?): say so, never crash the turn
        log.error("Could not keep a %s record: %s", type(record).__name__, type(error).__name__)
        return False
