"""The support finder: the best three matches for a person's role, need, place and caring."""

from __future__ import annotations

import itertools

import content
from actions import support_finder
from actions.replies import Understood
from actions.support_finder import SupportWish, fits, ranked


def entries_named(text: str) -> list:
    """The entries an answer shows, found by their links (names can contain each other)."""
    lines = text.splitlines()
    links = {line.split(" ")[0] for line in lines}
    return [entry for entry in content.support_catalogue().entries if str(entry.url) in links]


def ask(text: str, **slots) -> tuple:
    reply = support_finder.answer(Understood("ask_role_support", text, {}, slots))
    return reply, entries_named(reply.text)


def test_a_typed_request_is_read_for_role_kind_and_place():
    wish = support_finder.wish_from(
        Understood("ask_role_support", "any mentoring for citizen leaders in scotland?")
    )
    assert wish == SupportWish(role="citizen_leader", kind="mentoring", place="scotland", carer=False)


def test_three_best_matches_fit_the_role_and_the_kind_asked_for_with_links():
    reply, shown = ask("where can i find training for improvement work")
    assert len(shown) == 3
    for entry in shown:
        assert "training_course" in entry.kinds and "improvement_expert" in entry.roles
        assert str(entry.url) in reply.text


def test_peer_networks_are_found():
    _, shown = ask("is there a peer network of people like me")
    assert shown and all("peer_network" in entry.kinds for entry in shown)


def test_a_carer_gets_support_for_carers_first():
    _, shown = ask("i look after my mum, is there any support for me")
    assert shown[0].for_carers


def test_money_for_travel_or_time_is_found():
    _, shown = ask("is there money to cover my travel costs")
    assert shown and all("funding_expenses" in entry.kinds for entry in shown)


def test_a_place_never_brings_a_service_from_another_country():
    catalogue = content.support_catalogue()
    _, shown = ask("peer support groups in wales")
    assert shown
    for entry in shown:
        assert set(entry.where) & {"wales", "uk", "online", "international"}, entry.id
    assert catalogue.places["wales"]


def test_with_no_place_named_the_home_nation_and_online_come_before_far_away():
    wish = SupportWish(kind="training_course")
    top = ranked(wish)[:3]
    assert all(
        set(e.where) & {"uk", "england", "scotland", "wales", "northern_ireland", "online", "international"}
        for e in top
    )


def a_wish_nothing_fits() -> SupportWish:
    catalogue = content.support_catalogue()
    for role, kind, place in itertools.product(content.roles().roles, catalogue.kinds, catalogue.places):
        wish = SupportWish(role=role, kind=kind, place=place)
        if not [e for e in catalogue.entries if fits(e, wish)]:
            return wish
    raise AssertionError("every combination has a match")


def test_when_nothing_fits_it_says_so_and_offers_online_or_international_options():
    wish = a_wish_nothing_fits()
    slots = {"role": wish.role, "support_kind": wish.kind, "support_place": wish.place}
    reply = support_finder.answer(Understood("ask_role_support", "/ask_role_support", {}, slots))
    texts = content.support_catalogue().texts
    assert reply.text.startswith(texts.none_exact.split("{")[0])
    shown = entries_named(reply.text)
    assert shown and all(set(e.where) & {"online", "international"} for e in shown)


def test_a_button_narrows_the_last_search_and_show_more_pages_on():
    first, shown_first = ask("what support is there for advocates")
    kinds = [b for b in first.buttons if "support_kind" in b.payload]
    assert kinds
    more = next(b for b in first.buttons if b.payload == "/find_more_support")
    reply = support_finder.answer(Understood("find_more_support", more.payload, {}, dict(first.remember)))
    shown_next = entries_named(reply.text)
    assert shown_next and not set(e.id for e in shown_next) & set(e.id for e in shown_first)
    assert all("disruptor_advocate" in e.roles for e in shown_next)


def test_every_finder_button_fits_telegram():
    reply, _ = ask("support for citizen leaders")
    assert all(len(b.payload.encode()) <= 64 for b in reply.buttons)


def test_the_expenses_answer_offers_a_search_for_help_with_costs():
    button = next(b for b in content.topics().topics["ask_expenses"].buttons if b.support_kind)
    reply = support_finder.answer(
        Understood(button.intent, button.payload, {"support_kind": (button.support_kind,)})
    )
    shown = entries_named(reply.text)
    assert shown and all("funding_expenses" in entry.kinds for entry in shown)


def test_with_no_place_named_a_uk_wide_service_comes_before_one_nation_only():
    catalogue = content.support_catalogue()
    wish = SupportWish(kind="carers_support", carer=True)
    order = [entry.id for entry in ranked(wish)]
    uk_wide = [e.id for e in catalogue.entries if "uk" in e.where and "carers_support" in e.kinds]
    one_nation = [
        e.id for e in catalogue.entries if set(e.where) == {"wales"} and "carers_support" in e.kinds
    ]
    assert uk_wide and one_nation
    assert max(order.index(i) for i in uk_wide[:1]) < min(order.index(i) for i in one_nation)


def test_a_general_search_for_a_role_does_not_lead_with_helplines():
    _, shown = ask("what support is there for community builders")
    assert shown and "helpline" not in shown[0].kinds
