"""A task's first node: retrieve news and choose the sentences the artifact will be about
(the writer decides the query; a picture is about its post and retrieves nothing)."""

import time
from typing import Any, Literal

from langgraph.types import Command

from scenariosim.agents.facts import choose_facts, reading
from scenariosim.agents.schemas import ContextChunk, Fact
from scenariosim.errors import ModelError
from scenariosim.graph.context import RunContext
from scenariosim.graph.task_state import Outcome, TaskState, Writer, trace_base
from scenariosim.graph.tasks import Task

NO_FACTS = "no usable news sentence was retrieved for this phase"


def retrieve_and_choose(
    ctx: RunContext, base: dict[str, Any], task: Task, query: str, k: int
) -> tuple[list[ContextChunk], list[Fact]]:
    """The chunks `query` retrieves for the task's persona and phase, and the `k` facts
    chosen from them; both traced."""
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
    facts = choose_facts(
        chunks, phase.retrieval_query, actor.card.description, ctx.embeddings, task["rotation"], k
    )
    ctx.traces.write(
        "facts", **base, facts=[f.model_dump() for f in facts], reading=reading(chunks, facts)
    )
    return chunks, facts


def retrieve_facts(
    state: TaskState, ctx: RunContext, writer: Writer
) -> Command[Literal["draft_candidates", "finish_task"]]:
    task = state["task"]
    update: dict[str, Any] = {"started": time.perf_counter(), "round": 0}
    try:
        chunks, facts = writer.facts(ctx, task, trace_base(ctx, writer.node, task))
    except ModelError as e:
        # A service the task needs (embeddings for retrieval, say) kept failing after its
        # own retries: this artifact fails with the reason; the run goes on.
        return Command(update={**update, "outcome": Outcome().failed([str(e)])}, goto="finish_task")
    outcome = Outcome(chunks=chunks, facts=facts)
    if facts or task["kind"] != "post":
        return Command(update={**update, "outcome": outcome}, goto="draft_candidates")
    outcome = outcome.model_copy(update={"reasons": [NO_FACTS]})
    return Command(update={**update, "outcome": outcome}, goto="finish_task")
