"""`scenariosim sweep`: one run per combination, resumable, and one comparison table."""

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_backends import DEMO, demo_scenario, fake_cli_env, fake_variant
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.errors import ConfigError
from scenariosim.graph.sweep import (
    comparison_rows,
    parse_grid,
    plan_variants,
    prepare_stores,
    run_local,
    run_ray,
    write_comparison,
)
from scenariosim.settings import Settings

runner = CliRunner()
GRID = {"critic.threshold": [3, 5], "retrieval.k": [2]}


def _resolved(run_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((run_dir / "scenario.resolved.yaml").read_text())["scenario"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two variants run in two spawned processes."""
    root = tmp_path_factory.mktemp("sweep")
    with fake_cli_env(root) as settings:
        variants = plan_variants(demo_scenario(), GRID, "sw", root / "outputs", settings, False)
        prepare_stores(variants, settings)
        results = run_local(variants, jobs=2, worker=fake_variant)
    rows = comparison_rows(variants, results)
    write_comparison(root / "outputs" / "sw", rows, GRID)
    return {"root": root, "variants": variants, "results": results, "rows": rows}


def test_grid_values_are_read_as_yaml_scalars() -> None:
    grid = parse_grid(["critic.threshold=3,4", "retrieval.k=2,6", "models.agent=local"])
    assert grid == {"critic.threshold": [3, 4], "retrieval.k": [2, 6], "models.agent": ["local"]}


def test_every_combination_is_a_run_with_its_settings(swept) -> None:
    assert [r.status for r in swept["results"]] == ["ran", "ran"]
    for variant in swept["variants"]:
        scenario = _resolved(swept["root"] / "outputs" / variant.run_id)
        assert scenario["critic"]["threshold"] == variant.changes["critic.threshold"]
        assert scenario["retrieval"]["k"] == 2


def test_comparison_holds_each_runs_eval_figures(swept) -> None:
    folder = swept["root"] / "outputs" / "sw"
    table = list(csv.DictReader((folder / "comparison.csv").open()))
    assert [row["run_id"] for row in table] == ["sw-v0", "sw-v1"]
    for row in table:
        figures = json.loads((swept["root"] / "outputs" / row["run_id"] / "eval.json").read_text())
        assert float(row["grounding.acceptance_rate"]) == figures["grounding"]["acceptance_rate"]
        assert int(row["counts.posts"]) == figures["counts"]["posts"]
    assert (
        "| run_id | critic.threshold | retrieval.k | status |"
        in (folder / "comparison.md").read_text()
    )


def test_a_stricter_critic_accepts_no_more(swept) -> None:
    lenient, strict = swept["rows"]
    assert strict["grounding.acceptance_rate"] <= lenient["grounding.acceptance_rate"]


def test_running_the_sweep_again_skips_finished_variants(swept) -> None:
    with fake_cli_env(swept["root"]):
        results = run_local(swept["variants"], jobs=1, worker=fake_variant)
    assert [r.status for r in results] == ["done", "done"]


def test_sweep_command_runs_and_prints_the_comparison(tmp_path: Path) -> None:
    with fake_cli_env(tmp_path):
        scenario = tmp_path / "demo.yaml"
        data = yaml.safe_load(DEMO.read_text())
        data["models"].update(agent="fake", critic="fake")
        data["phases"] = data["phases"][:1]
        scenario.write_text(yaml.safe_dump(data))
        result = runner.invoke(
            app, ["sweep", str(scenario), "--set", "retrieval.k=2,3", "-j", "1", "--name", "cli"]
        )
    assert result.exit_code == 0, result.output
    assert "2 variants" in result.output and "grounding.acceptance_rate" in result.output
    assert (tmp_path / "outputs" / "cli" / "comparison.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "at least one --set"), (["--set", "critic.nope=1,2"], "no setting 'nope'")],
)
def test_bad_sweeps_exit_2_before_running_anything(tmp_path: Path, args, message) -> None:
    with fake_cli_env(tmp_path):
        result = runner.invoke(app, ["sweep", str(DEMO), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "outputs").exists()


def test_a_value_the_scenario_rejects_is_an_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"retrieval\.k"):
        plan_variants(demo_scenario(), {"retrieval.k": [0]}, "x", tmp_path, Settings())


@pytest.mark.slow
def test_sweep_runs_as_tasks_on_a_local_ray_instance(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    with fake_cli_env(tmp_path) as settings:
        variants = plan_variants(
            demo_scenario(), {"retrieval.k": [2, 3]}, "ray", tmp_path / "outputs", settings, False
        )
        prepare_stores(variants, settings)
        tests = str(Path(__file__).parent)
        env = {"env_vars": {"PYTHONPATH": tests}}  # the workers import fake_backends
        results = run_ray(variants, "local", worker=fake_variant, runtime_env=env)
    assert [r.status for r in results] == ["ran", "ran"]
    assert all((tmp_path / "outputs" / v.run_id / "eval.json").exists() for v in variants)
