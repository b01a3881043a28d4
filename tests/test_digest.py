"""The coordinators' digest and open-questions list, as text and chart, from a real SQLite Store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml

import content
from content.schema import CoordinatorTexts
from coordinator.digest import DatabaseUnreadable, build_digest, mark_reviewed, open_questions
from storage.records import FeedbackRecord, UnansweredRecord
from storage.store import Store

TODAY = date(2025, 6, 13)  # a Friday: the digest covers 7 to 13 June
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def rate(
    store: Store, rating: int, days: int = 0, comment: str | None = None, about: str | None = None
) -> None:
    assert store.save(FeedbackRecord.new(rating, comment, about, day=days_ago(days)))


def ask(store: Store, text: str, times: int = 1, days: int = 0) -> None:
    for _ in range(times):
        assert store.save(UnansweredRecord.new(text, day=days_ago(days)))


def test_the_digest_gives_the_weeks_figures_the_change_and_each_topic(store):
    rate(store, 5, about="citizen_leader")
    rate(store, 4, days=6, about="citizen_leader")
    rate(store, 3, days=2, about="quiz")
    rate(store, 2, days=7)  # the 7 days before
    rate(store, 4, days=13)
    rate(store, 1, days=14)  # older still: in neither week

    text = build_digest(store, TODAY).text

    assert "7 days from 7 June to 13 June" in text
    assert "Ratings: 3. Average: 4.0 out of 5." in text
    assert "That is 1.0 higher than the 7 days before (3.0)." in text
    assert "• Citizen leader: 2, average 4.5" in text
    assert "• The role quiz: 1, average 3.0" in text
    assert text.index("Citizen leader") < text.index("The role quiz")  # most feedback first


def test_a_lower_average_is_called_lower_and_an_empty_week_before_is_said_plainly(store):
    rate(store, 2)
    rate(store, 4, days=8)
    assert "That is 2.0 lower than the 7 days before (4.0)." in build_digest(store, TODAY).text

    rate(store, 3, days=30)  # a later digest, with nothing in the 7 days before it
    later = build_digest(store, TODAY + timedelta(days=14)).text
    assert content.coordinator_texts().no_feedback_this_week in later
    assert content.coordinator_texts().compared_none not in later


def test_with_no_feedback_at_all_the_digest_says_so_and_has_no_chart(store):
    digest = build_digest(store, TODAY)

    assert "No feedback yet" in digest.text
    assert digest.chart_png is None


def test_a_quiet_week_still_gets_the_chart_of_the_weeks_before(store):
    rate(store, 4, days=20)

    digest = build_digest(store, TODAY)

    assert content.coordinator_texts().no_feedback_this_week in digest.text
    assert "No feedback yet" not in digest.text
    assert digest.chart_png is not None and digest.chart_png.startswith(PNG_SIGNATURE)
    assert "8 weeks" in digest.chart_caption


def test_the_digest_counts_open_questions_and_names_the_three_most_asked(store):
    ask(store, "Can I bring my dog?", times=3)
    ask(store, "can i bring my dog", days=1)  # the same question, typed differently
    ask(store, "Is parking free?", times=2)
    ask(store, "Do you have an app?", times=2, days=3)
    ask(store, "What is a quango?")
    store.mark_reviewed([row.id for row in store.unanswered() if row.text == "What is a quango?"])
    ask(store, "Who pays for lunch?")

    text = build_digest(store, TODAY).text

    assert "nobody has reviewed yet: 9" in text
    top = ["• Can I bring my dog? (4)", "• Is parking free? (2)", "• Do you have an app? (2)"]
    assert all(line in text for line in top)
    assert [text.index(line) for line in top] == sorted(text.index(line) for line in top)
    assert "Who pays for lunch" not in text and "quango" not in text
    assert "/unanswered" in text


def test_no_open_questions_is_a_count_of_nought_and_no_list(store):
    rate(store, 5)
    text = build_digest(store, TODAY).text

    assert "nobody has reviewed yet: 0" in text
    assert content.coordinator_texts().top_questions_heading not in text


def test_recent_comments_come_newest_first_at_most_three_and_long_ones_are_cut(store):
    rate(store, 5, days=6, comment="Oldest comment")
    rate(store, 4, days=3, comment="Middle comment")
    rate(store, 3, days=2, comment="x" * 600)
    rate(store, 2, days=1)  # no comment
    rate(store, 5, days=0, comment="Newest comment")
    rate(store, 1, days=9, comment="From the week before")

    text = build_digest(store, TODAY).text

    assert "Oldest comment" not in text and "From the week before" not in text
    assert text.index("Newest comment") < text.index("xxx") < text.index("Middle comment")
    assert "“Newest comment” (rated 5 out of 5)" in text
    assert "x" * 200 not in text and "…" in text


def test_the_digest_text_is_plain_so_stored_html_is_left_for_the_sender_to_escape(store):
    rate(store, 4, comment="<b>bold</b> & <script>")

    assert "<b>bold</b> & <script>" in build_digest(store, TODAY).text


def test_the_open_questions_list_shows_ten_most_asked_first_with_the_ids_behind_them(store):
    for number in range(12):
        ask(store, f"Question number {number}?", times=12 - number)

    listing = open_questions(store)

    assert "• Question number 0? (12)" in listing.text
    assert "• Question number 9? (3)" in listing.text
    assert "Question number 10?" not in listing.text
    assert "There are 2 more." in listing.text
    hidden = ("Question number 10?", "Question number 11?")
    assert listing.ids == sorted(row.id for row in store.unanswered() if row.text not in hidden)


def test_marking_the_shown_questions_leaves_later_ones_open(store):
    ask(store, "Is parking free?", times=2)
    listing = open_questions(store)
    ask(store, "Can I bring my dog?")

    assert mark_reviewed(store, listing.ids) == 2
    assert [row.text for row in store.unanswered()] == ["Can I bring my dog?"]
    assert mark_reviewed(store, listing.ids) == 0  # already done


def test_with_nothing_open_the_list_says_so(store):
    listing = open_questions(store)

    assert listing.text == content.coordinator_texts().nothing_open
    assert listing.ids == []


def test_a_database_that_cannot_be_reached_is_reported_as_unreadable(tmp_path):
    missing_folder = tmp_path / "no" / "such" / "folder"
    unreachable = Store(f"sqlite:///{missing_folder / 'roleguide.db'}", tmp_path / "spool")

    with pytest.raises(DatabaseUnreadable):
        build_digest(unreachable, TODAY)
    with pytest.raises(DatabaseUnreadable):
        open_questions(unreachable)


def test_a_placeholder_the_code_does_not_fill_in_fails_at_start_up():
    data = yaml.safe_load((content.content_dir() / "coordinator.yml").read_text(encoding="utf-8"))
    CoordinatorTexts.model_validate(data)  # the real file is fine
    data["feedback_figures"] = "Ratings: {cuont}."

    with pytest.raises(ValueError, match="feedback_figures"):
        CoordinatorTexts.model_validate(data)
