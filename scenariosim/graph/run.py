"""Running a scenario: resolve it once (graph/resolve.py), build the context, drive the graph, finalize the outputs.

`run_scenario(scenario)` starts a run; `resume_run(run_id)` continues a killed one from its
last checkpoint (thread id = run id) with exactly the scenario it was started with.
"""

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scenariosim.agents.calls import AgentModel
from scenariosim.errors import ConfigError, ScenarioSimError
from scenariosim.files import atomic_write_text
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import RunContext
from scenariosim.graph.feed import Feed
from scenariosim.graph.finalize import finalize_run
from scenariosim.graph.resolve import (
    ChatChoice,
    ResolvedScenario,
    RunInputs,
    from_record,
    resolve_scenario,
)
from scenariosim.graph.resume import (
    RESOLVED_FILE,
    ResumableRun,
    changed_inputs,
    check_run_folder,
    scratch_inputs,
)
from scenariosim.graph.resume import (
    read_resolved as read_resolved_file,
)
from scenariosim.graph.state import initial_state
from scenariosim.graph.world import World, open_world
from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.models import ChatOptions, make_chat_model, make_image_backend
from scenariosim.models.cache import SqliteCallCache
from scenariosim.models.registry import Backends, backends_for
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Scenario
from scenariosim.settings import Settings, load_settings
from scenariosim.yaml_io import dump_yaml, read_yaml


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    dataset_dir: Path
    report_path: Path
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def new_run_id(scenario: Scenario) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return f"{scenario.slug}-s{scenario.seed}-{stamp}"


def make_agent_model(
    choice: ChatChoice,
    resolved: ResolvedScenario,
    settings: Settings,
    cache: SqliteCallCache | None,
    backends: Backends | None = None,
) -> AgentModel:
    """The model a run's agents or critic call: the resolved sampling options on `choice`."""
    options = ChatOptions(
        seed=resolved.seed, temperature=resolved.temperature, max_tokens=choice.max_tokens
    )
    return AgentModel(
        spec=str(choice.spec),
        chat=make_chat_model(choice.spec, settings, options, backends),
        cache=cache,
        max_tokens=choice.max_tokens,
    )


def world_inputs(world: World) -> RunInputs:
    """What a run records of its world, and what a resume compares with it."""
    return RunInputs(
        corpus_fingerprint=world.corpus_fingerprint,
        references_fingerprint=world.references_fingerprint,
        embedding_model=world.embedding_model,
        persona_ids=tuple(sorted(world.actors)),
    )


def _write_resolved(run_dir: Path, run_id: str, resolved: ResolvedScenario) -> None:
    data: dict[str, Any] = {
        "run_id": run_id,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": resolved.scenario.model_dump(mode="json"),
        "resolved": resolved.record(),
    }
    atomic_write_text(run_dir / RESOLVED_FILE, dump_yaml(data))


def _record_changed_inputs(run_dir: Path, changes: dict[str, dict[str, Any]]) -> None:
    """Keep both fingerprints: a resume allowed to continue with changed inputs says so."""
    path = run_dir / RESOLVED_FILE
    data = read_yaml(path).data
    data.setdefault("resumed_with_changed_inputs", []).append(
        {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "changes": changes}
    )
    atomic_write_text(path, dump_yaml(data))


def read_resolved(run_dir: Path) -> Scenario:
    """The scenario a run was started with (its resolved file, checked whole)."""
    return read_resolved_file(run_dir)[0]


def read_resolved_scenario(
    run_dir: Path, settings: Settings, backends: Backends | None = None
) -> ResolvedScenario:
    """What a run resolved at its start, read back from its folder (checked whole)."""
    scenario, recorded = read_resolved_file(run_dir)
    return from_record(scenario, recorded, settings, backends)


def _progress_bar(scenario: Scenario, quiet: bool) -> tuple[Progress, Callable[[str, str], None]]:
    total = sum(p.posts + p.comments + p.images for p in scenario.phases)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=quiet,
        transient=False,
    )
    task = progress.add_task("artifacts", total=total)
    seen: Counter[str] = Counter()

    def on_artifact(kind: str, status: str) -> None:
        seen[status] += 1
        progress.update(
            task,
            advance=1,
            description=f"artifacts (accepted {seen['accepted']}, rejected {seen['rejected']}, failed {seen['failed']})",
        )

    return progress, on_artifact


def _execute(
    resolved: ResolvedScenario,
    run_id: str,
    run_dir: Path,
    settings: Settings,
    resume: bool,
    use_cache: bool,
    quiet: bool,
    resumable: ResumableRun | None = None,
    allow_changed_inputs: bool = False,
    backends: Backends | None = None,
) -> RunResult:
    backends = backends or backends_for(settings)
    scenario = resolved.scenario
    changes: dict[str, dict[str, Any]] = {}
    if resumable is not None:  # before any write: the inputs must be the ones the run recorded
        with scratch_inputs(scenario, settings) as (probe_scenario, probe_settings):
            probe = resolved.model_copy(update={"scenario": probe_scenario})
            found = world_inputs(open_world(probe, probe_settings, backends)).record()
        wanted = {k: v for k, v in found.items() if k in resumable.recorded}
        changes = changed_inputs(resumable, wanted, allow_changed_inputs)
    world = open_world(
        resolved, settings, backends
    )  # checks every input file before loading a model
    inputs = world_inputs(world)
    if resumable is None:
        resolved = resolved.with_inputs(inputs)
        _write_resolved(run_dir, run_id, resolved)
    else:
        if changes:
            _record_changed_inputs(run_dir, changes)
        resolved = resolved.with_inputs(inputs)
    # Built before any chat model so a bad image spec or a missing key fails first.
    image_backend = make_image_backend(resolved.images.spec, settings, backends)
    cache = SqliteCallCache(settings.cache_dir / "llm-calls.sqlite") if use_cache else None
    traces = TraceWriter(run_dir / "traces.jsonl", run_id)
    progress, on_artifact = _progress_bar(scenario, quiet)
    context = RunContext(
        resolved=resolved,
        run_id=run_id,
        actors=world.actors,
        retrieve=world.retrieve,
        references=world.references,
        known_names=world.known_names,
        embeddings=world.embeddings,
        agent_model=make_agent_model(resolved.agent, resolved, settings, cache, backends),
        critic_model=make_agent_model(resolved.critic_model, resolved, settings, cache, backends),
        records=JsonlWriter(run_dir / "records.jsonl"),
        feed=Feed.from_records(
            read_jsonl(run_dir / "records.jsonl")[0], [p.id for p in scenario.phases]
        ),
        failures=JsonlWriter(run_dir / "rejected.jsonl"),
        traces=traces,
        on_artifact=on_artifact,
    )
    config = {
        "configurable": {"thread_id": run_id},
        "recursion_limit": recursion_limit(len(scenario.phases)),
        "max_concurrency": resolved.concurrency,
    }
    traces.write("run", status="resumed" if resume else "started", phases=len(scenario.phases))
    connection = sqlite3.connect(run_dir / "checkpoints.sqlite", check_same_thread=False)
    try:
        graph = build_graph(SqliteSaver(connection))
        with progress:
            final = graph.invoke(
                None if resume else initial_state(),
                config,
                context=context,
            )
    finally:
        connection.close()
        if cache:
            traces.write("cache", hits=cache.hits, misses=cache.misses)
            cache.close()
    counts = dict(final.get("tally", {}))
    traces.write("run", status="finished", counts=counts)
    outputs = finalize_run(
        run_dir,
        settings,
        persona_rows=world.persona_rows,
        image_backend=image_backend,
        embeddings=world.embeddings,
    )
    return RunResult(
        run_id=run_id,
        run_dir=run_dir,
        dataset_dir=outputs.dataset_dir,
        report_path=outputs.report_path,
        counts=counts,
        missing=outputs.missing,
    )


def run_scenario(
    scenario: Scenario,
    settings: Settings | None = None,
    out_dir: Path | None = None,
    run_id: str | None = None,
    use_cache: bool = True,
    quiet: bool = True,
    backends: Backends | None = None,
) -> RunResult:
    """Run `scenario` from the start into `<out_dir>/<run_id>/`; `backends` (default: those
    `settings` name, `models.registry.backends_for`) make its models."""
    settings = settings or load_settings()
    backends = backends or backends_for(settings)
    resolved = resolve_scenario(
        scenario, settings, backends=backends
    )  # the one resolution; fails before writing
    run_id = run_id or new_run_id(scenario)
    run_dir = (out_dir or settings.output_dir) / run_id
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ConfigError(
            f"{run_dir} already exists: resume it with --resume {run_id} or pick another id."
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _execute(
            resolved, run_id, run_dir, settings, False, use_cache, quiet, backends=backends
        )
    except ScenarioSimError:
        if not any(run_dir.iterdir()):
            run_dir.rmdir()  # a run that failed on its input leaves no empty folder behind
        raise


def resume_run(
    run_id: str,
    settings: Settings | None = None,
    out_dir: Path | None = None,
    use_cache: bool = True,
    quiet: bool = True,
    allow_changed_inputs: bool = False,
    backends: Backends | None = None,
) -> RunResult:
    """Continue a run from its last checkpoint with the scenario it was started with.

    What the run resolved at its start (models, budgets, image spec, critic settings) is
    read back from its resolved file, not decided again. The folder is checked whole and
    the inputs compared with the recorded ones before
    anything is read into the graph or written (`check_run_folder`, `changed_inputs`);
    `allow_changed_inputs` continues with a changed corpus or settings, recording both.
    """
    settings = settings or load_settings()
    run_dir = (out_dir or settings.output_dir) / run_id
    resumable = check_run_folder(run_dir, run_id)
    return _execute(
        from_record(resumable.scenario, resumable.recorded, settings, backends),
        run_id,
        run_dir,
        settings,
        True,
        use_cache,
        quiet,
        resumable=resumable,
        allow_changed_inputs=allow_changed_inputs,
        backends=backends,
    )
