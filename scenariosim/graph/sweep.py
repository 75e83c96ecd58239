"""Sweeps: one scenario run once per combination of `--set` values, then one comparison.

`--set critic.threshold=3,4 --set retrieval.k=2,6` makes four variants. Each is an
ordinary run with its own run id (`<sweep>-v<i>`), so a sweep is resumable: a variant
with an `eval.json` is done and skipped, one with checkpoints is resumed, the rest start.
Variants run in separate processes (spawned: a fresh interpreter each, no shared model
or lock), or as Ray tasks when a Ray address is given. The sweep folder holds
`sweep.json` (what each variant changed and its run id) and `comparison.csv` /
`comparison.md` (the headline evaluation figures of each variant's `eval.json`).
"""

import csv
import hashlib
import io
import itertools
import json
import multiprocessing
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from scenariosim.errors import ConfigError
from scenariosim.files import atomic_write_text
from scenariosim.markdown import table
from scenariosim.overrides import apply_overrides, parse_assignment, parse_value
from scenariosim.scenario import Scenario
from scenariosim.settings import Settings

SECRETS = {"google_api_key", "openai_api_key"}  # workers read keys from their environment
# The figures the comparison shows, as dotted paths into eval.json (docs/outputs.md).
FIGURES = (
    "counts.posts",
    "counts.comments",
    "counts.image_prompts",
    "counts.rejected",
    "counts.failed",
    "grounding.acceptance_rate",
    "grounding.mean_revisions",
    "grounding.mean_accepted_score",
    "grounding.unsupported_entities_after",
    "grounding.mean_min_sentence_support_accepted",
    "text.all.distinct_2",
    "text.all.self_bleu",
    "text.all.near_duplicate_rate",
)


class Variant(BaseModel):
    """One run of a sweep: its changes, its run id and everything a worker needs."""

    index: int
    run_id: str
    changes: dict[str, Any]
    scenario: dict[str, Any]
    out_dir: Path
    settings: dict[str, Any]
    use_cache: bool = True


class VariantResult(BaseModel):
    run_id: str
    status: str  # done (already finished), ran, resumed, failed
    error: str | None = None


def parse_grid(assignments: list[str]) -> dict[str, list[Any]]:
    """`["critic.threshold=3,4", "retrieval.k=2,6"]` -> `{"critic.threshold": [3, 4], ...}`."""
    grid: dict[str, list[Any]] = {}
    for text in assignments:
        key, values = parse_assignment(text)
        if key in grid:
            raise ConfigError(f"--set {key} is given twice; list its values once: {key}=a,b")
        grid[key] = [parse_value(v.strip()) for v in values.split(",") if v.strip()]
    if not grid:
        raise ConfigError("a sweep needs at least one --set KEY=V1,V2")
    return grid


def sweep_id_for(scenario: Scenario, grid: dict[str, list[Any]]) -> str:
    digest = hashlib.sha256(
        json.dumps([scenario.model_dump(mode="json"), grid], sort_keys=True).encode()
    ).hexdigest()[:8]
    return f"sweep-{scenario.slug}-{digest}"


def plan_variants(
    scenario: Scenario,
    grid: dict[str, list[Any]],
    sweep_id: str,
    out_dir: Path,
    settings: Settings,
    use_cache: bool = True,
) -> list[Variant]:
    """Every combination of the grid, checked as a scenario before anything runs."""
    keys = list(grid)
    variants = []
    for index, values in enumerate(itertools.product(*(grid[k] for k in keys))):
        changes = dict(zip(keys, values, strict=True))
        variants.append(
            Variant(
                index=index,
                run_id=f"{sweep_id}-v{index}",
                changes=changes,
                scenario=apply_overrides(scenario, changes).model_dump(mode="json"),
                out_dir=out_dir,
                settings=settings.model_dump(mode="json", exclude_none=True, exclude=SECRETS),
                use_cache=use_cache,
            )
        )
    return variants


def run_variant(variant: Variant) -> VariantResult:
    """Run, resume or skip one variant (in a worker process or a Ray task)."""
    from scenariosim.errors import ScenarioSimError
    from scenariosim.graph.run import resume_run, run_scenario
    from scenariosim.settings import load_settings

    run_dir = variant.out_dir / variant.run_id
    if (run_dir / "eval.json").exists():
        return VariantResult(run_id=variant.run_id, status="done")
    settings = load_settings(**variant.settings)
    try:
        if (run_dir / "checkpoints.sqlite").exists():
            resume_run(variant.run_id, settings, variant.out_dir, variant.use_cache)
            return VariantResult(run_id=variant.run_id, status="resumed")
        if run_dir.exists():  # started but killed before its first checkpoint
            shutil.rmtree(run_dir)
        scenario = Scenario.model_validate(variant.scenario)
        run_scenario(scenario, settings, variant.out_dir, variant.run_id, variant.use_cache)
        return VariantResult(run_id=variant.run_id, status="ran")
    except ScenarioSimError as e:
        return VariantResult(run_id=variant.run_id, status="failed", error=str(e))


Worker = Callable[[Variant], VariantResult]


def prepare_stores(variants: list[Variant], settings: Settings) -> None:
    """Ingest each distinct corpus and chunking once, here, before any worker starts.

    Workers opening a fresh Chroma folder at the same moment race to create its tables;
    after this they only read collections that exist. It also checks every input file.
    """
    from scenariosim.graph.resolve import resolve_scenario
    from scenariosim.graph.world import open_world

    seen = set()
    for variant in variants:
        scenario = Scenario.model_validate(variant.scenario)
        key = (scenario.world, scenario.retrieval.chunk_size, scenario.retrieval.chunk_overlap)
        if key not in seen:
            seen.add(key)
            open_world(resolve_scenario(scenario, settings), settings)


def run_local(
    variants: list[Variant], jobs: int, worker: Worker = run_variant
) -> list[VariantResult]:
    """Variants in `jobs` spawned processes (one by one here if 1), in variant order."""
    if jobs <= 1:
        return [worker(v) for v in variants]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
        return list(pool.map(worker, variants))


def run_ray(
    variants: list[Variant],
    address: str,
    worker: Worker = run_variant,
    runtime_env: dict[str, Any] | None = None,
) -> list[VariantResult]:
    """Variants as Ray tasks on the cluster at `address` ("local" starts one here)."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs the ray package: pip install 'scenariosim[ray]'") from None
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=None if address == "local" else address,
            include_dashboard=False,
            runtime_env=runtime_env,
        )
    try:
        task = ray.remote(worker)
        return ray.get([task.remote(v) for v in variants])
    finally:
        if started:
            ray.shutdown()


def _figure(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def comparison_rows(variants: list[Variant], results: list[VariantResult]) -> list[dict[str, Any]]:
    rows = []
    for variant, result in zip(variants, results, strict=True):
        path = variant.out_dir / variant.run_id / "eval.json"
        figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        row: dict[str, Any] = {"run_id": variant.run_id, **variant.changes}
        row["status"] = result.status
        row.update({f: _figure(figures, f) for f in FIGURES})
        rows.append(row)
    return rows


def write_comparison(folder: Path, rows: list[dict[str, Any]], grid: dict[str, list[Any]]) -> None:
    """`comparison.csv` and `comparison.md` in `folder`, plus `sweep.json`."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0]) if rows else []
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns)
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(folder / "comparison.csv", buffer.getvalue())

    def cell(value: Any) -> str:
        if value is None:
            return "n/a"
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = table(columns, ([cell(r[c]) for c in columns] for r in rows))
    atomic_write_text(folder / "comparison.md", "\n".join(lines) + "\n")
    atomic_write_text(
        folder / "sweep.json",
        json.dumps({"grid": grid, "variants": rows}, indent=1, ensure_ascii=False),
    )
