"""Start a phase: choose who posts and fan out one `write_post` task each."""

import random
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from scenariosim.graph.context import RunContext
from scenariosim.graph.plan import pick_actors, task_id, task_seed
from scenariosim.graph.state import RunState


def plan_posts(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["write_post", "plan_comments"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    phase = ctx.scenario.phases[index]
    rng = random.Random(task_seed(ctx.scenario.seed, phase.id, "posts"))
    actors = pick_actors(sorted(ctx.actors.values(), key=lambda a: a.card.id), phase.posts, rng)
    ctx.traces.write(
        "node", node="plan_posts", phase_id=phase.id, actors=[a.card.id for a in actors]
    )
    sends = [
        Send(
            "write_post",
            {
                "task": {
                    "id": task_id(phase.id, "post", i),
                    "kind": "post",
                    "phase_index": index,
                    "persona_id": actor.card.id,
                    "seed": task_seed(ctx.scenario.seed, phase.id, "post", i),
                }
            },
        )
        for i, actor in enumerate(actors)
    ]
    return Command(goto=sends or "plan_comments")
