"""Spreads conversations over several Rasa servers (RASA_URLS), each conversation always to the same one.

Each pseudonymous sender has its own order of the servers, by rendezvous
hashing: the servers sorted by a hash of (server, sender). A conversation
goes to the first server of its order, so it always meets the same server
and that server's conversation lock; adding or removing a server moves only
the conversations that ranked it first. All servers share one tracker store
(PostgreSQL in production), so a conversation moved to the next server in
its order carries on with its context.

A message moves on to the next server only when the one before cannot have
seen it (bot.rasa_client: no connection, HTTP 500/502/503, an open circuit),
so no message is handled twice. Every server has its own client and circuit
breaker, without retries of its own: the next server is the retry. All of
it shares the one deadline from when the bot received the message.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from bot.rasa_client import RasaRestClient, RasaUnavailable, Reply


class RasaPool:
    def __init__(self, clients: Sequence[RasaRestClient]):
        if not clients:
            raise ValueError("a pool needs at least one Rasa server")
        self.clients = list(clients)
        self.breaker = None  # each server has its own (see `clients`)

    def order_for(self, sender_id: str) -> list[RasaRestClient]:
        """The servers in the order this conversation tries them; the same every time."""

        def weight(client: RasaRestClient) -> bytes:
            return hashlib.sha256(f"{client.base_url}\n{sender_id}".encode()).digest()

        return sorted(self.clients, key=weight, reverse=True)

    async def send(
        self,
        sender_id: str,
        text: str,
        *,
        received_at: float | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        received_at = time.monotonic() if received_at is None else received_at
        failure: RasaUnavailable | None = None
        for client in self.order_for(sender_id):
            try:
                return await client.send(sender_id, text, received_at=received_at, metadata=metadata)
            except RasaUnavailable as error:
                if not error.retryable:
                    raise
                failure = error
        assert failure is not None
        raise failure

    async def reachable(self, timeout_seconds: float = 1.0) -> bool:
        """Whether any server answers (a conversation can go on while one does)."""
        for client in self.clients:
            if await client.reachable(timeout_seconds):
                return True
        return False

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()
