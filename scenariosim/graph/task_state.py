"""What one agent task carries through its own small graph (`graph/task_graph.py`): the
typed state of retrieve_facts -> draft_candidates -> critique_candidates -> finish_task,
the `Outcome` it ends with, and the `Writer` each `write_*` node supplies.

A writer says only what differs between posts, replies and image prompts: how the facts are
found, the prompt, what a candidate is judged against and the record it publishes.
"""

import time
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from scenariosim.agents.calls import CallRecord
from scenariosim.agents.critic import CritiqueInputs
from scenariosim.agents.persona_agent import Prompt
from scenariosim.agents.schemas import ContextChunk, Critique, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.state import add_tally
from scenariosim.graph.tasks import Task
from scenariosim.outputs.records import FactUse, Provenance

ROUND_SEED = 1009  # each further round of candidates shifts the seeds by this much

Status = Literal["accepted", "rejected", "failed"]


class RoundCandidate(BaseModel):
    """A candidate as rejected.jsonl keeps it: its text and the round that drew it."""

    text: str
    round: int


class Outcome(BaseModel):
    """How a task ended: `text` is the kept candidate when `status == "accepted"`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: Status = "failed"
    text: str = ""
    reasons: list[str] = Field(default_factory=list)
    chunks: list[ContextChunk] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    critique: Critique | None = None  # the last round's
    prompt: Prompt | None = None
    seed: int = 0
    rounds: int = 0  # the last round drawn, from 0
    candidates: list[RoundCandidate] = Field(default_factory=list)  # every round's
    critiques: list[Critique] = Field(default_factory=list)  # every round's

    def failed(self, reasons: list[str]) -> "Outcome":
        return self.model_copy(update={"status": "failed", "reasons": reasons})


@dataclass(frozen=True)
class Draft:
    """One round's candidates as draft_candidates drew them, for critique_candidates."""

    texts: list[str]
    call: CallRecord


class TaskState(TypedDict, total=False):
    task: Task
    started: float  # perf_counter when the task started, for its `node` trace event
    round: int
    outcome: Outcome
    draft: Draft
    tally: Annotated[dict[str, int], add_tally]  # the one key the run's state receives


class TaskOutput(TypedDict):
    """What a task graph hands back to the run: one count in the tally."""

    tally: Annotated[dict[str, int], add_tally]


class Writer(Protocol):
    """What differs between the writer nodes; `node` is the run graph's node name."""

    node: str

    def facts(
        self, ctx: RunContext, task: Any, base: dict[str, Any]
    ) -> tuple[list[ContextChunk], list[Fact]]: ...

    def prompt(self, ctx: RunContext, task: Any, facts: list[Fact], seed: int) -> Prompt: ...

    def inputs(
        self, ctx: RunContext, task: Any, facts: list[Fact], texts: list[str]
    ) -> CritiqueInputs: ...

    def publish(self, ctx: RunContext, task: Any, outcome: Outcome) -> None: ...


def trace_base(ctx: RunContext, node: str, task: Task) -> dict[str, Any]:
    """The fields every trace event of a task starts with."""
    return {
        "node": node,
        "task_id": task["id"],
        "persona_id": ctx.actors[task["persona_id"]].card.id,
        "phase_id": ctx.scenario.phases[task["phase_index"]].id,
    }


def elapsed(state: TaskState) -> float:
    return round(time.perf_counter() - state["started"], 4)


def provenance(ctx: RunContext, task: Task, outcome: Outcome) -> Provenance:
    """Where an accepted record came from: persona, chunks and the sentences in them, the
    model and prompt hash, the seed, and the critic's verdict."""
    actor = ctx.actors[task["persona_id"]]
    critique = outcome.critique
    assert critique is not None and outcome.prompt is not None
    scores = critique.rubric.dimensions() if critique.rubric else {}
    return Provenance(
        run_id=ctx.run_id,
        scenario=ctx.scenario.name,
        phase_id=ctx.scenario.phases[task["phase_index"]].id,
        persona_id=actor.card.id,
        hid=actor.hid,
        idno=actor.idno,
        chunk_ids=[c.chunk_id for c in outcome.chunks],
        facts=[FactUse(chunk_id=f.chunk_id, start=f.start, end=f.end) for f in outcome.facts],
        model=ctx.agent_model.spec,
        critic_model=ctx.critic_model.spec,
        prompt_name=outcome.prompt.name,
        prompt_hash=outcome.prompt.hash,
        seed=outcome.seed,
        critic_score=critique.score,
        critic_scores={k: float(v) for k, v in scores.items()},
        candidates=len(critique.candidates),
        chosen=critique.chosen if critique.chosen is not None else -1,
        revisions=outcome.rounds,
        rubric_note=critique.rubric_note,
    )
