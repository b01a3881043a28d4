"""Builds the Role Guide's answers from content: which text, which buttons, which role.

Pure functions of what Rasa understood, so they are easy to test and reuse.
"""

from __future__ import annotations

from dataclasses import replace

import content
from actions import feedback, quiz, support_finder
from actions.replies import Answer, ButtonSpec, Understood
from actions.role_matching import read, role_from_text, role_from_value, role_meant
from content.schema import rasa_payload as payload
from reading.questions import (
    GREETINGS,
    POINTING_BACK_TO_ONE,
    asks_a_question,
    asks_what_is_done,
    is_yes_no_question,
    question_part,
)
from storage.retention import retention_days

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
DID_YOU_MEAN_TOPIC = "did_you_mean"
# Two readings closer than this are too close to call: the person is asked which they meant.
# Measured (tools/did_you_mean.py) on the held-out messages and the typed turns of the
# conversation sets, 553 messages: at 0.3 the question is asked 10 times, 7 of them putting a
# wrong first reading right and 1 needless; at 0.4, 16 times, 4 needless and only 8 put right;
# at 0.2, 4 times, 3 put right. So 0.3.
DID_YOU_MEAN_MARGIN = 0.3
CRISIS_INTENT = "crisis"
# How sure Rasa must be, at least, for a crisis in its top two guesses to count.
CRISIS_SECOND_OPINION = 0.2
# "what about citizen leaders?" reads as either "what is it" or "the same question
# for them"; when the two are this close, the conversation so far decides.
FOLLOW_UP_MARGIN = 0.15
CRISIS_LINE_TOPICS = {CRISIS_INTENT}  # their text ends where the help lines begin
PRIVACY_TOPIC = "ask_privacy"  # its text ends where /privacy's begins: the same facts
ROLE_INTENTS = {*ROLE_ASPECT_INTENTS, *DESCRIBED_WORK_INTENTS, FOLLOW_UP_INTENT}
# Readings a last clause asking for a kind of support overrides ("..., is there a peer group?").
# Not skills or getting started: "are there skills i need" asks about the role, not for a course.
GIVES_WAY_TO_A_SUPPORT_REQUEST = {
    "ask_role_about",
    "ask_role_examples",
    "ask_role_risks",
    *DESCRIBED_WORK_INTENTS,
}
# Intents whose answers are built by code from content, not read from topics.yml.
# (give_feedback starts the feedback form, which asks its own questions.)
ANSWERED_WITHOUT_TOPIC = (
    ROLE_INTENTS | quiz.QUIZ_INTENTS | support_finder.FINDER_INTENTS | {feedback.START_INTENT}
)


# Messages that are never a narrower search, even just after one.
# ("what skills does it need?" asks about the role, though "skills" is a word of the training kind.)
NEVER_NARROWS_A_SEARCH = {
    CRISIS_INTENT,
    "feeling_overwhelmed",  # "knackered, caring plus the cafe": worn out, not a narrower search
    feedback.START_INTENT,
    "greet",
    "goodbye",
    "thank",
    *quiz.QUIZ_INTENTS,
    *(intent for intent in ROLE_ASPECT_INTENTS if intent != support_finder.FINDER_INTENT),
    *DESCRIBED_WORK_INTENTS,
}

# Answers given mid-quiz without the "quiz on hold" line after them (a crisis answer stands alone too).
NO_QUIZ_REMINDER = {"goodbye"}


# "Which role do you mean?" was the last answer: a reply that names or describes a role answers it.
ROLE_ASKED = "role_asked"
# Readings of a reply to "which role do you mean?" that say only which role: not a new question.
NAMES_A_ROLE_ONLY = {
    *DESCRIBED_WORK_INTENTS,
    FOLLOW_UP_INTENT,
    FALLBACK_TOPIC,
    quiz.ANSWER_INTENT,
    "ask_which_role",
}
# A story read behind its question ("...the group I set up messages me all hours. how do I handle
# that?") still says whose role the question is about, when it is at least this likely.
STORY_ROLE_CONFIDENCE = 0.15

HELP_LINES_GIVEN = "help_lines_given"
# Remembered once the help lines were given: never followed by an invitation to rate us.
AFTER_HELP_LINES = {feedback.INVITED: True, HELP_LINES_GIVEN: True}


# Beside the bot's help lines, these readings add nothing: the lines said what matters.
NOTHING_TO_ADD_BESIDE_HELP_LINES = {
    CRISIS_INTENT,
    "feeling_overwhelmed",
    FALLBACK_TOPIC,
    OUT_OF_SCOPE,
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "ask_help",
}
# When only the learned classifier raised the alarm (no crisis phrase), the whole message is read
# beside the help lines, and everything but a crisis gets its answer too: the classifier may have
# taken tiredness ("havent slept in weeks"), a hello ("I am 84 and rather deaf") or a question
# for danger.
ANSWERED_BESIDE_AN_UNSURE_ALARM = NOTHING_TO_ADD_BESIDE_HELP_LINES - {CRISIS_INTENT, FALLBACK_TOPIC}


def answer(understood: Understood) -> Answer:
    if understood.beside_help_lines:
        return _beside_help_lines(understood)
    if might_be_crisis(understood) or _asks_who_to_contact_after_help_lines(understood):
        return replace(topic_answer(CRISIS_INTENT), remember=dict(AFTER_HELP_LINES))
    reply = feedback.with_invite(_answer_with_quiz_reminder(understood), understood)
    for flag in (HELP_LINES_GIVEN, ROLE_ASKED, support_finder.SEARCH_SHOWN):  # for the next message only
        if understood.slots.get(flag) and flag not in reply.remember:
            reply = replace(reply, remember={**reply.remember, flag: False})
    return reply


def _beside_help_lines(understood: Understood) -> Answer:
    """The calm rest of a message the bot's safety net answered: its question, if it asks one.

    The help lines are already there, so a crisis read second ("hes worried about zoom, he gets
    confused" may be either) does not hold the answer back; a crisis read first does. A whole
    message that is not what the bot is for gets that said too ("for medicines, ask your GP"),
    and one that is worn out, not in danger, gets the carers' support it needs.
    An empty text means nothing to add. No invitation to rate us follows, in this conversation.
    """
    unsure_alarm = understood.whole_beside_help_lines
    answered_whole = unsure_alarm and understood.intent in ANSWERED_BESIDE_AN_UNSURE_ALARM
    if understood.intent in NOTHING_TO_ADD_BESIDE_HELP_LINES and not answered_whole:
        return Answer(text="", remember=dict(AFTER_HELP_LINES))
    reply = _answer_with_quiz_reminder(understood)
    return replace(reply, remember={support_finder.SEARCH_SHOWN: False, **reply.remember, **AFTER_HELP_LINES})


def _asks_who_to_contact_after_help_lines(understood: Understood) -> bool:
    """Right after the help lines, "who do I ring?" asks for them again."""
    if not understood.slots.get(HELP_LINES_GIVEN) or understood.is_button_press:
        return False
    words = f" {read(understood.text)} "
    return any(f" {phrase} " in words for phrase in content.topics().who_to_contact)


def _answer_with_quiz_reminder(understood: Understood) -> Answer:
    reply = _answer(understood)
    quiz_waits = understood.slots.get("quiz_active") and reply.remember.get("quiz_active") is None
    if quiz_waits and understood.intent not in NO_QUIZ_REMINDER:
        return quiz.with_reminder(reply)
    return reply


def _answer(understood: Understood) -> Answer:
    intent = understood.intent
    named_role = _role_named_instead_of_the_quiz(understood)
    if named_role:
        return _role_aspect_answer(understood, named_role, "about")
    described_role = _work_described_instead_of_the_quiz(understood)
    if described_role:
        return _described_work_answer(described_role)
    if quiz.is_quiz_turn(understood):
        return quiz.answer(understood)
    if intent in support_finder.FINDER_INTENTS or (
        _is_follow_up(understood) and understood.remembered_aspect == "support"
    ):
        return support_finder.answer(understood)
    if (
        (
            (intent in ROLE_INTENTS or intent not in NEVER_NARROWS_A_SEARCH)
            and support_finder.asks_for_support(understood)
        )
        or (intent in GIVES_WAY_TO_A_SUPPORT_REQUEST and support_finder.ends_asking_for_a_kind(understood))
        or (intent not in NEVER_NARROWS_A_SEARCH and support_finder.narrows_last_search(understood))
    ):
        # A place, a kind of support and a request in one message: whatever else it says
        # ("I'm in Leeds, where can I meet others who campaign?"), the finder has all it needs.
        # A story about a role that ends asking for a kind of support ("..., is there a peer
        # group?") wants the support, not the role's risks. And just after a search, "anything
        # in England, I'm near York?" narrows it.
        return support_finder.answer(replace(understood, intent=support_finder.FINDER_INTENT))
    chosen_role = _role_chosen(understood)
    if chosen_role:
        return _role_aspect_answer(understood, chosen_role, understood.remembered_aspect or "about")
    choice = _did_you_mean(understood)
    if choice:
        return choice
    if intent in ROLE_INTENTS:
        return _role_answer(understood)
    if intent == FALLBACK_TOPIC:
        return _fallback_answer(understood)
    if intent == OUT_OF_SCOPE:  # understood, but not something we answer: coordinators should see it
        return replace(topic_answer(intent), unanswered=not understood.is_button_press)
    topic = content.topics().topics.get(intent)
    return _yes_or_no_first(topic_answer(intent), understood, topic.yes_no if topic else None)


def _yes_or_no_first(reply: Answer, understood: Understood, lead: str | None) -> Answer:
    """A yes/no question gets the content's short yes/no answer before the detail."""
    if lead and not understood.is_button_press and is_yes_no_question(understood.text):
        return replace(reply, text=f"{lead}\n\n{reply.text}")
    return reply


def _did_you_mean(understood: Understood) -> Answer | None:
    """When the two likeliest readings are too close to call, ask which, with both as buttons.

    Only for typed messages whose two readings are both answers with a title of their own
    (content: topics' `suggestions`), never for a crisis (the net above answers those) and
    not mid-quiz. DID_YOU_MEAN_MARGIN is chosen by measurement (see its comment).
    """
    if understood.is_button_press or len(understood.ranking) < 2 or understood.slots.get("quiz_active"):
        return None
    (first, first_confidence), (second, second_confidence) = understood.ranking[:2]
    titles = content.topics().suggestions
    if first != understood.intent or first_confidence - second_confidence >= DID_YOU_MEAN_MARGIN:
        return None
    if first not in titles or second not in titles or CRISIS_INTENT in (first, second):
        return None
    role = role_meant(understood.role_entities, understood.text, understood.remembered_role)
    buttons = [
        ButtonSpec(titles[intent], payload(intent, role if intent in ROLE_ASPECT_INTENTS else None))
        for intent in (first, second)
    ]
    return Answer(text=content.topics().topics[DID_YOU_MEAN_TOPIC].text, buttons=buttons)


def topic_answer(key: str) -> Answer:
    topics = content.topics().topics
    topic = topics.get(key) or topics[FALLBACK_TOPIC]
    text = topic.text
    if key in CRISIS_LINE_TOPICS:
        text = f"{text}\n\n{content.crisis_lines_text()}"
    if key == PRIVACY_TOPIC:
        text = f"{text}\n\n{privacy_text()}"
    buttons = [ButtonSpec(button.title, button.payload) for button in topic.buttons]
    return Answer(text=text, buttons=buttons)


def privacy_text() -> str:
    """/privacy's text, with the retention period the bot's purge uses (TRACKER_RETENTION_DAYS)."""
    return content.bot_texts().privacy.format(days=f"{retention_days():g}")


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
    """Ask to rephrase, offering the likeliest topics first, then the usual ones; a hello the bot
    understood nothing else of gets the welcome."""
    words = read(understood.text).split()
    # "hi sorry its late, someone said i should look into this": a hello, so the welcome.
    if (
        words
        and words[0] in GREETINGS
        and not asks_a_question(understood.text)
        and not understood.is_button_press
    ):
        return topic_answer("greet")
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
        return _described_work_answer(DESCRIBED_WORK_INTENTS[intent])

    if _is_follow_up(understood):
        aspect = understood.remembered_aspect or "about"
        role_key = role_meant(understood.role_entities, understood.text, remembered=None)  # a new role
    else:
        aspect = ROLE_ASPECT_INTENTS[intent]
        remembered = _role_of_the_story(understood) or understood.remembered_role
        role_key = role_meant(understood.role_entities, understood.text, remembered)

    if role_key is None:
        return _pick_role(aspect)
    return _role_aspect_answer(understood, role_key, aspect)


def _described_work_answer(role_key: str) -> Answer:
    """Which role the work a person described sounds like."""
    return Answer(
        text=content.roles().roles[role_key].sounds_like,
        buttons=_aspect_buttons(role_key, exclude="about", first="about"),
        remember={"role": role_key, "role_aspect": "about"},
    )


# "What does an improvement expert actually do?" asks both what the role is and what people in
# it do: blind writers expected either, so it gets the two, the role first.
WHAT_IT_IS_AND_DOES = ("about", "examples")


def _role_aspect_answer(understood: Understood, role_key: str, aspect: str) -> Answer:
    """One role's answer to one question about it ("Citizen leader · Skills needed")."""
    role = content.roles().roles[role_key]
    title = _aspect_title(aspect)
    text = f"{role.name} · {title}\n\n{getattr(role, aspect)}"
    buttons = _aspect_buttons(role_key, exclude=aspect)
    typed = not understood.is_button_press
    if aspect in WHAT_IT_IS_AND_DOES and typed and asks_what_is_done(understood.text):
        about, examples = WHAT_IT_IS_AND_DOES
        text = f"{role.name} · {_aspect_title(about)}\n\n{role.about}\n\n{role.examples}"
        buttons = [b for b in _aspect_buttons(role_key, exclude=about) if b.title != _aspect_title(examples)]
    reply = Answer(text=text, buttons=buttons, remember={"role": role_key, "role_aspect": aspect})
    lead = next(b.yes_no for b in content.roles().aspect_buttons if b.aspect == aspect)
    return _yes_or_no_first(reply, understood, lead)


def _role_of_the_story(understood: Understood, least: float = STORY_ROLE_CONFIDENCE) -> str | None:
    """The role whose work the message's story describes, read behind its question."""
    for intent, confidence in understood.ranking[:3]:
        if intent in DESCRIBED_WORK_INTENTS and confidence >= least:
            return DESCRIBED_WORK_INTENTS[intent]
    return None


# Words that make "which role..." about the person themselves: the quiz's question.
_ABOUT_ME = frozenset({"i", "me", "my", "mine", "myself", "im", "ive"})


def _work_described_instead_of_the_quiz(understood: Understood) -> str | None:
    """The role of the work a message describes before asking "what role would that be?": it
    reads like the quiz's "which role fits me?", but points back at the work, so it asks which
    role that work is."""
    if understood.intent != quiz.START_INTENT or understood.is_button_press:
        return None
    asked = set(read(question_part(understood.text) or "").split())
    if not POINTING_BACK_TO_ONE & asked or _ABOUT_ME & asked:
        return None
    return _role_of_the_story(understood, least=WORK_ASKED_ABOUT_CONFIDENCE)


# "...what role would that be?" asks which role the work is: its likeliest reading as described
# work answers, even when the story reads as that work less surely than a story behind a question.
WORK_ASKED_ABOUT_CONFIDENCE = 0.05


def _role_named_instead_of_the_quiz(understood: Understood) -> str | None:
    """The role "which one is the campaigner one?" names: it reads like the quiz's "which role
    is mine?", but names one role and says nothing of the person, so it asks what that role is."""
    if understood.intent != quiz.START_INTENT or understood.is_button_press:
        return None
    roles = {role_from_value(value) for value in understood.role_entities} - {None}
    roles = roles or {role_from_text(understood.text)} - {None}
    if len(roles) != 1 or _ABOUT_ME & set(read(understood.text).split()):
        return None
    return roles.pop()


def _role_chosen(understood: Understood) -> str | None:
    """The role a reply to "which role do you mean?" names or describes ("the one about going
    to the press"), or None when it is not such a reply. A new question is not one."""
    if not understood.slots.get(ROLE_ASKED) or understood.is_button_press:
        return None
    if understood.intent in DESCRIBED_WORK_INTENTS:
        return DESCRIBED_WORK_INTENTS[understood.intent]
    if understood.intent in NAMES_A_ROLE_ONLY or (
        understood.intent == "ask_role_about" and not asks_a_question(understood.text)
    ):
        return role_meant(understood.role_entities, understood.text, remembered=None)
    return None


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
    return Answer(text=text, buttons=buttons, remember={"role_aspect": aspect, ROLE_ASKED: True})


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
