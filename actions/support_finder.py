"""Finds support, training and peer networks that fit a person: role, kind of help, place, carer.

Entries come from content/support_catalogue.yml. A typed question is read
afresh (kind and place words from the catalogue, the role as everywhere
else); a button press narrows the last search (its wishes live in slots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import content
from actions.replies import Answer, ButtonSpec, Understood
from actions.role_matching import read, role_meant
from content.schema import SupportEntry, rasa_payload
from reading.questions import last_clause, question_part

FINDER_INTENT = "ask_role_support"
MORE_INTENT = "find_more_support"
FINDER_INTENTS = {FINDER_INTENT, MORE_INTENT}
PAGE_SIZE = 3
# A search was the last answer: a short message naming a place or a kind next narrows it.
SEARCH_SHOWN = "search_shown"
EVERYWHERE = {"online", "international"}
KIND_BUTTONS = 3


@dataclass(frozen=True)
class SupportWish:
    role: str | None = None
    kind: str | None = None
    place: str | None = None
    carer: bool = False


def answer(understood: Understood) -> Answer:
    wish = wish_from(understood)
    page = int(understood.slots.get("support_page") or 0) + 1 if understood.intent == MORE_INTENT else 0
    catalogue = content.support_catalogue()
    texts = catalogue.texts
    ranking = ranked(wish)
    exact = [entry for entry in ranking if fits(entry, wish)]
    if exact:
        shown = exact[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        lines = [texts.heading.format(filters=_filters(wish))] if shown else [texts.no_more]
        more_left = len(exact) > (page + 1) * PAGE_SIZE
    else:
        shown = [entry for entry in ranking if EVERYWHERE & set(entry.where)][:PAGE_SIZE]
        lines = [texts.none_exact.format(filters=_filters(wish))]
        more_left = False
    lines += [_entry_line(number, entry) for number, entry in enumerate(shown, start=1)]
    remember = {
        "support_kind": wish.kind,
        "support_place": wish.place,
        "support_page": float(page),
        "is_carer": wish.carer,
        "role_aspect": "support",  # so "and for advocates?" searches again for them
        SEARCH_SHOWN: True,
    }
    if wish.role:
        remember["role"] = wish.role
    return Answer("\n\n".join(lines), _buttons(wish, more_left), remember)


def wish_from(understood: Understood) -> SupportWish:
    """What the person wants: what this message says, else what the last search said.

    So buttons, "show more" and "anything like that in Wales?" narrow the last
    search, while "any training?" changes what is searched for.
    """
    slots = understood.slots
    text = "" if understood.is_button_press else understood.text
    carer = bool(slots.get("is_carer")) or _mentions(text, content.support_catalogue().carer_words)
    return SupportWish(
        role=role_meant(understood.role_entities, text, understood.remembered_role),
        kind=understood.entity("support_kind") or kind_from_text(text) or slots.get("support_kind"),
        place=understood.entity("support_place") or place_from_text(text) or slots.get("support_place"),
        carer=carer,
    )


# A follow-up this short that names a place or a kind ("anything in Wales?", "any mentoring?")
# right after a search narrows that search.
FOLLOW_UP_WORDS = 12


def asks_for_support(understood: Understood) -> bool:
    """A typed message that asks for something and names both a place and a kind of support."""
    text = "" if understood.is_button_press else understood.text
    asking = _mentions(text, content.support_catalogue().asking_words)
    return bool(asking and place_from_text(text) and kind_from_text(text))


def ends_asking_for_a_kind(understood: Understood) -> bool:
    """A typed message whose last clause asks for a kind of support ("everyone rings me with
    every problem, how do people cope, is there a peer group or something")."""
    last = None if understood.is_button_press else last_clause(understood.text)
    return bool(last and _mentions(last, content.support_catalogue().asking_words) and _kind_in(last))


def narrows_last_search(understood: Understood) -> bool:
    """Just after a search, a short typed message that names a place or a kind of support.

    Only just after: once a topic was answered in between, "hes worried about zoom" is about
    online meetings, not a search narrowed to online support.
    """
    text = "" if understood.is_button_press else understood.text
    just_after = understood.slots.get(SEARCH_SHOWN) and understood.remembered_aspect == "support"
    if not just_after or len(text.split()) > FOLLOW_UP_WORDS:
        return False
    return bool(place_from_text(text) or kind_from_text(text))


def kind_from_text(text: str) -> str | None:
    """The kind of support a message asks for: the one its question names, else the first named.

    So "my brother has a learning disability, where can I find carers support" asks for support
    for carers, not for training.
    """
    asked = question_part(text)
    return (asked and _kind_in(asked)) or _kind_in(text)


def _kind_in(text: str) -> str | None:
    catalogue = content.support_catalogue()
    plain = _plain(text)
    for phrase in catalogue.words_that_name_no_kind:
        plain = plain.replace(f" {phrase} ", " ")
    return next((key for key, kind in catalogue.kinds.items() if _mentions(plain, kind.words)), None)


def place_from_text(text: str) -> str | None:
    places = content.support_catalogue().places
    return next((key for key, place in places.items() if _mentions(text, place.words)), None)


def ranked(wish: SupportWish) -> list[SupportEntry]:
    """Every entry, best fit first; free before paid when the fit is equal."""
    entries = content.support_catalogue().entries
    return sorted(entries, key=lambda entry: (-score(entry, wish), entry.cost != "free", entry.name))


def score(entry: SupportEntry, wish: SupportWish) -> float:
    points = 0.0
    if wish.kind:
        points += 4 if wish.kind in entry.kinds else 0
    elif "helpline" in entry.kinds:
        points -= 1  # helplines are for urgent help; a general search is about growing in a role
    if wish.role:
        points += 2 + 1 / len(entry.roles) if wish.role in entry.roles else 0  # specialists first
    points += _place_points(entry, wish.place)
    if wish.carer and entry.for_carers:
        points += 2
    return points


def fits(entry: SupportEntry, wish: SupportWish) -> bool:
    """Whether an entry meets every wish the person stated."""
    return (
        (not wish.kind or wish.kind in entry.kinds)
        and (not wish.role or wish.role in entry.roles)
        and (not wish.place or _place_points(entry, wish.place) > 0)
    )


def _place_points(entry: SupportEntry, place: str | None) -> float:
    """How well an entry's places suit the place asked for (or, if none, the home place)."""
    catalogue = content.support_catalogue()
    wanted = place or catalogue.home_place
    where = set(entry.where)
    wider = set(catalogue.places[wanted].within) if wanted in catalogue.places else set()
    if wanted in where:
        return 3.0 if place else 1.0
    if where & wider:
        return 2.0  # e.g. a UK-wide service for someone in Scotland
    if where & EVERYWHERE:
        return 1.0 if place else 0.8
    if any(wanted in catalogue.places[p].within for p in where):
        return 1.0 if place else 0.5  # e.g. a Wales-only service, when no nation was named
    return -2.0  # somewhere else entirely


def _mentions(text: str, words: list[str]) -> bool:
    """Whether the message, as the actions read it (text-speak expanded, slips put right), or its
    plain lower-case words hold one of the words."""
    plain = _plain(text)
    read_words = f" {read(text)} "
    return any(f" {word} " in plain or f" {word} " in read_words for word in words)


def _plain(text: str) -> str:
    """Lower-case letters and digits only, spaced at both ends so " word " finds whole words."""
    return f" {re.sub(r'[^a-z0-9 ]+', ' ', text.lower())} "


def _filters(wish: SupportWish) -> str:
    catalogue = content.support_catalogue()
    parts = []
    if wish.role:
        parts.append(content.roles().roles[wish.role].name.lower())
    if wish.kind:
        parts.append(catalogue.kinds[wish.kind].name.lower())
    if wish.place:
        parts.append(catalogue.places[wish.place].name)
    return f" ({', '.join(parts)})" if parts else ""


def _entry_line(number: int, entry: SupportEntry) -> str:
    cost = content.support_catalogue().texts.cost[entry.cost]
    return f"{number}. {entry.name} – {entry.offers}\n{entry.url}" + (f" ({cost})" if cost else "")


def _buttons(wish: SupportWish, more_left: bool) -> list[ButtonSpec]:
    catalogue = content.support_catalogue()
    buttons = []
    if more_left:
        buttons.append(ButtonSpec(catalogue.texts.more_button, rasa_payload(MORE_INTENT)))
    for key, kind in list(catalogue.kinds.items()):
        if key != wish.kind and len(buttons) < KIND_BUTTONS + int(more_left):
            buttons.append(ButtonSpec(kind.name, rasa_payload(FINDER_INTENT, support_kind=key)))
    if wish.place != "online":
        buttons.append(
            ButtonSpec(catalogue.texts.online_button, rasa_payload(FINDER_INTENT, support_place="online"))
        )
    return buttons
