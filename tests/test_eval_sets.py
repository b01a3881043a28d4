"""No message a figure is measured on may be one the model or the safety net learnt from."""

from __future__ import annotations

from pathlib import Path

from tools import eval_sets


def test_no_evaluation_message_is_also_training_data():
    found = eval_sets.overlaps()
    assert not found, "\n".join(f"{name}: {shared}" for name, shared in found.items())


def test_every_kind_of_evaluation_set_is_checked():
    paths = eval_sets.files(eval_sets.EVALUATION_GLOBS)
    names = {path.relative_to(eval_sets.ROOT).as_posix() for path in paths}
    assert "tests/nlu/holdout.yml" in names
    assert "tests/e2e/held_out_conversations.yml" in names
    assert "tests/safety/crisis_blind_4.yml" in names
    assert "tests/stories/test_conversations.yml" in names
    assert any(name.startswith("tests/e2e/blind_conversations_") for name in names)
    assert all(eval_sets.messages(eval_sets.ROOT / name) for name in names)


def test_an_overlap_is_found_whatever_its_case_spacing_punctuation_or_markup(tmp_path: Path):
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "roles.yml").write_text(
        "nlu:\n- intent: ask_role_about\n  examples: |\n    - What does a [community builder](role) do?\n"
    )
    (tmp_path / "tests" / "e2e").mkdir(parents=True)
    (tmp_path / "tests" / "e2e" / "blind_conversations_9.yml").write_text(
        "conversations:\n  - name: x\n    turns:\n"
        '      - say: "what  does a Community Builder do"\n        expect: topic:greet\n'
        '      - say: "/help"\n        expect: topic:ask_help\n'
    )
    assert eval_sets.overlaps(tmp_path) == {
        "tests/e2e/blind_conversations_9.yml": ["what  does a Community Builder do"]
    }


def test_messages_are_read_from_every_layout(tmp_path: Path):
    safety = tmp_path / "safety.yml"
    safety.write_text(
        'messages:\n  - {text: "one", category: suicide}\npositives:\n  suicide:\n    k:\n      - two\n'
    )
    story = tmp_path / "story.yml"
    story.write_text(
        "stories:\n  - story: s\n    steps:\n      - user: |\n          three\n        intent: greet\n"
    )
    assert eval_sets.messages(safety) == ["one", "two"]
    assert eval_sets.messages(story) == ["three"]
    assert eval_sets.comparable("It's  [Disruptor/Advocate](role)!") == "itsdisruptoradvocate"
    assert eval_sets.comparable("Thank you") == eval_sets.comparable("thankyou")
    assert eval_sets.comparable("what's co-production?") == eval_sets.comparable("Whats coproduction")
    assert eval_sets.comparable("Café") == eval_sets.comparable("cafe")
