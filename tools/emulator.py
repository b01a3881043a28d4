"""The local Telegram Bot API emulator (../shared/telegram-emulator) for the soak test.

TELEGRAM_EMULATOR_DIR points elsewhere; it is npm-installed into .tgemu on
first use. `tgclient()` imports the emulator's client module, which plays a
Telegram user.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_DIR = Path(os.environ.get("TELEGRAM_EMULATOR_DIR") or ROOT.parent / "shared" / "telegram-emulator")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tgclient() -> ModuleType:
    """The emulator's `tgclient` module (TgClient, transcript)."""
    if str(EMULATOR_DIR) not in sys.path:
        sys.path.insert(0, str(EMULATOR_DIR))
    import tgclient

    return tgclient


@contextlib.contextmanager
def running_emulator() -> Iterator[str]:
    """Start the emulator on a free port; yields its URL."""
    port = free_port()
    env = dict(os.environ, TGEMU_DIR=str(ROOT / ".tgemu"))
    script = EMULATOR_DIR / "emulator.sh"
    subprocess.run(["bash", str(script), "start", str(port)], env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run(["bash", str(script), "stop", str(port)], env=env, check=False, capture_output=True)
