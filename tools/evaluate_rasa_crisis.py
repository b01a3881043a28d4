"""What Rasa's crisis intent adds as the last net, behind the bot's phrases and classifier.

    .venv/bin/python -m tools.evaluate_rasa_crisis

On the safety sets Rasa never learnt from (crisis_holdout_2, crisis_blind_3 and
crisis_blind_4) it prints how many crises Rasa's rule alone would catch, and, of
the calm messages (their hard negatives and the guard list of ordinary messages)
that the first two nets let through, how many it would flag: for the rule in use
(actions.answers.might_be_crisis) and for stricter ones beside it.
"""

from __future__ import annotations

from collections.abc import Callable

from actions.answers import CRISIS_INTENT, CRISIS_SECOND_OPINION, might_be_crisis
from actions.replies import Understood
from safety import detect_crisis
from tests.safety.ordinary import ordinary_messages
from tools.evaluate_crisis import BLIND_3_SET, BLIND_4_SET, HOLDOUT_2_SET, load_any
from tools.stack import MODEL, rasa_env_json

Ranking = list[tuple[str, float]]


def in_use(ranking: Ranking) -> bool:
    """The actions' own rule (actions.answers.might_be_crisis)."""
    intent = ranking[0][0] if ranking else "nlu_fallback"
    return might_be_crisis(Understood(intent=intent, ranking=tuple((i, c) for i, c in ranking)))


def top_one(least: float) -> Callable[[Ranking], bool]:
    return lambda ranking: bool(ranking) and ranking[0][0] == CRISIS_INTENT and ranking[0][1] >= least


RULES = {
    f"in the top two at {CRISIS_SECOND_OPINION} (in use)": in_use,
    "first at 0.2": top_one(0.2),
    "first at 0.5": top_one(0.5),
    "first at 0.7": top_one(0.7),
}


def main() -> None:
    examples = [example for path in (HOLDOUT_2_SET, BLIND_3_SET, BLIND_4_SET) for example in load_any(path)]
    crises = [example.text for example in examples if example.category is not None]
    calm = [example.text for example in examples if example.category is None] + ordinary_messages()
    calm_past_the_nets = [text for text in calm if detect_crisis(text) is None]
    parsed = rasa_env_json("tests/rasa_env/parse_messages.py", *sorted({*crises, *calm_past_the_nets}))
    print(f"model {MODEL.name}: {len(crises)} crises; {len(calm_past_the_nets)} calm messages the nets pass")
    for name, rule in RULES.items():
        caught = sum(rule(parsed[text]["ranking"]) for text in crises)
        flagged = sum(rule(parsed[text]["ranking"]) for text in calm_past_the_nets)
        print(f"  {name:<34} alone catches {caught}/{len(crises)}; flags {flagged} calm messages")


if __name__ == "__main__":
    main()
