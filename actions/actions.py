"""The one custom action: answers every turn from content, remembering the role under discussion."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import content
from actions import saving
from actions.answers import answer
from actions.replies import Answer, Understood
from storage.records import UnansweredRecord


def understood_from(tracker: Tracker) -> Understood:
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or "nlu_fallback"
    entities: dict[str, tuple[str, ...]] = {}
    for entity in message.get("entities") or []:
        if entity.get("entity") and entity.get("value") is not None:
            entities[entity["entity"]] = (*entities.get(entity["entity"], ()), str(entity["value"]))
    ranking = tuple(
        (str(guess["name"]), float(guess.get("confidence") or 0.0))
        for guess in message.get("intent_ranking") or []
        if guess.get("name") not in (None, "nlu_fallback")
    )
    return Understood(
        intent=intent,
        text=message.get("text") or "",
        entities=entities,
        slots=dict(tracker.slots),
        ranking=ranking,
        beside_help_lines=bool((message.get("metadata") or {}).get("beside_help_lines")),
        whole_beside_help_lines=(message.get("metadata") or {}).get("beside_help_lines") == "whole",
    )


def send(dispatcher: CollectingDispatcher, reply: Answer) -> None:
    if not reply.text:  # beside the bot's help lines, with nothing to add (see bot.rasa_client)
        dispatcher.utter_message(json_message={"nothing_to_add": True})
        return
    buttons = [{"title": button.title, "payload": button.payload} for button in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        understood = understood_from(tracker)
        reply = answer(understood)
        send(dispatcher, reply)
        if reply.unanswered:  # for the coordinators: what people ask that we can't yet answer
            await saving.save(UnansweredRecord.new(understood.text))
        return [
            SlotSet(slot, value)
            for slot, value in reply.remember.items()
            if understood.slots.get(slot) != value
        ]


# Validate every content file when the action server imports this module, so a
# broken edit stops start-up with a clear message instead of failing a user.
content.load_all()
