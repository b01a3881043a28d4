"""Builds the Role Guide's answers from content: which text, which buttons, which role.

Pure functions of what Rasa understood, so they are easy to test and reuse.
"""

from __future__ import annotations

from dataclasses import replace

import content
from actions import feedback, quiz, support_finder
from actions.replies import Answer, ButtonSpec, Understood
from actions.role_matching import role_from_value, role_meant
from content.schema import rasa_payload as payload

ROLE_ASPECT_INTENTS = {
    "ask_role_about": "about",
    "ask_role_examples": "examples",
    "ask_role_skills": "skills",
    "ask_role_risks": "risks",
    "ask_role_start": "start",
    "ask_role_support": "support",  # answered by the support finder; the aspect stays for buttons
}
ASPECT_INTENTS = {aspect: intent for intent, aspect in ROLE_ASPECT_INTENTS.items()}
DESCRIBED_WORK_INTENTS = {
    "describe_community_work": "community_builder",
    "describe_improvement_work": "improvement_expert",
    "describe_advocacy_work": "disruptor_advocate",
    "describe_leadership_work": "citizen_leader",
}
FOLLOW_UP_INTENT = "inform_role"
FALLBACK_TOPIC = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
PICK_ROLE_TOPIC = "pick_role"
CRISIS_INTENT = "crisis"
# How sure Rasa must be, at least, for a crisis in its top two guesses to count.
CRISIS_SECOND_OPINION = 0.2
# "what about citizen leaders?" reads as either "what is it" or "the same question
# for them"; when the two are this close, the conversation so far decides.
FOLLOW_UP_MARGIN = 0.15
CRISIS_LINE_TOPICS = {CRISIS_INTENT}  # their text ends where the help lines begin
ROLE_INTENTS = {*ROLE_ASPECT_INTENTS, *DESCRIBED_WORK_INTENTS, FOLLOW_UP_INTENT}
# Intents whose answers are built by code from content, not read from topics.yml.
# (give_feedback starts the feedback form, which asks its own questions.)
ANSWERED_WITHOUT_TOPIC = (
    ROLE_INTENTS | quiz.QUIZ_INTENTS | support_finder.FINDER_INTENTS | {feedback.START_INTENT}
)


# Answers given mid-quiz without the "quiz on hold" line after them (a crisis answer stands alone too).
NO_QUIZ_REMINDER = {"goodbye"}


def answer(understood: Understood) -> Answer:
    if might_be_crisis(understood):
        # Never followed by an invitation to rate us, in this conversation.
        return replace(topic_answer(CRISIS_INTENT), remember={feedback.INVITED: True})
    return feedback.with_invite(_answer_with_quiz_reminder(understood), understood)


def _answer_with_quiz_reminder(understood: Understood) -> Answer:
    reply = _answer(understood)
    quiz_waits = understood.slots.get("quiz_active") and reply.remember.get("quiz_active") is None
    if quiz_waits and understood.intent not in NO_QUIZ_REMINDER:
        return quiz.with_reminder(reply)
    return reply


def _answer(understood: Understood) -> Answer:
    intent = understood.intent
    if quiz.is_quiz_turn(understood):
        return quiz.answer(understood)
    if intent in support_finder.FINDER_INTENTS or (
        _is_follow_up(understood) and understood.remembered_aspect == "support"
    ):
        return support_finder.answer(understood)
    if intent in ROLE_INTENTS:
        return _role_answer(understood)
    if intent == FALLBACK_TOPIC:
        return _fallback_answer(understood)
    if intent == OUT_OF_SCOPE:  # understood, but not something we answer: coordinators should see it
        return replace(topic_answer(intent), unanswered=not understood.is_button_press)
    return topic_answer(intent)


def topic_answer(key: str) -> Answer:
    topics = content.topics().topics
    topic = topics.get(key) or topics[FALLBACK_TOPIC]
    text = topic.text
    if key in CRISIS_LINE_TOPICS:
        text = f"{text}\n\n{content.crisis_lines_text()}"
    buttons = [ButtonSpec(button.title, button.payload) for button in topic.buttons]
    return Answer(text=text, buttons=buttons)


MAX_BUTTONS = 4
SUGGESTIONS = 2


def might_be_crisis(understood: Understood) -> bool:
    """A crisis is one of the two likeliest readings, and not a faint one.

    Then the help lines are given whatever else the message might mean: a tired
    carer shown them loses little, someone in danger asked to rephrase could
    lose everything. On the held-out set this caught 15 of 15 crisis messages
    with no false alarm in 350 others (threshold 0.2).
    """
    top_two = understood.ranking[:2]
    return any(
        intent == CRISIS_INTENT and confidence >= CRISIS_SECOND_OPINION for intent, confidence in top_two
    )


def _fallback_answer(understood: Understood) -> Answer:
    """Ask to rephrase, offering the likeliest topics first, then the usual ones."""
    base = topic_answer(FALLBACK_TOPIC)
    titles = content.topics().suggestions
    guesses = [i for i in understood.likely_intents if i in titles][:SUGGESTIONS]
    role = role_from_value(understood.remembered_role)
    suggested = [
        ButtonSpec(titles[i], payload(i, role if i in ROLE_ASPECT_INTENTS else None)) for i in guesses
    ]
    seen = {button.payload for button in suggested}
    buttons = suggested + [button for button in base.buttons if button.payload not in seen]
    return Answer(text=base.text, buttons=buttons[:MAX_BUTTONS], unanswered=not understood.is_button_press)


def _role_answer(understood: Understood) -> Answer:
    intent = understood.intent
    if intent in DESCRIBED_WORK_INTENTS:
        role_key = DESCRIBED_WORK_INTENTS[intent]
        role = content.roles().roles[role_key]
        return Answer(
            text=role.sounds_like,
            buttons=_aspect_buttons(role_key, exclude="about", first="about"),
            remember={"role": role_key, "role_aspect": "about"},
        )

    if _is_follow_up(understood):
        aspect = understood.remembered_aspect or "about"
        role_key = role_meant(understood.role_entities, understood.text, remembered=None)  # a new role
    else:
        aspect = ROLE_ASPECT_INTENTS[intent]
        role_key = role_meant(understood.role_entities, understood.text, understood.remembered_role)

    if role_key is None:
        return _pick_role(aspect)
    role = content.roles().roles[role_key]
    title = _aspect_title(aspect)
    text = f"{role.name} · {title}\n\n{getattr(role, aspect)}"
    return Answer(
        text=text,
        buttons=_aspect_buttons(role_key, exclude=aspect),
        remember={"role": role_key, "role_aspect": aspect},
    )


def _is_follow_up(understood: Understood) -> bool:
    if understood.intent == FOLLOW_UP_INTENT:
        return True
    return (
        understood.intent == "ask_role_about"
        and understood.remembered_aspect not in (None, "about")
        and understood.close_call("ask_role_about", FOLLOW_UP_INTENT, FOLLOW_UP_MARGIN)
    )


def _pick_role(aspect: str) -> Answer:
    """Ask which role is meant, with one button per role that answers the same question."""
    roles = content.roles().roles
    intent = ASPECT_INTENTS[aspect]
    buttons = [ButtonSpec(role.name, payload(intent, key)) for key, role in roles.items()]
    summaries = "\n".join(f"• {role.name} – {role.summary}" for role in roles.values())
    text = f"{content.topics().topics[PICK_ROLE_TOPIC].text}\n\n{summaries}"
    return Answer(text=text, buttons=buttons, remember={"role_aspect": aspect})


def _aspect_title(aspect: str) -> str:
    return next(b.title for b in content.roles().aspect_buttons if b.aspect == aspect)


def _aspect_buttons(role_key: str, exclude: str, first: str | None = None) -> list[ButtonSpec]:
    """Next-step buttons under a role answer: the other aspects, then 'all roles'."""
    buttons = [
        ButtonSpec(b.title, payload(ASPECT_INTENTS[b.aspect], role_key))
        for b in content.roles().aspect_buttons
        if b.aspect != exclude
    ]
    if first:
        buttons.insert(0, ButtonSpec(_aspect_title(first), payload(ASPECT_INTENTS[first], role_key)))
    buttons.append(ButtonSpec(content.roles().all_roles_button, payload("ask_roles_overview")))
    return buttons
