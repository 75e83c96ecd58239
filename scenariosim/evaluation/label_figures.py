"""Label figures: image attributes against the UCLA protest-image rates, labels against
the text they came with, and stance/emotion distributions per phase.

Definitions:
- attribute rate: share of the run's images with the attribute (the drawn labels when
  images were rendered, else the image prompts' labels: the attributes the planner
  assigned, `graph/assign_labels.image_attributes`), beside its rate among UCLA protest
  images (Won et al. 2017) and the difference;
- text agreement, per attribute: share of images whose label equals "the text mentions
  it" by a small keyword lexicon (`text_rules.MENTIONS`, the one the critic's checks use),
  checked separately against the image prompt (scene + sign text) and against the post
  the image illustrates. The critic checks the scene against the assigned attributes, so
  prompt agreement says how well the writers showed them; the planner sets an attribute
  the post names (police, fire, children, a flag), so for those four post agreement falls
  only where the picture shows what the post does not name, and for the other six it is
  independent;
- reference rate: share of the distinct, labelled visual references the run's image
  prompts were grounded in that show the attribute, beside the run's rate (difference =
  run rate - reference rate), so a run that drifts from its references is visible.
"""

from collections import Counter
from typing import Any

from pydantic import BaseModel

from scenariosim.labels import IMAGE_ATTRIBUTES, UCLA_ATTRIBUTE_RATES, UCLA_MEAN_VIOLENCE
from scenariosim.outputs.records import ImageRecord
from scenariosim.outputs.run_folder import RunFolder
from scenariosim.text_rules import mentions


class AttributeRow(BaseModel):
    attribute: str
    rate: float | None
    ucla_rate: float
    difference: float | None
    prompt_agreement: float | None
    post_agreement: float | None
    label_without_mention: int
    mention_without_label: int
    drawn_matches_prompt: float | None
    reference_rate: float | None = None
    reference_difference: float | None = None


class LabelFigures(BaseModel):
    images: int
    source: str
    references: int = 0  # distinct labelled references behind the run's image prompts
    attributes: list[AttributeRow]
    mean_violence: float | None
    ucla_mean_violence: float
    stance_by_phase: dict[str, dict[str, int]]
    emotion_by_phase: dict[str, dict[str, int]]


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def used_references(prompts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct labelled references the image prompts were grounded in, first use first."""
    seen: dict[str, dict[str, Any]] = {}
    for prompt in prompts:
        for ref in prompt.get("references", []):
            if ref.get("labelled", True) and ref["id"] not in seen:
                seen[ref["id"]] = ref
    return list(seen.values())


def label_figures(run: RunFolder, images: list[ImageRecord] | None) -> LabelFigures:
    prompts = {r["id"]: r for r in run.records["image_prompts"]}
    posts = {r["id"]: r for r in run.records["posts"]}
    if images:
        items: list[dict[str, Any]] = [
            {"labels": i.labels, "prompt_labels": i.prompt_labels, "id": i.id} for i in images
        ]
        source = "drawn labels of the rendered images"
    else:
        items = [
            {"labels": p["labels"], "prompt_labels": None, "id": p["id"]} for p in prompts.values()
        ]
        source = "labels of the image prompts (no images rendered)"
    references = used_references(run.records["image_prompts"])
    rows = []
    for attr in IMAGE_ATTRIBUTES:
        labels = [bool(i["labels"].get(attr)) for i in items]
        ref_rate = _share([attr in r.get("labels", []) for r in references])
        prompt_agree, post_agree = [], []
        label_only = mention_only = 0
        for item, label in zip(items, labels, strict=True):
            prompt = prompts.get(item["id"], {})
            prompt_text = f"{prompt.get('scene', '')} {prompt.get('sign_text', '')}"
            said = mentions(prompt_text, attr)
            prompt_agree.append(said == label)
            label_only += label and not said
            mention_only += said and not label
            post = posts.get(prompt.get("post_id", ""))
            if post:
                post_agree.append(mentions(post["text"], attr) == label)
        rate = _share(labels)
        drawn = [
            bool(i["labels"].get(attr)) == bool(i["prompt_labels"].get(attr))
            for i in items
            if i["prompt_labels"] is not None
        ]
        rows.append(
            AttributeRow(
                attribute=attr,
                rate=rate,
                ucla_rate=UCLA_ATTRIBUTE_RATES[attr],
                difference=None if rate is None else round(rate - UCLA_ATTRIBUTE_RATES[attr], 4),
                prompt_agreement=_share(prompt_agree),
                post_agreement=_share(post_agree),
                label_without_mention=label_only,
                mention_without_label=mention_only,
                drawn_matches_prompt=_share(drawn),
                reference_rate=ref_rate,
                reference_difference=(
                    None if rate is None or ref_rate is None else round(rate - ref_rate, 4)
                ),
            )
        )
    violence = [float(p.get("violence", 0.0)) for p in prompts.values()]
    stance: dict[str, Counter[str]] = {}
    emotion: dict[str, Counter[str]] = {}
    for record in [*run.records["posts"], *run.records["comments"]]:
        phase = record["provenance"]["phase_id"]
        stance.setdefault(phase, Counter())[record["stance"]] += 1
        emotion.setdefault(phase, Counter())[record["emotion"]] += 1
    order = [p for p in run.phase_ids if p in stance]
    return LabelFigures(
        images=len(items),
        source=source,
        references=len(references),
        attributes=rows,
        mean_violence=round(sum(violence) / len(violence), 4) if violence else None,
        ucla_mean_violence=UCLA_MEAN_VIOLENCE,
        stance_by_phase={p: dict(sorted(stance[p].items())) for p in order},
        emotion_by_phase={p: dict(sorted(emotion[p].items())) for p in order},
    )
