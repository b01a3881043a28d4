"""Conversations written apart from the training data, played through Telegram against the whole stack.

Each turn's reply is checked against the answer a careful person would expect
(tests/e2e/held_out_conversations.yml). The pass rate is printed with the
other measured figures and must stay at or above MIN_PASS_RATE.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import content
from tests.e2e.conftest import TOKEN, TgClient, transcript

pytestmark = pytest.mark.e2e

CONVERSATIONS = yaml.safe_load((Path(__file__).parent / "held_out_conversations.yml").read_text())[
    "conversations"
]
MIN_PASS_RATE = 0.90


def opening(text: str) -> str:
    return text.strip()[:50]


def expected_opening(expect: str) -> str | None:
    """The start of the text that answer must contain; None for checks by other means."""
    kind, _, rest = expect.partition(":")
    if kind == "role":
        role, aspect = rest.split(":")
        return opening(getattr(content.roles().roles[role], aspect))
    if kind == "describes":
        return opening(content.roles().roles[rest].sounds_like)
    if kind == "topic":
        return opening(content.topics().topics[rest].text)
    if kind == "pick_role":
        return opening(content.topics().topics["pick_role"].text)
    if kind == "bot":
        return opening(getattr(content.bot_texts(), rest))
    if kind == "crisis":
        return "116 123"
    if kind == "quiz":
        return opening(content.quiz().questions[0].text)
    raise ValueError(f"unknown expectation {expect!r}")


def turn_passes(client: TgClient, turn: dict) -> tuple[bool, str]:
    if "say" in turn:
        replies = client.send(turn["say"])
    elif "press" in turn:
        replies = client.press(turn["press"])
    else:
        replies = client.send_sticker("🙂")
    said = transcript(replies, buttons=False)
    expects = turn["expect"] if isinstance(turn["expect"], list) else [turn["expect"]]
    return any(_matches(expect, said) for expect in expects), said


def _matches(expect: str, said: str) -> bool:
    if expect.startswith("support:"):
        role = content.roles().roles[expect.split(":")[1]].name.lower()
        texts = content.support_catalogue().texts
        found = texts.heading.split("{")[0] in said or texts.none_exact.split("{")[0] in said
        return found and role in said and "https://" in said
    return expected_opening(expect) in said


def test_held_out_conversations_are_answered_as_a_person_would_expect(stack, emulator_url, record_property):
    passed, failures, total = 0, [], 0
    for conversation in CONVERSATIONS:
        client = TgClient(emulator_url, token=TOKEN, first_name="Heldout")
        for turn in conversation["turns"]:
            total += 1
            try:
                ok, said = turn_passes(client, turn)
            except Exception as error:  # a button that was not shown, a timeout: a failed turn
                ok, said = False, f"{type(error).__name__}: {error}"
            if ok:
                passed += 1
            else:
                failures.append(f"{conversation['name']} | {turn} | got: {said[:100]!r}")
    rate = passed / total
    figure = (
        f"held-out conversations: {passed}/{total} turns pass ({rate:.1%}) "
        f"in {len(CONVERSATIONS)} conversations"
    )
    record_property("figure", figure)
    print("\n" + figure + "\n" + "\n".join(failures))
    assert rate >= MIN_PASS_RATE, "\n".join(failures)
