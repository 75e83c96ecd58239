"""The shipped demo scenario on the real local model: records, provenance, threads, critic
verdicts, traces, determinism, and kill-and-resume. These are the slowest tests."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scenariosim.graph.run import RunResult, run_scenario
from scenariosim.jsonl import read_jsonl
from scenariosim.scenario import CriticConfig, load_scenario

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scenarios" / "demo.yaml"
VOLATILE = {"run_id"}


def _comparable(run_dir: Path) -> list[dict]:
    """Records with the run id removed, sorted: what two equal runs must share."""
    rows, skipped = read_jsonl(run_dir / "records.jsonl")
    assert skipped == 0
    for row in rows:
        for key in VOLATILE:
            row["provenance"].pop(key)
    return sorted(rows, key=lambda r: r["id"])


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    out = tmp_path_factory.mktemp("runs")
    return run_scenario(load_scenario(DEMO), out_dir=out, use_cache=False)


def test_every_task_ends_published_or_recorded_with_its_reasons(demo_run: RunResult) -> None:
    records = _comparable(demo_run.run_dir)
    rejected, _ = read_jsonl(demo_run.run_dir / "rejected.jsonl")
    traces, _ = read_jsonl(demo_run.run_dir / "traces.jsonl")
    tasks = [t for t in traces if t["event"] == "node" and "status" in t]
    assert len(tasks) >= 4  # two phases of at least two posts
    assert len(records) + len(rejected) == len(tasks)
    assert {r["id"] for r in records}.isdisjoint(r["id"] for r in rejected)


def test_every_record_carries_full_provenance(demo_run: RunResult) -> None:
    rows, _ = read_jsonl(demo_run.run_dir / "records.jsonl")
    assert rows, "the demo run accepted nothing"
    for row in rows:
        prov = row["provenance"]
        assert prov["synthetic"] is True
        assert prov["run_id"] == demo_run.run_id
        assert prov["model"] == "local" and prov["critic_model"] == "local"
        if row["kind"] == "image_prompt":  # about its post, which was grounded
            assert row["post_id"] and not prov["chunk_ids"]
        else:
            assert prov["chunk_ids"], "every post and comment is grounded in retrieved chunks"
            assert {f["chunk_id"] for f in prov["facts"]} <= set(prov["chunk_ids"])
        assert len(prov["hid"]) == 11
        assert prov["labels_assigned"] and 0 <= prov["chosen"] < prov["candidates"] == 8
        if prov["critic_scores"]:  # a trusted rubric voted: at or above the threshold
            assert prov["critic_score"] >= 3.0
        else:  # the checks alone: the kept candidate passed all of them (5, or 4.5 if weakly
            # supported by the news)
            assert prov["critic_score"] >= 4.5 and prov["rubric_note"].startswith("not asked")


def test_comments_form_threads_on_published_posts(demo_run: RunResult) -> None:
    rows, _ = read_jsonl(demo_run.run_dir / "records.jsonl")
    post_ids = {r["id"] for r in rows if r["kind"] == "post"}
    comments = [r for r in rows if r["kind"] == "comment"]
    assert comments, "the demo run published no comment"
    for comment in comments:
        assert comment["thread_root"] in post_ids


@pytest.fixture(scope="module")
def one_candidate_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """The demo with one candidate per task and no second round: the demo itself keeps every
    task now (best of 8, three rounds), so rejections are made likely here (4 of 10)."""
    demo = load_scenario(DEMO)
    strict = demo.model_copy(update={"critic": CriticConfig(candidates=1, max_revisions=0)})
    return run_scenario(strict, out_dir=tmp_path_factory.mktemp("strict"), use_cache=False)


def test_rejected_drafts_keep_their_critiques(one_candidate_run: RunResult) -> None:
    rejected, _ = read_jsonl(one_candidate_run.run_dir / "rejected.jsonl")
    assert rejected, "the run rejected nothing: nothing here would be checked"
    for row in rejected:
        assert row["reasons"]
        if row["status"] == "rejected":
            assert row["critiques"] and row["critiques"][-1]["verdict"] == "reject"


def test_traces_record_prompts_chunks_and_model_figures(demo_run: RunResult) -> None:
    traces, skipped = read_jsonl(demo_run.run_dir / "traces.jsonl")
    assert skipped == 0
    calls = [t for t in traces if t["event"] == "model_call"]
    drafts = [t for t in calls if t["step"] == "draft"]
    assert drafts and all(t["schema"] == "text" and t["prompt_hash"] for t in drafts)
    assert all([m["role"] for m in t["messages"]] == ["prompt"] for t in drafts)
    # the local model evaluates the prompt once and samples every candidate from it
    assert all(t["requests"] == 1 and len(t["finish_reasons"]) == 8 for t in drafts)
    assert all(t["latency_s"] > 0 and t["input_tokens"] > 0 for t in calls if not t["cached"])
    retrievals = [t for t in traces if t["event"] == "retrieval"]
    assert retrievals and all(t["chunks"] for t in retrievals)
    posts = [t for t in drafts if t["node"] == "write_post"]
    assert "News: " in posts[0]["messages"][0]["content"]
    assert "<context>" not in posts[0]["messages"][0]["content"]  # plain few-shot text
    facts = [t for t in traces if t["event"] == "facts"]
    assert facts and len(facts) == len(retrievals)
    critiques = [t for t in traces if t["event"] == "critique"]
    assert critiques and all(t["verdict"] in ("accept", "reject") for t in critiques)


def test_resolved_scenario_records_models_and_corpus_fingerprint(demo_run: RunResult) -> None:
    import yaml

    resolved = yaml.safe_load((demo_run.run_dir / "scenario.resolved.yaml").read_text())
    assert resolved["resolved"]["corpus_fingerprint"]
    assert resolved["resolved"]["agent_model"] == "local"
    assert len(resolved["resolved"]["persona_ids"]) == 3


def test_dataset_tables_are_written(demo_run: RunResult) -> None:
    import pandas as pd

    posts = pd.read_parquet(demo_run.dataset_dir / "posts.parquet")
    assert len(posts) >= 1 and posts["synthetic"].all()
    personas = pd.read_parquet(demo_run.dataset_dir / "personas.parquet")
    assert len(personas) == 3


def test_same_seed_gives_the_same_records(demo_run: RunResult, tmp_path: Path) -> None:
    again = run_scenario(load_scenario(DEMO), out_dir=tmp_path, use_cache=False)
    assert _comparable(again.run_dir) == _comparable(demo_run.run_dir)


def _cli(*args: str, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scenariosim",
        "run",
        *args,
        "--out",
        str(out),
        "--no-cache",
        "-q",
    ]


def test_killed_and_resumed_run_ends_with_exactly_the_uninterrupted_records(
    demo_run: RunResult, tmp_path: Path
) -> None:
    env = {**os.environ, "SCENARIOSIM_OUTPUT_DIR": str(tmp_path)}
    proc = subprocess.Popen(_cli(str(DEMO), out=tmp_path), env=env, cwd=REPO)
    deadline = time.monotonic() + 300
    records: list[Path] = []
    while time.monotonic() < deadline:
        records = list(tmp_path.glob("*/records.jsonl"))
        if records and len(records[0].read_text().splitlines()) >= 3:
            break
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    run_dir = records[0].parent
    resumed = subprocess.run(
        _cli("--resume", run_dir.name, out=tmp_path), env=env, cwd=REPO, capture_output=True
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    ids = [json.loads(line)["id"] for line in (run_dir / "records.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)), "no record twice"
    assert _comparable(run_dir) == _comparable(demo_run.run_dir)
