"""The critic's node: judge one round's candidates against exactly what the writer was
given, keep the best that passes (`agents/critic.py`), and route: accepted -> finish_task;
rejected with rounds left (`critic.max_revisions`) -> draft_candidates; else finish_task."""

from typing import Literal

from langgraph.types import Command

from scenariosim.agents import critic
from scenariosim.agents.calls import CallRecord
from scenariosim.agents.critic import CriticPolicy
from scenariosim.agents.schemas import Critique
from scenariosim.errors import ModelError
from scenariosim.graph.context import RunContext
from scenariosim.graph.task_state import RoundCandidate, TaskState, Writer, trace_base
from scenariosim.scenario import LINE_TOKENS


def policy_for(ctx: RunContext) -> CriticPolicy:
    settings = ctx.resolved.critic
    return CriticPolicy(threshold=settings.threshold, use_rubric=settings.use_rubric)


def critique_candidates(
    state: TaskState, ctx: RunContext, writer: Writer
) -> Command[Literal["draft_candidates", "finish_task"]]:
    task, outcome, round_, draft = state["task"], state["outcome"], state["round"], state["draft"]
    base = trace_base(ctx, writer.node, task)
    inputs = writer.inputs(ctx, task, outcome.facts, draft.texts)
    ctx.traces.write("critic_inputs", **base, attempt=round_, **inputs.traced())
    try:
        critique, rubric_call = critic.critique_candidates(
            draft.texts, inputs, ctx.embeddings, ctx.critic_model, outcome.seed + 1, policy_for(ctx)
        )
    except ModelError as e:
        return Command(update={"outcome": outcome.failed([str(e)])}, goto="finish_task")
    critique = _name_length_cuts(critique, draft.call)
    if rubric_call is not None:
        ctx.traces.write(
            "model_call", **base, step="critique", attempt=round_, **rubric_call.as_trace()
        )
    ctx.traces.write("critique", **base, attempt=round_, **critique.model_dump(mode="json"))
    outcome = outcome.model_copy(
        update={
            "critique": critique,
            "critiques": [*outcome.critiques, critique],
            "candidates": [
                *outcome.candidates,
                *(RoundCandidate(text=v.text, round=round_) for v in critique.candidates),
            ],
        }
    )
    if critique.verdict == "accept" and critique.chosen is not None:
        kept = critique.candidates[critique.chosen].text
        outcome = outcome.model_copy(update={"status": "accepted", "text": kept})
        return Command(update={"outcome": outcome}, goto="finish_task")
    outcome = outcome.model_copy(update={"status": "rejected", "reasons": critique.reasons})
    if round_ < ctx.resolved.critic.max_revisions:
        return Command(update={"outcome": outcome, "round": round_ + 1}, goto="draft_candidates")
    return Command(update={"outcome": outcome}, goto="finish_task")


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
