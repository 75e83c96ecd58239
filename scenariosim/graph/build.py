"""The graph's shape, and nothing else: nodes, edges, compile.

Per phase: plan_posts -> write_post (fan-out) -> plan_comments -> write_comment (fan-out)
-> plan_images -> write_image_prompt (fan-out) -> end_phase -> next phase or END.
Planners route with `Command`, so the edges they can take are visible in their types.
"""

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from scenariosim.graph.context import RunContext
from scenariosim.graph.nodes.end_phase import end_phase
from scenariosim.graph.nodes.plan_comments import plan_comments
from scenariosim.graph.nodes.plan_images import plan_images
from scenariosim.graph.nodes.plan_posts import plan_posts
from scenariosim.graph.nodes.write_comment import write_comment
from scenariosim.graph.nodes.write_image_prompt import write_image_prompt
from scenariosim.graph.nodes.write_post import write_post
from scenariosim.graph.state import RunState


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    builder = StateGraph(RunState, context_schema=RunContext)
    builder.add_node("plan_posts", plan_posts)
    builder.add_node("write_post", write_post)
    builder.add_node("plan_comments", plan_comments)
    builder.add_node("write_comment", write_comment)
    builder.add_node("plan_images", plan_images)
    builder.add_node("write_image_prompt", write_image_prompt)
    builder.add_node("end_phase", end_phase)
    builder.add_edge(START, "plan_posts")
    builder.add_edge("write_post", "plan_comments")
    builder.add_edge("write_comment", "plan_images")
    builder.add_edge("write_image_prompt", "end_phase")
    return builder.compile(checkpointer=checkpointer)


def recursion_limit(phases: int) -> int:
    """Supersteps a run needs: seven per phase, plus slack."""
    return 8 * phases + 10
