"""Choose which of this phase's posts get a photo, decide each photo's attributes and the words
its scene opens with; the post's author describes the rest of the scene."""

import random
import time
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from scenariosim.agents.persona_agent import pick_scene_opening
from scenariosim.graph.assign_labels import image_attributes, reference_rates, violence_of
from scenariosim.graph.context import RunContext
from scenariosim.graph.nodes.write_image_prompt import scene_copy_sources
from scenariosim.graph.plan import task_id, task_seed
from scenariosim.graph.state import RunState
from scenariosim.graph.tasks import image_task


def plan_images(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["write_image_prompt", "end_phase"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    phase = ctx.scenario.phases[index]
    posts = [i for i in ctx.feed.items() if i["kind"] == "post" and i["phase_index"] == index]
    rng = random.Random(task_seed(ctx.resolved.seed, phase.id, "images"))
    chosen = rng.sample(posts, k=min(phase.images, len(posts)))
    k = ctx.scenario.retrieval.references_k
    # Openings copy nothing the critic checks a scene against and avoid this phase's openings
    # so far; drawn from their own seed so the attributes' draws stay as they were.
    planned: list[str] = []
    wording = random.Random(task_seed(ctx.resolved.seed, phase.id, "scene-openings"))
    tasks = []
    for i, post in enumerate(sorted(chosen, key=lambda p: p["id"])):
        started = time.perf_counter()
        references = ctx.references(post["text"], phase, k) if ctx.references and k else []
        ctx.traces.write(
            "reference_retrieval",
            node="plan_images",
            task_id=task_id(phase.id, "image_prompt", i),
            persona_id=post["persona_id"],
            phase_id=phase.id,
            query=post["text"],
            references=[{"id": r.id, "score": r.score, "labels": r.labels} for r in references],
            latency_s=round(time.perf_counter() - started, 4),
        )
        rates = ctx.scenario.labels.image_attributes or reference_rates(
            [r.labels for r in references if r.labelled]
        )
        attributes = image_attributes(post["text"], rng, rates)
        sources = scene_copy_sources(ctx.feed, index, post["text"])
        opening = pick_scene_opening(attributes, list(sources.values()), planned, wording)
        planned.append(opening)
        tasks.append(
            image_task(
                ctx.resolved.seed,
                phase.id,
                index,
                i,
                post["persona_id"],
                post,
                attributes,
                opening,
                violence_of(attributes),
                [r.model_dump(mode="json") for r in references],
                sign_number=sum(bool(t["attributes"].get("sign")) for t in tasks),
            )
        )
    ctx.traces.write(
        "node",
        node="plan_images",
        phase_id=phase.id,
        tasks=[t["id"] for t in tasks],
        attributes={t["id"]: t["attributes"] for t in tasks},
        openings={t["id"]: t["opening"] for t in tasks},
    )
    return Command(goto=[Send("write_image_prompt", {"task": t}) for t in tasks] or "end_phase")
