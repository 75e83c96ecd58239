"""A task's last node: trace how it ended, keep a task without a kept text in
`rejected.jsonl` with every candidate and critique, or let the writer publish the record;
hand the run its one count in the tally."""

from typing import Any

from scenariosim.graph.context import RunContext
from scenariosim.graph.task_state import TaskState, Writer, elapsed, trace_base
from scenariosim.outputs.records import FailedArtifact


def finish_task(state: TaskState, ctx: RunContext, writer: Writer) -> dict[str, Any]:
    task, outcome = state["task"], state["outcome"]
    base = trace_base(ctx, writer.node, task)
    ctx.traces.write("node", **base, status=outcome.status, latency_s=elapsed(state))
    if outcome.status != "accepted":
        ctx.failures.write(
            FailedArtifact(
                id=task["id"],
                kind=task["kind"],
                phase_id=base["phase_id"],
                persona_id=base["persona_id"],
                status="failed" if outcome.status == "failed" else "rejected",
                reasons=outcome.reasons,
                drafts=[c.model_dump() for c in outcome.candidates],
                critiques=[c.model_dump(mode="json") for c in outcome.critiques],
            )
        )
    ctx.on_artifact(task["kind"], outcome.status)
    if outcome.status == "accepted":
        writer.publish(ctx, task, outcome)
    return {"tally": {f"{task['kind']}:{outcome.status}": 1}}
