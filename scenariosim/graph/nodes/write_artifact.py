"""The three agent-task nodes: draft, critique, revise (bounded), then publish or record why not.

`write_post`, `write_comment` and `write_image_prompt` differ only in the agent they call,
the text they retrieve for, and the record they publish; the loop is shared. An image
prompt also retrieves the visual references most like its post and phase: its author is
conditioned on them, the critic checks its labels against them, and its record names them.
"""

import time
from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from scenariosim.agents.critic import CriticPolicy, critique_draft, draft_text
from scenariosim.agents.persona_agent import (
    AgentOutput,
    Revision,
)
from scenariosim.agents.persona_agent import (
    write_comment as agent_write_comment,
)
from scenariosim.agents.persona_agent import (
    write_image_prompt as agent_write_image_prompt,
)
from scenariosim.agents.persona_agent import (
    write_post as agent_write_post,
)
from scenariosim.agents.schemas import (
    CommentDraft,
    ContextChunk,
    ImagePromptDraft,
    PhaseBrief,
    PostDraft,
    ReferenceCard,
    ThreadItem,
)
from scenariosim.errors import ModelError
from scenariosim.graph.context import Actor, RunContext
from scenariosim.graph.state import TaskInput
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.outputs.records import (
    CommentRecord,
    FailedArtifact,
    ImagePromptRecord,
    PostRecord,
    Provenance,
    ReferenceUse,
)

Draft = PostDraft | CommentDraft | ImagePromptDraft
WriteDraft = Callable[[Revision | None, int], AgentOutput[Any]]


def _phase_brief(ctx: RunContext, index: int) -> PhaseBrief:
    phase = ctx.scenario.phases[index]
    return PhaseBrief(
        id=phase.id, date=phase.date.isoformat(), title=phase.title, event=phase.event
    )


def _provenance(
    ctx: RunContext,
    task: dict[str, Any],
    actor: Actor,
    chunks: list[ContextChunk],
    output: AgentOutput[Any],
    critique_scores: dict[str, float],
    score: float,
    revisions: int,
) -> Provenance:
    return Provenance(
        run_id=ctx.run_id,
        scenario=ctx.scenario.name,
        phase_id=ctx.scenario.phases[task["phase_index"]].id,
        persona_id=actor.card.id,
        hid=actor.hid,
        idno=actor.idno,
        chunk_ids=[c.chunk_id for c in chunks],
        model=ctx.agent_model.spec,
        critic_model=ctx.critic_model.spec,
        prompt_name=output.prompt_name,
        prompt_hash=output.prompt_hash,
        seed=output.call.seed,
        critic_score=score,
        critic_scores=critique_scores,
        revisions=revisions,
    )


def _run_task(
    ctx: RunContext,
    node: str,
    task: dict[str, Any],
    query: str,
    write: Callable[[list[ContextChunk], Revision | None, int], AgentOutput[Any]],
    extra_support: str = "",
    references: list[ReferenceCard] | None = None,
) -> tuple[Draft | None, dict[str, Any]]:
    """Retrieve, then draft/critique/revise. Returns the accepted draft and what happened."""
    actor = ctx.actors[task["persona_id"]]
    phase = ctx.scenario.phases[task["phase_index"]]
    base = {"node": node, "task_id": task["id"], "persona_id": actor.card.id, "phase_id": phase.id}
    started = time.perf_counter()
    drafts: list[dict[str, Any]] = []
    critiques: list[dict[str, Any]] = []
    try:
        outcome = _settle(
            ctx, base, task, query, write, extra_support, references, drafts, critiques
        )
    except ModelError as e:
        # Chat calls turn their errors into failed drafts; this is another service the task
        # needs (Gemini embeddings, for retrieval or the critic's support check) that kept
        # failing after its own retries. The artifact fails with the reason; the run goes on.
        outcome = {"status": "failed", "reasons": [str(e)], "chunks": []}
    ctx.traces.write(
        "node",
        **base,
        status=outcome["status"],
        latency_s=round(time.perf_counter() - started, 4),
    )
    if outcome["status"] != "accepted":
        ctx.failures.write(
            FailedArtifact(
                id=task["id"],
                kind=task["kind"],
                phase_id=phase.id,
                persona_id=actor.card.id,
                status=outcome["status"],
                reasons=outcome["reasons"],
                drafts=drafts,
                critiques=critiques,
            )
        )
        ctx.on_artifact(task["kind"], outcome["status"])
        return None, outcome
    ctx.on_artifact(task["kind"], "accepted")
    return outcome["output"].draft, outcome


def _settle(
    ctx: RunContext,
    base: dict[str, Any],
    task: dict[str, Any],
    query: str,
    write: Callable[[list[ContextChunk], Revision | None, int], AgentOutput[Any]],
    extra_support: str,
    references: list[ReferenceCard] | None,
    drafts: list[dict[str, Any]],
    critiques: list[dict[str, Any]],
) -> dict[str, Any]:
    """The draft/critique/revise loop; appends to `drafts` and `critiques` as it goes."""
    actor = ctx.actors[task["persona_id"]]
    phase = ctx.scenario.phases[task["phase_index"]]
    started = time.perf_counter()
    chunks = ctx.retrieve(query, phase, actor)
    ctx.traces.write(
        "retrieval",
        **base,
        query=query,
        chunks=[c.model_dump() for c in chunks],
        latency_s=round(time.perf_counter() - started, 4),
    )
    policy = CriticPolicy(ctx.scenario.critic.threshold, ctx.scenario.critic.reject_below)
    revision: Revision | None = None
    outcome: dict[str, Any] = {"status": "failed", "reasons": [], "chunks": chunks}
    for attempt in range(ctx.scenario.critic.max_revisions + 1):
        output = write(chunks, revision, task["seed"] + attempt)
        ctx.traces.write(
            "model_call", **base, step="draft", attempt=attempt, **output.call.as_trace()
        )
        if output.draft is None:
            outcome["reasons"] = [f"no valid draft: {output.call.error}"]
            break
        drafts.append(output.draft.model_dump(mode="json"))
        critique, call = critique_draft(
            output.draft,
            actor.card,
            phase.event,
            chunks,
            ctx.known_names,
            ctx.embeddings,
            ctx.critic_model,
            task["seed"] + 1000 + attempt,
            policy,
            extra_support=extra_support,
            references=references,
        )
        if call is not None:
            ctx.traces.write(
                "model_call", **base, step="critique", attempt=attempt, **call.as_trace()
            )
        ctx.traces.write("critique", **base, attempt=attempt, **critique.model_dump(mode="json"))
        critiques.append(critique.model_dump(mode="json"))
        outcome.update(output=output, critique=critique, revisions=attempt)
        if critique.verdict == "accept":
            outcome["status"] = "accepted"
            break
        outcome["status"] = "rejected"
        outcome["reasons"] = critique.reasons
        if critique.verdict == "reject":
            break
        revision = Revision(previous=draft_text(output.draft), reasons=critique.reasons)
    return outcome


def _record_provenance(
    ctx: RunContext, task: dict[str, Any], outcome: dict[str, Any]
) -> Provenance:
    critique = outcome["critique"]
    scores = critique.rubric.model_dump(exclude={"reasons"}) if critique.rubric else {}
    return _provenance(
        ctx,
        task,
        ctx.actors[task["persona_id"]],
        outcome["chunks"],
        outcome["output"],
        {k: float(v) for k, v in scores.items()},
        critique.score,
        outcome["revisions"],
    )


def _result(task: dict[str, Any], status: str) -> dict[str, Any]:
    """The task's only state update: one count in the tally."""
    return {"tally": {f"{task['kind']}:{status}": 1}}


def _publish(
    ctx: RunContext, task: dict[str, Any], record: PostRecord | CommentRecord
) -> dict[str, Any]:
    """Write an accepted post or comment and put it in the feed later tasks read."""
    ctx.records.write(record)
    ctx.feed.add_record(record.model_dump(mode="json"), task["phase_index"])
    return _result(task, "accepted")


def write_post(state: TaskInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx, task = runtime.context, state["task"]
    actor = ctx.actors[task["persona_id"]]
    brief = _phase_brief(ctx, task["phase_index"])
    phase = ctx.scenario.phases[task["phase_index"]]
    draft, outcome = _run_task(
        ctx,
        "write_post",
        task,
        phase.retrieval_query,
        lambda chunks, revision, seed: agent_write_post(
            actor.card, brief, chunks, ctx.agent_model, seed, revision
        ),
    )
    if not isinstance(draft, PostDraft):
        return _result(task, outcome["status"])
    record = PostRecord(
        id=task["id"],
        phase_date=brief.date,
        author_name=actor.card.name,
        text=draft.text,
        hashtags=draft.hashtags,
        stance=draft.stance,
        emotion=draft.emotion,
        provenance=_record_provenance(ctx, task, outcome),
    )
    return _publish(ctx, task, record)


def write_comment(state: TaskInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx, task = runtime.context, state["task"]
    actor = ctx.actors[task["persona_id"]]
    brief = _phase_brief(ctx, task["phase_index"])
    thread = [ThreadItem(**item) for item in task["thread"]]
    thread_text = " ".join(f"{t.author} {t.text}" for t in thread)
    draft, outcome = _run_task(
        ctx,
        "write_comment",
        task,
        thread[0].text,
        lambda chunks, revision, seed: agent_write_comment(
            actor.card, brief, thread, chunks, ctx.agent_model, seed, revision
        ),
        extra_support=thread_text,
    )
    if not isinstance(draft, CommentDraft):
        return _result(task, outcome["status"])
    record = CommentRecord(
        id=task["id"],
        phase_date=brief.date,
        author_name=actor.card.name,
        reply_to=task["reply_to"],
        thread_root=task["thread_root"],
        text=draft.text,
        stance=draft.stance,
        emotion=draft.emotion,
        provenance=_record_provenance(ctx, task, outcome),
    )
    return _publish(ctx, task, record)


def _references(ctx: RunContext, task: dict[str, Any]) -> list[ReferenceUse]:
    """The visual references for an image task, traced like a news retrieval."""
    k = ctx.scenario.retrieval.references_k
    if ctx.references is None or k == 0:
        return []
    phase = ctx.scenario.phases[task["phase_index"]]
    started = time.perf_counter()
    found = ctx.references(task["post_text"], phase, k)
    ctx.traces.write(
        "reference_retrieval",
        node="write_image_prompt",
        task_id=task["id"],
        persona_id=task["persona_id"],
        phase_id=phase.id,
        query=task["post_text"],
        references=[{"id": r.id, "score": r.score, "labels": r.labels} for r in found],
        latency_s=round(time.perf_counter() - started, 4),
    )
    return found


def reference_card(use: ReferenceUse) -> ReferenceCard:
    return ReferenceCard(
        id=use.id,
        caption=use.caption,
        labels=use.labels,
        labelled=use.labelled,
        palette=use.palette,
        score=use.score,
    )


def write_image_prompt(state: TaskInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx, task = runtime.context, state["task"]
    actor = ctx.actors[task["persona_id"]]
    brief = _phase_brief(ctx, task["phase_index"])
    used = _references(ctx, task)
    cards = [reference_card(u) for u in used]
    draft, outcome = _run_task(
        ctx,
        "write_image_prompt",
        task,
        task["post_text"],
        lambda chunks, revision, seed: agent_write_image_prompt(
            actor.card, brief, task["post_text"], chunks, ctx.agent_model, seed, revision, cards
        ),
        extra_support=task["post_text"],
        references=cards,
    )
    if not isinstance(draft, ImagePromptDraft):
        return _result(task, outcome["status"])
    provenance = _record_provenance(ctx, task, outcome).model_copy(
        update={"reference_ids": [u.id for u in used]}
    )
    ctx.records.write(
        ImagePromptRecord(
            id=task["id"],
            phase_date=brief.date,
            post_id=task["post_id"],
            scene=draft.scene,
            sign_text=draft.sign_text,
            labels={name: getattr(draft, name) for name in IMAGE_ATTRIBUTES},
            violence=draft.violence,
            provenance=provenance,
            references=used,
        )
    )
    return _result(task, "accepted")
