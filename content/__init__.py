"""Loads the content YAML (what the Role Guide says) and validates it.

The folder defaults to this package's own; a deployment can point
ROLEGUIDE_CONTENT_DIR at a copy it edits.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel

from content.schema import (
    BotTexts,
    CoordinatorTexts,
    CrisisLine,
    CrisisLinesAndReplies,
    CrisisPatternsFile,
    FeedbackFile,
    QuizFile,
    RolesFile,
    SupportCatalogue,
    TopicsFile,
)

Model = TypeVar("Model", bound=BaseModel)


class ContentError(RuntimeError):
    """A content file is missing, is not YAML or does not match its schema."""


def content_dir() -> Path:
    return Path(os.environ.get("ROLEGUIDE_CONTENT_DIR") or Path(__file__).parent)


# Files whose texts may name help lines only through these, filled from crisis_lines.yml:
# {emergency}, {urgent_help}, {health_advice}, {line:KEY}, {line:REGION.KEY}.
_HELP_LINE = re.compile(r"\{(emergency|urgent_help|health_advice|line:(?:([a-z_]+)\.)?([a-z0-9_]+))\}")
_HELP_LINES_THEMSELVES = ("crisis_lines.yml", "crisis_patterns.yml")


def _load(filename: str, model: type[Model]) -> Model:
    path = content_dir() / filename
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        if filename not in _HELP_LINES_THEMSELVES:
            data = _fill_help_lines(data)
        return model.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as error:
        raise ContentError(f"{path}: {error}") from error


def _fill_help_lines(data: object) -> object:
    """Every {emergency}, {line:KEY}, ... in the loaded YAML, for the deployment's region."""
    if isinstance(data, str):
        return _HELP_LINE.sub(_help_line, data)
    if isinstance(data, dict):
        return {key: _fill_help_lines(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_fill_help_lines(item) for item in data]
    return data


def _help_line(found: re.Match[str]) -> str:
    lines = crisis_lines_file()
    region = crisis_region_key()
    name, named_region, key = found.groups()
    if not name.startswith("line:"):
        return getattr(lines.in_short[region], name)
    for place in (named_region,) if named_region else (region, lines.default_region):
        line = lines.lines_by_key(place).get(key)
        if line is not None:
            return line.contact
    raise ValueError(f"{found.group(0)}: no such help line in crisis_lines.yml")


@cache
def roles() -> RolesFile:
    return _load("roles.yml", RolesFile)


@cache
def topics() -> TopicsFile:
    return _load("topics.yml", TopicsFile)


@cache
def quiz() -> QuizFile:
    return _load("quiz.yml", QuizFile)


@cache
def support_catalogue() -> SupportCatalogue:
    return _load("support_catalogue.yml", SupportCatalogue)


@cache
def feedback() -> FeedbackFile:
    return _load("feedback.yml", FeedbackFile)


@cache
def bot_texts() -> BotTexts:
    return _load("bot.yml", BotTexts)


@cache
def coordinator_texts() -> CoordinatorTexts:
    return _load("coordinator.yml", CoordinatorTexts)


@cache
def crisis_lines_file() -> CrisisLinesAndReplies:
    loaded = _load("crisis_lines.yml", CrisisLinesAndReplies)
    if loaded.default_region not in loaded.regions:
        raise ContentError(f"crisis_lines.yml: default_region {loaded.default_region!r} is not a region")
    return loaded


def crisis_region_key(region: str | None = None) -> str:
    """The region whose help lines to give: `region`, else CRISIS_REGION, else the file's default."""
    return crisis_lines_file().region_key(region or os.environ.get("CRISIS_REGION"))


def crisis_lines(region: str | None = None) -> list[CrisisLine]:
    """Help lines for `region`; by default the deployment's CRISIS_REGION, else the file's default."""
    lines = crisis_lines_file()
    return lines.regions[crisis_region_key(region)]


def crisis_lines_text(region: str | None = None) -> str:
    """The help lines as bullets, then a pointer for people in other countries."""
    lines = crisis_lines_file()
    key = crisis_region_key(region)
    bullets = [f"• {line.name}: {line.contact} ({line.when})" for line in crisis_lines(key)]
    elsewhere = lines.elsewhere if key == lines.default_region else lines.elsewhere_for.get(key)
    return "\n".join([*bullets, *([elsewhere] if elsewhere else [])])


@cache
def crisis_patterns() -> CrisisPatternsFile:
    """The safety net's wording (crisis_patterns.yml); safety.CrisisMatcher compiles it."""
    return _load("crisis_patterns.yml", CrisisPatternsFile)


LOADERS = (
    roles,
    topics,
    quiz,
    support_catalogue,
    bot_texts,
    crisis_lines_file,
    feedback,
    coordinator_texts,
    crisis_patterns,
)


def load_all() -> None:
    """Load and validate every file now (start-up), so errors show before the first user does."""
    for loader in LOADERS:
        loader()


def reload() -> None:
    for loader in LOADERS:
        loader.cache_clear()
