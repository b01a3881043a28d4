"""The "which role fits me?" quiz: every role reachable, ties named as mixed, state kept in slots."""

from __future__ import annotations

import itertools

import pytest

import content
from actions import quiz
from actions.answers import answer
from actions.replies import Understood


def best_option_for(question, role: str) -> int:
    return max(range(len(question.options)), key=lambda i: question.options[i].scores.get(role, 0))


def play(*turns: Understood):
    slots: dict = {}
    reply = None
    for turn in turns:
        reply = answer(Understood(turn.intent, turn.text, turn.entities, {**slots}, turn.ranking))
        slots.update(reply.remember)
    return reply, slots


def tap(question_id: str, option: int) -> Understood:
    choice = f"{question_id}:{option}"
    return Understood("quiz_answer", f'/quiz_answer{{"quiz_choice":"{choice}"}}', {"quiz_choice": (choice,)})


START = Understood("ask_which_role", "which role suits me")


@pytest.mark.parametrize("role", list(content.roles().roles))
def test_every_role_can_come_out_on_top(role):
    answers = [best_option_for(q, role) for q in content.quiz().questions]
    assert quiz.best_roles(quiz.scores(answers))[0] == role


def test_a_tie_names_every_tied_role_as_a_mixed_profile():
    questions = content.quiz().questions
    for answers in itertools.product(*(range(len(q.options)) for q in questions)):
        totals = quiz.scores(list(answers))
        top = sorted(totals.values(), reverse=True)
        if top[0] == top[1]:
            break
    else:
        pytest.fail("no answers give a tie")
    result = quiz._result(list(answers))
    tied = [content.roles().roles[r].name for r, s in totals.items() if s == top[0]]
    for name in tied:
        assert name in result.text


def test_starting_asks_the_first_question_with_one_button_per_option_plus_restart_and_stop():
    reply, slots = play(START)
    first = content.quiz().questions[0]
    assert first.text in reply.text
    assert content.quiz().texts.intro.strip() in reply.text
    titles = [b.title for b in reply.buttons]
    assert titles[: len(first.options)] == [o.title for o in first.options]
    assert content.quiz().texts.cancel_button in titles and content.quiz().texts.restart_button in titles
    assert slots == {"quiz_active": True, "quiz_answers": []}


def test_a_whole_quiz_by_taps_names_a_role_and_remembers_it():
    questions = content.quiz().questions
    taps = [tap(q.id, best_option_for(q, "disruptor_advocate")) for q in questions]
    reply, slots = play(START, *taps)
    assert content.roles().roles["disruptor_advocate"].name in reply.text
    assert content.quiz().why["disruptor_advocate"].strip() in reply.text
    assert slots["quiz_active"] is False and slots["role"] == "disruptor_advocate"
    payloads = [b.payload for b in reply.buttons]
    assert '/ask_role_support{"role":"disruptor_advocate"}' in payloads


def test_a_typed_number_answers_the_current_question():
    reply, slots = play(START, Understood("quiz_answer", "2"))
    assert slots["quiz_answers"] == [1]
    assert content.quiz().questions[1].text in reply.text


def test_a_button_from_an_earlier_question_asks_the_current_one_again():
    q1 = content.quiz().questions[0]
    reply, slots = play(START, tap(q1.id, 0), tap(q1.id, 1))
    assert slots["quiz_answers"] == [0]
    assert content.quiz().texts.not_an_answer.strip() in reply.text
    assert content.quiz().questions[1].text in reply.text


def test_something_not_understood_during_the_quiz_asks_for_a_tap():
    reply, slots = play(START, Understood("nlu_fallback", "hmm dunno"))
    assert slots["quiz_answers"] == []
    assert content.quiz().texts.not_an_answer.strip() in reply.text


def test_stop_ends_the_quiz_and_keeps_nothing():
    q1 = content.quiz().questions[0]
    reply, slots = play(START, tap(q1.id, 0), Understood("quiz_cancel", "stop"))
    assert reply.text == content.quiz().texts.cancelled
    assert slots["quiz_active"] is False and slots["quiz_answers"] is None


def test_stop_outside_a_quiz_is_an_ordinary_stop():
    reply, _ = play(Understood("quiz_cancel", "stop"))
    assert reply.text == content.topics().topics["quiz_cancel"].text


def test_restart_begins_again_from_question_one():
    q1 = content.quiz().questions[0]
    reply, slots = play(START, tap(q1.id, 0), Understood("quiz_restart", "start again"))
    assert slots["quiz_answers"] == []
    assert q1.text in reply.text


def test_every_quiz_button_fits_telegram():
    reply, _ = play(START)
    for question in content.quiz().questions:
        for index in range(len(question.options)):
            assert len(tap(question.id, index).text.encode()) <= 64
    assert all(len(b.payload.encode()) <= 64 for b in reply.buttons)


@pytest.mark.parametrize(
    ("typed", "option"),
    [("2", 1), ("the first one", 0), ("b", 1), ("number 3", 2), ("i'd pick the last", 3), ("Fourth.", 3)],
)
def test_a_typed_choice_is_understood(typed, option):
    question = content.quiz().questions[0]
    assert quiz._option_from_words(question, typed) == option


def test_a_typed_option_title_with_a_typo_is_understood():
    question = content.quiz().questions[0]
    title = question.options[2].title
    assert quiz._option_from_words(question, title.lower()[:-1]) == 2


def test_a_question_in_the_middle_of_the_quiz_is_answered_and_the_quiz_waits():
    q1 = content.quiz().questions[0]
    reply, slots = play(START, tap(q1.id, 0), Understood("ask_tokenism", "what is tokenism"))
    topic = content.topics().topics["ask_tokenism"]
    assert reply.text.startswith(topic.text)
    assert content.quiz().texts.paused in reply.text
    assert [b.title for b in reply.buttons] == [b.title for b in topic.buttons]
    assert slots["quiz_answers"] == [0] and slots["quiz_active"] is True

    reply, slots = play(
        START, tap(q1.id, 0), Understood("ask_tokenism", "?"), tap(content.quiz().questions[1].id, 2)
    )
    assert slots["quiz_answers"] == [0, 2]


def test_asking_how_it_works_mid_quiz_explains_and_asks_the_question_again():
    q1 = content.quiz().questions[0]
    reply, _ = play(START, tap(q1.id, 0), Understood("ask_help", "how many questions is there"))
    assert content.quiz().texts.intro.strip() in reply.text
    assert content.quiz().questions[1].text in reply.text


def test_a_crisis_in_the_middle_of_the_quiz_gets_only_the_help_lines():
    reply, _ = play(START, Understood("crisis", "i want to end it all", ranking=(("crisis", 0.9),)))
    assert "116 123" in reply.text
    assert content.quiz().questions[0].text not in reply.text


def test_result_buttons_are_whole_labels_one_per_role_when_mixed():
    single = quiz._result([best_option_for(q, "improvement_expert") for q in content.quiz().questions])
    assert single.buttons[0].title == content.quiz().texts.learn_more_button
    names = {role.name for role in content.roles().roles.values()}
    questions = content.quiz().questions
    for answers in itertools.product(*(range(len(q.options)) for q in questions)):
        if len(quiz.best_roles(quiz.scores(list(answers)))) > 1:
            mixed = quiz._result(list(answers))
            break
    assert {b.title for b in mixed.buttons} & names
