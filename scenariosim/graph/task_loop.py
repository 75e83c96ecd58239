"""One agent task, start to end: retrieve -> choose facts -> draft candidates -> critique ->
keep the best or give up. The writer nodes (`nodes/write_*.py`) differ only in the prompt
they build, what a candidate is judged against and the record they publish.

Each round draws `critic.candidates` texts from one evaluated prompt; the critic keeps the
best that passes its checks. When none passes, another round is drawn with new seeds (at
most `critic.max_revisions` more), then the task is rejected with every candidate's
reasons in `rejected.jsonl`. Traces get the retrieval, the chosen facts, each round's model
call and each critique, with the prompt hash that covers everything the model was sent.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scenariosim.agents.calls import CallRecord
from scenariosim.agents.critic import CriticPolicy, CritiqueInputs, critique_candidates
from scenariosim.agents.facts import choose_facts
from scenariosim.agents.persona_agent import Prompt, draw
from scenariosim.agents.schemas import ContextChunk, Critique, Fact
from scenariosim.errors import ModelError
from scenariosim.graph.context import RunContext
from scenariosim.outputs.records import FactUse, FailedArtifact, Provenance
from scenariosim.scenario import LINE_TOKENS

ROUND_SEED = 1009  # each further round of candidates shifts the seeds by this much


@dataclass
class Outcome:
    """How a task ended: `text` is the kept candidate when `status == "accepted"`."""

    status: str = "failed"
    text: str = ""
    reasons: list[str] = field(default_factory=list)
    chunks: list[ContextChunk] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    critique: Critique | None = None
    prompt: Prompt | None = None
    seed: int = 0
    rounds: int = 0
    candidates: list[dict[str, Any]] = field(
        default_factory=list
    )  # every round's, for rejected.jsonl
    critiques: list[dict[str, Any]] = field(default_factory=list)


MakePrompt = Callable[[list[Fact], int], Prompt]  # (facts, seed) -> prompt
MakeInputs = Callable[[list[Fact], list[str]], CritiqueInputs]  # (facts, candidate texts)


def policy_for(ctx: RunContext) -> CriticPolicy:
    critic = ctx.resolved.critic
    return CriticPolicy(threshold=critic.threshold, use_rubric=critic.use_rubric)


def retrieve_facts(
    ctx: RunContext, base: dict[str, Any], task: dict[str, Any], query: str, k: int
) -> tuple[list[ContextChunk], list[Fact]]:
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
    ctx.traces.write("facts", **base, facts=[f.model_dump() for f in facts])
    return chunks, facts


def draft_and_critique(
    ctx: RunContext,
    base: dict[str, Any],
    task: dict[str, Any],
    facts: list[Fact],
    make_prompt: MakePrompt,
    make_inputs: MakeInputs,
    outcome: Outcome,
) -> None:
    """Rounds of candidates until one is kept; fills `outcome`."""
    policy = policy_for(ctx)
    n = ctx.resolved.critic.candidates
    for round_ in range(ctx.resolved.critic.max_revisions + 1):
        seed = task["seed"] + ROUND_SEED * round_
        prompt = make_prompt(facts, seed)
        texts, call = draw(prompt, ctx.agent_model, n, seed, LINE_TOKENS)
        _trace_call(ctx, base, round_, prompt, call)
        outcome.prompt, outcome.seed, outcome.rounds = prompt, seed, round_
        if not texts:
            outcome.status, outcome.reasons = "failed", [f"no answer: {call.error}"]
            return
        inputs = make_inputs(facts, texts)
        ctx.traces.write("critic_inputs", **base, attempt=round_, **inputs.traced())
        critique, rubric_call = critique_candidates(
            texts, inputs, ctx.embeddings, ctx.critic_model, seed + 1, policy
        )
        critique = _name_length_cuts(critique, call)
        if rubric_call is not None:
            ctx.traces.write(
                "model_call", **base, step="critique", attempt=round_, **rubric_call.as_trace()
            )
        ctx.traces.write("critique", **base, attempt=round_, **critique.model_dump(mode="json"))
        outcome.critique = critique
        outcome.critiques.append(critique.model_dump(mode="json"))
        outcome.candidates.extend({"text": v.text, "round": round_} for v in critique.candidates)
        if critique.verdict == "accept" and critique.chosen is not None:
            outcome.status = "accepted"
            outcome.text = critique.candidates[critique.chosen].text
            return
        outcome.status, outcome.reasons = "rejected", critique.reasons


def _name_length_cuts(critique: Critique, call: CallRecord) -> Critique:
    """A candidate cut off by the token budget says so (finish reason `length`)."""
    candidates = []
    for v in critique.candidates:
        reason = call.finish_reasons[v.index] if v.index < len(call.finish_reasons) else "stop"
        if reason == "length" and v.checks.cut_off:
            v = v.model_copy(
                update={
                    "reasons": [
                        *v.reasons,
                        f"cut off by max_tokens={LINE_TOKENS} (finish reason length)",
                    ]
                }
            )
        candidates.append(v)
    return critique.model_copy(update={"candidates": candidates})


def _trace_call(
    ctx: RunContext, base: dict[str, Any], round_: int, prompt: Prompt, call: CallRecord
) -> None:
    ctx.traces.write(
        "model_call",
        **base,
        step="draft",
        attempt=round_,
        prompt_name=prompt.name,
        prompt_hash=prompt.hash,
        **call.as_trace(),
    )


def run_task(
    ctx: RunContext,
    node: str,
    task: dict[str, Any],
    prepare: Callable[[dict[str, Any], Outcome], list[Fact]],
    make_prompt: MakePrompt,
    make_inputs: MakeInputs,
) -> Outcome:
    """Run one task; a task that ends without a kept text is written to `rejected.jsonl`.

    `prepare(base, outcome)` retrieves and returns the facts (filling `outcome.chunks`).
    """
    actor = ctx.actors[task["persona_id"]]
    phase = ctx.scenario.phases[task["phase_index"]]
    base = {"node": node, "task_id": task["id"], "persona_id": actor.card.id, "phase_id": phase.id}
    started = time.perf_counter()
    outcome = Outcome()
    try:
        facts = prepare(base, outcome)
        outcome.facts = facts
        if facts or task["kind"] != "post":
            draft_and_critique(ctx, base, task, facts, make_prompt, make_inputs, outcome)
        else:
            outcome.reasons = ["no usable news sentence was retrieved for this phase"]
    except ModelError as e:
        # A service the task needs (embeddings for retrieval, say) kept failing after its
        # own retries: this artifact fails with the reason; the run goes on.
        outcome.status, outcome.reasons = "failed", [str(e)]
    ctx.traces.write(
        "node", **base, status=outcome.status, latency_s=round(time.perf_counter() - started, 4)
    )
    if outcome.status != "accepted":
        ctx.failures.write(
            FailedArtifact(
                id=task["id"],
                kind=task["kind"],
                phase_id=phase.id,
                persona_id=actor.card.id,
                status="failed" if outcome.status == "failed" else "rejected",
                reasons=outcome.reasons,
                drafts=outcome.candidates,
                critiques=outcome.critiques,
            )
        )
    ctx.on_artifact(task["kind"], outcome.status)
    return outcome


def provenance(ctx: RunContext, task: dict[str, Any], outcome: Outcome) -> Provenance:
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


def tally(task: dict[str, Any], status: str) -> dict[str, Any]:
    """The task's only state update: one count in the tally."""
    return {"tally": {f"{task['kind']}:{status}": 1}}
