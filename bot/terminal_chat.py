"""A chat in the terminal, for running without a Telegram token.

It goes through the same Bridge as Telegram (pseudonym, Rasa, offline answers),
so what you see here is what a Telegram user would get, minus the styling.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

import content
from bot.bridge import COMMAND_PAYLOADS, Bridge, welcome_reply
from bot.rasa_client import Button, Reply

TERMINAL_CHAT_ID = "terminal"
QUIT_WORDS = {"/quit", "/exit", "quit", "exit"}


def render(replies: Sequence[Reply]) -> tuple[str, list[Button]]:
    """Plain text for the terminal, buttons numbered [1], [2]… so a number presses one."""
    lines: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines.append(reply.text.strip())
        for button in reply.buttons:
            buttons.append(button)
            lines.append(f"  [{len(buttons)}] {button.title}")
        lines.append("")
    return "\n".join(lines), buttons


def to_send(typed: str, buttons: Sequence[Button]) -> str:
    """What a typed line means: a button's payload if it is a button number, else the text."""
    choice = typed.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return buttons[int(choice) - 1].payload
    return choice


async def replies_for(bridge: Bridge, typed: str, buttons: Sequence[Button]) -> list[Reply]:
    """The same commands as in Telegram; anything else goes through the bridge."""
    texts = content.bot_texts()
    command = typed.split()[0].lower() if typed.startswith("/") else None
    if command == "/start":
        return [welcome_reply()]
    if command == "/help":
        return [Reply(texts.help)]
    if command and command[1:] in COMMAND_PAYLOADS:
        return await bridge.reply_to(TERMINAL_CHAT_ID, COMMAND_PAYLOADS[command[1:]])
    if command is not None:
        return [Reply(texts.unknown_command)]
    return await bridge.reply_to(TERMINAL_CHAT_ID, to_send(typed, buttons))


async def chat(bridge: Bridge, lines_in=sys.stdin, out=sys.stdout) -> None:
    text, buttons = render([welcome_reply()])
    out.write(f"{text}\n(Type a question, a button number, or /quit.)\n")
    loop = asyncio.get_running_loop()
    while True:
        out.write("you> ")
        out.flush()
        typed = await loop.run_in_executor(None, lines_in.readline)
        if not typed or typed.strip().lower() in QUIT_WORDS:
            break
        if not typed.strip():
            continue
        text, buttons = render(await replies_for(bridge, typed.strip(), buttons))
        out.write(f"\nguide> {text}\n")
    await bridge.aclose()
