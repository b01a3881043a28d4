"""A throwaway Redis server for tests, from the machine's own redis-server (Debian package: redis-server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tools.emulator import free_port


@contextmanager
def throwaway_redis() -> Iterator[int]:
    """Start redis-server on a free loopback port, keeping nothing on disk; yields the port."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server was not found (Debian package: redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(10)
