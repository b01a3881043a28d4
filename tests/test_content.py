"""The content files are valid, complete for every intent, and fit for a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import content
from actions.answers import ANSWERED_WITHOUT_TOPIC, FALLBACK_TOPIC, PICK_ROLE_TOPIC
from content.schema import RolesFile

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])


def all_buttons():
    for topic in content.topics().topics.values():
        yield from topic.buttons
    yield from content.bot_texts().welcome_buttons


def test_every_content_file_loads_and_validates():
    content.load_all()


def test_every_intent_that_is_not_about_one_role_has_an_answer():
    missing = DOMAIN_INTENTS - ANSWERED_WITHOUT_TOPIC - set(content.topics().topics)
    assert not missing


def test_the_fallback_and_role_picker_texts_exist():
    assert {FALLBACK_TOPIC, PICK_ROLE_TOPIC} <= set(content.topics().topics)


def test_every_button_asks_for_an_intent_the_assistant_knows():
    unknown = {button.intent for button in all_buttons()} - DOMAIN_INTENTS
    assert not unknown


def test_every_suggested_topic_is_an_intent_the_assistant_knows():
    assert not set(content.topics().suggestions) - DOMAIN_INTENTS


def test_every_button_payload_fits_telegrams_64_byte_callback_data():
    for button in all_buttons():
        assert len(button.payload.encode()) <= 64, button


def test_answers_are_plain_text_without_markup():
    texts = [topic.text for topic in content.topics().topics.values()]
    for role in content.roles().roles.values():
        texts += [
            role.about,
            role.examples,
            role.skills,
            role.risks,
            role.start,
            role.sounds_like,
        ]
    for text in texts:
        assert not re.search(r"<[a-z/]|\*\*|__|\]\(", text), text[:60]


def test_answers_fit_a_phone_screen():
    for key, topic in content.topics().topics.items():
        assert len(topic.text) <= 800, key
    for key, role in content.roles().roles.items():
        for aspect in ("about", "examples", "skills", "risks", "start", "sounds_like"):
            assert len(getattr(role, aspect)) <= 800, (key, aspect)


def test_uk_crisis_lines_are_the_real_numbers():
    text = content.crisis_lines_text("uk")
    for number in ("999", "116 123", "85258"):
        assert number in text


def test_a_roles_file_without_all_four_roles_is_rejected():
    data = yaml.safe_load((content.content_dir() / "roles.yml").read_text())
    del data["roles"]["citizen_leader"]
    with pytest.raises(ValueError, match="missing roles"):
        RolesFile.model_validate(data)


def test_a_broken_content_folder_fails_loudly_at_start_up(tmp_path, monkeypatch):
    for path in content.content_dir().glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "bot.yml").write_text("welcome: hi\n")
    monkeypatch.setenv("ROLEGUIDE_CONTENT_DIR", str(tmp_path))
    content.reload()
    try:
        with pytest.raises(content.ContentError, match=r"bot\.yml"):
            content.load_all()
    finally:
        monkeypatch.delenv("ROLEGUIDE_CONTENT_DIR")
        content.reload()


def test_an_answer_too_long_for_a_phone_is_rejected():
    from content.schema import MAX_ANSWER_CHARS, Topic

    with pytest.raises(ValueError, match="too long for a phone screen"):
        Topic(text="word " * MAX_ANSWER_CHARS)


def catalogue_data() -> dict:
    return yaml.safe_load((content.content_dir() / "support_catalogue.yml").read_text())


def test_the_support_catalogue_has_at_least_25_entries_each_with_a_role_and_a_web_link():
    entries = content.support_catalogue().entries
    assert len(entries) >= 25
    for entry in entries:
        assert entry.roles
        assert entry.url.scheme == "https" and "." in (entry.url.host or "")


def test_every_role_and_every_kind_of_help_has_entries():
    entries = content.support_catalogue().entries
    for role in content.roles().roles:
        assert sum(role in e.roles for e in entries) >= 3, role
    for kind in content.support_catalogue().kinds:
        assert any(kind in e.kinds for e in entries), kind


def test_a_catalogue_with_a_repeated_id_is_rejected():
    from content.schema import SupportCatalogue

    data = catalogue_data()
    data["entries"].append(dict(data["entries"][0]))
    with pytest.raises(ValueError, match="duplicate ids"):
        SupportCatalogue.model_validate(data)


def test_a_catalogue_entry_with_an_unknown_role_kind_place_or_bad_link_is_rejected():
    from content.schema import SupportCatalogue

    for field, bad in (
        ("roles", ["nurse"]),
        ("kinds", ["yoga"]),
        ("where", ["atlantis"]),
        ("url", "not a link"),
    ):
        data = catalogue_data()
        data["entries"][0][field] = bad
        with pytest.raises(ValueError):
            SupportCatalogue.model_validate(data)


# --- help-line numbers live in one file ----------------------------------------------------------

# A number someone would call or text for help, as written in any country the lines cover.
_HELP_NUMBER = re.compile(
    r"(?<![\w/.-])(999|112|111|911|988|000|116 ?123|85258|50808|13 ?11 ?14"
    r"|0800[ \d]{5,}|0808[ \d]{5,}|1800[ \d]{5,})(?![\w/-])"
)
_LINK = re.compile(r"https?://\S+")


@pytest.mark.parametrize(
    "path",
    sorted(
        path.name
        for path in content.content_dir().glob("*.yml")
        if path.name not in ("crisis_lines.yml", "crisis_patterns.yml")
    ),
)
def test_no_help_line_number_is_written_outside_the_crisis_lines_file(path):
    text = _LINK.sub("", (content.content_dir() / path).read_text(encoding="utf-8"))
    assert _HELP_NUMBER.findall(text) == []


def test_the_check_for_help_line_numbers_finds_them():
    found = _HELP_NUMBER.findall(
        "call 999, or Samaritans on 116 123; text 85258; NHS 111 (https://x.org/111)"
    )
    assert found == ["999", "116 123", "85258", "111"]  # not the one inside a link


def test_texts_name_the_help_lines_of_the_deployments_region(monkeypatch):
    monkeypatch.setenv("CRISIS_REGION", "ireland")
    content.reload()
    try:
        ireland = content.bot_texts()
        out_of_scope = content.topics().topics["out_of_scope"].text
    finally:
        monkeypatch.delenv("CRISIS_REGION")
        content.reload()
    uk = content.bot_texts()

    assert "call 112 or 999" in ireland.welcome and "call 112 or 999" in ireland.help
    assert "NHS 111" not in out_of_scope
    assert "call 999." in uk.welcome and "116 123" in uk.help
    assert "112" not in uk.help


def test_a_text_naming_an_unknown_help_line_is_rejected(tmp_path, monkeypatch):
    for path in content.content_dir().glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text())
    bot = (tmp_path / "bot.yml").read_text().replace("{urgent_help}", "{line:no_such_line}")
    (tmp_path / "bot.yml").write_text(bot)
    monkeypatch.setenv("ROLEGUIDE_CONTENT_DIR", str(tmp_path))
    content.reload()
    try:
        with pytest.raises(content.ContentError, match="no_such_line"):
            content.load_all()
    finally:
        monkeypatch.delenv("ROLEGUIDE_CONTENT_DIR")
        content.reload()
