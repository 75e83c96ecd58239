"""`scenariosim replay`: a fork from a checkpoint is a new run with the changed setting and
the source's history, records and traces up to the fork, unchanged."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_backends import demo_scenario, fake_cli_env
from langgraph.checkpoint.sqlite import SqliteSaver
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.graph.build import build_graph
from scenariosim.graph.replay import checkpoint_history
from scenariosim.graph.run import run_scenario
from scenariosim.jsonl import read_jsonl

runner = CliRunner()
FORK_PHASE = "blockade"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo run, and a fork of it from phase 2 with a stricter critic: the rubric asked
    (the fake critic model is not trusted, so the source ran on the checks alone) and a
    threshold of 4.6 (the fake rubric's mean is 4.8 for one text in four and 4.4 for the
    rest: with a check score of 4.5 that gives 4.65, kept, or 4.45, refused)."""
    root = tmp_path_factory.mktemp("replay")
    with fake_cli_env(root) as settings:
        source = run_scenario(demo_scenario(), settings, run_id="demo", use_cache=False)
        done = runner.invoke(
            app,
            [
                *("replay", "demo", "--from", FORK_PHASE),
                *("--set", "critic.threshold=4.6", "--set", "critic.rubric=always"),
                *("--run-id", "strict", "--no-cache", "-q"),
            ],
        )
        assert done.exit_code == 0, done.output
    return {"root": root, "source": source.run_dir, "fork": root / "outputs" / "strict"}


def _records(run_dir: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in read_jsonl(run_dir / "records.jsonl")[0]}


def _history(run_dir: Path) -> list[tuple[int, tuple[str, ...], dict[str, Any]]]:
    connection = sqlite3.connect(run_dir / "checkpoints.sqlite", check_same_thread=False)
    try:
        graph = build_graph(SqliteSaver(connection))
        config = {"configurable": {"thread_id": run_dir.name}}
        snaps = list(graph.get_state_history(config))
    finally:
        connection.close()
    return [(s.metadata["step"], s.next, s.values) for s in reversed(snaps)]


def _fork_step(run_dir: Path) -> int:
    return next(
        c.step
        for c in checkpoint_history(run_dir)
        if c.phase_id == FORK_PHASE and c.next == ["plan_posts"]
    )


def test_the_fork_is_a_new_run_with_the_changed_setting(runs) -> None:
    resolved = yaml.safe_load((runs["fork"] / "scenario.resolved.yaml").read_text())
    assert resolved["run_id"] == "strict"
    assert resolved["scenario"]["critic"]["threshold"] == 4.6
    assert resolved["scenario"]["critic"]["rubric"] == "always"
    assert resolved["forked_from"]["run_id"] == "demo"
    assert resolved["forked_from"]["set"] == {"critic.threshold": 4.6, "critic.rubric": "always"}
    # The fork's resolved decisions follow its changed scenario; resume reads them back.
    assert resolved["resolved"]["critic"]["use_rubric"] is True
    assert resolved["resolved"]["critic"]["threshold"] == 4.6
    source = yaml.safe_load((runs["source"] / "scenario.resolved.yaml").read_text())
    assert source["scenario"]["critic"]["threshold"] == 3
    assert source["scenario"]["critic"]["rubric"] == "auto"


def test_history_before_the_fork_is_identical(runs) -> None:
    step = _fork_step(runs["source"])
    before = [h for h in _history(runs["source"]) if h[0] <= step]
    assert [h for h in _history(runs["fork"]) if h[0] <= step] == before
    assert len(before) == step + 2  # the input checkpoint is step -1


def test_records_of_the_first_phase_are_identical(runs) -> None:
    source = {k: v for k, v in _records(runs["source"]).items() if not k.startswith(FORK_PHASE)}
    fork = {k: v for k, v in _records(runs["fork"]).items() if not k.startswith(FORK_PHASE)}
    assert source and fork == source


def test_after_the_fork_only_drafts_passing_the_stricter_critic_are_published(runs) -> None:
    after = [r for k, r in _records(runs["source"]).items() if k.startswith(FORK_PHASE)]
    assert any(r["provenance"]["critic_score"] < 4.6 for r in after)  # the source let some in
    assert all(not r["provenance"]["critic_scores"] for r in after)  # checks alone
    fork_after = [r for k, r in _records(runs["fork"]).items() if k.startswith(FORK_PHASE)]
    assert fork_after and all(r["provenance"]["critic_score"] >= 4.6 for r in fork_after)
    assert all(r["provenance"]["critic_scores"] for r in fork_after)  # the rubric voted
    assert all(r["provenance"]["run_id"] == "strict" for r in fork_after)
    rejected = [
        r for r in read_jsonl(runs["fork"] / "rejected.jsonl")[0] if r["phase_id"] == FORK_PHASE
    ]
    assert any("below the threshold 4.6" in " ".join(r["reasons"]) for r in rejected)


def test_the_fork_finishes_with_its_dataset_and_evaluation(runs) -> None:
    assert (runs["fork"] / "eval.json").exists() and (runs["fork"] / "report.html").exists()
    events = [r["event"] for r in read_jsonl(runs["fork"] / "traces.jsonl")[0]]
    assert events.count("fork") == 1 and events[-1] == "run"


def test_a_fork_without_changes_mid_phase_reproduces_the_source(runs) -> None:
    with fake_cli_env(runs["root"]):
        done = runner.invoke(app, ["replay", "demo", "--from", "8", "--run-id", "same", "-q"])
    assert done.exit_code == 0, done.output
    fork = _records(runs["root"] / "outputs" / "same")
    source = _records(runs["source"])
    assert {k: r["text"] if "text" in r else r["scene"] for k, r in fork.items()} == {
        k: r["text"] if "text" in r else r["scene"] for k, r in source.items()
    }


def test_list_shows_each_checkpoint_with_its_phase(runs) -> None:
    with fake_cli_env(runs["root"]):
        done = runner.invoke(app, ["replay", "demo", "--list"])
    assert done.exit_code == 0, done.output
    assert "blockade     plan_posts" in done.output and "(end)" in done.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "99"], "no such checkpoint"),
        (["--from", "blockade", "--set", "critic.strictness=4"], "no setting 'strictness'"),
        (["--from", "blockade", "--set", "critic.threshold=9"], "critic.threshold"),
        (["--from", "blockade", "--set", "personas.n=5"], "'personas' cannot change"),
        (["--from", "blockade", "--set", "critic.threshold"], "KEY=VALUE"),
        ([], "give --from"),
    ],
)
def test_bad_fork_requests_exit_2_and_write_nothing(runs, args: list[str], message: str) -> None:
    with fake_cli_env(runs["root"]):
        done = runner.invoke(app, ["replay", "demo", *args, "--run-id", "bad"])
    assert done.exit_code == 2, done.output
    assert message in done.output
    assert not (runs["root"] / "outputs" / "bad").exists()
