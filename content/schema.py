"""Pydantic models for the content YAML files; a bad key or a missing text fails at start-up."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

RoleKey = Literal["community_builder", "improvement_expert", "disruptor_advocate", "citizen_leader"]
Aspect = Literal["about", "examples", "skills", "risks", "start", "support"]

MAX_ANSWER_CHARS = 1200  # a phone screen and a bit; Telegram's own limit is 4096


def rasa_payload(intent: str, role: str | None = None) -> str:
    """A Rasa button payload, e.g. '/ask_role_skills{"role":"citizen_leader"}' (short: fits Telegram)."""
    if role is None:
        return f"/{intent}"
    return f"/{intent}{json.dumps({'role': role}, separators=(',', ':'))}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Button(Strict):
    """A next step: pressing it sends `intent` (with `role` if given) to Rasa."""

    title: str = Field(min_length=1, max_length=40)
    intent: str = Field(pattern=r"^[a-z_]+$")
    role: RoleKey | None = None

    @property
    def payload(self) -> str:
        return rasa_payload(self.intent, self.role)


class AspectButton(Strict):
    aspect: Aspect
    title: str = Field(min_length=1, max_length=30)


def _fits_a_phone(text: str) -> str:
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(f"too long for a phone screen ({len(text)} > {MAX_ANSWER_CHARS})")
    return text.strip()


# An answer's text: trimmed, and short enough to read on a phone.
AnswerText = Annotated[str, AfterValidator(_fits_a_phone)]


class Role(Strict):
    name: str
    aliases: list[str] = Field(min_length=1)
    summary: str
    about: AnswerText
    examples: AnswerText
    skills: AnswerText
    risks: AnswerText
    start: AnswerText
    support: AnswerText
    sounds_like: AnswerText

    @field_validator("aliases")
    @classmethod
    def aliases_lower_case(cls, aliases: list[str]) -> list[str]:
        return [alias.strip().lower() for alias in aliases]


class RolesFile(Strict):
    aspect_buttons: list[AspectButton] = Field(min_length=1)
    all_roles_button: str = Field(min_length=1, max_length=30)
    roles: dict[RoleKey, Role]

    @field_validator("roles")
    @classmethod
    def all_four_roles(cls, roles: dict[str, Role]) -> dict[str, Role]:
        missing = set(RoleKey.__args__) - set(roles)
        if missing:
            raise ValueError(f"missing roles: {sorted(missing)}")
        return roles


class Topic(Strict):
    text: AnswerText
    buttons: list[Button] = Field(default_factory=list, max_length=6)


class TopicsFile(Strict):
    topics: dict[str, Topic]
    suggestions: dict[str, str] = Field(default_factory=dict)  # intent -> button title


class Command(Strict):
    command: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    description: str = Field(min_length=3, max_length=256)


class BotTexts(Strict):
    welcome: str
    help: str
    non_text: str
    unavailable: str
    button_expired: str
    too_long: str
    group_hint: str
    unknown_command: str
    welcome_buttons: list[Button] = Field(default_factory=list, max_length=6)
    commands: list[Command] = Field(min_length=1)


class CrisisLine(Strict):
    name: str
    contact: str
    when: str


class CrisisLinesFile(Strict):
    default_region: str
    elsewhere: str
    regions: dict[str, list[CrisisLine]]

    @field_validator("regions")
    @classmethod
    def regions_not_empty(cls, regions: dict[str, list[CrisisLine]]) -> dict[str, list[CrisisLine]]:
        for name, lines in regions.items():
            if not lines:
                raise ValueError(f"region {name!r} has no lines")
        return regions
