"""The one custom action: answers every turn from content, remembering the role under discussion."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import content
from actions.answers import Answer, Understood, answer


def understood_from(tracker: Tracker) -> Understood:
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or "nlu_fallback"
    entities = tuple(
        str(entity.get("value"))
        for entity in message.get("entities") or []
        if entity.get("entity") == "role" and entity.get("value")
    )
    ranking = tuple(
        (str(guess["name"]), float(guess.get("confidence") or 0.0))
        for guess in message.get("intent_ranking") or []
        if guess.get("name") not in (None, "nlu_fallback")
    )
    return Understood(
        intent=intent,
        text=message.get("text") or "",
        role_entities=entities,
        remembered_role=tracker.get_slot("role"),
        remembered_aspect=tracker.get_slot("role_aspect"),
        ranking=ranking,
    )


def send(dispatcher: CollectingDispatcher, reply: Answer) -> None:
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
        events: list[dict[str, Any]] = []
        if reply.role and reply.role != understood.remembered_role:
            events.append(SlotSet("role", reply.role))
        if reply.aspect and reply.aspect != understood.remembered_aspect:
            events.append(SlotSet("role_aspect", reply.aspect))
        return events


# Validate every content file when the action server imports this module, so a
# broken edit stops start-up with a clear message instead of failing a user.
content.load_all()
