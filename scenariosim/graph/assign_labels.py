"""The planner's label decisions: every task's labels are drawn here, seeded, before any
model writes. The model then writes text that carries them, and the critic checks it does.

- A post's stance follows the persona's protest stance (`Traits.protest_stance`, -1..1) unless
  the scenario asks for a mix (`labels.stance`); its emotion is drawn from a distribution
  that depends on the stance (`EMOTION_GIVEN_STANCE`) unless `labels.emotion` sets one.
- A comment's relation to its post is drawn from `labels.relation` (default
  `RELATION_MIX`). With the default mix, a reply that takes a side answers as its author
  would: the commenter's own side is drawn as for a post (support or oppose), and one on
  the post's side agrees, one on the other side disagrees.
  Its stance follows from the relation: agrees -> the post's stance, disagrees -> the other
  side (a neutral post: the commenter's own side), asks and adds -> neutral. Its emotion is
  drawn like a post's.
- An image's protest attributes are drawn with the UCLA rates (or `labels.image_attributes`),
  made consistent (more than 100 people implies more than 20), and an attribute the post
  names in words (police, fire, children, a flag) is set, so the picture shows what the post
  says. Its violence follows from the attributes (`violence_of`).

All functions are pure: (inputs, rng) -> labels.
"""

import math
import random
from collections.abc import Mapping

from scenariosim.agents.schemas import DraftLabels
from scenariosim.labels import EMOTIONS, IMAGE_ATTRIBUTES, STANCE_RELATIONS, UCLA_ATTRIBUTE_RATES
from scenariosim.text_rules import mentions

# Emotion given stance: a default that reads as plausible for price and housing protests.
EMOTION_GIVEN_STANCE: dict[str, dict[str, float]] = {
    "support_protest": {"anger": 0.4, "hope": 0.2, "pride": 0.15, "sadness": 0.1, "fear": 0.1, "calm": 0.05},
    "oppose_protest": {"anger": 0.3, "fear": 0.25, "calm": 0.2, "sadness": 0.1, "hope": 0.1, "pride": 0.05},
    "neutral": {"calm": 0.3, "fear": 0.25, "sadness": 0.2, "hope": 0.15, "anger": 0.1, "pride": 0.0},
}  # fmt: skip
RELATION_MIX: dict[str, float] = {"agrees": 0.35, "disagrees": 0.3, "asks": 0.2, "adds": 0.15}
OPPOSITE = {"support_protest": "oppose_protest", "oppose_protest": "support_protest"}
# Attributes a post can name that its picture must then show.
FOLLOW_POST = ("police", "fire", "children", "flag")


def _draw(mix: Mapping[str, float], rng: random.Random) -> str:
    labels = sorted(k for k, v in mix.items() if v > 0)
    return rng.choices(labels, weights=[mix[k] for k in labels])[0]


# How fast a persona's side firms up with its lean (the tanh's slope, `stance_of_persona`).
STANCE_SHARPNESS = 3.0


def stance_of_persona(protest_stance: float) -> dict[str, float]:
    """P(stance) from the persona's protest stance in -1..1: the further from 0, the surer.

    neutral: 0.3 at 0, falling to 0.1 at +-1; the rest goes to the persona's side with
    probability 0.5 + 0.5 tanh(`STANCE_SHARPNESS` * lean). A persona whose card states a view
    (|lean| >= 0.35, `personas.persona`) so takes the other side at most 9% of the time, about
    1% at 0.7. (With a linear split it was 26% at 0.35; blind readers called a post
    against the protest from someone who "sympathises with protesters" out of voice.)
    """
    lean = max(-1.0, min(1.0, protest_stance))
    neutral = 0.3 - 0.2 * abs(lean)
    support = (1 - neutral) * (0.5 + 0.5 * math.tanh(STANCE_SHARPNESS * lean))
    return {"support_protest": support, "oppose_protest": 1 - neutral - support, "neutral": neutral}


def post_labels(
    protest_stance: float,
    rng: random.Random,
    stance_mix: Mapping[str, float] | None = None,
    emotion_mix: Mapping[str, float] | None = None,
) -> DraftLabels:
    stance = _draw(stance_mix or stance_of_persona(protest_stance), rng)
    emotion = _draw(emotion_mix or EMOTION_GIVEN_STANCE[stance], rng)
    return DraftLabels(stance=stance, emotion=emotion)


def comment_labels(
    post_stance: str,
    protest_stance: float,
    rng: random.Random,
    relation_mix: Mapping[str, float] | None = None,
    emotion_mix: Mapping[str, float] | None = None,
) -> DraftLabels:
    relation = _draw(relation_mix or RELATION_MIX, rng)
    if relation_mix is None and relation in STANCE_RELATIONS and post_stance in OPPOSITE:
        sides = {k: v for k, v in stance_of_persona(protest_stance).items() if k in OPPOSITE}
        relation = "agrees" if _draw(sides, rng) == post_stance else "disagrees"
    if relation == "agrees":
        stance = post_stance
    elif relation == "disagrees":
        own = "support_protest" if protest_stance >= 0 else "oppose_protest"
        stance = OPPOSITE.get(post_stance, own)
    else:
        stance = "neutral"
    emotion = _draw(emotion_mix or EMOTION_GIVEN_STANCE[stance], rng)
    assert emotion in EMOTIONS
    return DraftLabels(stance=stance, emotion=emotion, relation=relation)


def image_attributes(
    post_text: str, rng: random.Random, rates: Mapping[str, float] | None = None
) -> dict[str, bool]:
    """Protest-image attributes for a post's picture, consistent and seeded."""
    rates = {**UCLA_ATTRIBUTE_RATES, **(rates or {})}
    drawn = {a: rng.random() < rates[a] for a in IMAGE_ATTRIBUTES}
    for attribute in FOLLOW_POST:
        if mentions(post_text, attribute):
            drawn[attribute] = True
    if drawn["group_100"]:
        drawn["group_20"] = True
    return drawn


def violence_of(attributes: Mapping[str, bool]) -> float:
    """Perceived violence 0..1 from the attributes: 0.1 + fire 0.35 + police 0.2 + shouting
    0.15 + night 0.05 (a rule of this project, ordered like the UCLA annotators' ratings:
    fire and police raise perceived violence most)."""
    score = 0.1 + 0.35 * attributes.get("fire", False) + 0.2 * attributes.get("police", False)
    score += 0.15 * attributes.get("shouting", False) + 0.05 * attributes.get("night", False)
    return round(min(1.0, score), 2)


def reference_rates(reference_labels: list[list[str]], weight: float = 0.5) -> dict[str, float]:
    """Attribute rates for a picture: the UCLA rates blended with the share of the retrieved
    labelled references that show each attribute (`weight` on the references); the UCLA
    rates alone when there are none."""
    if not reference_labels:
        return dict(UCLA_ATTRIBUTE_RATES)
    n = len(reference_labels)
    return {
        a: (1 - weight) * UCLA_ATTRIBUTE_RATES[a]
        + weight * sum(a in labels for labels in reference_labels) / n
        for a in IMAGE_ATTRIBUTES
    }
