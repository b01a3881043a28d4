"""The feedback form's Rasa actions: ask each question, check each answer, save at the end.

Rasa runs `feedback_form` (see domain.yml); for each slot it calls the matching
`action_ask_*` here, and after each answer `validate_feedback_form`, which may
also end the form early (stop, a crisis, or a different question).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import content
from actions import feedback, saving
from actions.actions import send, understood_from
from actions.answers import answer, might_be_crisis
from actions.replies import Answer, Understood
from storage.records import FeedbackRecord

REQUESTED_SLOT = "requested_slot"


def _ended() -> list[EventType]:
    """Events that end the form with nothing kept (the save action then finds no rating)."""
    return [
        *(SlotSet(slot, None) for slot in feedback.FORM_SLOTS),
        SlotSet(REQUESTED_SLOT, None),
        ActiveLoop(None),
    ]


def _remembered(reply: Answer, understood: Understood) -> list[EventType]:
    return [SlotSet(k, v) for k, v in reply.remember.items() if understood.slots.get(k) != v]


class _Ask(Action, ABC):  # abstract, so the action server does not register it
    """Asks for one slot of the form: Rasa calls `action_ask_<slot>` when it needs that slot."""

    slot: str

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @abstractmethod
    def question(self, understood: Understood) -> Answer: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        send(dispatcher, self.question(understood_from(tracker)))
        return []


class AskRating(_Ask):
    slot = feedback.RATING

    def question(self, understood: Understood) -> Answer:
        first = understood.intent == feedback.START_INTENT and not understood.entity(feedback.CHOICE)
        return feedback.ask_rating(again=not first)


class AskComment(_Ask):
    slot = feedback.COMMENT

    def question(self, understood: Understood) -> Answer:
        return feedback.ask_comment()


class AskAbout(_Ask):
    slot = feedback.ABOUT

    def question(self, understood: Understood) -> Answer:
        return feedback.ask_about()


class ValidateFeedbackForm(Action):
    """Reads the answer to the question just asked; ends the form when the person wants out."""

    def name(self) -> str:
        return "validate_feedback_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = tracker.get_slot(REQUESTED_SLOT)
        if asked not in feedback.FORM_SLOTS:
            return []  # the form is starting: nothing has been answered yet
        understood = understood_from(tracker)
        if might_be_crisis(understood) or understood.beside_help_lines:
            # the help lines, before anything else (or, beside the bot's, any question's answer)
            reply = answer(understood)
            send(dispatcher, reply)
            return [*_ended(), *_remembered(reply, understood)]
        if feedback.is_stop(understood):
            send(dispatcher, Answer(content.feedback().texts.cancelled))
            return _ended()
        if asked == feedback.RATING:
            return self._rating(dispatcher, understood)
        if asked == feedback.COMMENT:
            said = feedback.choice(understood)
            if understood.is_button_press and not understood.entity(feedback.CHOICE):
                return [SlotSet(feedback.COMMENT, None)]  # an old button from before: ask again
            return [SlotSet(feedback.COMMENT, feedback.SKIPPED if feedback.is_skip(said) else said)]
        return [SlotSet(feedback.ABOUT, feedback.about_from(understood))]

    @staticmethod
    def _rating(dispatcher: CollectingDispatcher, understood: Understood) -> list[EventType]:
        rating = feedback.rating_from(feedback.choice(understood))
        if rating is not None:
            return [SlotSet(feedback.RATING, rating)]
        if feedback.is_other_question(understood):
            reply = answer(understood)
            send(dispatcher, reply)
            send(dispatcher, Answer(content.feedback().texts.put_aside))
            return [*_ended(), *_remembered(reply, understood)]
        return [SlotSet(feedback.RATING, None)]  # action_ask_feedback_rating asks again, kindly


class SaveFeedback(Action):
    """Runs when the form ends: stores what was given (scrubbed, no ids) and thanks the person."""

    def name(self) -> str:
        return "action_save_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        given = feedback.Given.from_slots(dict(tracker.slots))
        if given is None:
            return []  # the form was stopped: its own message has been sent
        kept = await saving.save(FeedbackRecord.new(given.rating, given.comment, given.about))
        texts = content.feedback().texts
        send(dispatcher, Answer(texts.thanks if kept else texts.not_saved))
        return [*(SlotSet(slot, None) for slot in feedback.FORM_SLOTS), SlotSet(feedback.INVITED, True)]
