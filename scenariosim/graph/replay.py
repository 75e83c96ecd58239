"""Time travel: fork a run from one of its checkpoints, with changed settings, as a new run.

"What if the critic had been stricter from phase 2?" The fork is a new run folder (its
own run id and thread id) that holds the source's checkpoint history up to the chosen
checkpoint, the records, rejections and traces of every task finished by then, and a
resolved scenario with the changes and a `forked_from` note. It then resumes from that
checkpoint like a killed run, so everything after the fork is run again with the new
settings, and everything before it is the source's, unchanged.

A fork point is a checkpoint step (`scenariosim replay RUN --list` shows them) or a phase
id, meaning the checkpoint where that phase is about to start.
"""

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel

from scenariosim.errors import ConfigError
from scenariosim.files import atomic_write_text
from scenariosim.graph.build import build_graph
from scenariosim.graph.plan import KINDS, task_position
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.run import (
    RESOLVED_FILE,
    RunResult,
    read_resolved,
    read_resolved_scenario,
    resume_run,
)
from scenariosim.jsonl import jsonl_text, read_jsonl
from scenariosim.models.registry import Backends
from scenariosim.outputs.traces import TraceWriter
from scenariosim.overrides import apply_overrides
from scenariosim.settings import Settings, load_settings
from scenariosim.yaml_io import dump_yaml, read_yaml

CHECKPOINTS = "checkpoints.sqlite"
FIXED = ("personas", "phases")  # the people and phases before the fork must stay who they were
STREAMS = ("records.jsonl", "rejected.jsonl")
# Each stage of a phase (one per kind, plan.KINDS) as the graph runs it: its planner, then its writer.
STAGE_NODES = (
    ("plan_posts", "write_post"),
    ("plan_comments", "write_comment"),
    ("plan_images", "write_image_prompt"),
)
PLANNERS = tuple(planner for planner, _ in STAGE_NODES)
# The stage a checkpoint's next node belongs to; end_phase comes after all of them.
NEXT_STAGE = {node: i for i, nodes in enumerate(STAGE_NODES) for node in nodes} | {
    "end_phase": len(STAGE_NODES)
}


class CheckpointInfo(BaseModel):
    """One checkpoint of a run, as `replay --list` shows it."""

    step: int
    checkpoint_id: str
    created_at: str
    next: list[str]
    phase_index: int | None
    phase_id: str | None
    finished: int  # tasks ended (accepted, rejected or failed) by this checkpoint


@contextmanager
def _saver(path: Path) -> Iterator[SqliteSaver]:
    connection = sqlite3.connect(path, check_same_thread=False)
    try:
        yield SqliteSaver(connection)
    finally:
        connection.close()


def _config(thread_id: str, checkpoint_id: str | None = None) -> dict[str, Any]:
    configurable = {"thread_id": thread_id, "checkpoint_ns": ""}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def checkpoint_history(run_dir: Path) -> list[CheckpointInfo]:
    """The run's checkpoints, oldest first (the thread id is the run id)."""
    path = run_dir / CHECKPOINTS
    if not path.exists():
        raise ConfigError(f"{run_dir} has no {CHECKPOINTS}; only runs with checkpoints can fork")
    phases = [p.id for p in read_resolved(run_dir).phases]
    with _saver(path) as saver:
        graph = build_graph(saver)
        history = list(graph.get_state_history(_config(run_dir.name)))
    out = []
    for snap in reversed(history):
        index = snap.values.get("phase_index")
        out.append(
            CheckpointInfo(
                step=snap.metadata.get("step", -1) if snap.metadata else -1,
                checkpoint_id=snap.config["configurable"]["checkpoint_id"],
                created_at=snap.created_at or "",
                next=list(snap.next),
                phase_index=index,
                phase_id=phases[index] if index is not None and index < len(phases) else None,
                finished=sum(snap.values.get("tally", {}).values()),
            )
        )
    if not out:
        raise ConfigError(f"{run_dir}/{CHECKPOINTS} holds no checkpoints of thread {run_dir.name}")
    return out


def find_fork_point(history: list[CheckpointInfo], point: str) -> CheckpointInfo:
    """The checkpoint a `--from` value names: a step number or a phase id."""
    if point.lstrip("-").isdigit():
        found = [c for c in history if c.step == int(point)]
    else:
        found = [c for c in history if c.phase_id == point and c.next == ["plan_posts"]]
    if not found:
        steps = f"{history[0].step}..{history[-1].step}"
        phases = sorted({c.phase_id for c in history if c.phase_id and c.next == ["plan_posts"]})
        raise ConfigError(
            f"--from {point}: no such checkpoint; give a step ({steps}) or a phase id "
            f"({', '.join(phases) or 'none reached'}); `scenariosim replay RUN --list` shows them"
        )
    if not found[-1].next:
        raise ConfigError(f"--from {point}: that checkpoint is the end of the run; nothing to redo")
    return found[-1]


def retry_point(run_dir: Path, history: list[CheckpointInfo]) -> tuple[CheckpointInfo, int]:
    """Where to fork so every failed task runs again: the checkpoint before the planner of
    the earliest stage with a failure. Returns it and the number of failed tasks.

    Calls that succeeded are in the call cache, so a fork from there repeats them for free;
    failed calls were never cached and go to the model again."""
    phase_ids = [p.id for p in read_resolved(run_dir).phases]
    rows, _ = read_jsonl(run_dir / "rejected.jsonl")
    failed = [r for r in rows if r.get("status") == "failed"]
    positions = [task_position(str(r.get("id")), phase_ids) for r in failed]
    known = [p for p in positions if p is not None]
    if not known:
        raise ConfigError(
            f"run {run_dir.name} has no failed artifacts (rejected.jsonl); nothing to retry"
        )
    phase_index, stage = min(known)
    for checkpoint in history:
        if checkpoint.phase_index == phase_index and checkpoint.next == [PLANNERS[stage]]:
            return checkpoint, len(failed)
    raise ConfigError(
        f"{run_dir}/{CHECKPOINTS} has no checkpoint before {PLANNERS[stage]} of phase "
        f"{phase_ids[phase_index]}; fork with --from instead (replay RUN --list)"
    )


def _copy_checkpoints(
    source: Path, target: Path, thread: str, new_thread: str, fork_id: str
) -> None:
    """Copy the chain of checkpoints ending at `fork_id` into `target` under `new_thread`.

    The fork's own pending writes (results of tasks after it) are left behind, so those
    tasks run again.
    """
    with _saver(source) as old:
        chain = []
        config: dict[str, Any] | None = _config(thread, fork_id)
        while config is not None:
            found = old.get_tuple(config)
            if found is None:
                raise ConfigError(f"{source}: checkpoint {config} is missing; the file is damaged")
            chain.append(found)
            config = found.parent_config
    chain.reverse()
    with _saver(target) as new:
        parent: str | None = None
        for position, item in enumerate(chain):
            saved = new.put(
                _config(new_thread, parent),
                item.checkpoint,
                item.metadata,
                dict(item.checkpoint["channel_versions"]),
            )
            parent = saved["configurable"]["checkpoint_id"]
            if position == len(chain) - 1:
                break
            writes: dict[str, list[tuple[str, Any]]] = defaultdict(list)
            for task_id, channel, value in item.pending_writes or []:
                writes[task_id].append((channel, value))
            for task_id, task_writes in writes.items():
                new.put_writes(_config(new_thread, parent), task_writes, task_id)


def finished_by(fork: CheckpointInfo, phase_ids: list[str]) -> Callable[[str], bool]:
    """Whether a task id had finished at the fork: its phase and stage come before the
    fork's next step. (State keeps no list of finished tasks; see `graph/state.py`.)"""
    stage = min((NEXT_STAGE.get(name, 0) for name in fork.next), default=len(KINDS))
    here = (fork.phase_index or 0, stage)

    def finished(task: str) -> bool:
        position = task_position(task, phase_ids)
        return position is not None and position < here

    return finished


def _copy_streams(
    source: Path, target: Path, finished: Callable[[str], bool], fork_ts: float
) -> None:
    """Records and rejections of finished tasks; traces of those tasks and of earlier steps."""
    for name in STREAMS:
        rows, _ = read_jsonl(source / name)
        kept = [r for r in rows if finished(str(r.get("id")))]
        atomic_write_text(target / name, jsonl_text(kept))
    rows, _ = read_jsonl(source / "traces.jsonl")
    kept = [
        r for r in rows if (finished(r["task_id"]) if "task_id" in r else r.get("ts", 0) <= fork_ts)
    ]
    atomic_write_text(target / "traces.jsonl", jsonl_text(kept))


def prepare_fork(
    run_id: str,
    point: str,
    changes: dict[str, Any],
    settings: Settings | None = None,
    out_dir: Path | None = None,
    new_run_id: str | None = None,
    backends: Backends | None = None,
) -> tuple[str, CheckpointInfo]:
    """Make the fork's run folder, ready to resume; returns its run id and the fork point."""
    settings = settings or load_settings()
    out_dir = out_dir or settings.output_dir
    source = out_dir / run_id
    if not source.is_dir():
        raise ConfigError(f"no run '{run_id}' in {out_dir}: check the id (ls {out_dir}).")
    recorded = read_resolved_scenario(source, settings, backends)
    scenario = apply_overrides(recorded.scenario, changes, forbidden=FIXED)
    # The changed scenario is resolved again from the source's decisions: what came from
    # settings (embedding spec, an unchanged image choice) stays as the source ran it.
    forked = resolve_scenario(scenario, settings, previous=recorded, backends=backends)
    history = checkpoint_history(source)
    fork = find_fork_point(history, point)
    new_run_id = new_run_id or f"{run_id}-fork{fork.step}-{dt.datetime.now():%H%M%S%f}"
    target = out_dir / new_run_id
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} already exists; pick another --run-id")
    target.mkdir(parents=True, exist_ok=True)
    _copy_checkpoints(
        source / CHECKPOINTS, target / CHECKPOINTS, run_id, new_run_id, fork.checkpoint_id
    )
    fork_ts = dt.datetime.fromisoformat(fork.created_at).timestamp()
    finished = finished_by(fork, [p.id for p in scenario.phases])
    _copy_streams(source, target, finished, fork_ts)
    TraceWriter(target / "traces.jsonl", new_run_id).write(
        "fork", source_run=run_id, step=fork.step, phase_id=fork.phase_id, set=changes
    )
    resolved = read_yaml(source / RESOLVED_FILE).data
    resolved.update(
        run_id=new_run_id,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        scenario=scenario.model_dump(mode="json"),
        resolved={**resolved.get("resolved", {}), **forked.record()},
        forked_from={
            "run_id": run_id,
            "step": fork.step,
            "checkpoint_id": fork.checkpoint_id,
            "phase_id": fork.phase_id,
            "set": changes,
        },
    )
    atomic_write_text(target / RESOLVED_FILE, dump_yaml(resolved))
    return new_run_id, fork


def replay_run(
    run_id: str,
    point: str,
    changes: dict[str, Any],
    settings: Settings | None = None,
    out_dir: Path | None = None,
    new_run_id: str | None = None,
    use_cache: bool = True,
    quiet: bool = True,
    backends: Backends | None = None,
) -> RunResult:
    """Fork `run_id` at `point` with `changes` and run the fork to the end."""
    settings = settings or load_settings()
    fork_id, _ = prepare_fork(run_id, point, changes, settings, out_dir, new_run_id, backends)
    # A fork runs with changed settings on purpose: its inputs may differ from the source's.
    return resume_run(
        fork_id,
        settings,
        out_dir,
        use_cache=use_cache,
        quiet=quiet,
        allow_changed_inputs=True,
        backends=backends,
    )
