"""The guard list of ordinary short messages (tests/safety/ordinary_messages.yml).

It is a regression list, not a measured set: every false alarm found on an ordinary
message is added to it, and the nets are tuned until none of it raises the alarm.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ORDINARY_MESSAGES = Path(__file__).with_name("ordinary_messages.yml")


def ordinary_messages() -> list[str]:
    groups = yaml.safe_load(ORDINARY_MESSAGES.read_text(encoding="utf-8"))["ordinary"]
    return [str(text) for messages in groups.values() for text in messages]
