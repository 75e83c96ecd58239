"""The graph's wiring with a schema-answering fake model (no real model, no store)."""

from pathlib import Path

import pytest
from fake_run import fake_run, fake_scenario


@pytest.fixture
def run_output(tmp_path: Path) -> tuple[list[dict], list[dict], dict]:
    return fake_run(tmp_path, fake_scenario())


def test_each_phase_publishes_its_targets(run_output) -> None:
    records, _, _ = run_output
    kinds = [(r["provenance"]["phase_id"], r["kind"]) for r in records]
    for phase in ("phase-0", "phase-1"):
        assert kinds.count((phase, "post")) == 2
        assert kinds.count((phase, "comment")) == 3
        assert kinds.count((phase, "image_prompt")) == 1


def test_comments_reply_to_published_posts_by_someone_else(run_output) -> None:
    records, _, _ = run_output
    posts = {r["id"]: r for r in records if r["kind"] == "post"}
    for comment in (r for r in records if r["kind"] == "comment"):
        root = posts[comment["thread_root"]]
        assert root["provenance"]["persona_id"] != comment["provenance"]["persona_id"]


def test_image_prompts_belong_to_a_post_of_their_phase(run_output) -> None:
    records, _, _ = run_output
    posts = {r["id"]: r for r in records if r["kind"] == "post"}
    for image in (r for r in records if r["kind"] == "image_prompt"):
        post = posts[image["post_id"]]
        assert post["provenance"]["phase_id"] == image["provenance"]["phase_id"]
        assert post["provenance"]["persona_id"] == image["provenance"]["persona_id"]


def test_records_carry_provenance(run_output) -> None:
    records, _, _ = run_output
    for record in records:
        prov = record["provenance"]
        assert prov["synthetic"] is True
        assert prov["run_id"] == "run-1"
        # posts and replies are grounded in a retrieved chunk; a picture in its post
        expected = [] if record["kind"] == "image_prompt" else ["fuel-001#0"]
        assert prov["chunk_ids"] == expected
        assert prov["hid"] in ("h1", "h2")
        assert len(prov["prompt_hash"]) == 12
        assert 1 <= prov["critic_score"] <= 5


def test_traces_hold_a_draft_call_and_a_critique_per_artifact(run_output) -> None:
    records, traces, _ = run_output
    calls = [t for t in traces if t["event"] == "model_call" and t["step"] == "draft"]
    critiques = [t for t in traces if t["event"] == "critique"]
    assert len(calls) == len(critiques) == len(records)  # every task passed in its first round
    assert all(t["messages"] and t["input_tokens"] == 100 * t["requests"] for t in calls)
    assert {t["event"] for t in traces} >= {"node", "retrieval", "facts", "critique", "model_call"}


def test_final_state_counts_every_outcome(run_output) -> None:
    records, _, final = run_output
    assert final["phase_index"] == 2
    assert sum(final["tally"].values()) == len(records) == 12
