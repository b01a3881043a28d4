"""Talks to Rasa's REST channel (/webhooks/rest/webhook) over one reused HTTP connection pool."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message for the person: text and optional next-step buttons."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


class RasaUnavailable(Exception):
    """Rasa could not be reached, timed out, or answered with an error.

    The message names the kind of failure only, never what the person wrote.
    """


class RasaRestClient:
    def __init__(self, base_url: str, timeout_seconds: float, client: httpx.AsyncClient | None = None):
        self._url = f"{base_url.rstrip('/')}{REST_WEBHOOK_PATH}"
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds),
            limits=httpx.Limits(max_keepalive_connections=20, max_connections=100),
        )

    async def send(self, sender_id: str, text: str) -> list[Reply]:
        try:
            response = await self._client.post(self._url, json={"sender": sender_id, "message": text})
            response.raise_for_status()
            messages = response.json()
        except httpx.TimeoutException as error:
            raise RasaUnavailable("timed out") from error
        except httpx.HTTPStatusError as error:
            raise RasaUnavailable(f"HTTP {error.response.status_code}") from error
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        except ValueError as error:
            raise RasaUnavailable("answer was not JSON") from error
        if not isinstance(messages, list):
            raise RasaUnavailable("answer was not a list")
        return [reply for reply in map(_reply_from, messages) if reply is not None]

    async def aclose(self) -> None:
        await self._client.aclose()


def _reply_from(message: object) -> Reply | None:
    if not isinstance(message, dict):
        return None
    text = message.get("text")
    buttons = tuple(
        Button(str(button["title"]), str(button["payload"]))
        for button in message.get("buttons") or []
        if isinstance(button, dict) and button.get("title") and button.get("payload")
    )
    if not isinstance(text, str) or not text.strip():
        return None
    return Reply(text=text, buttons=buttons)
