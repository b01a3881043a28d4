"""The figures coordinators see: averages, weekly buckets, the rating spread and repeated questions."""

from __future__ import annotations

from datetime import date

import pytest

from coordinator.summary import question_key, summarise_feedback, top_unanswered, week_start
from storage.models import Feedback, UnansweredQuestion

TODAY = date(2026, 3, 18)  # a Wednesday; its week starts on Monday 16 March


def feedback(day: date, rating: int, about: str | None = None, row_id: int = 0) -> Feedback:
    return Feedback(id=row_id, day=day, rating=rating, comment=None, about=about, bot_version="test")


def question(text: str, day: date, row_id: int) -> UnansweredQuestion:
    return UnansweredQuestion(id=row_id, day=day, text=text, reviewed=False)


SAMPLE = [
    feedback(date(2026, 3, 16), 5, "citizen_leader"),  # Monday of this week
    feedback(date(2026, 3, 18), 4, "citizen_leader"),
    feedback(date(2026, 3, 15), 2, "quiz"),  # Sunday: last week
    feedback(date(2026, 3, 2), 1, None),  # two weeks before last: 9 March's week stays empty
    feedback(date(2025, 12, 1), 3, "quiz"),  # long before the weekly window
]


def test_count_and_average_cover_all_feedback_given() -> None:
    summary = summarise_feedback(SAMPLE, TODAY, weeks=4)

    assert summary.count == 5
    assert summary.average == pytest.approx(3.0)
    assert (summary.first_day, summary.last_day) == (date(2025, 12, 1), date(2026, 3, 18))


def test_the_rating_distribution_lists_every_rating_even_when_nobody_gave_it() -> None:
    ratings = [feedback(TODAY, 5), feedback(TODAY, 5), feedback(TODAY, 2)]

    assert summarise_feedback(ratings, TODAY).distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 2}


def test_weeks_start_on_monday_oldest_first_and_empty_weeks_are_shown() -> None:
    weeks = summarise_feedback(SAMPLE, TODAY, weeks=4).weeks

    assert [week.week_start for week in weeks] == [
        date(2026, 2, 23),
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert [week.count for week in weeks] == [0, 1, 1, 2]
    assert [week.average for week in weeks] == [None, 1.0, 2.0, 4.5]
    assert all(week.week_start.weekday() == 0 for week in weeks)


def test_the_weekly_trend_ends_with_this_week_even_when_it_has_no_feedback() -> None:
    weeks = summarise_feedback([feedback(date(2026, 1, 5), 4)], TODAY, weeks=8).weeks

    assert len(weeks) == 8
    assert weeks[-1].week_start == week_start(TODAY) == date(2026, 3, 16)
    assert sum(week.count for week in weeks) == 0


def test_feedback_by_role_or_topic_has_readable_names_and_most_feedback_comes_first() -> None:
    by_about = summarise_feedback(SAMPLE, TODAY).by_about

    assert [(about.key, about.label, about.count) for about in by_about] == [
        ("citizen_leader", "Citizen leader", 2),
        ("quiz", "The role quiz", 2),
        (None, "Something else", 1),
    ]
    assert [about.average for about in by_about] == [4.5, 2.5, 1.0]


def test_with_no_feedback_the_summary_is_empty_but_complete() -> None:
    summary = summarise_feedback([], TODAY, weeks=3)

    assert summary.count == 0
    assert summary.average is None
    assert summary.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert [week.count for week in summary.weeks] == [0, 0, 0]
    assert summary.by_about == []
    assert summary.first_day is None and summary.last_day is None


def test_the_same_question_typed_differently_is_counted_once() -> None:
    rows = [
        question("How do I get paid for my time?", date(2026, 3, 1), 1),
        question("how do i get paid for my time", date(2026, 3, 4), 2),
        question("  HOW do I get paid   for my time??  ", date(2026, 3, 3), 3),
        question("What is a peer leader?", date(2026, 3, 10), 4),
        question("How do I get paid for my travel?", date(2026, 3, 2), 5),
    ]

    top = top_unanswered(rows)

    assert [(item.count, item.ids, item.last_day) for item in top] == [
        (3, [1, 2, 3], date(2026, 3, 4)),
        (1, [4], date(2026, 3, 10)),  # asked as often as the next, but more recently
        (1, [5], date(2026, 3, 2)),
    ]
    assert top[1].text == "What is a peer leader?"


def test_a_repeated_question_is_shown_in_its_commonest_wording() -> None:
    rows = [
        question("what's an ICS", date(2026, 3, 1), 1),
        question("What's an ICS?", date(2026, 3, 2), 2),
        question("What's an ICS?", date(2026, 3, 3), 3),
        question("whats an ics", date(2026, 3, 9), 4),
    ]

    assert [(item.text, item.count) for item in top_unanswered(rows)] == [("What's an ICS?", 4)]


def test_only_the_most_asked_questions_up_to_the_limit_are_returned() -> None:
    rows = [question(f"Question number {n}", TODAY, n) for n in range(15)]

    assert len(top_unanswered(rows, limit=10)) == 10
    assert top_unanswered([]) == []


def test_question_keys_ignore_case_punctuation_and_spacing_but_not_words() -> None:
    assert question_key("  What\u2019s   a CARER?! ") == question_key("whats a carer") == "whats a carer"
    assert question_key("What is a carer?") != question_key("Who is a carer?")
