"""What the safety net says: a short kind opening, the right help lines first, and an open door."""

from __future__ import annotations

import content
from content.schema import CrisisLine
from safety.crisis import CrisisMatch


def crisis_reply(match: CrisisMatch, region: str | None = None) -> str:
    """The reply for a crisis: opening, the lines for its kind (most urgent first), elsewhere, keep talking.

    `region` is the deployment's CRISIS_REGION setting (a key or another name for
    one in crisis_lines.yml); None means the CRISIS_REGION environment variable, and
    an unknown name or none at all means the file's default.
    Plain text: the bot escapes it.
    """
    lines_file = content.crisis_lines_file()
    key = content.crisis_region_key(region)
    reply = lines_file.categories[match.category]  # type: ignore[index]
    parts = [reply.opening.strip(), _bullets(lines_file.lines_for(match.category, key))]
    is_default = key == lines_file.default_region
    elsewhere = lines_file.elsewhere if is_default else lines_file.elsewhere_for.get(key)
    if elsewhere:
        parts.append(elsewhere.strip())
    if place_buttons(match.category, key) and lines_file.place_prompt:
        parts.append(lines_file.place_prompt.strip())
    parts.append(lines_file.keep_talking.strip())
    return "\n\n".join(parts)


def _bullets(lines: list[CrisisLine]) -> str:
    return "\n".join(f"• {line.name}: {line.contact} ({line.when})" for line in lines)


# A press on a place button ("Scotland") under a crisis reply: the bot answers it itself.
PLACE_PAYLOAD = "/help_lines_in:"


def place_buttons(category: str, region: str | None = None) -> list[tuple[str, str]]:
    """(title, payload) for each place in the region with lines of its own for this kind of crisis."""
    lines_file = content.crisis_lines_file()
    places = lines_file.places.get(content.crisis_region_key(region), [])
    return [
        (place.name, f"{PLACE_PAYLOAD}{place.key}:{category}") for place in places if category in place.lines
    ]


def place_reply(payload: str, region: str | None = None) -> str | None:
    """The lines a place button adds, or None if the payload names no place or kind we know."""
    if not payload.startswith(PLACE_PAYLOAD):
        return None
    place_key, _, category = payload.removeprefix(PLACE_PAYLOAD).partition(":")
    lines_file = content.crisis_lines_file()
    key = content.crisis_region_key(region)
    place = next((place for place in lines_file.places.get(key, []) if place.key == place_key), None)
    if place is None or category not in place.lines:
        return None
    by_key = lines_file.lines_by_key(key)
    opening = lines_file.place_opening.replace("{place}", place.name)
    return f"{opening}\n{_bullets([by_key[line] for line in place.lines[category]])}"
