"""The one path from a person's message to the replies they see, shared by Telegram and the terminal chat.

It swaps the chat id for a pseudonym before Rasa sees anything, and it never
goes silent: if Rasa is down, slow or says nothing, the person gets a kind
offline answer with the crisis lines, and the failure is logged without the
message text.

Replies come in batches (`replies`): a message that may be a crisis gets the help
lines at once, and, when its other sentences ask something (bot.safety_net), Rasa's
answer to them follows, so a calm story of a past crisis keeps its question.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

import content
from bot.incoming_text import clean_incoming_text
from bot.pseudonym import pseudonymous_sender_id
from bot.rasa_client import Button, RasaRestClient, RasaUnavailable, Reply
from bot.rasa_pool import RasaPool
from bot.safety_net import CRISIS_PAYLOAD, SafetyNet

log = logging.getLogger(__name__)

# Commands answered by Rasa: what each asks it (an intent payload).
COMMAND_PAYLOADS = {
    "roles": "/ask_roles_overview",
    "quiz": "/quiz_restart",
    "feedback": "/give_feedback",
    "about": "/ask_about_bot",
}

# Longer messages are cut before Rasa sees them (enough for any real question);
# the person is told that only the first part was read.
MAX_MESSAGE_CHARS = 2000
# Sent with the calm rest of an alarming message: the actions then answer only a question
# they understand, say nothing to add otherwise, and know the help lines were given.
BESIDE_HELP_LINES = {"beside_help_lines": True}
# Sent with a whole message only the learned classifier flagged: an answer that it is not
# something the bot is for ("ask your GP") is worth giving there too.
WHOLE_BESIDE_HELP_LINES = {"beside_help_lines": "whole"}
# A chat that floods crisis-like messages gets the help lines every time, but Rasa is told of
# the crisis at most once in this many seconds: telling it again would change nothing.
CRISIS_NOTICE_SECONDS = 10.0
# Chats remembered for that; beyond this many, those told longest ago are forgotten.
CRISIS_NOTICES_KEPT = 10_000


def welcome_reply() -> Reply:
    """What /start shows: needs no Rasa, so it works even when Rasa is down."""
    texts = content.bot_texts()
    return Reply(texts.welcome, tuple(Button(b.title, b.payload) for b in texts.welcome_buttons))


def offline_replies() -> list[Reply]:
    texts = content.bot_texts()
    # The help lines lead: someone in danger must not scroll past the roles to find them.
    text = f"{texts.unavailable.strip()}\n{content.crisis_lines_text()}\n\n{texts.unavailable_roles.strip()}"
    return [Reply(text=text)]


class Bridge:
    def __init__(
        self,
        rasa: RasaRestClient | RasaPool,
        sender_secret: str,
        safety_net: SafetyNet | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._rasa = rasa
        self._secret = sender_secret
        self.safety_net = safety_net or SafetyNet()
        self._clock = clock
        self._telling_rasa: set[asyncio.Task] = set()  # kept so they are not collected mid-way
        self._crisis_told_at: dict[str, float] = {}  # sender -> when Rasa was last told, oldest first

    def sender_id(self, chat_id: int | str) -> str:
        """The pseudonym Rasa knows this chat by."""
        return pseudonymous_sender_id(self._secret, chat_id)

    async def reply_to(
        self, chat_id: int | str, text: str, *, received_at: float | None = None
    ) -> list[Reply]:
        """Every reply to the message (all the batches of `replies`)."""
        return [
            reply async for batch in self.replies(chat_id, text, received_at=received_at) for reply in batch
        ]

    async def replies(
        self, chat_id: int | str, text: str, *, received_at: float | None = None
    ) -> AsyncIterator[list[Reply]]:
        """Rasa's answer, or the offline one by RASA_DEADLINE_SECONDS after `received_at` (monotonic).

        A message that may be a crisis: the help lines first, then any answer to its calm rest.
        """
        sender = self.sender_id(chat_id)
        text = clean_incoming_text(text).strip()  # Rasa never sees null bytes or half characters
        place = self.safety_net.reply_for_place(text)
        if place is not None:  # a place button under the help lines: their lines, from us alone
            yield [place]
            return
        crisis = self.safety_net.reply_for(text)
        if crisis is not None:
            yield [crisis]
            rest = self.safety_net.rest_beside_alarm(text[:MAX_MESSAGE_CHARS])
            if rest is None:
                self._tell_rasa_of_crisis(sender)
                return
            metadata = WHOLE_BESIDE_HELP_LINES if rest == text[:MAX_MESSAGE_CHARS] else BESIDE_HELP_LINES
            try:  # the sentences a crisis phrase is in never reach Rasa
                yield await self._rasa.send(sender, rest, received_at=received_at, metadata=metadata)
            except RasaUnavailable as error:  # the help lines were the part that mattered
                log.warning("Rasa unavailable beside the help lines (%s)", error)
            return
        yield await self._answer(sender, text, received_at)

    async def _answer(self, sender: str, text: str, received_at: float | None) -> list[Reply]:
        notice = [Reply(content.bot_texts().too_long)] if len(text) > MAX_MESSAGE_CHARS else []
        try:
            replies = await self._rasa.send(sender, text[:MAX_MESSAGE_CHARS], received_at=received_at)
        except RasaUnavailable as error:  # an empty answer is one too (see bot.rasa_client)
            log.warning("Rasa unavailable (%s); sent the offline answer", error)
            return offline_replies()
        return notice + replies

    def _tell_rasa_of_crisis(self, sender: str) -> None:
        """Tell Rasa in the background, unless it was told within CRISIS_NOTICE_SECONDS."""
        now = self._clock()
        told_at = self._crisis_told_at.get(sender)
        if told_at is not None and now - told_at < CRISIS_NOTICE_SECONDS:
            return
        self._crisis_told_at.pop(sender, None)
        self._crisis_told_at[sender] = now
        if len(self._crisis_told_at) > CRISIS_NOTICES_KEPT:
            del self._crisis_told_at[next(iter(self._crisis_told_at))]
        self._tell_rasa(sender, CRISIS_PAYLOAD)

    def _tell_rasa(self, sender: str, payload: str) -> None:
        """Send Rasa a message in the background and ignore its answer (the person has theirs)."""
        task = asyncio.create_task(self._send_quietly(sender, payload))
        self._telling_rasa.add(task)
        task.add_done_callback(self._telling_rasa.discard)

    async def _send_quietly(self, sender: str, payload: str) -> None:
        try:
            await self._rasa.send(sender, payload)
        except RasaUnavailable as error:
            log.warning("could not tell Rasa about a crisis answer (%s)", error)

    async def aclose(self) -> None:
        if self._telling_rasa:
            await asyncio.wait(self._telling_rasa, timeout=5)
        await self._rasa.aclose()
