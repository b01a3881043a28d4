"""The feedback conversation: what to ask, how to read the answers, when to invite a rating.

Pure functions of what Rasa understood (the Rasa form and its actions are in
feedback_actions.py). Words and texts come from content/feedback.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import content
from actions import quiz
from actions.replies import Answer, ButtonSpec, Understood
from actions.role_matching import role_from_text
from content.schema import rasa_payload

FORM = "feedback_form"
START_INTENT = "give_feedback"
CHOICE = "feedback_choice"  # the entity every feedback button sends
RATING, COMMENT, ABOUT = "feedback_rating", "feedback_comment", "feedback_about"
FORM_SLOTS = (RATING, COMMENT, ABOUT)
SKIPPED = "-"  # slot value for "no comment" / "not about one thing": a form slot must not stay empty
STOP_CHOICE, SKIP_CHOICE = "stop", "skip"
# "stop" and "never mind" read as quiz_cancel; a short message that sure of it means stop.
CANCEL_INTENT, CANCEL_CONFIDENCE, CANCEL_MAX_WORDS = "quiz_cancel", 0.8, 4
# A message this clearly about something else, when a rating was asked, is answered instead.
OTHER_QUESTION_CONFIDENCE = 0.7
NOT_A_QUESTION = {
    "nlu_fallback",
    "out_of_scope",
    "quiz_answer",
    "quiz_cancel",
    START_INTENT,
    "thank",
    "greet",
}

# Slots for the invitation: how many helpful answers so far, and whether to ask no more.
HELPFUL_ANSWERS, INVITED = "helpful_answers", "feedback_invited"
# Quiz turns count neither: no invitation interrupts the quiz, and its questions are not answers.
SMALL_TALK = {"greet", "goodbye", "thank", "ask_help", "bot_challenge"}
NOT_HELPFUL = {"nlu_fallback", "out_of_scope", *SMALL_TALK, *quiz.QUIZ_INTENTS}
# Never ask someone who has just told us they are struggling how we did.
DISTRESS = {"crisis", "feeling_overwhelmed"}

_NOT_WORD = re.compile(r"[^\w/⭐★]+")
_SCORE = re.compile(
    r"^(?:i(?:d| would)? (?:say|give (?:it|you)) )?([1-5])(?: ?(?:/|out of|of) ?5)?(?: stars?)?$"
)


def normalise(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text.casefold().replace("'", "")).split())


def choice(understood: Understood) -> str:
    """What a feedback button sent, else what the person typed."""
    return understood.entity(CHOICE) or understood.text


def is_stop(understood: Understood) -> bool:
    said = normalise(choice(understood))
    if said == STOP_CHOICE or said in {normalise(w) for w in content.feedback().stop_words}:
        return True
    top = understood.ranking[0] if understood.ranking else ("", 0.0)
    return top[0] == CANCEL_INTENT and top[1] >= CANCEL_CONFIDENCE and len(said.split()) <= CANCEL_MAX_WORDS


def is_skip(text: str) -> bool:
    said = normalise(text)
    return said == SKIP_CHOICE or said in {normalise(w) for w in content.feedback().skip_words}


def rating_from(text: str) -> int | None:
    """1 to 5 from '4', '4/5', '4 out of 5', '⭐⭐⭐⭐', 'four' or 'very good'; None if it isn't one."""
    said = normalise(text)
    score = _SCORE.match(said)
    if score:
        return int(score.group(1))
    stars = said.replace(" ", "")
    if stars and set(stars) <= {"⭐", "★"} and len(stars) <= 5:
        return len(stars)
    phrases = sorted(
        ((normalise(w), r) for r, words in content.feedback().rating_words.items() for w in words),
        key=lambda pair: -len(pair[0]),
    )
    for phrase, rating in phrases:  # longest first: "not very helpful" before "helpful"
        if re.search(rf"\b{re.escape(phrase)}\b", said):
            return rating
    return None


def about_from(understood: Understood) -> str:
    """A role or topic key for what the feedback is about: a button's, a role named, else 'general'."""
    said = choice(understood)
    known = set(content.roles().roles) | set(content.feedback().about_topics)
    if said in known:
        return said
    if is_skip(said):
        return SKIPPED
    return role_from_text(said) or _topic_named(said) or "general"


def _topic_named(text: str) -> str | None:
    said = f" {normalise(text).replace('-', ' ')} "
    for key, topic in content.feedback().about_topics.items():
        if any(f" {normalise(word)} " in said for word in topic.words):
            return key
    return None


def is_other_question(understood: Understood) -> bool:
    if understood.is_button_press or not understood.ranking:
        return False
    intent, confidence = understood.ranking[0]
    return intent not in NOT_A_QUESTION and confidence >= OTHER_QUESTION_CONFIDENCE


# --- questions --------------------------------------------------------------------------------


def _button(title: str, value: str) -> ButtonSpec:
    return ButtonSpec(title, rasa_payload(START_INTENT, **{CHOICE: value}))


def ask_rating(again: bool) -> Answer:
    feedback = content.feedback()
    text = feedback.texts.rating_again if again else feedback.texts.ask_rating
    buttons = [_button(title, str(n)) for n, title in enumerate(feedback.rating_titles, start=1)]
    return Answer(text, [*buttons, _button(feedback.buttons.stop, STOP_CHOICE)])


def ask_comment() -> Answer:
    feedback = content.feedback()
    return Answer(
        feedback.texts.ask_comment,
        [_button(feedback.buttons.skip, SKIP_CHOICE), _button(feedback.buttons.stop, STOP_CHOICE)],
    )


def ask_about() -> Answer:
    feedback = content.feedback()
    roles = [_button(role.name, key) for key, role in content.roles().roles.items()]
    topics = [_button(topic.label, key) for key, topic in feedback.about_topics.items()]
    return Answer(feedback.texts.ask_about, [*roles, *topics, _button(feedback.buttons.skip, SKIP_CHOICE)])


@dataclass(frozen=True)
class Given:
    """What the form collected, ready to store: None where the person skipped."""

    rating: int
    comment: str | None
    about: str | None

    @classmethod
    def from_slots(cls, slots: dict) -> Given | None:
        rating = slots.get(RATING)
        if rating is None:
            return None  # stopped, or never started
        comment, about = slots.get(COMMENT), slots.get(ABOUT)
        return cls(
            rating=int(rating),
            comment=None if comment in (None, SKIPPED) else str(comment),
            about=None if about in (None, SKIPPED, "general") else str(about),
        )


# --- the invitation ---------------------------------------------------------------------------


def with_invite(reply: Answer, understood: Understood) -> Answer:
    """Count helpful answers; after enough of them, invite a rating (once per conversation)."""
    slots = understood.slots
    if slots.get(INVITED) or reply.remember.get(INVITED):
        return reply
    if understood.intent in DISTRESS:
        return _remember(reply, {INVITED: True})
    if understood.intent in NOT_HELPFUL or reply.unanswered:
        return reply
    helpful = int(slots.get(HELPFUL_ANSWERS) or 0) + 1
    quiz_running = slots.get("quiz_active") or reply.remember.get("quiz_active")
    if helpful < content.feedback().invite_after_answers or quiz_running:
        return _remember(reply, {HELPFUL_ANSWERS: float(helpful)})
    feedback = content.feedback()
    return Answer(
        text=f"{reply.text}\n\n{feedback.texts.invite}",
        buttons=[*reply.buttons, ButtonSpec(feedback.buttons.invite, rasa_payload(START_INTENT))],
        remember={**reply.remember, HELPFUL_ANSWERS: float(helpful), INVITED: True},
    )


def _remember(reply: Answer, slots: dict) -> Answer:
    return replace(reply, remember={**reply.remember, **slots})
