"""Start a phase: choose who posts, assign each post its labels, fan out `write_post`."""

import random
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from scenariosim.graph.assign_labels import post_labels
from scenariosim.graph.context import RunContext
from scenariosim.graph.plan import online, pick_actors, task_seed
from scenariosim.graph.state import RunState
from scenariosim.graph.tasks import post_task


def plan_posts(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["write_post", "plan_comments"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    phase = ctx.scenario.phases[index]
    mix = ctx.scenario.labels
    rng = random.Random(task_seed(ctx.resolved.seed, phase.id, "posts"))
    everyone = sorted(ctx.actors.values(), key=lambda a: a.card.id)
    actors = pick_actors(online(everyone), phase.posts, rng)
    tasks = [
        post_task(
            ctx.resolved.seed,
            phase.id,
            index,
            i,
            actor.card.id,
            post_labels(actor.stance_prior, rng, mix.stance, mix.emotion),
        )
        for i, actor in enumerate(actors)
    ]
    ctx.traces.write(
        "node",
        node="plan_posts",
        phase_id=phase.id,
        actors=[a.card.id for a in actors],
        not_planned={
            a.card.id: "no internet access" for a in everyone if a not in online(everyone)
        },
        labels={t["id"]: t["labels"] for t in tasks},
    )
    return Command(goto=[Send("write_post", {"task": t}) for t in tasks] or "plan_comments")
