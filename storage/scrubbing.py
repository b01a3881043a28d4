"""Removes contact details from free text before it is stored.

Emails, phone numbers, @handles, links and UK postcodes become placeholders
like "[email]", so a comment stays readable but points to no one.
"""

from __future__ import annotations

import re

import phonenumbers

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    # bare domains such as example.org/page or t.me/someone
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|uk|io|me|info|gov|nhs|co|ly|app|dev|biz|eu|ie|scot|wales)\b(?:/\S*)?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
# The UK postcode shapes (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA), space optional.
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE)
# Anything left that looks like a phone number: 9 or more digits, maybe split by spaces, dots or dashes.
LONG_NUMBER = re.compile(r"\+?\(?\d(?:[\s().-]{0,2}\d){8,}")
PHONE_REGION = "GB"


def scrub(text: str) -> str:
    """The text with every email, link, handle, phone number and postcode replaced."""
    text = EMAIL.sub("[email]", text)
    text = LINK.sub("[link]", text)
    text = HANDLE.sub("[handle]", text)
    text = _scrub_phone_numbers(text)
    text = LONG_NUMBER.sub("[phone]", text)
    return POSTCODE.sub("[postcode]", text)


def _scrub_phone_numbers(text: str) -> str:
    matches = list(phonenumbers.PhoneNumberMatcher(text, PHONE_REGION, leniency=phonenumbers.Leniency.VALID))
    for match in reversed(matches):  # from the end, so earlier offsets stay right
        text = text[: match.start] + "[phone]" + text[match.end :]
    return text
