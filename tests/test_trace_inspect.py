"""`scenariosim trace RUN --persona/--record/--node`: the stories behind records."""

from pathlib import Path

from trace_fixtures import SCORE, traced_run
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.jsonl import read_jsonl
from scenariosim.outputs.trace_story import read_stories, select_stories
from scenariosim.outputs.trace_summary import summarise

runner = CliRunner()


def test_every_task_has_one_story_with_its_outcome(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    stories = read_stories(run_dir)
    records, _ = read_jsonl(run_dir / "records.jsonl")
    assert sorted(s.task_id for s in stories) == sorted(r["id"] for r in records)
    assert all(s.status == "accepted" and s.published for s in stories)


def test_a_story_holds_chunks_prompt_output_and_critique(tmp_path: Path) -> None:
    story = select_stories(read_stories(traced_run(tmp_path / "run")), record="phase-0-post-000")[0]
    assert story.persona_id == "p3" and story.node == "write_post"
    assert [c["chunk_id"] for c in story.chunks] == ["fuel-001#0"]
    assert story.chunks[0]["score"] == SCORE
    assert [f["text"] for f in story.facts] == ["Diesel will rise from 0.90 to 1.30 ADH per litre."]
    assert len(story.attempts) == 1
    first = story.attempts[0]
    [message] = first.draft_call["messages"]
    assert message["role"] == "prompt" and first.draft_call["schema"] == "text"
    assert message["content"].rstrip().endswith("Post by Person, 33, driver, sad, undecided:")
    assert "News: Diesel will rise from 0.90 to 1.30 ADH per litre." in message["content"]
    assert len(first.draft_call["raw"].splitlines()) == 8  # one line per candidate
    critique = first.critique
    assert critique["verdict"] == "accept" and len(critique["candidates"]) == 8
    chosen = critique["candidates"][critique["chosen"]]
    assert chosen["reasons"] == [] and chosen["text"] == story.published["text"]
    assert first.critique_call is None  # the fake critic's rubric is not trusted: not asked
    assert "not trusted" in critique["rubric_note"]
    assert story.published["id"] == "phase-0-post-000"


def test_persona_filter_keeps_only_that_persona(tmp_path: Path) -> None:
    stories = select_stories(read_stories(traced_run(tmp_path / "run")), persona="p1")
    assert stories and {s.persona_id for s in stories} == {"p1"}


def test_a_restarted_task_keeps_its_last_start(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    lines = (run_dir / "traces.jsonl").read_text(encoding="utf-8").splitlines()
    retrieval = next(line for line in lines if '"retrieval"' in line and "post-000" in line)
    (run_dir / "traces.jsonl").write_text("\n".join([retrieval, *lines]) + "\n", encoding="utf-8")
    story = select_stories(read_stories(run_dir), record="phase-0-post-000")[0]
    assert story.earlier_starts == 1 and len(story.attempts) == 1


def test_summary_of_one_node_counts_only_that_node(tmp_path: Path) -> None:
    summary = summarise(traced_run(tmp_path / "run"), node="write_comment")
    assert [s.node for s in summary.steps] == ["write_comment"]
    assert summary.steps[0].statuses == {"accepted": 6}
    # one draft call per comment, 8 candidates = 8 requests of 100 input tokens each
    assert summary.model_calls == 6 and summary.input_tokens == 6 * 8 * 100


def test_summary_counts_steps_per_node_and_totals(tmp_path: Path) -> None:
    summary = summarise(traced_run(tmp_path / "run"))
    steps = {s.node: s.steps for s in summary.steps}
    assert steps == {
        "plan_posts": 2,
        "write_post": 4,
        "plan_comments": 2,
        "write_comment": 6,
        "plan_images": 2,
        "write_image_prompt": 2,
        "end_phase": 2,
    }
    # 12 draft calls of 8 requests (100 tokens in, 20 out each); no critique calls
    assert (summary.input_tokens, summary.output_tokens) == (12 * 8 * 100, 12 * 8 * 20)
    assert summary.cache_hits is None and summary.retries == 0
    assert summary.latency_p50_s <= summary.latency_p95_s


def test_cache_counters_are_summed_over_resumes(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    with (run_dir / "traces.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"event": "cache", "run_id": "run-1", "ts": 1, "hits": 3, "misses": 5}\n')
        f.write('{"event": "cache", "run_id": "run-1", "ts": 2, "hits": 4, "misses": 0}\n')
    summary = summarise(run_dir)
    assert (summary.cache_hits, summary.cache_misses) == (7, 5)


def test_record_command_prints_prompt_chunks_and_publication(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    result = runner.invoke(app, ["trace", str(run_dir), "--record", "phase-0-post-000"])
    assert result.exit_code == 0, result.output
    assert "[1] 0.812  fuel-001#0" in result.output
    assert "--- prompt (prompt) ---" in result.output
    assert "Post by Person, 33, driver, sad, undecided:" in result.output
    assert "facts\n  fuel-001#0: Diesel will rise from 0.90" in result.output
    assert "critique (draft): accept, score 4.5, chose candidate 1" in result.output
    assert " *[1] 4.5  It is sad now about the diesel news, deeply." in result.output
    assert "  [0] 4.5  It is sad quite about the diesel news, tonight." in result.output
    assert "published" in result.output


def test_node_command_lists_that_nodes_tasks(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    result = runner.invoke(app, ["trace", str(run_dir), "--node", "write_image_prompt"])
    assert result.exit_code == 0, result.output
    assert "phase-0-image-000" in result.output and "phase-0-post-000" not in result.output


def test_unknown_persona_exits_2_naming_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trace", str(traced_run(tmp_path / "run")), "--persona", "zz"])
    assert result.exit_code == 2
    assert "no persona 'zz'" in result.output and "p1, p2, p3" in result.output


def test_unknown_node_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trace", str(traced_run(tmp_path / "run")), "--node", "nope"])
    assert result.exit_code == 2 and "no node 'nope'" in result.output
