"""Draw one round of candidates: `critic.candidates` continuations of one evaluated
prompt, seeded `task seed + 1009 * round`, in one traced model call."""

from typing import Any, Literal

from langgraph.types import Command

from scenariosim.agents.calls import CallRecord
from scenariosim.agents.persona_agent import Prompt, draw
from scenariosim.errors import ModelError
from scenariosim.graph.context import RunContext
from scenariosim.graph.task_state import ROUND_SEED, Draft, TaskState, Writer, trace_base
from scenariosim.scenario import LINE_TOKENS


def draft_candidates(
    state: TaskState, ctx: RunContext, writer: Writer
) -> Command[Literal["critique_candidates", "finish_task"]]:
    task, outcome, round_ = state["task"], state["outcome"], state["round"]
    seed = task["seed"] + ROUND_SEED * round_
    prompt = writer.prompt(ctx, task, outcome.facts, seed)
    try:
        texts, call = draw(
            prompt, ctx.agent_model, ctx.resolved.critic.candidates, seed, LINE_TOKENS
        )
    except ModelError as e:
        return Command(update={"outcome": outcome.failed([str(e)])}, goto="finish_task")
    _trace_call(ctx, trace_base(ctx, writer.node, task), round_, prompt, call)
    outcome = outcome.model_copy(update={"prompt": prompt, "seed": seed, "rounds": round_})
    if not texts:
        return Command(
            update={"outcome": outcome.failed([f"no answer: {call.error}"])}, goto="finish_task"
        )
    return Command(
        update={"outcome": outcome, "draft": Draft(texts, call)}, goto="critique_candidates"
    )


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
