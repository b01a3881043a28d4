"""Starts the Role Guide's processes: the action server, the Rasa server, then the bot.

`make run` uses it, and so do the end-to-end tests, so both start the stack
the same way. Run `python -m tools.stack` to start everything; the bot runs
in the foreground (a terminal chat when there is no TELEGRAM_BOT_TOKEN).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = Path(os.environ.get("RASA_BIN") or ROOT / ".venv-rasa" / "bin" / "rasa")
MODEL = Path(os.environ.get("RASA_MODEL") or ROOT / "models" / "roleguide.tar.gz")


@dataclass
class Stack:
    """The processes of one running Role Guide, on the given loopback ports."""

    rasa_port: int = 5005
    actions_port: int = 5055
    data_dir: Path = ROOT / "var"
    log_dir: Path | None = None  # None: processes write to this terminal
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    def service_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            ACTION_ENDPOINT_URL=f"{self.actions_url}/webhook",
            RASA_TRACKER_DB=str(self.data_dir / "rasa_tracker.db"),
            RASA_TELEMETRY_ENABLED="false",
            RASA_URL=self.rasa_url,
            ROLEGUIDE_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        # The action server (rasa_sdk) binds to SANIC_HOST: loopback unless told otherwise.
        env.setdefault("SANIC_HOST", "127.0.0.1")
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        with contextlib.ExitStack() as files:
            output = None
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                output = files.enter_context((self.log_dir / f"{name}.log").open("ab"))
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or self.service_env(),
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start_services(self, timeout: float = 180.0) -> None:
        """Bring the feedback database up to date, start the action server and Rasa; wait for both."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not MODEL.exists():
            raise SystemExit(f"No trained model at {MODEL}: run `make model` first.")
        subprocess.run([sys.executable, "-m", "storage"], cwd=ROOT, env=self.service_env(), check=True)
        self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
        )
        self.start_rasa(timeout)
        wait_until_up(f"{self.actions_url}/health", self.processes["actions"], timeout)

    def start_rasa(self, timeout: float = 180.0) -> None:
        """Start (or restart) the Rasa server and wait until it answers."""
        self._spawn(
            "rasa",
            [
                str(RASA_BIN), "run",
                "--model", str(MODEL),
                "--endpoints", "endpoints.yml",
                "--credentials", "credentials.yml",
                "--interface", "127.0.0.1",
                "--port", str(self.rasa_port),
            ],
        )  # fmt: skip
        wait_until_up(f"{self.rasa_url}/", self.processes["rasa"], timeout)

    def start_bot(self, extra_env: dict[str, str] | None = None, name: str = "bot") -> subprocess.Popen:
        env = self.service_env()
        env.update(extra_env or {})
        return self._spawn(name, [sys.executable, "-m", "bot"], env)

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            stop_process(process)
        self.processes.clear()


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with code {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop_process(process: subprocess.Popen, grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def running_stack(**kwargs) -> Iterator[Stack]:
    stack = Stack(**kwargs)
    try:
        stack.start_services()
        yield stack
    finally:
        stack.stop()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM into a normal exit, so the `finally` that stops the children runs."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    rasa_port = int(os.environ.get("RASA_PORT") or 5005)
    actions_port = int(os.environ.get("ACTIONS_PORT") or 5055)
    data_dir = Path(os.environ.get("ROLEGUIDE_DATA_DIR") or ROOT / "var").resolve()
    log_dir = data_dir / "logs"
    print(f"Starting the action server and Rasa (logs in {log_dir}) ...", flush=True)
    with running_stack(
        rasa_port=rasa_port, actions_port=actions_port, data_dir=data_dir, log_dir=log_dir
    ) as stack:
        print("Rasa is ready. Starting the bot.", flush=True)
        env = stack.service_env()
        with contextlib.suppress(KeyboardInterrupt):
            subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, check=False)


if __name__ == "__main__":
    main()
