"""The one normaliser (reading/): characters, text-speak, slips in domain words, question shapes."""

from __future__ import annotations

import pytest

import content
from actions.role_matching import content_speller, read
from bot.incoming_text import clean_incoming_text
from reading.normalise import clean, for_reading
from reading.questions import after_greeting, is_yes_no_question, last_clause, question_part
from reading.spelling import Speller, english_words
from safety.normalise import tidy


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("wat do improvment exprts do", "what do improvement experts do"),
        (
            "Is it ok if I dnt wanna be a comunity bulder?",
            "is it ok if i do not want to be a community builder",
        ),
        ("citzen leeder pls", "citizen leader please"),
        ("whats tokenisn", "whats tokenism"),
        ("can u tell me abt expences", "can you tell me about expenses"),
        ("I\u2019m a carer", "i am a carer"),
    ],
)
def test_text_speak_and_slips_in_domain_words_are_read_as_meant(typed, read_as):
    assert read(typed) == read_as


def test_ordinary_english_words_and_short_words_are_never_changed():
    speller = content_speller()
    for word in ("bridges", "burning", "husband", "mum", "nan", "ta", "swansea", "knackered"):
        assert speller.correct(word) == word


def test_a_slip_is_put_right_only_to_a_word_the_domain_uses():
    speller = Speller({"tokenism": 5, "advocate": 3})
    assert speller.correct("tokenisn") == "tokenism"
    assert speller.correct("advacate") == "advocate"
    assert speller.correct("zxqvbnmw") == "zxqvbnmw"  # nothing near it
    assert "tokenism" in english_words()


def test_the_role_aliases_misspellings_are_not_taken_for_words():
    # roles.yml lists "comunity builder" as an alias on purpose; the speller still puts it right
    assert any("comunity" in alias for alias in content.roles().roles["community_builder"].aliases)
    assert content_speller().correct("comunity") == "community"


def test_the_bot_the_safety_net_and_reading_share_the_first_step():
    broken = "he\u200blp\x00 \ud83d me \uff48\uff45\uff4c\uff50"
    assert clean_incoming_text(broken) == clean(broken)
    assert "help" in for_reading(broken)
    assert "help" in tidy(broken)
    assert clean(clean(broken)) == clean(broken)


def test_the_safety_net_reads_the_shared_text_speak():
    assert tidy("wat if i wanna end it rn") == "what if i want to end it right now"


@pytest.mark.parametrize(
    "text",
    [
        "do i need a diagnosis?",
        "Is it paid",
        "hi, do u have to be an adult",
        "im a carer. can i get expenses?",
        "will i lose my benefits if they pay me",
        "so is this anonymous? who sees what i type",
    ],
)
def test_yes_no_questions_are_recognised(text):
    assert is_yes_no_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "can you tell me what a community builder is",
        "so what do i need",
        "what skills do i need",
        "how do i start",
        "tell me about expenses",
        "community builder",
    ],
)
def test_other_messages_are_not_yes_no_questions(text):
    assert not is_yes_no_question(text)


def test_a_long_story_gives_up_the_sentence_its_question_is_in():
    story = (
        "my mam had a stroke last year and the hospital in swansea asked me to help look at "
        "their stroke pathway. what does an improvement expert actually do"
    )
    assert question_part(story) == "what does an improvement expert actually do"
    assert question_part("what does an improvement expert do?") is None  # one sentence
    assert question_part("I run a group. It has forty members and we meet every week in town.") is None


def test_a_long_message_gives_up_the_clause_its_question_starts_in():
    asked_after_a_comma = (
        "my husband died after a bad discharge. i want to campaign so it doesnt happen to "
        "other families, is that what a disruptor does?"
    )
    assert question_part(asked_after_a_comma) == "is that what a disruptor does?"
    one_long_sentence = (
        "im a nurse and i care for my dad, and the ICB asked me to help redesign discharge, "
        "can i be both roles or do i have to pick one, sorry for the essay"
    )
    assert (
        question_part(one_long_sentence)
        == "can i be both roles or do i have to pick one, sorry for the essay"
    )
    asked_first = (
        "is there any funding for expenses in northern ireland, the tea and biscuits come out my pension"
    )
    assert question_part(asked_first) is None  # the whole message is the question


def test_a_one_written_as_a_digit_is_read_as_the_word_but_a_bare_number_stays():
    assert for_reading("wich 1 is the campainer 1") == "which one is the campainer one"
    assert for_reading("no1 told me, is any1 there") == "no one told me is anyone there"
    assert for_reading("1") == "1"
    assert for_reading("option 1") == "option 1"
    assert for_reading("i have 1 son") == "i have 1 son"


def test_a_question_that_only_points_back_takes_the_clause_before_it_along():
    story = "the ward lost her notes twice. i want to make a complaint about it, how do i go about it"
    assert question_part(story) == "i want to make a complaint about it, how do i go about it"
    says_what_it_asks = "my dad was in hospital for weeks, i want to campaign, is that what a disruptor does"
    assert question_part(says_what_it_asks) == "is that what a disruptor does"


def test_a_shorter_message_of_two_clauses_may_carry_its_question():
    wish = "i want to leave some feedback about this bot, what actually happens to it"
    assert question_part(wish) == "what actually happens to it"
    assert question_part("hello, what is tokenism") is None  # too short to be two things


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("everyone rings me. how do you cope, is there a group", "is there a group"),
        ("i run a group; any funding?", "any funding?"),
        ("is there a peer group near me", None),
    ],
)
def test_the_last_clause_of_a_message_of_several(text: str, last: str | None):
    assert last_clause(text) == last


def test_the_kisses_a_message_ends_with_are_not_read_but_a_lone_x_is():
    assert for_reading("ok ta x") == "ok ta"
    assert for_reading("thanks love xxx") == "thanks love"
    assert for_reading("x") == "x"
    assert for_reading("x marks the spot") == "x marks the spot"


def test_what_a_hello_says_beyond_the_hello():
    assert after_greeting("hello, i care for my dad, how much time does it take") == (
        "i care for my dad, how much time does it take"
    )
    assert after_greeting("good afternoon there") is None  # only a hello
    assert after_greeting("what is tokenism") is None  # no hello


def test_what_would_that_count_as_leans_on_the_story_before_it():
    story = "i set up a wattsapp grp for dads, we meet in the park. what wud that count as"
    assert question_part(story) is None  # the whole story is read, not the bare question
