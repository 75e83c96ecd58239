"""Choose commenters and, for each, the post its ranked feed puts first; fan out."""

import random
from typing import Literal

import numpy as np
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from scenariosim.graph.context import RunContext
from scenariosim.graph.plan import pick_actors, rank_feed, similarity_to_posts, task_id, task_seed
from scenariosim.graph.state import RunState

THREAD_ITEMS = 4  # the post plus the latest replies an agent sees


def plan_comments(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["write_comment", "plan_images"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    phase = ctx.scenario.phases[index]
    feed = ctx.feed.items()
    posts = [item for item in feed if item["kind"] == "post"]
    rng = random.Random(task_seed(ctx.scenario.seed, phase.id, "comments"))
    commenters = pick_actors(
        sorted(ctx.actors.values(), key=lambda a: a.card.id), phase.comments, rng
    )
    sends = []
    if posts and commenters:
        vectors = np.array(
            ctx.embeddings.embed_documents(
                [p["text"] for p in posts] + [a.card.description for a in commenters]
            )
        )
        post_vecs = {p["id"]: vectors[i] for i, p in enumerate(posts)}
        taken: dict[str, int] = {}
        for i, commenter in enumerate(commenters):
            reader_vec = vectors[len(posts) + i]
            ranked = rank_feed(
                commenter, posts, ctx.actors, index, similarity_to_posts(reader_vec, post_vecs)
            )
            if not ranked:
                continue
            # Spread replies a little: skip a post this round has already answered twice.
            target = next((p for p in ranked if taken.get(p["id"], 0) < 2), ranked[0])
            taken[target["id"]] = taken.get(target["id"], 0) + 1
            replies = [
                c for c in feed if c["kind"] == "comment" and c["thread_root"] == target["id"]
            ]
            thread = [target, *replies[-(THREAD_ITEMS - 1) :]]
            sends.append(
                Send(
                    "write_comment",
                    {
                        "task": {
                            "id": task_id(phase.id, "comment", i),
                            "kind": "comment",
                            "phase_index": index,
                            "persona_id": commenter.card.id,
                            "seed": task_seed(ctx.scenario.seed, phase.id, "comment", i),
                            "reply_to": thread[-1]["id"],
                            "thread_root": target["id"],
                            "thread": [{"author": t["author"], "text": t["text"]} for t in thread],
                        }
                    },
                )
            )
    ctx.traces.write(
        "node",
        node="plan_comments",
        phase_id=phase.id,
        tasks=[s.arg["task"]["id"] for s in sends],
    )
    return Command(goto=sends or "plan_images")
