"""The crisis safety net catches people in danger, leaves everyday sayings alone, and says where help is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import content
from safety import CrisisMatch, CrisisMatcher, crisis_matcher, crisis_reply, detect_crisis, find_crisis
from safety.normalise import tidy
from tools.evaluate_crisis import (
    BLIND_3_SET,
    BLIND_4_SET,
    EVAL_SET,
    HOLDOUT_2_SET,
    HOLDOUT_SET,
    evaluate,
    load_any,
    load_labelled,
    mean_ms_per_message,
    nlu_crisis_examples,
    nlu_examples,
)

MAX_FALSE_POSITIVE_RATE = 0.02


def _misses(figures) -> list[str]:
    return [f"{e.category}/{e.kind}: {e.text}" for e in figures.misses]


def _alarms(figures) -> list[str]:
    return [f"{e.kind} -> {got}: {e.text}" for e, got in figures.alarms]


# --- measured on the labelled sets --------------------------------------------------------


# crisis_holdout_2.yml, crisis_blind_3.yml and crisis_blind_4.yml were written blind; the patterns
# were tuned on their misses afterwards, so here they are regression sets like the others (a new
# blind set is measured with --set).
LABELLED_SETS = [EVAL_SET, HOLDOUT_SET, HOLDOUT_2_SET, BLIND_3_SET, BLIND_4_SET]
LABELLED_IDS = ["eval", "holdout", "holdout_2", "blind_3", "blind_4"]

# crisis_blind_3.yml's hard negatives that still raise the alarm (0 of 54 after its families were
# added; 5 before): a ceiling, so a new phrase that starts alarming on one of them fails.
BLIND_3_FALSE_ALARMS = 0

# crisis_blind_4.yml: every crisis caught (100% recall, tested above) and 0 of its 68 hard negatives
# alarm after its families and vetoes were added (first run: 53/87 caught, 4/68 false alarms).
BLIND_4_FALSE_ALARMS = 0


@pytest.mark.parametrize("path", LABELLED_SETS, ids=LABELLED_IDS)
def test_every_labelled_crisis_is_caught(path: Path, record_property):
    figures = evaluate(load_any(path), path.name)
    record_property(
        "figure",
        f"crisis net, {path.name}: recall {figures.recall:.1%} ({figures.caught}/{figures.positives}), "
        f"right category {figures.category_accuracy:.1%}, false alarms {figures.false_positive_rate:.1%} "
        f"({figures.false_alarms}/{figures.negatives})",
    )
    assert figures.recall == 1.0, _misses(figures)


@pytest.mark.parametrize("path", LABELLED_SETS, ids=LABELLED_IDS)
def test_hard_negatives_rarely_raise_the_alarm(path: Path):
    figures = evaluate(load_any(path), path.name)
    assert figures.negatives >= 30
    assert figures.false_positive_rate < MAX_FALSE_POSITIVE_RATE, _alarms(figures)


def test_blind_3_false_alarms_do_not_creep_back():
    figures = evaluate(load_any(BLIND_3_SET), BLIND_3_SET.name)
    assert (figures.positives, figures.negatives) == (83, 54)
    assert figures.false_alarms <= BLIND_3_FALSE_ALARMS, _alarms(figures)


def test_blind_4_is_fully_caught_and_false_alarms_do_not_creep_back():
    figures = evaluate(load_any(BLIND_4_SET), BLIND_4_SET.name)
    assert (figures.positives, figures.negatives) == (87, 68)
    assert figures.recall == 1.0, _misses(figures)
    assert figures.false_alarms <= BLIND_4_FALSE_ALARMS, _alarms(figures)


def test_the_eval_set_puts_every_crisis_in_the_right_category():
    figures = evaluate(load_labelled(EVAL_SET), EVAL_SET.name)
    assert figures.category_accuracy == 1.0, figures.wrong_category


def test_the_labelled_sets_are_big_enough_and_cover_every_category():
    tuning, held_out = load_labelled(EVAL_SET), load_labelled(HOLDOUT_SET)
    assert len(tuning) >= 150 and len(held_out) >= 60
    assert sum(e.category is not None for e in tuning) >= 80
    assert sum(e.category is None for e in tuning) >= 70
    for examples in (tuning, held_out):
        assert {e.category for e in examples} - {None} == set(content.schema.CRISIS_CATEGORIES)
    assert not {e.text.lower() for e in tuning} & {e.text.lower() for e in held_out}
    for blind in (HOLDOUT_2_SET, BLIND_3_SET, BLIND_4_SET):  # the families added after them are new sentences
        assert not {e.text.lower() for e in tuning} & {e.text.lower() for e in load_any(blind)}


def test_ordinary_questions_the_assistant_is_trained_on_rarely_raise_the_alarm(record_property):
    figures = evaluate(nlu_examples(), "NLU examples")
    record_property(
        "figure",
        f"crisis net, NLU examples except the crisis intent: false alarms "
        f"{figures.false_positive_rate:.2%} ({figures.false_alarms}/{figures.negatives})",
    )
    assert figures.negatives > 500
    assert figures.false_positive_rate < MAX_FALSE_POSITIVE_RATE, _alarms(figures)


def test_the_crisis_intents_own_examples_are_caught_too(record_property):
    figures = evaluate(nlu_crisis_examples(), "NLU crisis intent")
    record_property(
        "figure",
        f"crisis net, NLU crisis-intent examples: recall {figures.recall:.1%} "
        f"({figures.caught}/{figures.positives})",
    )
    assert figures.recall >= 0.95, _misses(figures)


def test_a_message_is_checked_in_well_under_a_millisecond(record_property):
    texts = [e.text for e in (*load_labelled(EVAL_SET), *nlu_examples())]
    ms = mean_ms_per_message(texts, repeat=3)
    record_property("figure", f"crisis net: {ms:.3f} ms per message (mean over {len(texts)} messages)")
    assert ms < 1.0


# --- what people write ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to know which role suits me",
        "you're killing it",
        "we had an hour to kill some time before the panel",
        "I could murder a cup of tea",
        "this form is killing me",
        "the scones were to die for",
        "I'm dead tired",
        "my mum died last year and I want to help others",
        "should she stop taking her tablets",
        "I volunteer for a suicide prevention charity, which role is that?",
        "the meeting was a car crash",
        "I'm overwhelmed and tired",
        "is there safeguarding training for volunteers?",
        "what's the point of co-production?",
        "I can't go on the trip next week",
        "my phone died",
        "that's odd",
    ],
)
def test_figures_of_speech_and_ordinary_questions_do_not_raise_the_alarm(text: str):
    assert find_crisis(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I can't go on", "suicide"),
        ("everyone would be better off without me", "suicide"),
        ("what's the point anymore", "suicide"),
        ("I've been saving up my tablets", "suicide"),
        ("sucide", "suicide"),
        ("i want to kil myself", "suicide"),
        ("want to dye", "suicide"),
        ("kms", "suicide"),
        ("thinking about unaliving", "suicide"),
        ("my son says he doesn't want to live", "suicide"),
        ("self harming again", "self_harm"),
        ("I'm scared I'll hurt him", "harm_to_others"),
        ("my dad hits my mum", "harm_from_others"),
        ("mum's taken all her pills", "medical_emergency"),
        ("he od'd", "medical_emergency"),
        ("she's not breathing", "medical_emergency"),
    ],
)
def test_crisis_wording_is_caught_in_its_category(text: str, category: str):
    found = find_crisis(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    "text",
    ["I WANT TO DIEEEE", "I don\u2019t want to be alive", "k1ll myself", "s u i c i d e", "i want 2 die"],
)
def test_shouting_curly_quotes_digits_and_spacing_do_not_hide_a_crisis(text: str):
    assert find_crisis(text) is not None


def test_a_saying_is_ignored_only_where_it_is_not_the_whole_message():
    found = find_crisis("I'm dying to know... honestly I want to die")
    assert found is not None and found.category == "suicide"


def test_a_medical_emergency_comes_first_when_a_message_has_several_kinds():
    found = find_crisis("I've taken all my tablets because I want to die")
    assert found is not None
    assert found.category == "medical_emergency"
    assert "suicide" in found.categories


@pytest.mark.parametrize("text", ["", "   ", "👍", "?!?!", "a" * 5000, "ok " * 1500])
def test_odd_messages_never_break_the_matcher(text: str):
    assert find_crisis(text) is None


def test_tidying_makes_variants_alike():
    assert tidy("I\u2019m SOOO scared I\u2019ll hurt him!!") == "im so scared il hurt him ."
    assert tidy("k1ll my-self") == tidy("kill my self")
    assert tidy("wanna") == "want to"
    assert tidy("been cuttin") == tidy("been cutting")  # a dropped "g", for listed words only
    assert tidy("insulin") == "insulin"


@pytest.mark.parametrize(
    "text",
    [
        "I used to self harm as a teenager and I've been fine for years",
        "my brother overdosed years ago and is doing well now",
        "I had an allergic reaction as a child, should I put it on the form?",
        "I was abused as a child and now volunteer with survivors",
        "is there training on how to respond to self-harm for volunteers?",
        "what does financial abuse mean?",
        "the fire alarm went and mum thought we were all going to die",
        "I cut myself chopping onions",
        "my daughter scratches herself because of eczema",
    ],
)
def test_what_is_past_and_over_about_the_topic_or_an_accident_does_not_raise_the_alarm(text: str):
    assert find_crisis(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I used to self harm and I've started again tonight", "self_harm"),
        ("I self harmed as a teenager and the urges are back", "self_harm"),
        ("tried to kill myself years ago and I'm thinking about it again", "suicide"),
        ("he used to hit me and he still does", "harm_from_others"),
        ("I was abused as a child and my husband hits me", "harm_from_others"),
        ("we had suicide awareness training today and I want to die", "suicide"),
        ("I cut myself cooking, no I did it on purpose", "self_harm"),
        ("I cut myself on the arm", "self_harm"),
    ],
)
def test_a_past_topic_or_accident_saying_never_hides_a_crisis_happening_now(text: str, category: str):
    found = find_crisis(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("crushing pain in his chest and he's sweating", "medical_emergency"),
        ("mum's gone really floppy", "medical_emergency"),
        ("I took 30 co-codamol", "medical_emergency"),
        ("how many of my tablets would it take", "suicide"),
        ("I keep thinking about driving into a wall", "suicide"),
        ("I wrote letters to the kids in case I'm not here", "suicide"),
        ("I punch myself in the legs", "self_harm"),
        ("cuts all up her arms", "self_harm"),
        ("I've got a knife and next time he starts I'm going to use it", "harm_to_others"),
        ("I'm frightened I'll lash out at him", "harm_to_others"),
        ("they said they'd hurt him if he tells anyone", "harm_from_others"),
        ("he has a black eye and staff won't say how it happened", "harm_from_others"),
        ("he controls all the money and checks my phone", "harm_from_others"),
    ],
)
def test_the_families_of_wording_added_after_the_second_holdout_are_caught(text: str, category: str):
    found = find_crisis(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I've made my will and written to each of the kids. goodbye", "suicide"),
        ("not planning on being around much longer", "suicide"),
        ("how much insulin before it kills you", "suicide"),
        ("there's no point in me anymore", "suicide"),
        ("she says she'll walk into the river", "suicide"),
        ("every day I stop on the footbridge and think about going over", "suicide"),
        ("i wan end am", "suicide"),
        ("relasped. the blades again", "self_harm"),
        ("scratched a word into my arm with a compass", "self_harm"),
        ("I press my hand on the iron on purpose", "self_harm"),
        ("I'm scared of what I'll do to him tomorrow", "harm_to_others"),
        ("he's got his gun down from the loft. he's going round there", "harm_to_others"),
        ("I've been refusing to change his pad on purpose", "harm_to_others"),
        ("my mum's boyfriend comes into my room at night", "harm_from_others"),
        ("my uncle dey beat my cousin with wire", "harm_from_others"),
        ("she touches my brother inappropriately", "harm_from_others"),
        ("I get punished if he doesn't like what I write", "harm_from_others"),
        ("blood is pumping out of his leg", "medical_emergency"),
        ("I can't rouse him", "medical_emergency"),
        ("burning up and not making sense", "medical_emergency"),
        ("my da's on the floor an cannae get up", "medical_emergency"),
    ],
)
def test_the_families_of_wording_added_after_the_third_blind_set_are_caught(text: str, category: str):
    found = find_crisis(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    "text",
    [
        "my son had a seizure back in 2015 and has been fine on meds since",
        "what should carers do if someone collapses?",
        "is a stroke the same as a heart attack?",
        "the film about the carer who hit her dad was powerful",
        "can I share my story about being in an abusive relationship? I'm doing well now",
        "I've made my will, what's a lasting power of attorney?",
        "I beat the eggs with a wire whisk",
    ],
)
def test_the_vetoes_added_after_the_third_blind_set_let_these_pass(text: str):
    assert find_crisis(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("the film about a man who hits his wife is my life, my husband hits me", "harm_from_others"),
        ("can I share my story about being abused? it's still happening", "harm_from_others"),
        ("what should carers do if someone is choking? my dad is choking right now", "medical_emergency"),
        ("my son had a seizure back in 2019 and he's fitting again now", "medical_emergency"),
    ],
)
def test_those_vetoes_never_hide_a_crisis_happening_now(text: str, category: str):
    found = find_crisis(text)
    assert found is not None and found.category == category


def test_scots_words_and_dropped_gs_are_read_as_english():
    assert tidy("he cannae get up, he's no makin sense") == "he cant get up hes no making sense"
    assert tidy("my da's lyin on the floor") == "my das lying on the flor"


def test_a_noose_is_caught_but_a_broken_nose_is_not():
    # tidying makes "noose" and "nose" one word, so a noose needs its verb
    assert find_crisis("my son broke his nose at football") is None
    found = find_crisis("I've tied a noose")
    assert found is not None and found.category == "suicide"


# --- the reply ------------------------------------------------------------------------------


def _bullets(reply: str) -> list[str]:
    return [line for line in reply.splitlines() if line.startswith("• ")]


def _match(category: str) -> CrisisMatch:
    return CrisisMatch(category, (category,), "test")


@pytest.mark.parametrize(
    ("category", "first", "second"),
    [
        ("medical_emergency", "999", "111"),
        ("suicide", "999", "116 123"),
        ("self_harm", "999", "116 123"),
        ("harm_from_others", "999", "0800 1111"),  # each nation's abuse line: a press on where you live
        ("harm_to_others", "999", "116 123"),
    ],
)
def test_each_kind_of_crisis_gets_the_right_lines_first(category: str, first: str, second: str):
    bullets = _bullets(crisis_reply(_match(category)))
    assert first in bullets[0]
    assert second in bullets[1]


def test_suicide_reply_has_samaritans_shout_and_papyrus_and_nothing_only_some_nations_have():
    reply = crisis_reply(_match("suicide"))
    for number in ("999", "116 123", "85258", "0800 068 4141"):
        assert number in reply
    assert "option 2" not in reply  # NHS 111's mental health option: England and Wales, a press away


@pytest.mark.parametrize("category", content.schema.CRISIS_CATEGORIES)
def test_every_reply_opens_kindly_and_ends_by_keeping_the_door_open(category: str):
    lines_file = content.crisis_lines_file()
    reply = crisis_reply(_match(category))
    assert reply.startswith(lines_file.categories[category].opening.strip())
    assert reply.endswith(lines_file.keep_talking.strip())
    assert len(reply) < 1200
    assert "<" not in reply and "**" not in reply


def test_the_region_setting_switches_the_lines():
    reply = crisis_reply(_match("suicide"), region="us")
    assert "911" in _bullets(reply)[0]
    assert "988" in reply
    assert "999" not in reply and "116 123" not in reply


@pytest.mark.parametrize("name", ["Ireland", "IE", " ireland "])
def test_a_region_can_be_named_in_other_ways(name: str):
    assert "112" in _bullets(crisis_reply(_match("medical_emergency"), region=name))[0]


@pytest.mark.parametrize("name", ["atlantis", "", None])
def test_an_unknown_region_falls_back_to_the_default(name: str | None):
    assert crisis_reply(_match("suicide"), region=name) == crisis_reply(_match("suicide"), region="uk")


def test_a_region_without_its_own_list_for_a_crisis_gets_its_general_lines():
    reply = crisis_reply(_match("suicide"), region="international")
    assert "findahelpline.com" in reply


def test_the_existing_help_line_functions_still_work():
    assert content.crisis_lines()[0].contact == "call 999"
    assert content.crisis_lines("nowhere") == content.crisis_lines()
    assert content.crisis_lines_text().splitlines()[-1] == content.crisis_lines_file().elsewhere


# --- the YAML is checked --------------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    """A copy of the content folder the test may break; the real one is reloaded afterwards."""
    for path in content.content_dir().glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("ROLEGUIDE_CONTENT_DIR", str(tmp_path))
    content.reload()
    yield tmp_path
    monkeypatch.delenv("ROLEGUIDE_CONTENT_DIR")
    content.reload()
    crisis_matcher.cache_clear()


def _edit_patterns(folder: Path, change) -> None:
    path = folder / "crisis_patterns.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_a_bad_regex_fails_loudly_naming_the_pattern(content_copy: Path):
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"].update(regex=[" (oops"]))
    with pytest.raises(content.ContentError, match=r"(?s)crisis_patterns\.yml.*bad regex ' \(oops'"):
        content.load_all()


def test_a_regex_with_a_double_letter_is_refused_because_it_could_never_match(content_copy: Path):
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"].update(regex=[" kill"]))
    with pytest.raises(content.ContentError, match="double letter"):
        content.load_all()


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [("want to (die", "missing"), ("kill {nobody_knows}", "unknown word list"), ("want to die?", "die\\?")],
)
def test_a_phrase_that_cannot_be_read_fails_loudly_naming_it(content_copy: Path, phrase: str, problem: str):
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"]["phrases"].append(phrase))
    with pytest.raises(content.ContentError, match=problem):
        content.load_all()
        CrisisMatcher.from_content()


def test_a_coordinator_can_add_a_phrase_in_the_yaml(content_copy: Path):
    assert CrisisMatcher.from_content().match("the waves are calling me") is None
    new_phrase = "waves (are|) calling me"
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"]["phrases"].append(new_phrase))
    content.reload()
    found = CrisisMatcher.from_content().match("The waves are callingg me")
    assert found is not None and found.phrase == new_phrase


def test_the_crisis_lines_file_refuses_a_reply_naming_a_line_that_does_not_exist(content_copy: Path):
    path = content_copy / "crisis_lines.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["categories"]["suicide"]["lines"]["uk"].append("no_such_line")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(content.ContentError, match="suicide"):
        content.load_all()


def test_two_stars_join_two_signals_anywhere_in_one_sentence(content_copy: Path):
    new_phrase = "(storm|gale) ** (calling me|pulling me)"
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"]["phrases"].append(new_phrase))
    content.reload()
    matcher = CrisisMatcher.from_content()
    found = matcher.match("the storm out there over the sea at night keeps calling me")
    assert found is not None and found.phrase == new_phrase
    assert matcher.match("the storm was bad. calling me later?") is None  # not across sentences


def test_three_stars_join_two_signals_anywhere_later_in_the_message(content_copy: Path):
    new_phrase = "(storm|gale) *** (calling me|pulling me)"
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"]["phrases"].append(new_phrase))
    content.reload()
    matcher = CrisisMatcher.from_content()
    found = matcher.match("the storm was bad last night. it keeps calling me")
    assert found is not None and found.phrase == new_phrase
    assert matcher.match("it keeps calling me. the storm was bad") is None  # in this order only


def test_unless_ignores_a_saying_only_when_its_guard_is_nowhere_in_the_message(content_copy: Path):
    _edit_patterns(
        content_copy, lambda d: d["not_crisis"].append("kil* {self} in the game unless (really|for real)")
    )
    content.reload()
    matcher = CrisisMatcher.from_content()
    assert matcher.match("I kill myself in the game every time") is None
    found = matcher.match("I kill myself in the game, no, for real")
    assert found is not None and found.category == "suicide"


def test_unless_on_a_crisis_phrase_lets_another_kind_decide(content_copy: Path):
    new_phrase = "waves (are|) calling me unless (surf|surfing)"
    _edit_patterns(content_copy, lambda d: d["categories"]["suicide"]["phrases"].append(new_phrase))
    content.reload()
    matcher = CrisisMatcher.from_content()
    assert matcher.match("the waves are calling me") is not None
    assert matcher.match("the waves are calling me, surf is up") is None


def test_the_whole_net_is_summed_up_in_one_line():
    from tools.evaluate_crisis import Example, whole_net_line

    examples = [
        Example("i want to end my life tonight", "suicide", "k"),
        Example("i have been saving my tablets to take them all", "any", "k"),
        Example("what is tokenism", None, "k"),
        Example("i want to end it all", None, "k"),  # labelled calm here, so it counts as a false alarm
    ]
    assert whole_net_line(examples) == (
        "crisis net: recall 100.0% (2/2); lines-only on non-crises 50.0% (1/2); "
        "check-in on non-crises 0.0% (0/2)"
    )


@pytest.mark.parametrize(
    "hidden",
    [
        "i wanna k.i.l.l myself",  # letters strung with dots
        "i want to d i e",  # three letters spaced out
        "i want to d-i-e tonight",
        "s/h again last night, i cant stop",  # the short form of self-harm
        "im ending it 2nite",  # a digit for a sound
    ],
)
def test_spacing_tricks_and_short_forms_do_not_hide_a_crisis(hidden):
    assert detect_crisis(hidden) is not None


@pytest.mark.parametrize("calm", ["u r a star", "see you at 3 p.m. in the u.k. office", "plan a b c then"])
def test_single_letters_in_everyday_text_stay_calm(calm):
    assert detect_crisis(calm) is None
