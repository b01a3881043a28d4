"""rasa_server (our fixes to Rasa, and our tracker store) keeps Rasa's behaviour.

tests/rasa_env/check_rasa_server.py runs in the Rasa environment: it measures Rasa
unpatched, applies speedups.install(), measures again, and runs Rasa's SQL tracker
store and ours side by side; these tests compare the two.
"""

from __future__ import annotations

from typing import Any

import pytest

from tools.stack import MODEL, ROOT, rasa_env_json

pytestmark = pytest.mark.rasa

CHECK_SCRIPT = ROOT / "tests" / "rasa_env" / "check_rasa_server.py"


@pytest.fixture(scope="module")
def checks() -> dict[str, Any]:
    return rasa_env_json(str(CHECK_SCRIPT), "--model", str(MODEL))


def test_our_rasa_fixes_give_the_same_validation_verdicts_as_rasa(checks):
    verdicts = checks["validation"]
    assert verdicts["after"] == verdicts["before"]
    assert verdicts["before"]["valid"] == {"valid": True}
    assert not verdicts["before"]["events not a list"]["valid"]
    assert "Failed to validate Action server response" in verdicts["after"]["responses not a list"]["message"]


def test_event_names_resolve_to_the_same_classes_as_in_rasa(checks):
    lookups = checks["event classes"]
    assert lookups["after"] == lookups["before"]
    assert lookups["after"]["slot"] == "rasa.shared.core.events.SlotSet"
    assert lookups["after"]["topic"] is None
    assert lookups["after"]["unknown"] == "ValueError: Unknown event name 'no_such_event'."
    assert lookups["after"]["unknown again, another default"] == "rasa.shared.core.events.BotUttered"
    assert lookups["after"]["late, once defined"] == "__main__.LateEvent"


def test_the_patched_model_understands_held_out_messages_exactly_as_rasa_does(checks):
    before, after = checks["nlu"]["before"]["parses"], checks["nlu"]["after"]["parses"]
    assert len(before) >= 30
    for rasa, ours in zip(before, after, strict=True):
        assert ours["text"] == rasa["text"]
        assert ours["intent"] == rasa["intent"], rasa["text"]
        assert ours["confidence"] == pytest.approx(rasa["confidence"], abs=1e-9), rasa["text"]
        assert [name for name, _ in ours["ranking"]] == [name for name, _ in rasa["ranking"]], rasa["text"]
        assert [c for _, c in ours["ranking"]] == pytest.approx([c for _, c in rasa["ranking"]], abs=1e-9)
        assert ours["entities"] == rasa["entities"], rasa["text"]


def test_our_tracker_store_returns_the_conversations_rasas_store_returns(checks):
    store = checks["tracker store"]
    assert store["ours"] == store["rasa"]
    assert store["ours"]["unknown sender"] is None
    assert store["ours"]["unknown sender, full"] is None
    for conversation in ("kept tracker", "reloaded tracker"):
        latest = store["ours"][conversation]["latest after each save"]
        assert all(latest), conversation
        assert latest[-1][0]["event"] == "session_started"
        assert len(store["ours"][conversation]["full"]) > len(latest[-1])


def test_our_tracker_store_writes_the_same_rows_as_rasas_store(checks):
    store = checks["tracker store"]
    assert store["our rows"] == store["rasa rows"]
    assert {row[0] for row in store["our rows"]} == {"kept-tracker", "reloaded-tracker"}


def test_our_tracker_store_keeps_sqlite_in_write_ahead_log_mode(checks):
    assert checks["tracker store"]["our journal mode"] == "wal"


def test_two_servers_sharing_a_database_see_each_others_conversations(checks):
    shared = checks["tracker store"]["shared database"]
    assert shared["second's view after the first saved"] == shared["first's view after the first saved"]
    assert shared["first's view after the second saved"] == shared["second's tracker that it saved"]
    assert len(shared["first's view after the second saved"]) > len(
        shared["first's view after the first saved"]
    )


def test_action_server_calls_get_the_same_replies_over_one_kept_connection(checks):
    before, after = checks["endpoint"]["before"], checks["endpoint"]["after"]
    assert after["replies"] == before["replies"]
    assert [reply["reply"]["number"] for reply in after["replies"]] == [1, 2, 3]
    assert after["requests seen"] == 3
    assert after["connections"] == 1
    assert before["connections"] == 3  # Rasa itself opens a connection per call


def test_action_server_calls_send_the_same_basic_auth_as_rasa(checks):
    before, after = checks["endpoint"]["before"], checks["endpoint"]["after"]
    assert after["basic auth reply"] == before["basic auth reply"]
    assert after["basic auth header"] == before["basic auth header"] is not None


def test_an_unreachable_action_server_raises_the_same_error_as_in_rasa(checks):
    before, after = checks["endpoint"]["before"], checks["endpoint"]["after"]
    assert after["closed port"] == before["closed port"]
    assert "error" in after["closed port"]
