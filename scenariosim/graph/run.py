"""Running a scenario: resolve it, build the context, drive the graph, finalize the outputs.

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

from scenariosim.agents.calibration import rubric_trusted
from scenariosim.agents.calls import AgentModel
from scenariosim.errors import ConfigError, ScenarioSimError
from scenariosim.files import atomic_write_text
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import RunContext
from scenariosim.graph.feed import Feed
from scenariosim.graph.finalize import finalize_run, image_spec
from scenariosim.graph.resume import (
    RESOLVED_FILE,
    ResumableRun,
    changed_inputs,
    check_run_folder,
)
from scenariosim.graph.resume import (
    read_resolved as read_resolved_file,
)
from scenariosim.graph.state import initial_state
from scenariosim.graph.world import World, open_world
from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.models import ChatOptions, make_chat_model, make_image_backend
from scenariosim.models.cache import SqliteCallCache
from scenariosim.models.registry import check_spec, default_max_tokens
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


def max_tokens(scenario: Scenario, spec: str) -> int:
    """The output budget of calls to `spec`: the scenario's, else the backend's default."""
    return scenario.models.max_tokens or default_max_tokens(spec)


def make_agent_model(
    spec: str, scenario: Scenario, settings: Settings, cache: SqliteCallCache | None
) -> AgentModel:
    """The model a run's agents or critic call: the scenario's sampling options on `spec`."""
    options = ChatOptions(
        seed=scenario.seed,
        temperature=scenario.models.temperature,
        max_tokens=max_tokens(scenario, spec),
    )
    return AgentModel(
        spec=spec,
        chat=make_chat_model(spec, settings, options),
        cache=cache,
        max_tokens=options.max_tokens,
    )


def resolved_inputs(scenario: Scenario, world: World) -> dict[str, Any]:
    """What a run records of its inputs, and what a resume compares with them."""
    return {
        "corpus_fingerprint": world.corpus_fingerprint,
        "references_fingerprint": world.references_fingerprint,
        "embedding_model": world.embedding_model,
        "agent_model": scenario.models.agent,
        "critic_model": scenario.models.critic,
        "max_tokens": {
            role: max_tokens(scenario, spec)
            for role, spec in (
                ("agent", scenario.models.agent),
                ("critic", scenario.models.critic),
            )
        },
        "persona_ids": sorted(world.actors),
    }


def _write_resolved(run_dir: Path, run_id: str, scenario: Scenario, world: World) -> None:
    resolved: dict[str, Any] = {
        "run_id": run_id,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": scenario.model_dump(mode="json"),
        "resolved": resolved_inputs(scenario, world),
    }
    atomic_write_text(run_dir / RESOLVED_FILE, dump_yaml(resolved))


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
    scenario: Scenario,
    run_id: str,
    run_dir: Path,
    settings: Settings,
    resume: bool,
    use_cache: bool,
    quiet: bool,
    resumable: ResumableRun | None = None,
    allow_changed_inputs: bool = False,
) -> RunResult:
    world = open_world(scenario, settings)  # checks every input file before loading a model
    if resumable is None:
        _write_resolved(run_dir, run_id, scenario, world)
    else:  # before any model call or write: the inputs must be the ones the run recorded
        found = resolved_inputs(scenario, world)
        wanted = {k: v for k, v in found.items() if k in resumable.recorded}
        changes = changed_inputs(resumable, wanted, allow_changed_inputs)
        if changes:
            _record_changed_inputs(run_dir, changes)
    # Built before any chat model so a bad image spec or a missing key fails first.
    image_backend = make_image_backend(
        image_spec(scenario.model_dump(mode="json"), settings), settings
    )
    cache = SqliteCallCache(settings.cache_dir / "llm-calls.sqlite") if use_cache else None
    traces = TraceWriter(run_dir / "traces.jsonl", run_id)
    progress, on_artifact = _progress_bar(scenario, quiet)
    context = RunContext(
        scenario=scenario,
        run_id=run_id,
        actors=world.actors,
        retrieve=world.retrieve,
        references=world.references,
        known_names=world.known_names,
        embeddings=world.embeddings,
        agent_model=make_agent_model(scenario.models.agent, scenario, settings, cache),
        critic_model=make_agent_model(scenario.models.critic, scenario, settings, cache),
        records=JsonlWriter(run_dir / "records.jsonl"),
        feed=Feed.from_records(
            read_jsonl(run_dir / "records.jsonl")[0], [p.id for p in scenario.phases]
        ),
        failures=JsonlWriter(run_dir / "rejected.jsonl"),
        traces=traces,
        on_artifact=on_artifact,
        rubric_trusted=rubric_trusted(scenario.models.critic),
    )
    config = {
        "configurable": {"thread_id": run_id},
        "recursion_limit": recursion_limit(len(scenario.phases)),
        "max_concurrency": scenario.concurrency,
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
) -> RunResult:
    """Run `scenario` from the start into `<out_dir>/<run_id>/`."""
    settings = settings or load_settings()
    for key in ("agent", "critic"):
        check_spec("chat", getattr(scenario.models, key), f"models.{key}")
    check_spec("image", image_spec(scenario.model_dump(mode="json"), settings), "models.images")
    check_spec("embedding", settings.embedding_model, "embedding_model setting")
    run_id = run_id or new_run_id(scenario)
    run_dir = (out_dir or settings.output_dir) / run_id
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ConfigError(
            f"{run_dir} already exists: resume it with --resume {run_id} or pick another id."
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _execute(scenario, run_id, run_dir, settings, False, use_cache, quiet)
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
) -> RunResult:
    """Continue a run from its last checkpoint with the scenario it was started with.

    The folder is checked whole and the inputs compared with the recorded ones before
    anything is read into the graph or written (`check_run_folder`, `changed_inputs`);
    `allow_changed_inputs` continues with a changed corpus or settings, recording both.
    """
    settings = settings or load_settings()
    run_dir = (out_dir or settings.output_dir) / run_id
    resumable = check_run_folder(run_dir, run_id)
    return _execute(
        resumable.scenario,
        run_id,
        run_dir,
        settings,
        True,
        use_cache,
        quiet,
        resumable=resumable,
        allow_changed_inputs=allow_changed_inputs,
    )
