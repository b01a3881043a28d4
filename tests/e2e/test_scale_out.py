"""Scale-out, natively: two Rasa servers share one PostgreSQL tracker store behind the bot (RASA_URLS).

The test starts PostgreSQL and Redis (the machine's own servers; Redis is
Rasa's lock store), an action server, two Rasa servers, the bot and the
Telegram emulator: the topology of docker-compose.yml. A conversation goes to its
own server; when that server is killed, the conversation's next message
goes to the other one, which carries on with its context (the role under
discussion), read from the shared store.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

import content
from bot.pseudonym import pseudonymous_sender_id
from bot.rasa_client import RasaRestClient
from bot.rasa_pool import RasaPool
from tests.e2e.conftest import TgClient, transcript
from tests.postgres import postgres_bin, throwaway_postgres
from tests.redis_server import throwaway_redis
from tools.emulator import free_port
from tools.stack import Stack, wait_until_up

pytestmark = pytest.mark.e2e

TOKEN = "565656:SCALE-OUT"
SECRET = "scale-out-test-secret"
ROLES = content.roles().roles


def first_server_for(sender: str, urls: list[str]) -> str:
    """The server the bot's pool sends this conversation to first."""
    return RasaPool([RasaRestClient(url) for url in urls]).order_for(sender)[0].base_url


def redis_commands(port: int) -> int:
    """How many commands the Redis server has processed."""
    info = subprocess.run(
        ["redis-cli", "-p", str(port), "INFO", "stats"], capture_output=True, text=True, check=True
    ).stdout
    return int(next(line for line in info.splitlines() if line.startswith("total_commands_processed:"))[25:])


@pytest.fixture
def two_rasa_servers(tmp_path, emulator_url, monkeypatch) -> Iterator[tuple[Stack, Stack, str, int]]:
    if postgres_bin() is None:
        pytest.fail("PostgreSQL's server binaries are needed (Debian package: postgresql)")
    with throwaway_postgres() as database, throwaway_redis() as redis_port:
        monkeypatch.setenv("LOCK_STORE_PORT", str(redis_port))
        where = urlsplit(database)
        monkeypatch.setenv("TRACKER_DB_HOST_PORT", f"{where.hostname}:{where.port}")
        monkeypatch.setenv("TRACKER_DB_NAME", where.path.lstrip("/"))
        monkeypatch.setenv("TRACKER_DB_USER", where.username or "")
        endpoints = "tests/e2e/scale_out_endpoints.yml"
        first = Stack(
            rasa_port=free_port(), actions_port=free_port(), data_dir=tmp_path / "data",
            log_dir=tmp_path / "logs-1", endpoints=endpoints,
        )  # fmt: skip
        second = Stack(
            rasa_port=free_port(), actions_port=first.actions_port, data_dir=tmp_path / "data",
            log_dir=tmp_path / "logs-2", endpoints=endpoints,
        )  # fmt: skip
        try:
            first.start_services()
            second.start_rasa()
            first.start_bot(
                {
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_URL": emulator_url,
                    "RASA_URLS": f"{first.rasa_url} {second.rasa_url}",
                    "ROLEGUIDE_SENDER_SECRET": SECRET,
                    "TRACKER_DATABASE_URL": database,
                }
            )
            yield first, second, database, redis_port
        finally:
            second.stop()
            first.stop()


def test_a_conversation_keeps_its_context_when_its_rasa_server_is_killed(two_rasa_servers, emulator_url):
    first, second, database, redis_port = two_rasa_servers
    person = TgClient(emulator_url, token=TOKEN, first_name="Ola")
    assert person.send("/start", timeout=60), f"no answer to /start; logs in {first.log_dir}"
    leader = ROLES["citizen_leader"]
    about = person.send("what is a citizen leader")
    assert leader.about.strip()[:60] in transcript(about)

    sender = pseudonymous_sender_id(SECRET, person.chat_id)
    servers = {first.rasa_url: first, second.rasa_url: second}
    own = first_server_for(sender, list(servers))
    other = next(stack for url, stack in servers.items() if url != own)
    os.kill(servers[own].processes["rasa"].pid, signal.SIGKILL)
    servers[own].processes["rasa"].wait(10)
    wait_until_up(other.health_url("rasa"), other.processes["rasa"], 5)

    skills = person.send("what skills does that need?", timeout=15)

    assert leader.skills.strip()[:60] in transcript(skills), transcript(skills)

    def stored_events(sender_id: str) -> int:
        with psycopg.connect(database) as connection:
            query = "SELECT count(*) FROM events WHERE sender_id = %s"
            row = connection.execute(query, (sender_id,)).fetchone()
        return row[0] if row else 0

    assert stored_events(sender) > 0  # the conversation lives in the shared store, under its pseudonym
    assert stored_events(str(person.chat_id)) == 0
    assert redis_commands(redis_port) >= 8  # the servers took their conversation locks in Redis
    # /forget deletes it from that store (TRACKER_DATABASE_URL as Rasa's settings write it).
    assert person.send("/forget", timeout=15)
    assert stored_events(sender) == 0
