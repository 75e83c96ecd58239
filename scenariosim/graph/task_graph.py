"""One agent task as a small graph of its own, compiled once per writer:

    retrieve_facts -> draft_candidates -> critique_candidates -> finish_task
                            ^                     |
                            +---- next round -----+

A planner's `Send` runs it as the run graph's `write_*` node. Every route is a `Command`
whose type names where it may go. The task graph is compiled with `checkpointer=False`:
a task is one step of the run graph for checkpoints, as before, so a resumed run re-runs
a task whose result was not saved from its start (with the same seeds), and a checkpoint
never holds a task's candidates (`graph/state.py` keeps checkpoints small).
"""

from typing import Literal

from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from scenariosim.graph.context import RunContext
from scenariosim.graph.nodes.critique_candidates import critique_candidates
from scenariosim.graph.nodes.draft_candidates import draft_candidates
from scenariosim.graph.nodes.finish_task import finish_task
from scenariosim.graph.nodes.retrieve_facts import retrieve_facts
from scenariosim.graph.task_state import TaskOutput, TaskState, Writer
from scenariosim.graph.tasks import TaskInput

# Supersteps of one task: retrieve, two per round (draft, critique), finish.
MAX_ROUNDS = 6  # scenario.CriticConfig.max_revisions is at most 5


def build_task_graph(writer: Writer) -> CompiledStateGraph:
    """The task graph of `writer`, named after its node in the run graph."""

    def retrieve(
        state: TaskState, runtime: Runtime[RunContext]
    ) -> Command[Literal["draft_candidates", "finish_task"]]:
        return retrieve_facts(state, runtime.context, writer)

    def draft(
        state: TaskState, runtime: Runtime[RunContext]
    ) -> Command[Literal["critique_candidates", "finish_task"]]:
        return draft_candidates(state, runtime.context, writer)

    def critique(
        state: TaskState, runtime: Runtime[RunContext]
    ) -> Command[Literal["draft_candidates", "finish_task"]]:
        return critique_candidates(state, runtime.context, writer)

    def finish(state: TaskState, runtime: Runtime[RunContext]) -> TaskOutput:
        return finish_task(state, runtime.context, writer)  # type: ignore[return-value]

    builder = StateGraph(
        TaskState, context_schema=RunContext, input_schema=TaskInput, output_schema=TaskOutput
    )
    builder.add_node("retrieve_facts", retrieve)
    builder.add_node("draft_candidates", draft)
    builder.add_node("critique_candidates", critique)
    builder.add_node("finish_task", finish)
    builder.add_edge(START, "retrieve_facts")
    builder.set_finish_point("finish_task")
    return builder.compile(checkpointer=False, name=writer.node)


def task_steps() -> int:
    """Supersteps the longest task takes."""
    return 2 + 2 * MAX_ROUNDS
