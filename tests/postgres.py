"""A throwaway PostgreSQL server for tests, from the machine's own PostgreSQL binaries."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SEARCHED = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def postgres_bin() -> Path | None:
    for folder in SEARCHED:
        if (folder / "initdb").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a new cluster in a new folder on a free port; yields its URL; removes it all after.

    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (in a folder
    of its own under the system's temp folder, since pytest's are closed to other users).
    """
    binaries = postgres_bin()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL's initdb was not found (Debian package: postgresql)")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="roleguide-postgres-"))
    if as_user:
        shutil.chown(folder, "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = folder / "data"

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            said = done.stderr.strip() or done.stdout.strip()
            raise RuntimeError(f"{Path(command[0]).name} failed: {said}")

    run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "roleguide")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        run(str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "roleguide", "roleguide")
        yield f"postgresql://roleguide@127.0.0.1:{port}/roleguide"
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
