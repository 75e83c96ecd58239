"""The planner's label draws follow the persona (graph/assign_labels.py)."""

import random
from collections import Counter

import pytest

from scenariosim.graph.assign_labels import comment_labels, post_labels, stance_of_persona

DRAWS = 2000


def _shares(draws: list[str]) -> dict[str, float]:
    counts = Counter(draws)
    return {k: v / len(draws) for k, v in counts.items()}


@pytest.mark.parametrize("lean", [-1.0, -0.35, 0.0, 0.35, 1.0])
def test_stance_shares_are_a_distribution(lean: float) -> None:
    shares = stance_of_persona(lean)
    assert set(shares) == {"support_protest", "oppose_protest", "neutral"}
    assert all(v >= 0 for v in shares.values()) and sum(shares.values()) == pytest.approx(1)


def test_a_persona_with_a_stated_view_rarely_posts_for_the_other_side() -> None:
    # 0.35 is where a persona card starts to say "sympathises with protesters".
    assert stance_of_persona(0.35)["oppose_protest"] < 0.1
    assert stance_of_persona(-0.35)["support_protest"] < 0.1
    assert stance_of_persona(0.7)["oppose_protest"] < 0.015


def test_an_undecided_persona_takes_either_side_equally() -> None:
    shares = stance_of_persona(0.0)
    assert shares["support_protest"] == pytest.approx(shares["oppose_protest"])


def test_post_stances_follow_the_persona_lean() -> None:
    rng = random.Random(1)
    stances = [post_labels(0.5, rng).stance for _ in range(DRAWS)]
    shares = _shares(stances)
    assert shares["support_protest"] > 0.7 and shares.get("oppose_protest", 0) < 0.06


def test_a_reply_to_a_post_of_its_authors_side_mostly_agrees() -> None:
    rng = random.Random(2)
    labels = [comment_labels("support_protest", 0.6, rng) for _ in range(DRAWS)]
    relations = _shares([label.relation for label in labels])
    assert relations["agrees"] > 0.5 and relations.get("disagrees", 0) < 0.05


def test_a_reply_to_a_post_of_the_other_side_mostly_disagrees() -> None:
    rng = random.Random(3)
    labels = [comment_labels("oppose_protest", 0.6, rng) for _ in range(DRAWS)]
    relations = _shares([label.relation for label in labels])
    assert relations["disagrees"] > 0.5 and relations.get("agrees", 0) < 0.05


def test_questions_and_additions_keep_their_default_share() -> None:
    rng = random.Random(4)
    relations = _shares([comment_labels("oppose_protest", 0.6, rng).relation for _ in range(DRAWS)])
    assert relations["asks"] + relations["adds"] == pytest.approx(0.35, abs=0.04)


def test_a_scenarios_relation_mix_is_kept_whatever_the_commenter_thinks() -> None:
    rng = random.Random(5)
    mix = {"agrees": 1.0}
    labels = [comment_labels("oppose_protest", 0.9, rng, relation_mix=mix) for _ in range(200)]
    assert {label.relation for label in labels} == {"agrees"}
    assert {label.stance for label in labels} == {"oppose_protest"}


def test_a_reply_to_a_neutral_post_that_disagrees_takes_its_authors_side() -> None:
    rng = random.Random(6)
    labels = [comment_labels("neutral", -0.8, rng) for _ in range(DRAWS)]
    assert {label.stance for label in labels if label.relation == "disagrees"} == {"oppose_protest"}
