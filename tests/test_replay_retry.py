"""`scenariosim replay RUN --retry-failed`: after an outage, the artifacts that failed run
again in a fork, and the calls that had succeeded are answered from the call cache."""

from pathlib import Path
from typing import Any

import pytest
from fake_backends import demo_scenario, fake_backends, fake_cli_env
from fault_injection import FaultRates, FaultyChatModel
from langchain_core.language_models import BaseChatModel
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.graph.replay import checkpoint_history, retry_point
from scenariosim.graph.run import run_scenario
from scenariosim.jsonl import read_jsonl

pytestmark = pytest.mark.slow  # two demo runs on fake models, with real backoff waits

runner = CliRunner()


def outage_chat(spec: object, settings: object, options: object) -> BaseChatModel:
    """Many calls time out, as when a provider is struggling or a quota runs out: a writer's
    call sends one request per candidate (8) and fails when one of them times out on each of
    its 3 attempts, so a 0.15 rate per request fails about 39% of the calls,
    (1 - 0.85**8) ** 3; in the demo, 5 tasks fail and 4 calls succeed."""
    return FaultyChatModel(rates=FaultRates(timeout=0.15))


def _failed(run_dir: Path) -> list[dict[str, Any]]:
    rows, _ = read_jsonl(run_dir / "rejected.jsonl")
    return [r for r in rows if r["status"] == "failed"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("retry")
    with fake_cli_env(root) as settings:
        outage = fake_backends().with_backend("chat", "fake", outage_chat)
        source = run_scenario(demo_scenario(), settings, run_id="outage", backends=outage)
        done = runner.invoke(app, ["replay", "outage", "--retry-failed", "--run-id", "again"])
        assert done.exit_code == 0, done.output
    return {"source": source.run_dir, "fork": root / "outputs" / "again", "output": done.output}


def test_the_outage_left_failed_artifacts(runs) -> None:
    failed = _failed(runs["source"])
    assert failed and all("TimeoutError" in r["reasons"][0] for r in failed)
    assert f"{len(failed)} failed artifact(s)" in runs["output"]


def test_the_fork_starts_before_the_earliest_failed_artifact_was_planned(runs) -> None:
    point, _ = retry_point(runs["source"], checkpoint_history(runs["source"]))
    forked = {c.step for c in checkpoint_history(runs["fork"])}
    assert point.next[0].startswith("plan_") and point.step in forked


def test_every_failed_artifact_ran_again_and_none_failed(runs) -> None:
    assert _failed(runs["fork"]) == []
    published = {r["id"] for r in read_jsonl(runs["fork"] / "records.jsonl")[0]}
    rejected = {r["id"] for r in read_jsonl(runs["fork"] / "rejected.jsonl")[0]}
    assert {r["id"] for r in _failed(runs["source"])} <= published | rejected


def test_calls_that_had_succeeded_came_from_the_cache(runs) -> None:
    traces, _ = read_jsonl(runs["fork"] / "traces.jsonl")
    calls = [t for t in traces if t["event"] == "model_call" and t.get("task_id")]
    assert any(t["cached"] for t in calls) and not all(t["cached"] for t in calls)


def test_a_run_without_failures_has_nothing_to_retry(tmp_path: Path) -> None:
    with fake_cli_env(tmp_path) as settings:
        run_scenario(demo_scenario(), settings, run_id="fine", use_cache=False)
        result = runner.invoke(app, ["replay", "fine", "--retry-failed"])
    assert result.exit_code == 2 and "nothing to retry" in result.output


def test_retry_failed_and_from_together_exit_2(tmp_path: Path) -> None:
    with fake_cli_env(tmp_path):
        result = runner.invoke(app, ["replay", "x", "--retry-failed", "--from", "1"])
    assert result.exit_code == 2 and "not both" in result.output
