"""Turns replies into what Telegram shows: escaped HTML, pieces under the length limit, inline keyboards."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.button_payloads import ButtonPayloads
from bot.rasa_client import Button

TELEGRAM_TEXT_LIMIT = 4096
BUTTONS_PER_ROW = 2


def split_for_telegram(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split plain text into pieces whose *escaped* HTML fits `limit`.

    Breaks at a blank line if it can, then at a line end, then at a space,
    and only as a last resort mid-word.
    """
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if len(html.escape(rest, quote=False)) <= limit:
            pieces.append(rest)
            break
        # At least one character a piece: a limit under 5 cannot hold "&amp;", and must not loop forever.
        cut = max(1, _longest_prefix_that_fits(rest, limit))
        for separator in ("\n\n", "\n", " "):
            at = rest.rfind(separator, 0, cut)
            if at > 0:
                cut = at
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [piece for piece in pieces if piece]


def _longest_prefix_that_fits(text: str, limit: int) -> int:
    length = 0
    for index, char in enumerate(text):
        length += len(html.escape(char, quote=False))
        if length > limit:
            return index
    return len(text)


def to_html(text: str) -> str:
    return html.escape(text, quote=False)


def inline_keyboard(buttons: Sequence[Button], payloads: ButtonPayloads) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    keys = [
        InlineKeyboardButton(button.title[:64], callback_data=payloads.encode(button.payload))
        for button in buttons
    ]
    rows = [keys[i : i + BUTTONS_PER_ROW] for i in range(0, len(keys), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)
