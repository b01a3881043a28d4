"""The "which role fits me?" quiz: questions from content/quiz.yml, one tap per answer.

All state lives in Rasa slots (quiz_answers, quiz_active), so a bot restart
loses nothing. Answers arrive as button payloads
'/quiz_answer{"quiz_choice":"q3:2"}' (question q3, option 2), or typed as an
option's number or words.
"""

from __future__ import annotations

import re
from difflib import get_close_matches

import content
from actions.replies import Answer, ButtonSpec, Understood
from content.schema import QuizQuestion, rasa_payload

START_INTENT = "ask_which_role"
ANSWER_INTENT = "quiz_answer"
RESTART_INTENT = "quiz_restart"
CANCEL_INTENT = "quiz_cancel"
QUIZ_INTENTS = {START_INTENT, ANSWER_INTENT, RESTART_INTENT, CANCEL_INTENT}
HELP_INTENT = "ask_help"  # mid-quiz, "how does this work?" gets the intro and the question again
# A role this close to the top score is named alongside it: mixed profiles are normal.
NEAR_THE_TOP = 1

_CHOICE = re.compile(r"^(q\d+):(\d+)$")


def is_quiz_turn(understood: Understood) -> bool:
    """Starting the quiz, and while it runs: answers, cancelling, and anything not understood.

    Outside a quiz, "stop" and a bare "2" are answered like any other message.
    """
    if understood.intent in (START_INTENT, RESTART_INTENT):
        return True
    return _active(understood) and understood.intent in (
        ANSWER_INTENT,
        CANCEL_INTENT,
        HELP_INTENT,
        "nlu_fallback",
    )


def answer(understood: Understood) -> Answer:
    intent = understood.intent
    if intent in (START_INTENT, RESTART_INTENT):
        return _ask(0, [], intro=True)
    if intent == CANCEL_INTENT:
        texts = content.quiz().texts
        return Answer(texts.cancelled, [], {"quiz_active": False, "quiz_answers": None})
    answers = list(understood.slots.get("quiz_answers") or [])
    if intent == HELP_INTENT:
        return _ask(len(answers), answers, intro=True)
    chosen = _chosen_option(understood, len(answers))
    if chosen is None:
        return _ask(len(answers), answers, prefix=content.quiz().texts.not_an_answer)
    answers.append(chosen)
    if len(answers) < len(content.quiz().questions):
        return _ask(len(answers), answers)
    return _result(answers)


def with_reminder(reply: Answer) -> Answer:
    """An answer given while a quiz waits: the answer as usual, and a line saying the quiz is on hold."""
    return Answer(f"{reply.text}\n\n{content.quiz().texts.paused}", reply.buttons, reply.remember)


def scores(answers: list[int]) -> dict[str, int]:
    """Points per role from the chosen option of each question, in order."""
    totals = dict.fromkeys(content.roles().roles, 0)
    for question, chosen in zip(content.quiz().questions, answers, strict=False):
        for role, points in question.options[chosen].scores.items():
            totals[role] += points
    return totals


def best_roles(totals: dict[str, int]) -> list[str]:
    """Every role within NEAR_THE_TOP of the highest score, best first."""
    top = max(totals.values())
    return sorted((r for r, s in totals.items() if s >= top - NEAR_THE_TOP), key=lambda r: -totals[r])


def _active(understood: Understood) -> bool:
    return bool(understood.slots.get("quiz_active"))


def _chosen_option(understood: Understood, current: int) -> int | None:
    """The option index the person picked for question number `current`, if it can be told."""
    question = content.quiz().questions[current]
    choice = understood.entity("quiz_choice")
    if choice:
        match = _CHOICE.match(choice)
        if match and match.group(1) == question.id and int(match.group(2)) < len(question.options):
            return int(match.group(2))
        return None  # a button from an earlier question: ask the current one again
    return _option_from_words(question, understood.text)


# "the first one", "number 2", "option b": how people type a choice instead of tapping.
_ORDINALS = {
    "first": 0,
    "1st": 0,
    "one": 0,
    "second": 1,
    "2nd": 1,
    "two": 1,
    "third": 2,
    "3rd": 2,
    "three": 2,
    "fourth": 3,
    "4th": 3,
    "four": 3,
    "fifth": 4,
    "5th": 4,
    "five": 4,
}
_FILLER = re.compile(
    r"\b(the|one|number|option|answer|i'?d|pick|go with|i'?ll|please|pls|very"
    # hedges around a choice: "2 probably", "i think b", "3 for me", "the first i guess"
    r"|i think|think|probably|prob|maybe|i guess|guess|for me|i'?d say|say|definitely|defo|its|it'?s)\b"
)


def _option_from_words(question: QuizQuestion, text: str) -> int | None:
    typed = text.strip().lower().rstrip(".!")
    words = _FILLER.sub(" ", typed).split() or typed.split()
    if len(words) == 1:
        word = words[0]
        if word.isdigit() and 1 <= int(word) <= len(question.options):
            return int(word) - 1
        if word in _ORDINALS and _ORDINALS[word] < len(question.options):
            return _ORDINALS[word]
        if word == "last":
            return len(question.options) - 1
        if len(word) == 1 and "a" <= word < chr(ord("a") + len(question.options)):
            return ord(word) - ord("a")
    titles = [option.title.lower() for option in question.options]
    close = get_close_matches(typed, titles, n=1, cutoff=0.6)
    return titles.index(close[0]) if close else None


def _ask(number: int, answers: list[int], intro: bool = False, prefix: str = "") -> Answer:
    quiz = content.quiz()
    question = quiz.questions[number]
    progress = quiz.texts.progress.format(number=number + 1, total=len(quiz.questions))
    parts = [quiz.texts.intro] if intro else []
    parts += [prefix] if prefix else []
    parts.append(f"{progress}\n{question.text}")
    buttons = [
        ButtonSpec(option.title, rasa_payload(ANSWER_INTENT, quiz_choice=f"{question.id}:{index}"))
        for index, option in enumerate(question.options)
    ]
    buttons += [
        ButtonSpec(quiz.texts.restart_button, rasa_payload(RESTART_INTENT)),
        ButtonSpec(quiz.texts.cancel_button, rasa_payload(CANCEL_INTENT)),
    ]
    return Answer("\n\n".join(parts), buttons, {"quiz_active": True, "quiz_answers": answers})


def _result(answers: list[int]) -> Answer:
    quiz = content.quiz()
    roles = content.roles().roles
    best = best_roles(scores(answers))
    names = [roles[role].name for role in best]
    if len(best) == 1:
        headline = quiz.texts.result_one.format(role=names[0])
    else:
        headline = quiz.texts.result_mixed.format(roles=_and_join(names))
    why = "\n\n".join(quiz.why[role] for role in best)
    text = f"{headline}\n\n{quiz.texts.why_intro}\n{why}"
    first = best[0]
    # One role: "Learn about this role". Several: a button named after each.
    buttons = [
        ButtonSpec(
            quiz.texts.learn_more_button if len(best) == 1 else roles[role].name,
            rasa_payload("ask_role_about", role),
        )
        for role in best
    ]
    buttons += [
        ButtonSpec(quiz.texts.find_support_button, rasa_payload("ask_role_support", first)),
        ButtonSpec(quiz.texts.restart_button, rasa_payload(RESTART_INTENT)),
    ]
    return Answer(text, buttons, {"quiz_active": False, "quiz_answers": None, "role": first})


def _and_join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
