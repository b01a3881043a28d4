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
    parts.append(lines_file.keep_talking.strip())
    return "\n\n".join(parts)


def _bullets(lines: list[CrisisLine]) -> str:
    return "\n".join(f"• {line.name}: {line.contact} ({line.when})" for line in lines)
