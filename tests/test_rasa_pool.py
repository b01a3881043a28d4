"""Several Rasa servers (RASA_URLS): each conversation keeps to one, and moves on only when it safely can."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.__main__ import make_rasa_client
from bot.circuit_breaker import CircuitBreaker
from bot.rasa_client import RasaRestClient, RasaUnavailable
from bot.rasa_pool import RasaPool
from bot.settings import Settings, SettingsError
from tests.fakes import FakeRasa

URLS = ("http://rasa-a:5005", "http://rasa-b:5005", "http://rasa-c:5005")


def pool_of(servers: dict[str, FakeRasa], breakers: bool = False) -> RasaPool:
    return RasaPool(
        [
            RasaRestClient(
                url, 2.0, fake.client(), retries=0, breaker=CircuitBreaker(2, 60.0) if breakers else None
            )
            for url, fake in servers.items()
        ]
    )


def echoing_servers(urls: tuple[str, ...] = URLS) -> dict[str, FakeRasa]:
    return {url: FakeRasa(echo=True) for url in urls}


def server_of(servers: dict[str, FakeRasa], sender: str) -> str:
    return next(url for url, fake in servers.items() if any(m["sender"] == sender for m in fake.received))


async def test_a_conversation_always_goes_to_the_same_server():
    servers = echoing_servers()
    pool = pool_of(servers)
    for _ in range(3):
        await pool.send("conversation-1", "hello")

    assert sorted(len(fake.received) for fake in servers.values()) == [0, 0, 3]
    assert server_of(servers, "conversation-1") == pool.order_for("conversation-1")[0].base_url


async def test_conversations_are_spread_over_all_servers():
    servers = echoing_servers()
    pool = pool_of(servers)
    for n in range(300):
        await pool.send(f"conversation-{n}", "hello")

    counts = Counter({url: len(fake.received) for url, fake in servers.items()})
    assert all(60 <= count <= 140 for count in counts.values()), counts


async def test_when_its_server_is_down_a_conversation_moves_to_its_next_server_and_stays_there():
    servers = echoing_servers()
    pool = pool_of(servers)
    first, second = (client.base_url for client in pool.order_for("conversation-7")[:2])
    servers[first].echo, servers[first].failure = False, "down"

    replies = [await pool.send("conversation-7", f"message {n}") for n in range(3)]

    assert [r[0].text for r in replies] == [f"answer to message {n}" for n in range(3)]
    assert [m["message"] for m in servers[second].received] == ["message 0", "message 1", "message 2"]


async def test_a_failure_rasa_may_have_seen_is_not_sent_to_another_server():
    servers = echoing_servers()
    pool = pool_of(servers)
    first = pool.order_for("conversation-9")[0].base_url
    servers[first].echo, servers[first].failure = False, "timeout"

    with pytest.raises(RasaUnavailable):
        await pool.send("conversation-9", "rate it 5")

    assert [len(fake.received) for url, fake in servers.items() if url != first] == [0, 0]


async def test_an_open_circuit_sends_the_conversation_on_without_asking_the_dead_server():
    servers = echoing_servers()
    pool = pool_of(servers, breakers=True)
    first = pool.order_for("conversation-3")[0].base_url
    servers[first].echo, servers[first].failure = False, "down"
    for n in range(4):
        await pool.send("conversation-3", f"message {n}")

    assert len(servers[first].received) == 2  # the breaker opened after two failures


async def test_all_servers_down_is_rasa_unavailable_so_the_bot_answers_offline():
    servers = {url: FakeRasa(failure="down") for url in URLS}
    with pytest.raises(RasaUnavailable):
        await pool_of(servers).send("conversation-1", "hello")
    assert not await pool_of(servers).reachable()


async def test_removing_a_server_moves_only_the_conversations_it_had():
    senders = [f"conversation-{n}" for n in range(200)]
    before = pool_of(echoing_servers())
    after = pool_of(echoing_servers(URLS[:2]))

    moved = [s for s in senders if before.order_for(s)[0].base_url != after.order_for(s)[0].base_url]

    assert moved and all(before.order_for(s)[0].base_url == URLS[2] for s in moved)


def test_rasa_urls_are_read_from_commas_or_spaces(monkeypatch):
    monkeypatch.setenv("RASA_URLS", "http://rasa-a:5005/, http://rasa-b:5005  http://rasa-a:5005")
    settings = Settings.from_env()
    client = make_rasa_client(settings)

    assert settings.rasa_servers == ("http://rasa-a:5005", "http://rasa-b:5005")
    assert isinstance(client, RasaPool) and [c.base_url for c in client.clients] == list(
        settings.rasa_servers
    )
    assert all(c.breaker is not None for c in client.clients)


def test_without_rasa_urls_the_bot_talks_to_rasa_url_alone(monkeypatch):
    monkeypatch.delenv("RASA_URLS", raising=False)
    monkeypatch.setenv("RASA_URL", "http://rasa-only:5005")
    client = make_rasa_client(Settings.from_env())

    assert isinstance(client, RasaRestClient) and client.base_url == "http://rasa-only:5005"


def test_a_rasa_url_that_is_not_http_stops_start_up_naming_it(monkeypatch):
    monkeypatch.setenv("RASA_URLS", "http://rasa-a:5005 rasa-b:5005")
    with pytest.raises(SettingsError, match="RASA_URLS"):
        Settings.from_env()
