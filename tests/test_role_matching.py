"""People name roles in many ways; the assistant should still know which one they mean."""

from __future__ import annotations

import pytest

from actions.role_matching import role_from_text, role_from_value


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("community_builder", "community_builder"),
        ("Community Builders", "community_builder"),
        ("comunity buider", "community_builder"),
        ("improvment expert", "improvement_expert"),
        ("Disruptor/Advocate", "disruptor_advocate"),
        ("advocates", "disruptor_advocate"),
        ("citzen leader", "citizen_leader"),
        ("citizen leadership", "citizen_leader"),
    ],
)
def test_an_entity_value_is_matched_to_its_role(value, role):
    assert role_from_value(value) == role


@pytest.mark.parametrize("value", [None, "", "   ", "banana", 42])
def test_something_that_is_not_a_role_matches_nothing(value):
    assert role_from_value(value) is None


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("what skills does a citizen leader need?", "citizen_leader"),
        ("how do i become an improvment expert", "improvement_expert"),
        ("tell me about the disruptor one", "disruptor_advocate"),
        ("and for comunity builders?", "community_builder"),
    ],
)
def test_a_role_named_in_free_text_is_found(text, role):
    assert role_from_text(text) == role


def test_text_without_a_role_finds_none():
    assert role_from_text("what skills would i need for that?") is None
