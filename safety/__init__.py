"""The crisis safety net: spots wording that means someone may be in danger, and says where help is.

The bot calls `find_crisis(text)` on every message before anything else; when it
returns a CrisisMatch, it sends `crisis_reply(match, region=<CRISIS_REGION>)`.
"""

from safety.crisis import CrisisMatch, CrisisMatcher, crisis_matcher, find_crisis
from safety.replies import crisis_reply

__all__ = ["CrisisMatch", "CrisisMatcher", "crisis_matcher", "crisis_reply", "find_crisis"]
