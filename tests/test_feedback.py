"""The feedback conversation, run as the action server runs it: trackers in, messages and events out."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import content
from actions import feedback, saving
from actions.actions import ActionAnswer
from actions.feedback_actions import AskRating, SaveFeedback, ValidateFeedbackForm
from actions.replies import Answer, Understood

RASA_TEXT_SLOTS = {"role": None, "role_aspect": None}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The action server's store, on a fresh SQLite file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")
    monkeypatch.setenv("ROLEGUIDE_DATA_DIR", str(tmp_path))
    saving.store.cache_clear()
    yield saving.store()
    saving.store.cache_clear()


def tracker(
    text: str,
    intent: str = "nlu_fallback",
    confidence: float = 0.9,
    choice: str | None = None,
    ranking: tuple = (),
    **slots: Any,
) -> Tracker:
    entities = [{"entity": feedback.CHOICE, "value": choice}] if choice else []
    latest = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or ((intent, confidence),)],
        "entities": entities,
        "text": text,
    }
    return Tracker("a-pseudonym", {**RASA_TEXT_SLOTS, **slots}, latest, [], False, None, {}, "action_listen")


async def run(action, tracker_: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_, {})
    return dispatcher.messages, events


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def ends_the_form(events: list[dict]) -> bool:
    loop_ended = any(e["event"] == "active_loop" and e["name"] is None for e in events)
    return loop_ended and slot_events(events)[feedback.RATING] is None


# --- reading answers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "rating"),
    [
        ("4", 4),
        ("4/5", 4),
        ("4 out of 5", 4),
        ("I'd give it 2", 2),
        ("3 stars", 3),
        ("⭐⭐⭐⭐⭐", 5),
        ("five", 5),
        ("Very good!", 5),
        ("not very helpful", 2),
        ("not helpful", 1),
        ("okay", 3),
        ("10", None),
        ("0", None),
        ("banana", None),
        ("", None),
    ],
)
def test_ratings_are_read_from_numbers_words_and_stars(typed, rating):
    assert feedback.rating_from(typed) == rating


@pytest.mark.parametrize(
    ("typed", "about"),
    [
        ("citizen leaders", "citizen_leader"),
        ("the quiz", "quiz"),
        ("mostly about expenses", "practical"),
        ("co-production", "coproduction"),
        ("skip", feedback.SKIPPED),
        ("no idea really", "general"),
    ],
)
def test_what_the_feedback_is_about_is_read_from_what_is_typed(typed, about):
    assert feedback.about_from(Understood("nlu_fallback", typed)) == about


def test_a_topic_button_is_taken_as_it_is():
    understood = Understood(
        "give_feedback", '/give_feedback{"feedback_choice":"quiz"}', {feedback.CHOICE: ("quiz",)}
    )
    assert feedback.about_from(understood) == "quiz"


@pytest.mark.parametrize("typed", ["stop", "Never mind", "cancel", "forget it"])
def test_stop_words_stop_the_feedback(typed):
    assert feedback.is_stop(Understood("nlu_fallback", typed))


def test_a_long_comment_that_sounds_like_stop_is_still_a_comment():
    understood = Understood(
        "quiz_cancel", "stop asking carers to travel so far for meetings", ranking=(("quiz_cancel", 0.85),)
    )
    assert not feedback.is_stop(understood)


# --- the form's questions and checks ---------------------------------------------------------


async def test_the_first_question_asks_for_a_rating_with_five_buttons_and_stop():
    messages, _ = await run(AskRating(), tracker("can i leave feedback", "give_feedback"))

    assert messages[0]["text"] == content.feedback().texts.ask_rating
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[:5] == [f'/give_feedback{{"feedback_choice":"{n}"}}' for n in "12345"]
    assert payloads[5] == '/give_feedback{"feedback_choice":"stop"}'


async def test_a_typed_rating_fills_the_rating():
    _, events = await run(ValidateFeedbackForm(), tracker("four out of five", requested_slot=feedback.RATING))
    assert slot_events(events) == {feedback.RATING: 4}


async def test_something_that_is_not_a_rating_is_asked_again_kindly():
    _, events = await run(ValidateFeedbackForm(), tracker("banana", requested_slot=feedback.RATING))
    assert slot_events(events) == {feedback.RATING: None}

    messages, _ = await run(AskRating(), tracker("banana"))
    assert messages[0]["text"] == content.feedback().texts.rating_again


async def test_stop_ends_the_form_and_says_nothing_was_saved():
    messages, events = await run(
        ValidateFeedbackForm(), tracker("never mind", requested_slot=feedback.COMMENT, feedback_rating=5)
    )
    assert messages[0]["text"] == content.feedback().texts.cancelled
    assert ends_the_form(events)


async def test_a_crisis_message_gets_the_help_lines_and_ends_the_form():
    messages, events = await run(
        ValidateFeedbackForm(),
        tracker("i want to end my life", "crisis", 0.95, requested_slot=feedback.COMMENT, feedback_rating=3),
    )
    assert content.crisis_lines()[0].contact in messages[0]["text"]
    assert ends_the_form(events)


async def test_a_clear_question_instead_of_a_rating_is_answered_and_the_form_put_aside():
    messages, events = await run(
        ValidateFeedbackForm(),
        tracker("what is tokenism", "ask_tokenism", 0.95, requested_slot=feedback.RATING),
    )
    assert messages[0]["text"] == content.topics().topics["ask_tokenism"].text
    assert messages[1]["text"] == content.feedback().texts.put_aside
    assert ends_the_form(events)


async def test_a_comment_is_kept_as_typed_and_skip_means_no_comment():
    _, events = await run(
        ValidateFeedbackForm(), tracker("More about carers please", requested_slot=feedback.COMMENT)
    )
    assert slot_events(events) == {feedback.COMMENT: "More about carers please"}

    _, events = await run(
        ValidateFeedbackForm(),
        tracker("/give_feedback", "give_feedback", choice="skip", requested_slot=feedback.COMMENT),
    )
    assert slot_events(events) == {feedback.COMMENT: feedback.SKIPPED}


# --- saving ------------------------------------------------------------------------------------


async def test_the_finished_form_is_saved_scrubbed_and_without_ids(store):
    comment = "Great help. Ring me on 07700 900123 or mail sam@example.org"
    messages, events = await run(
        SaveFeedback(),
        tracker(
            "citizen_leader", feedback_rating=4, feedback_comment=comment, feedback_about="citizen_leader"
        ),
    )

    assert messages[0]["text"] == content.feedback().texts.thanks
    [row] = store.feedback()
    assert (row.rating, row.about) == (4, "citizen_leader")
    assert row.comment == "Great help. Ring me on [phone] or mail [email]"
    assert slot_events(events)[feedback.RATING] is None  # emptied for next time
    assert slot_events(events)[feedback.INVITED] is True  # and no invitation after this


async def test_a_stopped_form_saves_nothing(store):
    messages, events = await run(SaveFeedback(), tracker("stop"))
    assert messages == [] and events == []
    assert store.feedback() == []


async def test_skipped_answers_are_stored_as_empty(store):
    await run(SaveFeedback(), tracker("skip", feedback_rating=2, feedback_comment="-", feedback_about="-"))
    [row] = store.feedback()
    assert (row.rating, row.comment, row.about) == (2, None, None)


async def test_a_message_the_bot_could_not_answer_is_logged_scrubbed_for_coordinators(store):
    await run(ActionAnswer(), tracker("can u help me fill form PIP, text me 07700 900123", ranking=()))
    await run(
        ActionAnswer(), tracker('/ask_tokenism{"x":1}', ranking=())
    )  # a broken button is not a question

    assert [q.text for q in store.unanswered()] == ["can u help me fill form PIP, text me [phone]"]


async def test_a_question_outside_what_the_bot_covers_is_logged_too(store):
    await run(ActionAnswer(), tracker("how do i renew my blue badge", "out_of_scope"))
    assert [q.text for q in store.unanswered()] == ["how do i renew my blue badge"]


async def test_answered_questions_are_not_logged(store):
    await run(ActionAnswer(), tracker("what is tokenism", "ask_tokenism"))
    assert store.unanswered() == []


# --- the invitation ----------------------------------------------------------------------------


def invite_after() -> int:
    return content.feedback().invite_after_answers


def answered(intent: str = "ask_tokenism", **slots: Any) -> Answer:
    return feedback.with_invite(Answer("An answer."), Understood(intent, "q", slots=slots))


def test_a_rating_is_invited_after_enough_helpful_answers():
    reply = answered(helpful_answers=float(invite_after() - 1))

    assert reply.text.endswith(content.feedback().texts.invite)
    assert reply.buttons[-1].payload == "/give_feedback"
    assert reply.remember[feedback.INVITED] is True


def test_before_that_helpful_answers_are_only_counted():
    reply = answered(helpful_answers=1.0)
    assert reply.text == "An answer." and reply.remember == {feedback.HELPFUL_ANSWERS: 2.0}


def test_the_invitation_comes_once_per_conversation():
    reply = answered(helpful_answers=float(invite_after() + 3), feedback_invited=True)
    assert reply.text == "An answer." and not reply.buttons


def test_small_talk_and_fallbacks_do_not_count_as_helpful():
    assert answered("thank", helpful_answers=float(invite_after() - 1)).remember == {}


def test_no_invitation_in_a_conversation_where_someone_was_struggling():
    assert answered("feeling_overwhelmed").remember == {feedback.INVITED: True}


async def test_a_crisis_answer_blocks_the_invitation_for_the_rest_of_the_conversation():
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker("i can't go on", "crisis", 0.9), {})
    assert slot_events(events) == {feedback.INVITED: True, "help_lines_given": True}


def test_no_invitation_interrupts_the_quiz():
    reply = answered(helpful_answers=float(invite_after() - 1), quiz_active=True)
    assert content.feedback().texts.invite not in reply.text


async def test_beside_the_bots_help_lines_the_form_ends_and_saves_nothing():
    beside = tracker("im doing ok these days", "nlu_fallback", 0.3, requested_slot=feedback.COMMENT)
    beside.latest_message["metadata"] = {"beside_help_lines": True}
    messages, events = await run(ValidateFeedbackForm(), beside)

    assert messages == [{**messages[0], "custom": {"nothing_to_add": True}}]
    assert ends_the_form(events)
    assert not any(e.get("name") == feedback.COMMENT and e.get("value") for e in events)
