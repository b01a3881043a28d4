"""action_answer, run as the action server runs it: a rasa-sdk Tracker in, messages and events out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import content
from actions.actions import ActionAnswer


def tracker(
    intent: str, text: str = "", roles: tuple[str, ...] = (), ranking: tuple = (), **slots: Any
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
        "entities": [{"entity": "role", "value": value} for value in roles],
        "text": text,
    }
    return Tracker(
        "pseudonym",
        {"role": None, "role_aspect": None, **slots},
        latest,
        [],
        False,
        None,
        {},
        "action_listen",
    )


async def run(intent: str, text: str = "", roles: tuple[str, ...] = (), ranking: tuple = (), **slots: Any):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker(intent, text, roles, ranking, **slots), {})
    # The invitation's counter is left out here: tests/test_feedback.py checks it.
    return dispatcher.messages, {
        event["name"]: event["value"]
        for event in events
        if event["event"] == "slot" and event["name"] != "helpful_answers"
    }


def finder_heading() -> str:
    """The words every support finder answer opens with."""
    return content.support_catalogue().texts.heading.split("{")[0]


def titles(message: dict) -> list[str]:
    return [button["title"] for button in message["buttons"]]


async def test_a_role_question_is_answered_for_that_role_and_remembered():
    messages, slots = await run(
        "ask_role_skills", "what skills does a citizen leader need", ("citizen_leader",)
    )

    role = content.roles().roles["citizen_leader"]
    assert messages[0]["text"].startswith("Citizen leader")
    assert role.skills in messages[0]["text"]
    assert slots == {"role": "citizen_leader", "role_aspect": "skills"}


async def test_a_follow_up_without_a_role_uses_the_role_under_discussion():
    messages, _ = await run("ask_role_risks", "what are the risks of that", role="community_builder")

    assert content.roles().roles["community_builder"].risks in messages[0]["text"]


async def test_a_role_named_now_wins_over_the_remembered_one():
    messages, slots = await run(
        "ask_role_about", "what about improvment experts", ("improvment experts",), role="citizen_leader"
    )

    assert messages[0]["text"].startswith("Improvement expert")
    assert slots["role"] == "improvement_expert"


async def test_a_misspelt_role_the_model_missed_is_found_in_the_text():
    messages, _ = await run("ask_role_start", "how do i become a distruptor")

    assert content.roles().roles["disruptor_advocate"].start in messages[0]["text"]


async def test_what_about_another_role_repeats_the_last_question_for_it():
    messages, slots = await run(
        "inform_role",
        "and for citizen leaders?",
        ("citizen leaders",),
        role="community_builder",
        role_aspect="skills",
    )

    assert content.roles().roles["citizen_leader"].skills in messages[0]["text"]
    assert slots == {"role": "citizen_leader"}


async def test_what_about_another_role_read_as_what_is_it_still_follows_the_conversation():
    ranking = (("ask_role_about", 0.53), ("inform_role", 0.44))
    messages, _ = await run(
        "ask_role_about",
        "what about citizen leaders",
        ("citizen leaders",),
        ranking,
        role="community_builder",
        role_aspect="skills",
    )

    assert content.roles().roles["citizen_leader"].skills in messages[0]["text"]


async def test_a_clear_what_is_it_question_is_answered_as_asked_whatever_came_before():
    ranking = (("ask_role_about", 0.9), ("inform_role", 0.05))
    messages, _ = await run(
        "ask_role_about",
        "what is a citizen leader",
        ("citizen leader",),
        ranking,
        role="community_builder",
        role_aspect="skills",
    )

    assert content.roles().roles["citizen_leader"].about in messages[0]["text"]


async def test_a_role_question_with_no_role_known_asks_which_role_with_buttons():
    messages, slots = await run("ask_role_skills", "what skills do i need")

    assert messages[0]["text"].startswith(content.topics().topics["pick_role"].text)
    for role in content.roles().roles.values():
        assert role.summary in messages[0]["text"]
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert '/ask_role_skills{"role":"citizen_leader"}' in payloads
    assert len(payloads) == 4
    assert slots == {"role_aspect": "skills", "role_asked": True}


async def test_a_reply_to_which_role_that_describes_one_gets_the_question_asked_for_it():
    messages, slots = await run(
        "describe_advocacy_work",
        "the one about campaigning and going to the press",
        role_aspect="skills",
        role_asked=True,
    )

    role = content.roles().roles["disruptor_advocate"]
    assert role.skills in messages[0]["text"]
    assert slots == {"role": "disruptor_advocate", "role_asked": False}


async def test_a_reply_to_which_role_that_names_one_among_other_words_is_not_a_fallback():
    messages, slots = await run(
        "nlu_fallback",
        "the one where you lead stuff i guess, citizen leader",
        ("citizen_leader",),
        ranking=(("quiz_answer", 0.33), ("inform_role", 0.27)),
        role_aspect="start",
        role_asked=True,
    )

    assert content.roles().roles["citizen_leader"].start in messages[0]["text"]
    assert slots["role"] == "citizen_leader"


async def test_a_new_question_after_which_role_is_answered_as_asked():
    messages, _ = await run(
        "ask_role_risks",
        "what are the risks for a citizen leader?",
        ("citizen_leader",),
        role_aspect="skills",
        role_asked=True,
    )

    assert content.roles().roles["citizen_leader"].risks in messages[0]["text"]


async def test_a_question_after_a_story_is_answered_for_the_role_the_story_describes():
    messages, slots = await run(
        "ask_role_risks",
        "everyone in the group i set up rings me at all hours with every problem. how do i handle that",
        ranking=(("ask_role_risks", 0.44), ("describe_community_work", 0.33)),
    )

    assert content.roles().roles["community_builder"].risks in messages[0]["text"]
    assert slots["role"] == "community_builder"


async def test_described_work_is_named_and_becomes_the_role_under_discussion():
    messages, slots = await run("describe_advocacy_work", "i write to my MP about respite cuts")

    assert messages[0]["text"] == content.roles().roles["disruptor_advocate"].sounds_like
    assert slots["role"] == "disruptor_advocate"
    assert titles(messages[0])[0] == "What is it?"


async def test_role_answers_offer_the_other_aspects_but_not_the_one_just_given():
    messages, _ = await run("ask_role_examples", "examples", role="citizen_leader")

    assert "Examples" not in titles(messages[0])
    assert "Skills needed" in titles(messages[0])
    assert content.roles().all_roles_button in titles(messages[0])


async def test_a_topic_is_answered_from_content_with_its_buttons():
    messages, slots = await run("ask_tokenism", "they only want me for the photo")

    topic = content.topics().topics["ask_tokenism"]
    assert messages[0]["text"] == topic.text
    assert titles(messages[0]) == [button.title for button in topic.buttons]
    assert slots == {}


async def test_crisis_gets_the_help_lines():
    messages, _ = await run("crisis", "my son says he doesn't want to live")

    for number in ("999", "116 123", "85258"):
        assert number in messages[0]["text"]


async def test_a_message_not_understood_asks_to_rephrase_and_offers_topics():
    messages, _ = await run("nlu_fallback", "blorp")

    assert messages[0]["text"] == content.topics().topics["nlu_fallback"].text
    assert messages[0]["buttons"]


async def test_when_unsure_the_likeliest_topics_are_offered_first_for_the_role_under_discussion():
    ranking = (("nlu_fallback", 0.3), ("ask_role_risks", 0.28), ("ask_expenses", 0.2), ("greet", 0.01))
    messages, _ = await run("nlu_fallback", "is it dodgy", ranking=ranking, role="citizen_leader")

    buttons = messages[0]["buttons"]
    suggestions = content.topics().suggestions
    assert [b["title"] for b in buttons[:2]] == [suggestions["ask_role_risks"], suggestions["ask_expenses"]]
    assert buttons[0]["payload"] == '/ask_role_risks{"role":"citizen_leader"}'
    assert len(buttons) == 4
    assert len({b["payload"] for b in buttons}) == 4


async def test_when_unsure_but_a_crisis_is_the_likeliest_reading_the_help_lines_are_given():
    ranking = (("nlu_fallback", 0.3), ("crisis", 0.24), ("feeling_overwhelmed", 0.23))
    messages, _ = await run("nlu_fallback", "im thinking about ending it all", ranking=ranking)

    assert "116 123" in messages[0]["text"]
    assert messages[0]["text"].startswith(content.topics().topics["crisis"].text)


async def test_a_close_second_reading_as_crisis_gets_the_help_lines_not_the_tired_carer_answer():
    ranking = (("feeling_overwhelmed", 0.34), ("crisis", 0.23), ("greet", 0.12))
    messages, _ = await run("feeling_overwhelmed", "im thinking about ending it all", ranking=ranking)

    assert messages[0]["text"].startswith(content.topics().topics["crisis"].text)


async def test_a_faint_or_third_crisis_guess_does_not_alarm_anyone():
    for ranking in (
        (("ask_role_examples", 0.33), ("ask_role_about", 0.2), ("crisis", 0.15)),
        (("ask_role_examples", 0.8), ("crisis", 0.12)),
    ):
        messages, _ = await run(
            ranking[0][0], "what would i be doing", ranking=ranking, role="citizen_leader"
        )
        assert "116 123" not in messages[0]["text"], ranking


async def test_an_intent_with_no_content_falls_back_kindly_instead_of_failing():
    messages, _ = await run("some_new_intent", "?")

    assert messages[0]["text"] == content.topics().topics["nlu_fallback"].text


async def test_every_button_the_action_can_send_fits_telegram():
    for intent in ("ask_role_about", "ask_role_skills", "describe_leadership_work", "ask_roles_overview"):
        for role in content.roles().roles:
            messages, _ = await run(intent, "", (role,))
            for button in messages[0]["buttons"]:
                assert len(button["payload"].encode()) <= 64


# --- issue 12: coverage and robust reading ------------------------------------------------


async def test_privacy_in_a_persons_own_words_gets_the_same_facts_as_the_privacy_command(monkeypatch):
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "14")
    messages, _ = await run("ask_privacy", "do you keep my number?")

    assert content.bot_texts().privacy.format(days="14") in messages[0]["text"]


async def test_who_made_you_credits_the_paper_with_a_link():
    messages, _ = await run("ask_about_bot", "who made u anyway")

    text = messages[0]["text"]
    assert "Miller" in text and "International Journal of Integrated Care" in text
    assert "https://doi.org/10.5334/ijic.7696" in text


async def test_a_dilemma_in_a_persons_own_words_is_answered_for_the_one_role_it_belongs_to():
    messages, slots = await run("ask_role_risks", "how do i push back without burning bridges")

    assert content.roles().roles["disruptor_advocate"].risks in messages[0]["text"]
    assert slots["role"] == "disruptor_advocate"


async def test_wording_of_two_roles_at_once_still_asks_which_role():
    messages, _ = await run("ask_role_risks", "i chair the board and run a support group, any risks")

    assert content.topics().topics["pick_role"].text in messages[0]["text"]


async def test_the_role_under_discussion_comes_before_another_roles_wording():
    messages, _ = await run(
        "ask_role_skills", "what skills would help me push back on the consultants", role="improvement_expert"
    )

    assert content.roles().roles["improvement_expert"].skills in messages[0]["text"]


async def test_a_place_a_kind_of_support_and_a_request_reach_the_finder_whatever_the_intent():
    messages, slots = await run(
        "describe_advocacy_work", "im in leeds, where can i meet others who campaign on mental health"
    )

    heading = finder_heading()
    assert heading in messages[0]["text"]
    assert slots["support_place"] == "england" and slots["support_kind"] == "peer_network"
    assert slots["role"] == "disruptor_advocate"


async def test_a_topic_question_that_asks_for_support_in_a_place_reaches_the_finder():
    messages, slots = await run(
        "ask_expenses", "is there any funding for expenses in wales, the tea and biscuits come out my pension"
    )

    assert finder_heading() in messages[0]["text"]
    assert slots["support_place"] == "wales" and slots["support_kind"] == "funding_expenses"


async def test_a_story_about_a_role_that_ends_asking_for_a_kind_of_support_gets_the_finder():
    messages, slots = await run(
        "ask_role_risks",
        "people ring me day and night about the group, how do others manage, are there any peer networks",
        role="community_builder",
    )

    assert finder_heading() in messages[0]["text"]
    assert slots["support_kind"] == "peer_network"
    assert "community builder" in messages[0]["text"].split("\n")[0].lower()


async def test_a_skills_question_that_ends_with_skills_stays_about_the_role():
    messages, _ = await run(
        "ask_role_skills", "i sit on the panel now, are there skills i need", role="improvement_expert"
    )

    assert content.roles().roles["improvement_expert"].skills in messages[0]["text"]


async def test_a_condition_named_in_a_story_is_not_the_kind_of_support_asked_for():
    messages, slots = await run(
        "ask_role_support",
        "my son has learning difficulties and i care for him. where can i get support for carers in leeds",
    )

    assert slots["support_kind"] == "carers_support" and slots["support_place"] == "england"
    assert content.support_catalogue().kinds["carers_support"].name.lower() in messages[0]["text"].lower()


async def test_a_topic_question_with_no_request_for_support_keeps_its_answer():
    messages, _ = await run("ask_expenses", "will i get my expenses paid in wales")

    assert messages[0]["text"].endswith(content.topics().topics["ask_expenses"].text.strip())


async def test_describing_work_in_a_place_without_asking_for_anything_is_still_a_description():
    messages, _ = await run("describe_community_work", "i run a peer support group in leeds")

    assert messages[0]["text"] == content.roles().roles["community_builder"].sounds_like


async def test_just_after_a_search_a_short_message_naming_a_place_narrows_it():
    messages, slots = await run(
        "not_a_leader",
        "anything in england specifically, im near york",
        role="community_builder",
        role_aspect="support",
        support_kind="peer_network",
        search_shown=True,
    )

    assert finder_heading() in messages[0]["text"]
    assert slots["support_place"] == "england"


async def test_once_a_topic_was_answered_after_a_search_a_place_word_no_longer_narrows_it():
    messages, slots = await run(
        "ask_digital_access",
        "hes worried about being on zoom",
        role="disruptor_advocate",
        role_aspect="support",
        support_kind="peer_network",
        search_shown=False,
    )

    assert content.topics().topics["ask_digital_access"].text.strip()[:40] in messages[0]["text"]
    assert "support_place" not in slots


async def test_a_yes_no_question_gets_its_yes_or_no_first_and_an_open_question_does_not():
    lead = content.topics().topics["ask_expenses"].yes_no
    asked, _ = await run("ask_expenses", "can i get paid for going?")
    open_question, _ = await run("ask_expenses", "how do expenses work")

    assert asked[0]["text"].startswith(lead)
    assert content.topics().topics["ask_expenses"].text in asked[0]["text"]
    assert not open_question[0]["text"].startswith(lead)


async def test_a_yes_no_question_about_a_role_gets_its_answer_first():
    lead = next(b.yes_no for b in content.roles().aspect_buttons if b.aspect == "risks")
    messages, _ = await run("ask_role_risks", "is it stressful being a disruptor", ("disruptor_advocate",))

    assert messages[0]["text"].startswith(lead)


async def test_two_readings_too_close_to_call_are_offered_as_buttons():
    messages, _ = await run(
        "ask_travel",
        "who pays for the taxi",
        ranking=(("ask_travel", 0.45), ("ask_expenses", 0.35), ("greet", 0.1)),
    )

    assert messages[0]["text"] == content.topics().topics["did_you_mean"].text
    suggestions = content.topics().suggestions
    assert titles(messages[0]) == [suggestions["ask_travel"], suggestions["ask_expenses"]]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_travel", "/ask_expenses"]


async def test_a_clear_reading_a_crisis_or_a_button_is_never_asked_about():
    clear, _ = await run(
        "ask_travel", "who pays for the taxi", ranking=(("ask_travel", 0.8), ("ask_expenses", 0.15))
    )
    pressed, _ = await run("ask_travel", "/ask_travel", ranking=(("ask_travel", 0.45), ("ask_expenses", 0.4)))
    crisis, _ = await run(
        "feeling_overwhelmed", "i cant", ranking=(("feeling_overwhelmed", 0.4), ("crisis", 0.35))
    )

    did_you_mean = content.topics().topics["did_you_mean"].text
    assert content.topics().topics["ask_travel"].text in clear[0]["text"]
    assert content.topics().topics["ask_travel"].text in pressed[0]["text"]
    assert did_you_mean not in crisis[0]["text"]


async def test_right_after_the_help_lines_who_do_i_ring_gets_them_again():
    messages, slots = await run("ask_role_support", "who do i ring", help_lines_given=True)

    assert content.crisis_lines_text() in messages[0]["text"]
    assert "help_lines_given" not in slots  # still set, for a second "and who else?"


async def test_the_help_lines_are_given_again_only_right_after_them():
    later, _ = await run("ask_role_support", "who do i ring")
    moved_on, slots = await run("ask_expenses", "can i claim my bus fare", help_lines_given=True)

    assert content.crisis_lines_text() not in later[0]["text"]
    assert content.crisis_lines_text() not in moved_on[0]["text"]
    assert slots["help_lines_given"] is False


async def run_beside_help_lines(
    intent: str,
    text: str,
    roles: tuple[str, ...] = (),
    confidence: float = 0.9,
    ranking: tuple = (),
    beside: bool | str = True,
):
    """The calm rest of a message the bot's safety net answered (metadata beside_help_lines;
    "whole" when the whole message came, only the learned classifier having flagged it)."""
    latest = tracker(intent, text, roles, ranking or ((intent, confidence),)).latest_message
    latest["intent"]["confidence"] = confidence
    latest["metadata"] = {"beside_help_lines": beside}
    dispatcher = CollectingDispatcher()
    slots = {"role": None, "role_aspect": None}
    events = await ActionAnswer().run(
        dispatcher, Tracker("pseudonym", slots, latest, [], False, None, {}, "action_listen"), {}
    )
    return dispatcher.messages, {
        event["name"]: event["value"] for event in events if event["event"] == "slot"
    }


async def test_beside_the_help_lines_a_question_is_answered_and_no_rating_is_asked_for():
    messages, slots = await run_beside_help_lines(
        "ask_role_skills", "what skills do i need to keep going as an advocate", ("disruptor_advocate",)
    )

    [message] = messages
    assert content.roles().roles["disruptor_advocate"].skills in message["text"]
    assert slots["help_lines_given"] is True and slots["feedback_invited"] is True


async def test_beside_the_help_lines_what_asks_nothing_adds_nothing():
    for intent, text in [
        ("nlu_fallback", "im doing ok these days"),
        ("feeling_overwhelmed", "its a lot"),
        ("crisis", "i cant do this"),
        ("thank", "thanks"),
    ]:
        messages, slots = await run_beside_help_lines(intent, text)

        assert messages == [{**messages[0], "custom": {"nothing_to_add": True}}], intent
        assert not messages[0].get("text")
        assert slots["help_lines_given"] is True


async def test_which_one_names_a_role_and_gets_that_role_not_the_quiz():
    messages, slots = await run("ask_which_role", "wich 1 is the campainer 1")  # no entity found

    assert content.roles().roles["disruptor_advocate"].about in messages[0]["text"]
    assert slots["role"] == "disruptor_advocate"


async def test_which_role_fits_me_starts_the_quiz_even_when_it_names_a_role():
    messages, _ = await run(
        "ask_which_role", "i think im a community builder, which role fits me", ("community_builder",)
    )

    assert content.quiz().questions[0].text in messages[-1]["text"]


async def test_beside_the_help_lines_a_crisis_read_second_does_not_hold_the_answer_back():
    messages, _ = await run_beside_help_lines(
        "ask_digital_access",
        "hes worried about being on zoom, he gets confused with it",
        confidence=0.52,
        ranking=(("ask_digital_access", 0.52), ("crisis", 0.36)),
        beside="whole",
    )

    assert content.topics().topics["ask_digital_access"].text.strip()[:40] in messages[0]["text"]


async def test_a_whole_message_beside_the_help_lines_that_is_not_for_us_is_told_so():
    text = "can u tell me if i should up my sertraline dose"
    whole, _ = await run_beside_help_lines("out_of_scope", text, beside="whole")
    rest, _ = await run_beside_help_lines("out_of_scope", text)

    assert content.topics().topics["out_of_scope"].text.strip()[:40] in whole[0]["text"]
    assert not rest[0].get("text")  # the calm rest of a story: nothing to add


async def test_a_worn_out_message_only_the_classifier_flagged_gets_carers_support_beside_the_lines():
    text = "im exhausted, looking after dad all day and night and nobody ever asks how i am"
    whole, _ = await run_beside_help_lines("feeling_overwhelmed", text, beside="whole")
    rest, _ = await run_beside_help_lines("feeling_overwhelmed", text)

    assert content.topics().topics["feeling_overwhelmed"].text.strip()[:40] in whole[0]["text"]
    assert not rest[0].get("text")  # beside a crisis phrase, the help lines say it all


async def test_what_a_role_actually_does_gets_what_it_is_and_what_people_in_it_do():
    role = content.roles().roles["disruptor_advocate"]
    for intent in ("ask_role_about", "ask_role_examples"):
        messages, slots = await run(intent, "wat does a disruptor actually do", ("disruptor_advocate",))

        assert role.about in messages[0]["text"] and role.examples in messages[0]["text"], intent
        assert slots["role"] == "disruptor_advocate"
    only_what_it_is, _ = await run("ask_role_about", "what is a disruptor", ("disruptor_advocate",))
    assert role.examples not in only_what_it_is[0]["text"]


async def test_a_hello_the_bot_understood_nothing_else_of_gets_the_welcome():
    greeted, _ = await run("nlu_fallback", "hiya sorry its late, someone at group told me to look at this")
    not_understood, _ = await run("nlu_fallback", "someone at the group told me to look at this")

    assert greeted[0]["text"] == content.topics().topics["greet"].text.strip()
    assert not_understood[0]["text"] == content.topics().topics["nlu_fallback"].text.strip()


async def test_a_hello_only_the_classifier_flagged_gets_the_welcome_beside_the_lines():
    text = "good evening, i am 90 and my grandson put this on my phone for me"
    whole, _ = await run_beside_help_lines("greet", text, beside="whole")
    crisis, _ = await run_beside_help_lines("crisis", text, beside="whole")

    assert whole[0]["text"] == content.topics().topics["greet"].text.strip()
    assert not crisis[0].get("text")  # a crisis read by Rasa too: the help lines say it all


async def test_what_role_would_that_be_after_describing_work_names_its_role_not_the_quiz():
    text = (
        "the ward asked me to help rewrite their discharge leaflets and checklists. what role would that be"
    )
    ranking = (("ask_which_role", 0.4), ("quiz_restart", 0.2), ("describe_improvement_work", 0.1))
    described, _ = await run("ask_which_role", text, ranking=ranking)
    about_me, _ = await run("ask_which_role", "which role would suit me best", ranking=ranking)

    assert described[0]["text"] == content.roles().roles["improvement_expert"].sounds_like
    assert content.quiz().questions[0].text in about_me[-1]["text"]


async def test_a_worn_out_message_just_after_a_search_is_not_a_narrower_search():
    messages, _ = await run(
        "feeling_overwhelmed",
        "im shattered, caring and the group and all this",
        role_aspect="support",
        support_kind="peer_network",
        search_shown=True,
    )

    assert content.topics().topics["feeling_overwhelmed"].text.strip()[:40] in messages[0]["text"]
