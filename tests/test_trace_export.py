"""`trace RUN --otel FILE`: the traces as OpenTelemetry spans in a local JSON file."""

import json
from pathlib import Path

from trace_fixtures import traced_run
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.outputs.trace_export import export_spans

runner = CliRunner()


def _spans(tmp_path: Path, with_text: bool = False) -> list[dict]:
    target = tmp_path / "spans.json"
    export_spans(traced_run(tmp_path / "run"), target, with_text=with_text)
    return json.loads(target.read_text(encoding="utf-8"))


def test_one_root_one_span_per_task_and_per_model_call(tmp_path: Path) -> None:
    spans = _spans(tmp_path)
    roots = [s for s in spans if s["parent_id"] is None]
    tasks = [s for s in spans if s["parent_id"] == roots[0]["context"]["span_id"]]
    assert [r["name"] for r in roots] == ["run run-1"]
    # one draft call per task (one round, all candidates in it); no rubric call: the fake
    # critic model is not trusted
    assert len(tasks) == 12 and len(spans) == 1 + 12 + 12
    assert len({s["context"]["trace_id"] for s in spans}) == 1


def test_call_spans_carry_tokens_and_verdicts(tmp_path: Path) -> None:
    spans = _spans(tmp_path)
    calls = [s for s in spans if "gen_ai.usage.input_tokens" in s["attributes"]]
    # 12 draft calls, each 8 candidates = 8 chat requests of 100 input tokens
    assert all(s["attributes"]["scenariosim.requests"] == 8 for s in calls)
    assert sum(s["attributes"]["gen_ai.usage.input_tokens"] for s in calls) == 12 * 8 * 100
    assert not [s for s in calls if s["name"].startswith("critique")]
    rounds = [s for s in calls if s["name"].startswith("draft")]
    assert len(rounds) == 12
    assert {s["attributes"]["scenariosim.verdict"] for s in rounds} == {"accept"}
    assert all(0 <= s["attributes"]["scenariosim.chosen"] < 8 for s in rounds)
    assert {s["attributes"]["scenariosim.candidates"] for s in rounds} == {8}


def _prompt_lines(run_dir: Path) -> set[str]:
    """The last line of every draft prompt ("Post by Person, 33, driver, sad, neutral:")."""
    rows = [json.loads(line) for line in (run_dir / "traces.jsonl").read_text().splitlines()]
    prompts = [r["messages"][0]["content"] for r in rows if r["event"] == "model_call"]
    return {p.strip().splitlines()[-1] for p in prompts}


def test_prompts_stay_out_of_spans_unless_asked(tmp_path: Path) -> None:
    lines = _prompt_lines(traced_run(tmp_path / "run"))
    assert len(lines) > 1 and all(line.endswith(":") for line in lines)
    without = json.dumps(_spans(tmp_path / "a"), ensure_ascii=False)
    assert not [line for line in lines if line in without]
    assert "News:" not in without
    with_text = json.dumps(_spans(tmp_path / "b", with_text=True), ensure_ascii=False)
    assert all(line in with_text for line in lines) and "News:" in with_text


def test_trace_command_writes_the_span_file(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    result = runner.invoke(app, ["trace", str(run_dir), "--otel", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    assert "wrote 25 spans" in result.output
