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
    assert len(tasks) == 12 and len(spans) == 1 + 12 + 24
    assert len({s["context"]["trace_id"] for s in spans}) == 1


def test_call_spans_carry_tokens_and_verdicts(tmp_path: Path) -> None:
    spans = _spans(tmp_path)
    calls = [s for s in spans if "gen_ai.usage.input_tokens" in s["attributes"]]
    assert sum(s["attributes"]["gen_ai.usage.input_tokens"] for s in calls) == 2400
    critiques = [s for s in calls if s["name"].startswith("critique")]
    assert {s["attributes"]["scenariosim.verdict"] for s in critiques} == {"accept"}


def test_prompts_stay_out_of_spans_unless_asked(tmp_path: Path) -> None:
    assert "<persona>" not in json.dumps(_spans(tmp_path / "a"))
    assert "<persona>" in json.dumps(_spans(tmp_path / "b", with_text=True))


def test_trace_command_writes_the_span_file(tmp_path: Path) -> None:
    run_dir = traced_run(tmp_path / "run")
    result = runner.invoke(app, ["trace", str(run_dir), "--otel", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    assert "wrote 37 spans" in result.output
