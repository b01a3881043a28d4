"""Starts the Role Guide's processes: the action server, the Rasa server, then the bot, and keeps them up.

`make run` uses it, and so do the end-to-end tests, so both start the stack
the same way. Run `python -m tools.stack` to start everything; a supervisor
(tools.supervisor) then restarts whichever process dies. The bot is a terminal
chat in the foreground when there is no TELEGRAM_BOT_TOKEN (the supervisor
keeps Rasa and the action server up behind it, and /quit ends the run).
Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tools.supervisor import GaveUp, Supervisor, Watched

ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = Path(os.environ.get("RASA_BIN") or ROOT / ".venv-rasa" / "bin" / "rasa")
RASA_PYTHON = RASA_BIN.parent / "python"
MODEL = Path(os.environ.get("RASA_MODEL") or ROOT / "models" / "roleguide.tar.gz")
BOT_START_SECONDS = 5.0  # a bot still running after this has got past its settings

log = logging.getLogger("stack")


@dataclass(frozen=True)
class BotLaunch:
    """How a bot was started, so the supervisor can start it again the same way."""

    env: dict[str, str]  # its own settings, on top of the stack's
    to_terminal: bool = False  # writes to this terminal rather than log_dir
    reads_terminal: bool = False  # the terminal chat: stays in the terminal's process group


@dataclass
class Stack:
    """The processes of one running Role Guide, on the given loopback ports."""

    rasa_port: int = 5005
    actions_port: int = 5055
    data_dir: Path = ROOT / "var"
    log_dir: Path | None = None  # None: processes write to this terminal
    model: Path = MODEL
    stock_rasa: bool = False  # plain `rasa run` (the bench's comparison), not our launcher
    endpoints: str = "endpoints.yml"
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    bots: dict[str, BotLaunch] = field(default_factory=dict)  # how each bot was started

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

    def _spawn(
        self,
        name: str,
        command: list[str],
        env: dict[str, str] | None = None,
        to_terminal: bool = False,
        reads_terminal: bool = False,
    ) -> subprocess.Popen:
        """Start a process writing to log_dir (or this terminal), in its own session so it can be
        stopped as a group, unless it reads the terminal (then it must stay in the terminal's group).
        """
        with contextlib.ExitStack() as files:
            output = None
            if self.log_dir is not None and not to_terminal:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                output = files.enter_context((self.log_dir / f"{name}.log").open("ab"))
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or self.service_env(),
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=not reads_terminal,
            )
        self.processes[name] = process
        return process

    def start_services(self, timeout: float = 180.0) -> None:
        """Bring the feedback database up to date, start the action server and Rasa; wait for both."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.model.exists():
            raise SystemExit(f"No trained model at {self.model}: run `make model` first.")
        subprocess.run([sys.executable, "-m", "storage"], cwd=ROOT, env=self.service_env(), check=True)
        self.spawn_actions()
        self.start_rasa(timeout)
        wait_until_up(self.health_url("actions"), self.processes["actions"], timeout)

    def spawn_actions(self) -> subprocess.Popen:
        return self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
        )

    def spawn_rasa(self) -> subprocess.Popen:
        # Ours is Rasa's own command with our fixes applied first (rasa_server/).
        launcher = [str(RASA_BIN)] if self.stock_rasa else [str(RASA_PYTHON), "-m", "rasa_server"]
        return self._spawn(
            "rasa",
            [
                *launcher, "run",
                "--model", str(self.model),
                "--endpoints", self.endpoints,
                "--credentials", "credentials.yml",
                "--interface", "127.0.0.1",
                "--port", str(self.rasa_port),
            ],
        )  # fmt: skip

    def start_rasa(self, timeout: float = 180.0) -> None:
        """Start (or restart) the Rasa server and wait until it answers."""
        self.spawn_rasa()
        wait_until_up(self.health_url("rasa"), self.processes["rasa"], timeout)

    def start_bot(
        self,
        extra_env: dict[str, str] | None = None,
        name: str = "bot",
        to_terminal: bool = False,
        reads_terminal: bool = False,
    ) -> subprocess.Popen:
        """Start a bot with its own settings on top of the stack's (see BotLaunch for the rest)."""
        launch = BotLaunch(dict(extra_env or {}), to_terminal, reads_terminal)
        self.bots[name] = launch
        env = self.service_env()
        env.update(launch.env)
        return self._spawn(name, [sys.executable, "-m", "bot"], env, to_terminal, reads_terminal)

    def health_url(self, name: str) -> str | None:
        """Where a process answers its health check; None for a bot without HEALTH_PORT."""
        if name == "rasa":
            return f"{self.rasa_url}/"
        if name == "actions":
            return f"{self.actions_url}/health"
        env = self.service_env()
        env.update(self.bots[name].env if name in self.bots else {})
        port = env.get("HEALTH_PORT", "").strip()
        if not port or port == "0":
            return None
        host = env.get("HEALTH_LISTEN", "").strip()
        host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        return f"http://{host}:{port}/health"

    def respawn(self, name: str) -> subprocess.Popen:
        """Start a process again the way it was first started (for the supervisor)."""
        if name == "actions":
            return self.spawn_actions()
        if name == "rasa":
            return self.spawn_rasa()
        launch = self.bots[name]
        return self.start_bot(launch.env, name, launch.to_terminal, launch.reads_terminal)

    def supervise(self, supervisor: Supervisor) -> Supervisor:
        """Have `supervisor` watch every process started so far. The terminal chat ending ends the run."""
        for name, process in self.processes.items():
            launch = self.bots.get(name, BotLaunch({}))
            writes_log = self.log_dir is not None and not launch.to_terminal
            supervisor.watch(
                Watched(
                    name,
                    process,
                    respawn=lambda name=name: self.respawn(name),
                    health_url=self.health_url(name),
                    finishes_run=launch.reads_terminal,
                    own_group=not launch.reads_terminal,
                    log_path=self.log_dir / f"{name}.log" if writes_log else None,
                )
            )
        return supervisor

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            stop_process(process)
        self.processes.clear()


def rasa_env_json(*args: str, timeout: float = 900) -> dict[str, Any]:
    """Run `.venv-rasa/bin/python *args` from the project root; the JSON its last line prints.

    Raises RuntimeError, with the end of what it wrote to stderr, when it fails.
    """
    run = subprocess.run(
        [str(RASA_PYTHON), *args],
        cwd=ROOT,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if run.returncode != 0 or not run.stdout.strip():
        raise RuntimeError(f"{' '.join(args)} failed (exit {run.returncode}): {run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def wait_until_up(url: str | None, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with code {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if url is None or httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def _signal(process: subprocess.Popen, signum: int) -> None:
    """Signal the process's whole group when it leads one (started in its own session), else just it."""
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)


def stop_process(process: subprocess.Popen, grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    _signal(process, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        _signal(process, signal.SIGKILL)
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
    logging.basicConfig(format="%(asctime)s stack: %(message)s", level=logging.INFO, stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per health check otherwise
    rasa_port = int(os.environ.get("RASA_PORT") or 5005)
    actions_port = int(os.environ.get("ACTIONS_PORT") or 5055)
    data_dir = Path(os.environ.get("ROLEGUIDE_DATA_DIR") or ROOT / "var").resolve()
    log_dir = data_dir / "logs"
    terminal_chat = not os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    print(f"Starting the action server and Rasa (logs in {log_dir}) ...", flush=True)
    with running_stack(
        rasa_port=rasa_port, actions_port=actions_port, data_dir=data_dir, log_dir=log_dir
    ) as stack:
        print("Rasa is ready. Starting the bot.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the `with` stops everything
            # The bot writes to this terminal, as before (its log lines hold no message text).
            bot = stack.start_bot(to_terminal=True, reads_terminal=terminal_chat)
            with contextlib.suppress(subprocess.TimeoutExpired):
                # A bot that exits at once (a setting it cannot use) has said why: no restarts for
                # it. One killed by a signal is restarted like any other crash.
                if (code := bot.wait(BOT_START_SECONDS)) >= 0:
                    raise SystemExit(code)
            try:
                stack.supervise(Supervisor()).run()
            except GaveUp as error:
                log.error("%s. Stopping the Role Guide.", error)
                raise SystemExit(1) from None


if __name__ == "__main__":
    main()
