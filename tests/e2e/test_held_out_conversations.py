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
from actions.support_finder import SupportWish, fits
from tests.e2e.conftest import TOKEN, TgClient, transcript
from tests.test_support_finder import entries_named

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
# Each set of conversations, and the share of turns that must pass.
CONVERSATION_SETS = {
    "held_out_conversations.yml": 0.90,  # the four roles, topics, conversation
    "held_out_support_quiz.yml": 0.85,  # the support finder and the quiz
    "blind_conversations_1.yml": 0.85,  # tuned-on; its first run was the baseline (tests/BLIND_LEDGER.md)
    "blind_conversations_3.yml": 0.90,  # tuned-on after its first run (tests/BLIND_LEDGER.md)
    "blind_conversations_4.yml": 0.90,  # tuned-on, likewise
    "blind_conversations_5.yml": 0.90,  # tuned-on after its first run
    "blind_conversations_6.yml": 0.90,  # tuned-on after its first run
    "blind_conversations_7.yml": 0.90,  # tuned-on after its first run
    "blind_conversations_8.yml": 0.90,  # tuned-on after its first run
    "blind_conversations_9.yml": 0.90,  # tuned-on after its first run
    "blind_conversations_10.yml": 0.90,  # tuned-on after its first run
    "blind_conversations_11.yml": 0.0,  # blind, written after fixing set 10: first run in the ledger
}


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


ASPECT_INTENTS = {
    "about": "ask_role_about",
    "examples": "ask_role_examples",
    "skills": "ask_role_skills",
    "risks": "ask_role_risks",
    "start": "ask_role_start",
    "support": "ask_role_support",
}


def turn_passes(client: TgClient, turn: dict) -> tuple[bool, str]:
    if "say" in turn:
        replies = client.send(turn["say"])
    elif "press" in turn:
        replies = client.press(turn["press"])
    else:
        replies = client.send_sticker("🙂")
    if _help_lines_in(replies):  # an answer to the rest of the message may follow once Rasa has it
        replies += client.wait(timeout=BESIDE_HELP_LINES_WAIT, min_replies=1)
    said = transcript(replies, buttons=False)
    expects = turn["expect"] if isinstance(turn["expect"], list) else [turn["expect"]]
    if is_did_you_mean(said):  # right when the answer expected is one tap away
        offered = {button.get("text") for reply in replies for button in reply.get("buttons", [])}
        return any(_title_of(expect) in offered for expect in expects), said
    return any(_matches(expect, said) for expect in expects), said


# The help lines go first, at once; the answer beside them comes when Rasa has read the rest.
BESIDE_HELP_LINES_WAIT = 5.0


def _help_lines_in(replies: list[dict]) -> bool:
    return content.crisis_lines_file().keep_talking.strip()[:40] in transcript(replies, buttons=False)


def is_did_you_mean(said: str) -> bool:
    return opening(content.topics().topics["did_you_mean"].text) in said


def _title_of(expect: str | dict) -> str | None:
    """The button title of the answer expected, as a "Did you mean" question would offer it."""
    if not isinstance(expect, str):
        return None
    kind, _, rest = expect.partition(":")
    intent = {
        "topic": rest,
        "role": ASPECT_INTENTS.get(rest.split(":")[-1]),
        "support": "ask_role_support",
    }.get(kind)
    return content.topics().suggestions.get(intent or "")


def _finder_matches(wanted: dict, said: str) -> bool:
    """A finder answer whose entries fit everything the person asked for."""
    texts = content.support_catalogue().texts
    shown = entries_named(said)
    if texts.heading.split("{")[0] not in said or not shown:
        return False
    wish = SupportWish(role=wanted.get("role"), kind=wanted.get("kind"), place=wanted.get("place"))
    if not all(fits(entry, wish) for entry in shown):
        return False
    return not wanted.get("carer") or shown[0].for_carers or "carers_support" in shown[0].kinds


def _structured_matches(expect: dict, said: str) -> bool:
    ((kind, value),) = expect.items()
    quiz = content.quiz()
    if kind == "finds":
        return _finder_matches(value or {}, said)
    if kind == "quiz_question":
        return quiz.questions[int(value) - 1].text in said
    if kind == "quiz_result":
        role = content.roles().roles[value].name
        return _is_quiz_result(said) and role in said
    raise ValueError(f"unknown expectation {expect!r}")


def _is_quiz_result(said: str) -> bool:
    texts = content.quiz().texts
    return any(template.split("{")[0] in said for template in (texts.result_one, texts.result_mixed))


def _matches(expect: str | dict, said: str) -> bool:
    if isinstance(expect, dict):
        return _structured_matches(expect, said)
    if expect == "finds_nothing_exact":
        return content.support_catalogue().texts.none_exact.split("{")[0] in said and bool(
            entries_named(said)
        )
    if expect == "quiz_result":
        return _is_quiz_result(said)
    if expect == "crisis":  # Rasa's crisis answer, or the safety net's (help lines for that kind of crisis)
        return (
            expected_opening(expect) in said or content.crisis_lines_file().keep_talking.strip()[:40] in said
        )
    if expect == "quiz_stopped":
        return content.quiz().texts.cancelled.strip()[:40] in said
    if expect.startswith("role:") and expect.endswith(":support"):  # the support finder answers it
        expect = f"support:{expect.split(':')[1]}"
    if expect.startswith("support:"):
        role = content.roles().roles[expect.split(":")[1]].name.lower()
        texts = content.support_catalogue().texts
        found = texts.heading.split("{")[0] in said or texts.none_exact.split("{")[0] in said
        return found and role in said and "https://" in said
    return expected_opening(expect) in said


@pytest.mark.parametrize("filename", list(CONVERSATION_SETS))
def test_held_out_conversations_are_answered_as_a_person_would_expect(
    filename, stack, emulator_url, record_property
):
    conversations = yaml.safe_load((HERE / filename).read_text())["conversations"]
    passed, failures, total, asked = 0, [], 0, 0
    for conversation in conversations:
        client = TgClient(emulator_url, token=TOKEN, first_name="Heldout")
        for turn in conversation["turns"]:
            total += 1
            try:
                ok, said = turn_passes(client, turn)
            except Exception as error:  # a button that was not shown, a timeout: a failed turn
                ok, said = False, f"{type(error).__name__}: {error}"
            asked += is_did_you_mean(said)
            if ok:
                passed += 1
            else:
                failures.append(f"{conversation['name']} | {turn} | got: {said[:100]!r}")
    rate = passed / total
    figure = (
        f"{filename}: {passed}/{total} turns pass ({rate:.1%}) in {len(conversations)} conversations; "
        f"{asked} answered by a 'Did you mean' question"
    )
    record_property("figure", figure)
    print("\n" + figure + "\n" + "\n".join(failures))
    assert rate >= CONVERSATION_SETS[filename], "\n".join(failures)
