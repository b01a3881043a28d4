"""The safety net in the bot: crisis wording is answered at once with the help lines, before Rasa."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

import content
from bot.app import build_application
from bot.bridge import CRISIS_NOTICE_SECONDS, Bridge
from bot.rasa_client import RasaRestClient
from bot.rate_limit import RateLimiter
from bot.rendering import to_html
from bot.safety_net import CRISIS_PAYLOAD, SafetyNet
from safety import crisis_reply, find_crisis
from tests.conftest import SECRET, callback_update, message_update, settings
from tests.fakes import FakeRasa, OfflineTelegram

SUICIDAL = "i dont want to be here anymore, ive been saving my tablets"
NOT_BREATHING = "my dad has collapsed and he isnt breathing"


async def running_app(fake_rasa: FakeRasa, telegram: OfflineTelegram, region: str | None = None, **limits):
    bridge = Bridge(
        RasaRestClient("http://rasa.invalid", 4.5, client=fake_rasa.client()), SECRET, SafetyNet(region)
    )
    return build_application(settings(), bridge, request=telegram, **limits)


def said(telegram: OfflineTelegram) -> list[str]:
    return [message["text"] for message in telegram.sent()]


async def test_a_crisis_message_gets_the_help_lines_without_waiting_for_rasa(telegram):
    slow_rasa = FakeRasa(delays={CRISIS_PAYLOAD: 30.0})
    application = await running_app(slow_rasa, telegram)
    async with application:
        started = time.monotonic()
        await application.process_update(message_update(application, SUICIDAL))
        answered_in = time.monotonic() - started

    assert answered_in < 1.0
    assert said(telegram) == [to_html(crisis_reply(find_crisis(SUICIDAL)))]


async def test_rasa_is_told_of_the_crisis_but_never_sees_the_words(telegram):
    rasa = FakeRasa()
    application = await running_app(rasa, telegram)
    async with application:
        await application.process_update(message_update(application, SUICIDAL))
        await asyncio.sleep(0.1)  # Rasa is told in the background

    assert [body["message"] for body in rasa.received] == [CRISIS_PAYLOAD]
    assert "Hello from Rasa" not in " ".join(said(telegram))  # its answer would only repeat ours


async def test_a_medical_emergency_puts_999_first(telegram):
    application = await running_app(FakeRasa(), telegram)
    async with application:
        await application.process_update(message_update(application, NOT_BREATHING))

    [reply] = said(telegram)
    first_line = next(line for line in reply.splitlines() if line.startswith("•"))
    assert "999" in first_line


async def test_with_rasa_down_a_crisis_still_gets_the_help_lines(telegram):
    application = await running_app(FakeRasa(failure="down"), telegram)
    async with application:
        await application.process_update(message_update(application, SUICIDAL))

    assert said(telegram) == [to_html(crisis_reply(find_crisis(SUICIDAL)))]


async def test_over_the_rate_limit_a_crisis_is_still_answered(telegram):
    application = await running_app(FakeRasa(), telegram, rate_limiter=RateLimiter(2, 60.0))
    async with application:
        for text in ("hello", "what is tokenism", "what is co-production", "and expenses?"):
            await application.process_update(message_update(application, text))
        before = len(said(telegram))
        await application.process_update(message_update(application, SUICIDAL))

    assert said(telegram)[before:] == [to_html(crisis_reply(find_crisis(SUICIDAL)))]


@pytest.mark.parametrize("text", ["i'm dying to know which role fits me", "this form is killing me lol"])
async def test_figures_of_speech_go_to_rasa_as_usual(telegram, text):
    rasa = FakeRasa(echo=True)
    application = await running_app(rasa, telegram)
    async with application:
        await application.process_update(message_update(application, text))

    assert said(telegram) == [to_html(f"answer to {text}")]


async def test_the_region_setting_chooses_the_help_lines(telegram):
    application = await running_app(FakeRasa(), telegram, region="ireland")
    async with application:
        await application.process_update(message_update(application, SUICIDAL))

    [reply] = said(telegram)
    assert "Samaritans Ireland" in reply and "SHOUT" not in reply


async def test_the_log_names_the_kind_of_crisis_but_not_the_message_or_the_chat(telegram, caplog):
    caplog.set_level(logging.INFO)
    application = await running_app(FakeRasa(), telegram)
    async with application:
        await application.process_update(message_update(application, SUICIDAL))

    logged = caplog.text
    assert "safety net" in logged and "suicide" in logged
    assert "tablets" not in logged and "77" not in logged.replace("127", "")


def test_an_unknown_crisis_region_stops_start_up(monkeypatch):
    from bot.settings import Settings, SettingsError

    monkeypatch.setenv("CRISIS_REGION", "narnia")
    with pytest.raises(SettingsError, match="CRISIS_REGION"):
        Settings.from_env()


async def test_the_help_lines_come_with_a_way_out_of_a_false_alarm(telegram):
    application = await running_app(FakeRasa(), telegram)
    async with application:
        await application.process_update(message_update(application, SUICIDAL))

    [message] = telegram.sent()
    titles = [key["text"] for row in message["reply_markup"]["inline_keyboard"] for key in row]
    way_out = [button.title for button in content.topics().topics["crisis"].buttons]
    assert titles == [*NATIONS.values(), *way_out]  # where you live first, then the way out


# --- the lines for where someone lives --------------------------------------------------------------

NATIONS = {
    "england": "England",
    "scotland": "Scotland",
    "wales": "Wales",
    "northern_ireland": "Northern Ireland",
}
# What each nation's press adds, by kind of crisis (the numbers as the person sees them).
NATION_LINES = {
    ("england", "suicide"): ["call 111 and choose option 2"],
    ("scotland", "suicide"): ["NHS 24", "Breathing Space", "0800 83 85 87"],
    ("wales", "suicide"): ["call 111 and choose option 2", "0800 132 737"],
    ("northern_ireland", "suicide"): ["Lifeline", "0808 808 8000"],
    ("england", "harm_from_others"): ["0808 2000 247"],
    ("scotland", "harm_from_others"): ["0800 027 1234"],
    ("wales", "harm_from_others"): ["Live Fear Free", "0808 80 10 800"],
    ("northern_ireland", "harm_from_others"): ["0808 802 1414"],
}
ABUSED = "my husband hits me and i am scared to go home"


def keyboard(message: dict) -> dict[str, str]:
    return {
        key["text"]: key["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for key in row
    }


@pytest.mark.parametrize(("nation", "kind"), sorted(NATION_LINES))
async def test_a_press_on_where_you_live_adds_that_nations_lines(telegram, nation, kind):
    rasa = FakeRasa()
    application = await running_app(rasa, telegram)
    text = SUICIDAL if kind == "suicide" else ABUSED
    async with application:
        await application.process_update(message_update(application, text))
        await asyncio.sleep(0.1)
        told = len(rasa.received)
        [help_lines] = telegram.sent()
        press = callback_update(
            application, keyboard(help_lines)[NATIONS[nation]], help_lines["reply_markup"]
        )
        await application.process_update(press)

    added = said(telegram)[-1]
    assert added.startswith(f"In {NATIONS[nation]}, you can also contact:")
    for words in NATION_LINES[nation, kind]:
        assert words in added
    other_nations = {
        words
        for (other, k), lines in NATION_LINES.items()
        if other != nation and k == kind
        for words in lines
    }
    assert not [words for words in other_nations - set(NATION_LINES[nation, kind]) if words in added]
    assert len(rasa.received) == told  # answered by the bot alone


async def test_the_first_reply_gives_what_is_right_everywhere_in_the_uk(telegram):
    application = await running_app(FakeRasa(), telegram)
    async with application:
        await application.process_update(message_update(application, SUICIDAL))
        await application.process_update(message_update(application, ABUSED))

    suicidal, abused = said(telegram)
    for reply in (suicidal, abused):
        assert "999" in reply and "option 2" not in reply  # NHS 111's option 2 is England and Wales only
    assert "116 123" in suicidal and "85258" in suicidal and "Papyrus" in suicidal
    assert "Men's Advice Line" in abused and "Childline" in abused
    assert content.crisis_lines_file().place_prompt in abused


async def test_a_medical_emergency_offers_no_places_only_999(telegram):
    application = await running_app(FakeRasa(), telegram)
    async with application:
        await application.process_update(message_update(application, NOT_BREATHING))

    [message] = telegram.sent()
    assert not set(keyboard(message)) & set(NATIONS.values())
    assert content.crisis_lines_file().place_prompt not in message["text"]


async def test_ireland_gets_pieta_and_the_50808_text_line(telegram):
    application = await running_app(FakeRasa(), telegram, region="ireland")
    async with application:
        await application.process_update(message_update(application, SUICIDAL))

    [reply] = said(telegram)
    assert "Pieta" in reply and "1800 247 247" in reply and "text HELLO to 50808" in reply
    assert "Samaritans" in reply and "112" in reply


@pytest.mark.parametrize(
    "payload", ["/help_lines_in:narnia:suicide", "/help_lines_in:scotland:medical_emergency"]
)
async def test_a_place_payload_we_do_not_know_goes_nowhere_odd(telegram, payload):
    assert SafetyNet().reply_for_place(payload) is None


# A past crisis told calmly on the way to a question: the help lines, and the question answered.
PAST_STORY = (
    "my son took his own life in 2021. since then i have campaigned for better crisis care. "
    "what skills do i need to keep going as an advocate?"
)
ALARMING_SENTENCE = "my son took his own life in 2021."


async def test_a_calm_story_of_a_past_crisis_keeps_its_question(telegram):
    rasa = FakeRasa(replies=[{"text": "Disruptor / advocate · Skills needed"}])
    application = await running_app(rasa, telegram)
    async with application:
        await application.process_update(message_update(application, PAST_STORY))

    assert said(telegram) == [
        to_html(crisis_reply(find_crisis(PAST_STORY))),
        "Disruptor / advocate · Skills needed",
    ]
    [asked] = rasa.received
    assert asked["message"] == PAST_STORY.removeprefix(ALARMING_SENTENCE).strip()
    assert asked["metadata"] == {"beside_help_lines": True}
    assert "own life" not in asked["message"]  # the alarming sentence never reaches Rasa


async def test_beside_the_help_lines_rasa_may_have_nothing_to_add(telegram):
    rasa = FakeRasa(replies=[{"recipient_id": "x", "custom": {"nothing_to_add": True}}])
    application = await running_app(rasa, telegram)
    async with application:
        await application.process_update(message_update(application, PAST_STORY))

    assert said(telegram) == [to_html(crisis_reply(find_crisis(PAST_STORY)))]


async def test_beside_the_help_lines_rasa_down_leaves_the_help_lines_alone(telegram):
    application = await running_app(FakeRasa(failure="down"), telegram)
    async with application:
        await application.process_update(message_update(application, PAST_STORY))

    assert said(telegram) == [to_html(crisis_reply(find_crisis(PAST_STORY)))]


async def test_the_help_lines_do_not_wait_for_the_answer_beside_them(telegram):
    rest = PAST_STORY.removeprefix(ALARMING_SENTENCE).strip()
    application = await running_app(FakeRasa(delays={rest: 30.0}), telegram)
    async with application:
        task = asyncio.create_task(application.process_update(message_update(application, PAST_STORY)))
        await asyncio.sleep(0.5)
        sent_before_rasa_answered = said(telegram)
        task.cancel()

    assert sent_before_rasa_answered == [to_html(crisis_reply(find_crisis(PAST_STORY)))]


@pytest.mark.parametrize(
    "text",
    [
        SUICIDAL,  # one sentence: nothing else to answer
        "i want to end my life. help",  # too little left
        "i want to end it all. i cant go on.",  # every sentence raises the alarm
    ],
)
def test_nothing_is_left_beside_an_alarm_that_fills_the_message(text):
    net = SafetyNet()
    assert net.reply_for(text) is not None
    assert net.rest_beside_alarm(text) is None


# Ordinary words the learned classifier alone may flag (no crisis phrase in them).
GUILTY_NO = "the trust keep asking me to do more and i want to say no without feeling guilty"


async def test_a_message_only_the_classifier_flagged_is_answered_whole_beside_the_help_lines(
    telegram, monkeypatch
):
    monkeypatch.setattr("safety._learned.is_crisis", lambda text: text == GUILTY_NO)
    rasa = FakeRasa(replies=[{"text": "Saying no is fine"}])
    application = await running_app(rasa, telegram)
    async with application:
        await application.process_update(message_update(application, GUILTY_NO))

    assert find_crisis(GUILTY_NO) is None
    assert said(telegram)[1:] == ["Saying no is fine"]
    assert "999" in said(telegram)[0]  # the help lines still come first
    [asked] = rasa.received
    assert asked["message"] == GUILTY_NO
    assert asked["metadata"] == {"beside_help_lines": "whole"}


def test_a_crisis_phrase_never_sends_its_words_to_rasa_even_if_the_classifier_agrees():
    net = SafetyNet()
    assert net.reply_for(SUICIDAL) is not None
    assert net.rest_beside_alarm(SUICIDAL) is None


# --- typed "/..." is read as words: the net sees it, and Rasa never takes it for an intent ------------


@pytest.mark.parametrize(
    ("typed", "entities"),
    [
        (f"/{SUICIDAL}", None),  # Telegram marks "/i" as a command: the unknown-command path
        (f"/ {SUICIDAL}", []),  # a slash and a space: plain text
        (f"//{SUICIDAL}", []),
    ],
)
async def test_a_crisis_typed_after_a_slash_gets_the_help_lines(telegram, typed, entities):
    rasa = FakeRasa()
    application = await running_app(rasa, telegram)
    extra = {} if entities is None else {"entities": entities}
    async with application:
        await application.process_update(message_update(application, typed, **extra))
        await asyncio.sleep(0.1)  # Rasa is told in the background

    assert said(telegram) == [to_html(crisis_reply(find_crisis(SUICIDAL)))]
    assert [body["message"] for body in rasa.received] == [CRISIS_PAYLOAD]


@pytest.mark.parametrize(
    ("typed", "entities", "rasa_reads"),
    [
        ("/what is tokenism", None, "what is tokenism"),
        ("/ask_privacy do you keep my number", None, "ask_privacy do you keep my number"),
        ('/greet{"role": "x"}', [], 'greet{"role": "x"}'),  # Rasa's intent-with-entities form, as text
        ("/ /crisis please", [], "crisis please"),  # every slash before the first word goes
        ("what is 24/7 support", [], "what is 24/7 support"),  # slashes after it stay
    ],
)
async def test_typed_slash_text_reaches_rasa_as_text_never_as_an_intent(
    telegram, typed, entities, rasa_reads
):
    rasa = FakeRasa()
    application = await running_app(rasa, telegram)
    extra = {} if entities is None else {"entities": entities}
    async with application:
        await application.process_update(message_update(application, typed, **extra))

    assert [body["message"] for body in rasa.received] == [rasa_reads]
    assert said(telegram) == ["Hello from Rasa"]


@pytest.mark.parametrize("typed", ["/greet", "/crisis", "/ask_privacy", "/nlu_fallback"])
async def test_a_typed_intent_name_is_an_unknown_command_and_rasa_hears_nothing(telegram, typed):
    rasa = FakeRasa()
    application = await running_app(rasa, telegram)
    async with application:
        await application.process_update(message_update(application, typed))

    assert said(telegram) == [to_html(content.bot_texts().unknown_command.strip())]
    assert rasa.received == []


# --- a flood of crisis-like messages --------------------------------------------------------------


async def test_a_flood_of_crisis_messages_is_always_answered_but_rasa_is_told_once_a_while(telegram):
    rasa = FakeRasa()
    now = [1000.0]
    bridge = Bridge(
        RasaRestClient("http://rasa.invalid", 4.5, client=rasa.client()), SECRET, clock=lambda: now[0]
    )
    application = build_application(settings(), bridge, request=telegram, rate_limiter=RateLimiter(2, 60.0))
    async with application:
        for _ in range(30):
            await application.process_update(message_update(application, SUICIDAL))
        await asyncio.sleep(0.1)  # Rasa is told in the background
        told_in_the_flood = [body["message"] for body in rasa.received]

        now[0] += CRISIS_NOTICE_SECONDS  # the flood goes on after a while
        await application.process_update(message_update(application, SUICIDAL))
        await asyncio.sleep(0.1)

    assert said(telegram) == [to_html(crisis_reply(find_crisis(SUICIDAL)))] * 31
    assert told_in_the_flood == [CRISIS_PAYLOAD]
    assert [body["message"] for body in rasa.received] == [CRISIS_PAYLOAD] * 2


async def test_each_chat_in_a_crisis_is_told_to_rasa_on_its_own(telegram):
    rasa = FakeRasa()
    application = await running_app(rasa, telegram)
    async with application:
        for chat_id in (11, 12, 13):
            chat = {"id": chat_id, "type": "private", "first_name": "Sam"}
            await application.process_update(message_update(application, SUICIDAL, chat=chat))
        await asyncio.sleep(0.1)

    assert len({body["sender"] for body in rasa.received}) == 3
    assert [body["message"] for body in rasa.received] == [CRISIS_PAYLOAD] * 3
