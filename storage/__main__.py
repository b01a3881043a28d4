"""`python -m storage`: bring the database up to date and replay anything waiting in the spool.

`make run` runs it before starting the services, so they never race to create tables.
"""

from __future__ import annotations

import sys

from storage.store import Store


def main() -> int:
    store = Store()
    try:
        store.ensure_schema()
        replayed = store.replay_spool()
    except Exception as error:  # the services still start: feedback is spooled until the database is back
        print(f"The feedback database is not reachable yet ({type(error).__name__}); writes will be spooled.")
        return 0
    if replayed:
        print(f"Replayed {replayed} spooled record(s) into the feedback database.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
