"""Write one image prompt: the planner chose the picture's protest attributes; the model
describes a scene that shows them (and writes the sign's words); the offline renderer then
draws exactly those attributes, so the image labels are exact by construction."""

import random
from typing import Any

from scenariosim.agents.calls import CallRecord
from scenariosim.agents.checks import scene_label_problems
from scenariosim.agents.critic import (
    EARLIER_SCENE_SOURCE,
    EXAMPLES_SOURCE,
    PHOTO_KIND,
    CritiqueInputs,
    choose_sign,
    clean_candidate,
)
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.persona_agent import (
    Prompt,
    attribute_words,
    draw,
    pick_scene_opening,
    scene_prompt,
    sign_prompt,
)
from scenariosim.agents.schemas import ContextChunk, DraftLabels, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.feed import Feed
from scenariosim.graph.plan import task_seed
from scenariosim.graph.task_graph import build_task_graph
from scenariosim.graph.task_state import Outcome, provenance, trace_base
from scenariosim.graph.tasks import ImageTask
from scenariosim.outputs.records import ImagePromptRecord, ReferenceUse

SIGN_TOKENS = 16
SIGN_SEED = 577


def write_sign(
    ctx: RunContext, task: ImageTask, about: str, support: str
) -> tuple[str, CallRecord]:
    """The words on the picture's sign, in capitals (`critic.choose_sign`; "" when no
    candidate passes)."""
    prompt = sign_prompt(about, task["seed"] + SIGN_SEED)
    texts, call = draw(
        prompt,
        ctx.agent_model,
        ctx.resolved.critic.candidates,
        task["seed"] + SIGN_SEED,
        SIGN_TOKENS,
    )
    return choose_sign(texts, support), call


def scenario_slogan(slogans: list[str], seed: int, phase_id: str, sign_number: int) -> str:
    """The sign of the phase's picture with sign number `sign_number` (0 for its first picture
    with a sign, `ImageTask.sign_number`): the slogans in turn from a seeded start, so a
    phase's signs say different things while there are slogans enough."""
    start = task_seed(seed, phase_id, "slogans") % len(slogans)
    return slogans[(start + sign_number) % len(slogans)]


def _support(ctx: RunContext, task: ImageTask) -> str:
    """What a scene's names and numbers may come from: the post and its phase. Not the
    picture's attribute words: "more than 20 people" in them let a scene say "with 20 people
    in the corner", which readers took as at most 20."""
    phase = ctx.scenario.phases[task["phase_index"]]
    return " ".join([task["post_text"], phase.event, phase.title])


def scene_copy_sources(feed: Feed, phase_index: int, post_text: str) -> dict[str, str]:
    """The texts a scene must not share six words with, by name: its post, the examples and
    the scenes of earlier phases. The planner picks openings that copy none of them
    (`plan_images`), and the critic checks the whole scene against them."""
    return {
        "the post": post_text,
        EXAMPLES_SOURCE: all_example_text(),
        EARLIER_SCENE_SOURCE: "\n".join(feed.settled_scenes(phase_index)),
    }


def opening_of(task: ImageTask) -> str:
    """The task's planned opening; a task checkpointed before openings were planned gets
    the one its picture and seed give when nothing is to be avoided."""
    if "opening" in task:
        return task["opening"]
    return pick_scene_opening(task["attributes"], [], [], random.Random(task["seed"]))


class ImagePromptWriter:
    node = "write_image_prompt"

    def facts(
        self, ctx: RunContext, task: ImageTask, base: dict[str, Any]
    ) -> tuple[list[ContextChunk], list[Fact]]:
        return [], []  # the picture is about its post, which the planner attached

    def prompt(self, ctx: RunContext, task: ImageTask, facts: list[Fact], seed: int) -> Prompt:
        return scene_prompt(task["post_text"], task["attributes"], opening_of(task), seed)

    def inputs(
        self, ctx: RunContext, task: ImageTask, facts: list[Fact], texts: list[str]
    ) -> CritiqueInputs:
        post_text, attributes = task["post_text"], task["attributes"]
        return CritiqueInputs(
            persona=ctx.actors[task["persona_id"]].card,
            labels=DraftLabels(),
            facts=[post_text],
            support=_support(ctx, task),
            # A photo is tied to its post by its attributes and its sign, not by news words
            # its scene repeats ("marching through the streets" is about nothing it was given).
            topic="",
            copy_sources=scene_copy_sources(ctx.feed, task["phase_index"], post_text),
            known_names=ctx.known_names,
            kind=PHOTO_KIND,
            label_mismatches=tuple(
                tuple(scene_label_problems(clean_candidate(t), attributes)) for t in texts
            ),
        )

    def publish(self, ctx: RunContext, task: ImageTask, outcome: Outcome) -> None:
        phase = ctx.scenario.phases[task["phase_index"]]
        attributes = task["attributes"]
        sign_text = ""
        slogans = phase.slogans or ctx.scenario.slogans
        if attributes.get("sign") and slogans:
            # A task checkpointed before signs were numbered counts every picture.
            number = task.get("sign_number", task["rotation"])
            sign_text = scenario_slogan(slogans, ctx.resolved.seed, phase.id, number)
            ctx.traces.write(
                "sign", **trace_base(ctx, self.node, task), source="scenario", text=sign_text
            )
        elif attributes.get("sign"):
            # A sign may say what the picture shows ("POLICE OUT") as well as its post's words.
            support = f"{_support(ctx, task)} {attribute_words(attributes)}"
            sign_text, call = write_sign(ctx, task, phase.title, support)
            ctx.traces.write(
                "model_call",
                **trace_base(ctx, self.node, task),
                step="sign",
                attempt=0,
                **call.as_trace(),
            )
        used = [ReferenceUse(**r) for r in task["references"]]
        record = ImagePromptRecord(
            id=task["id"],
            phase_date=phase.date.isoformat(),
            post_id=task["post_id"],
            scene=outcome.text,
            sign_text=sign_text,
            labels=attributes,
            violence=task["violence"],
            provenance=provenance(ctx, task, outcome).model_copy(
                update={"reference_ids": [u.id for u in used]}
            ),
            references=used,
        )
        ctx.records.write(record)
        ctx.feed.add_scene(record.id, task["phase_index"], record.scene)


write_image_prompt = build_task_graph(ImagePromptWriter())
