"""Pydantic models for the content YAML files; a bad key or a missing text fails at start-up."""

from __future__ import annotations

import json
import re
import string
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

RoleKey = Literal["community_builder", "improvement_expert", "disruptor_advocate", "citizen_leader"]
Aspect = Literal["about", "examples", "skills", "risks", "start", "support"]
SupportKind = Literal[
    "training_course",
    "peer_network",
    "mentoring",
    "funding_expenses",
    "carers_support",
    "helpline",
    "guidance_toolkit",
]


MAX_ANSWER_CHARS = 1200  # a phone screen and a bit; Telegram's own limit is 4096


def rasa_payload(intent: str, role: str | None = None, **entities: str) -> str:
    """A Rasa button payload, e.g. '/ask_role_skills{"role":"citizen_leader"}' (short: fits Telegram)."""
    if role is not None:
        entities = {"role": role, **entities}
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Button(Strict):
    """A next step: pressing it sends `intent` (with `role` if given) to Rasa."""

    title: str = Field(min_length=1, max_length=40)
    intent: str = Field(pattern=r"^[a-z_]+$")
    role: RoleKey | None = None
    support_kind: SupportKind | None = None  # with ask_role_support: a search for this kind

    @property
    def payload(self) -> str:
        extra = {"support_kind": self.support_kind} if self.support_kind else {}
        return rasa_payload(self.intent, self.role, **extra)


class AspectButton(Strict):
    aspect: Aspect
    title: str = Field(min_length=1, max_length=30)
    # Said first when the question is a yes/no one ("is it stressful?"): see actions/yes_no.py.
    yes_no: str | None = None


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
    sounds_like: AnswerText
    # Wording that belongs to this role's work or dilemmas and no other's ("push back"): a
    # question that uses it is about this role even when the role is not named.
    cues: list[str] = Field(default_factory=list)

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
    # Said first when the question is a yes/no one ("can I get paid?"): see actions/yes_no.py.
    yes_no: str | None = None


class TopicsFile(Strict):
    topics: dict[str, Topic]
    suggestions: dict[str, str] = Field(default_factory=dict)  # intent -> button title
    # Right after the help lines, a message with one of these gets them again ("who do i ring").
    who_to_contact: list[str] = Field(default_factory=list)


class Command(Strict):
    command: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    description: str = Field(min_length=3, max_length=256)


class BotTexts(Strict):
    welcome: str
    help: str
    non_text: str
    unavailable: str
    unavailable_roles: str
    button_expired: str
    too_long: str
    group_hint: str
    unknown_command: str
    rate_limited: str
    empty_message: str
    privacy: str  # {days}: how long a conversation is kept
    forgotten: str
    forget_failed: str
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


# --- support catalogue -------------------------------------------------------------------

Cost = Literal["free", "paid", "unknown"]


class SupportEntry(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    offers: str = Field(min_length=10, max_length=200)  # one plain sentence
    kinds: list[SupportKind] = Field(min_length=1)
    roles: list[RoleKey] = Field(min_length=1)
    where: list[str] = Field(min_length=1)  # place keys from `places`
    url: HttpUrl
    cost: Cost
    for_carers: bool = False  # mainly for carers themselves


class Place(Strict):
    name: str
    words: list[str] = Field(min_length=1)  # how people name it, lower case
    within: list[str] = Field(default_factory=list)  # wider places it is part of


class KindInfo(Strict):
    name: str  # for buttons and headings
    words: list[str] = Field(min_length=1)  # how people ask for it, lower case


class FinderTexts(Strict):
    heading: str  # "Support that could fit you{filters}:" ; {filters} e.g. " (citizen leader, online)"
    none_exact: str  # nothing fits every wish: the nearest online or international options follow
    no_more: str  # "That's all I have for this search."
    more_button: str = Field(max_length=30)
    online_button: str = Field(max_length=30)
    cost: dict[Cost, str]  # how each cost is shown


class SupportCatalogue(Strict):
    texts: FinderTexts
    home_place: str = "uk"  # assumed when a person names no place
    kinds: dict[SupportKind, KindInfo]
    places: dict[str, Place]
    carer_words: list[str] = Field(min_length=1)
    # A request for something ("where can i", "is there"): with a place and a kind of support in
    # the same message, the finder answers, whatever else the message says.
    asking_words: list[str] = Field(default_factory=list)
    # Phrases that hold a kind's word but ask for no kind ("learning disability" is no training).
    words_that_name_no_kind: list[str] = Field(default_factory=list)
    entries: list[SupportEntry] = Field(min_length=1)

    @field_validator("entries")
    @classmethod
    def unique_ids(cls, entries: list[SupportEntry]) -> list[SupportEntry]:
        ids = [entry.id for entry in entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {duplicates}")
        return entries

    @model_validator(mode="after")
    def places_are_known(self) -> SupportCatalogue:
        for entry in self.entries:
            unknown = set(entry.where) - set(self.places)
            if unknown:
                raise ValueError(f"{entry.id}: unknown places {sorted(unknown)}")
        for key, place in self.places.items():
            unknown = set(place.within) - set(self.places)
            if unknown:
                raise ValueError(f"place {key}: unknown wider places {sorted(unknown)}")
        return self


# --- "which role fits me?" quiz ------------------------------------------------------------


class QuizOption(Strict):
    title: str = Field(min_length=1, max_length=40)  # the button
    scores: dict[RoleKey, int] = Field(min_length=1)  # points towards each role


class QuizQuestion(Strict):
    id: str = Field(pattern=r"^q[0-9]+$")
    text: str = Field(max_length=300)
    options: list[QuizOption] = Field(min_length=2, max_length=5)


class QuizTexts(Strict):
    intro: str
    progress: str  # "Question {number} of {total}"
    result_one: str  # "{role} fits you best."  + why
    result_mixed: str  # "You fit {roles} about equally."
    why_intro: str
    cancelled: str
    not_an_answer: str  # typed something that is not one of the options
    paused: str  # after an answer to something else while the quiz waits
    restart_button: str = Field(max_length=30)
    cancel_button: str = Field(max_length=30)
    learn_more_button: str = Field(max_length=30)
    find_support_button: str = Field(max_length=30)


class QuizFile(Strict):
    texts: QuizTexts
    why: dict[RoleKey, str]  # why this role fits, in plain words
    questions: list[QuizQuestion] = Field(min_length=5, max_length=7)

    @model_validator(mode="after")
    def every_role_can_win(self) -> QuizFile:
        reachable = {
            max(option.scores, key=option.scores.get) for q in self.questions for option in q.options
        }
        missing = set(RoleKey.__args__) - reachable
        if missing:
            raise ValueError(f"no answer leads towards {sorted(missing)}")
        return self


class FeedbackTexts(Strict):
    ask_rating: str
    rating_again: str
    ask_comment: str
    ask_about: str
    thanks: str
    cancelled: str
    not_saved: str
    put_aside: str
    invite: str


class FeedbackButtons(Strict):
    skip: str = Field(max_length=30)
    stop: str = Field(max_length=30)
    invite: str = Field(max_length=30)


class FeedbackTopic(Strict):
    label: str = Field(max_length=40)
    words: list[str] = Field(default_factory=list)


class FeedbackFile(Strict):
    texts: FeedbackTexts
    buttons: FeedbackButtons
    rating_titles: list[str] = Field(min_length=5, max_length=5)
    rating_words: dict[int, list[str]]
    skip_words: list[str] = Field(min_length=1)
    stop_words: list[str] = Field(min_length=1)
    about_topics: dict[str, FeedbackTopic] = Field(min_length=1)  # must include "general"
    invite_after_answers: int = Field(ge=1)

    @model_validator(mode="after")
    def consistent(self) -> FeedbackFile:
        if set(self.rating_words) - set(range(1, 6)):
            raise ValueError("rating_words keys must be 1 to 5")
        if "general" not in self.about_topics:
            raise ValueError('about_topics needs a "general" entry')
        words = [
            w for group in (*self.rating_words.values(), self.skip_words, self.stop_words) for w in group
        ]
        repeated = sorted({w for w in words if words.count(w) > 1})
        if repeated:
            raise ValueError(f"words listed twice: {repeated}")
        return self

    def about_label(self, key: str | None, role_names: dict[str, str]) -> str:
        """A readable name for a stored 'about' key (a role or a topic)."""
        if key is None:
            return self.about_topics["general"].label
        topic = self.about_topics.get(key)
        return role_names.get(key) or (topic.label if topic else key)


# --- what coordinators read in Telegram ----------------------------------------------------


# The {names} each coordinator text may use: the code fills in exactly these.
COORDINATOR_PLACEHOLDERS: dict[str, set[str]] = {
    "digest_heading": {"first_day", "last_day"},
    "no_feedback_yet": {"weeks"},
    "feedback_figures": {"count", "average"},
    "compared_up": {"change", "previous"},
    "compared_down": {"change", "previous"},
    "compared_same": {"previous"},
    "by_about_line": {"label", "count", "average"},
    "open_questions": {"count"},
    "question_line": {"text", "count"},
    "comment_line": {"comment", "rating"},
    "chart_caption": {"weeks"},
    "unanswered_more": {"count"},
}


class CoordinatorTexts(Strict):
    """coordinator.yml: the digest, the open-questions list, their buttons and menu; plain text."""

    digest_heading: str  # {first_day} {last_day}
    no_feedback_yet: str  # {weeks}
    no_feedback_this_week: str
    feedback_figures: str  # {count} {average}
    compared_up: str  # {change} {previous}
    compared_down: str  # {change} {previous}
    compared_same: str  # {previous}
    compared_none: str
    by_about_heading: str
    by_about_line: str  # {label} {count} {average}
    open_questions: str  # {count}
    top_questions_heading: str
    question_line: str  # {text} {count}
    see_all_questions: str
    comments_heading: str
    comment_line: str  # {comment} {rating}
    chart_caption: str = Field(max_length=1024)  # {weeks}
    unanswered_heading: str
    unanswered_more: str  # {count}
    nothing_open: str
    mark_reviewed_button: str = Field(min_length=1, max_length=40)
    marked_reviewed: str
    already_reviewed: str
    list_expired: str
    not_for_you: str = Field(max_length=200)  # a pop-up notice: Telegram allows 200 characters
    database_unreadable: str
    commands: list[Command] = Field(min_length=1)  # the menu shown only in coordinators' chats

    @model_validator(mode="after")
    def known_placeholders(self) -> CoordinatorTexts:
        """A {name} the code does not fill in would fail at 9 am on digest day: fail at start-up instead."""
        for name, text in self:
            if not isinstance(text, str):
                continue
            used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            unknown = used - COORDINATOR_PLACEHOLDERS.get(name, set())
            if unknown:
                raise ValueError(f"{name}: unknown placeholders {sorted(unknown)}")
        return self


# --- the crisis safety net: patterns (crisis_patterns.yml) and replies (crisis_lines.yml) -----

CrisisCategory = Literal["medical_emergency", "suicide", "self_harm", "harm_to_others", "harm_from_others"]
CRISIS_CATEGORIES: tuple[str, ...] = CrisisCategory.__args__
_PHRASE_MARKS = {"(": ")", "[": "]", "{": "}"}


def _brackets_balanced(phrase: str) -> None:
    """A quick check at load time (marks known, brackets paired); safety.phrases reports anything subtler."""
    odd = re.search("[^\\w\\s'\u2019\\-()\\[\\]{}|*.$]", phrase)  # \u2019: a curly apostrophe
    if odd:
        raise ValueError(f"unexpected {odd.group()!r} in phrase {phrase!r}")
    open_marks: list[str] = []
    for char in phrase:
        if char in _PHRASE_MARKS:
            open_marks.append(_PHRASE_MARKS[char])
        elif char in _PHRASE_MARKS.values() and (not open_marks or open_marks.pop() != char):
            raise ValueError(f"unbalanced {char!r} in phrase {phrase!r}")
    if open_marks:
        raise ValueError(f"missing {open_marks[-1]!r} in phrase {phrase!r}")


def _all_balanced(phrases: list[str]) -> list[str]:
    for phrase in phrases:
        _brackets_balanced(phrase)
    return phrases


class CrisisPatterns(Strict):
    """What counts as one kind of crisis: phrases in plain words, and optional regular expressions."""

    phrases: list[str] = Field(min_length=1)
    regex: list[str] = Field(default_factory=list)

    @field_validator("phrases")
    @classmethod
    def phrases_readable(cls, phrases: list[str]) -> list[str]:
        return _all_balanced(phrases)

    @field_validator("regex")
    @classmethod
    def regex_compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"bad regex {pattern!r}: {error}") from error
            doubled = re.search(r"([a-z])\1", pattern)
            if doubled:
                raise ValueError(
                    f"regex {pattern!r} has {doubled.group()!r}: tidied text never has a double letter"
                )
        return patterns


class CrisisPatternsFile(Strict):
    """crisis_patterns.yml: the safety net's wording, checked before anything else runs."""

    spelling: list[str] = Field(default_factory=list)
    words: dict[str, list[str]] = Field(default_factory=dict)
    not_crisis: list[str] = Field(default_factory=list)
    categories: dict[CrisisCategory, CrisisPatterns]

    @field_validator("words")
    @classmethod
    def word_lists_readable(cls, words: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, entries in words.items():
            if not re.fullmatch(r"[a-z_]+", name) or not entries:
                raise ValueError(f"word list {name!r} needs a lower_case name and at least one entry")
            _all_balanced(entries)
        return words

    @field_validator("not_crisis")
    @classmethod
    def sayings_readable(cls, phrases: list[str]) -> list[str]:
        return _all_balanced(phrases)

    @model_validator(mode="after")
    def every_list_is_known(self) -> CrisisPatternsFile:
        phrases = [*self.not_crisis, *(p for c in self.categories.values() for p in c.phrases)]
        phrases += [entry for entries in self.words.values() for entry in entries]
        for phrase in phrases:
            unknown = set(re.findall(r"\{([a-z_]+)\}", phrase)) - set(self.words)
            if unknown:
                raise ValueError(f"unknown word list {sorted(unknown)} in phrase {phrase!r}")
        missing = set(CRISIS_CATEGORIES) - set(self.categories)
        if missing:
            raise ValueError(f"no phrases for {sorted(missing)}")
        return self


class KeyedCrisisLine(CrisisLine):
    """A help line with a short key, so each kind of crisis can list the lines it needs."""

    key: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")


class CrisisReply(Strict):
    """What the safety net says for one kind of crisis."""

    opening: str = Field(min_length=10, max_length=400)
    lines: dict[str, list[str]] = Field(default_factory=dict)  # region -> line keys, most urgent first


class ShortHelpLines(Strict):
    """A region's help lines in a few words, for other texts to include ({emergency}, ...)."""

    emergency: str = Field(min_length=5, max_length=60)  # "call 999"
    urgent_help: str = Field(min_length=10, max_length=200)  # one sentence: emergency and listening line
    health_advice: str = Field(min_length=5, max_length=80)  # who to ask about health, not in danger


class HelpLinePlace(Strict):
    """A part of a region with lines of its own (a UK nation): its button and its lines per kind."""

    key: str = Field(pattern=r"^[a-z_]+$")
    name: str = Field(min_length=2, max_length=30)
    lines: dict[CrisisCategory, list[str]]


class CrisisLinesAndReplies(CrisisLinesFile):
    """crisis_lines.yml: the general lines per region (as before) plus what each kind of crisis needs."""

    regions: dict[str, list[KeyedCrisisLine]]
    in_short: dict[str, ShortHelpLines]
    places: dict[str, list[HelpLinePlace]] = Field(default_factory=dict)
    place_prompt: str = Field(default="", max_length=120)
    place_opening: str = Field(default="", max_length=100)
    more_lines: dict[str, list[KeyedCrisisLine]] = Field(default_factory=dict)  # only some crises need these
    region_names: dict[str, list[str]] = Field(default_factory=dict)  # other names for a region: gb, england
    elsewhere_for: dict[str, str] = Field(default_factory=dict)  # the "other countries" line per region
    keep_talking: str = Field(min_length=10, max_length=300)
    categories: dict[CrisisCategory, CrisisReply]

    @model_validator(mode="after")
    def replies_complete(self) -> CrisisLinesAndReplies:
        named = set(self.more_lines) | set(self.region_names) | set(self.elsewhere_for) | set(self.in_short)
        unknown = named - set(self.regions)
        if unknown:
            raise ValueError(f"unknown regions {sorted(unknown)}")
        if set(self.regions) - set(self.in_short):
            raise ValueError(f"no in_short lines for {sorted(set(self.regions) - set(self.in_short))}")
        for region, places in self.places.items():
            if region not in self.regions:
                raise ValueError(f"places for unknown region {region!r}")
            for place in places:
                for category, keys in place.lines.items():
                    if not keys or set(keys) - self.line_keys(region):
                        raise ValueError(f"{place.key}: {category} lines must be keys of {region}'s lines")
            if places and "{place}" not in self.place_opening:
                raise ValueError("place_opening must say {place}")
        missing = set(CRISIS_CATEGORIES) - set(self.categories)
        if missing:
            raise ValueError(f"no reply for {sorted(missing)}")
        for category, reply in self.categories.items():
            for region, keys in reply.lines.items():
                known = self.line_keys(region)
                if region not in self.regions or set(keys) - known or not keys:
                    raise ValueError(f"{category}: lines for {region!r} must be keys of that region's lines")
        return self

    def line_keys(self, region: str) -> set[str]:
        lines = [*self.regions.get(region, []), *self.more_lines.get(region, [])]
        keys = [line.key for line in lines if line.key]
        if len(keys) != len(set(keys)):
            raise ValueError(f"region {region!r} uses a line key twice")
        return set(keys)

    def find_region(self, name: str | None) -> str | None:
        """The region a setting names ("UK", "gb", "Ireland"), or None if it names none."""
        wanted = (name or "").strip().lower()
        if wanted in self.regions:
            return wanted
        for region, names in self.region_names.items():
            if wanted in (n.lower() for n in names):
                return region
        return None

    def region_key(self, name: str | None) -> str:
        """The region a setting names, or the default one if unknown."""
        return self.find_region(name) or self.default_region

    def lines_for(self, category: str, region: str) -> list[KeyedCrisisLine]:
        """A kind of crisis's lines in a region, most urgent first (the region's general list if none)."""
        keys = self.categories[category].lines.get(region)  # type: ignore[index]
        if not keys:
            return list(self.regions[region])
        by_key = self.lines_by_key(region)
        return [by_key[key] for key in keys]

    def lines_by_key(self, region: str) -> dict[str, KeyedCrisisLine]:
        """A region's general and extra lines (`more_lines`), by key."""
        lines = [*self.regions.get(region, []), *self.more_lines.get(region, [])]
        return {line.key: line for line in lines if line.key}
