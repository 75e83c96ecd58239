"""Choose commenters and, for each, the post its ranked feed puts first; assign each reply
its relation, stance and emotion; fan out `write_comment`."""

import random
from typing import Literal

import numpy as np
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from scenariosim.graph.assign_labels import comment_labels
from scenariosim.graph.context import RunContext
from scenariosim.graph.plan import online, pick_actors, rank_feed, similarity_to_posts, task_seed
from scenariosim.graph.state import RunState
from scenariosim.graph.tasks import CommentTask, comment_task

THREAD_ITEMS = 4  # the post plus the latest replies an agent sees


def plan_comments(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["write_comment", "plan_images"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    phase = ctx.scenario.phases[index]
    mix = ctx.scenario.labels
    feed = ctx.feed.items()
    posts = [item for item in feed if item["kind"] == "post"]
    rng = random.Random(task_seed(ctx.resolved.seed, phase.id, "comments"))
    everyone = sorted(ctx.actors.values(), key=lambda a: a.card.id)
    commenters = pick_actors(online(everyone), phase.comments, rng)
    tasks: list[CommentTask] = []
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
            labels = comment_labels(
                thread[-1]["stance"], commenter.stance_prior, rng, mix.relation, mix.emotion
            )
            tasks.append(
                comment_task(
                    ctx.resolved.seed,
                    phase.id,
                    index,
                    i,
                    commenter.card.id,
                    labels,
                    thread=[{"author": t["author"], "text": t["text"]} for t in thread],
                    reply_to=thread[-1]["id"],
                    thread_root=target["id"],
                )
            )
    ctx.traces.write(
        "node",
        node="plan_comments",
        phase_id=phase.id,
        tasks=[t["id"] for t in tasks],
        labels={t["id"]: t["labels"] for t in tasks},
    )
    return Command(goto=[Send("write_comment", {"task": t}) for t in tasks] or "plan_images")
