"""A local file that keeps writes the database refused, until they can be replayed.

One JSON line per record, already scrubbed. A lock file keeps two processes
from replaying (or appending) at the same moment.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from storage.records import Record, from_json, to_json

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_suffix(".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, record: Record) -> None:
        with self._locked(), self.path.open("a", encoding="utf-8") as spool:
            spool.write(json.dumps(to_json(record)) + "\n")
            spool.flush()

    def pending(self) -> list[Record]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as spool:
            return [from_json(json.loads(line)) for line in spool if line.strip()]

    def replay(self, write_all: Callable[[Sequence[Record]], None]) -> int:
        """Hand every spooled record to `write_all` (one transaction); empty the spool if it succeeds.

        Returns how many were replayed. If `write_all` raises, the spool is kept as it was.
        """
        with self._locked():
            records = self.pending()
            if not records:
                return 0
            write_all(records)
            self.path.unlink()
        log.info("Replayed %d spooled record(s) into the database", len(records))
        return len(records)
