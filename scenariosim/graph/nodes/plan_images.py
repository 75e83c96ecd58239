"""Choose which of this phase's posts get a photo; the post's author writes its prompt."""

import random
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from scenariosim.graph.context import RunContext
from scenariosim.graph.plan import task_id, task_seed
from scenariosim.graph.state import RunState


def plan_images(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["write_image_prompt", "end_phase"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    phase = ctx.scenario.phases[index]
    posts = [i for i in ctx.feed.items() if i["kind"] == "post" and i["phase_index"] == index]
    rng = random.Random(task_seed(ctx.scenario.seed, phase.id, "images"))
    chosen = rng.sample(posts, k=min(phase.images, len(posts)))
    sends = [
        Send(
            "write_image_prompt",
            {
                "task": {
                    "id": task_id(phase.id, "image", i),
                    "kind": "image_prompt",
                    "phase_index": index,
                    "persona_id": post["persona_id"],
                    "seed": task_seed(ctx.scenario.seed, phase.id, "image", i),
                    "post_id": post["id"],
                    "post_text": post["text"],
                }
            },
        )
        for i, post in enumerate(sorted(chosen, key=lambda p: p["id"]))
    ]
    ctx.traces.write(
        "node", node="plan_images", phase_id=phase.id, tasks=[s.arg["task"]["id"] for s in sends]
    )
    return Command(goto=sends or "end_phase")
