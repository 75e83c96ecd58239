"""Close a phase: move to the next one or end the run."""

from typing import Literal

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from scenariosim.graph.context import RunContext
from scenariosim.graph.state import RunState


def end_phase(
    state: RunState, runtime: Runtime[RunContext]
) -> Command[Literal["plan_posts", "__end__"]]:
    ctx = runtime.context
    index = state.get("phase_index", 0)
    ctx.traces.write("node", node="end_phase", phase_id=ctx.scenario.phases[index].id)
    following = index + 1
    if following < len(ctx.scenario.phases):
        return Command(update={"phase_index": following}, goto="plan_posts")
    return Command(update={"phase_index": following}, goto=END)
