from pathlib import Path

from fake_run import fake_run, fake_scenario
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.outputs.trace_summary import summarise

runner = CliRunner()


def test_summary_counts_calls_per_node_and_step(tmp_path: Path) -> None:
    fake_run(tmp_path, fake_scenario())
    summary = summarise(tmp_path)
    figures = {(n.node, n.step): n for n in summary.nodes}
    # one draft call per task; the fake critic's rubric is not trusted, so no critique calls
    assert set(figures) == {
        (n, "draft") for n in ("write_post", "write_comment", "write_image_prompt")
    }
    assert figures[("write_post", "draft")].calls == 4
    assert figures[("write_comment", "draft")].calls == 6
    # 8 candidates per call: 8 chat requests of 100 input tokens each
    assert figures[("write_post", "draft")].requests == 4 * 8
    assert figures[("write_post", "draft")].input_tokens == 4 * 8 * 100
    assert summary.model_calls == 12 and summary.requests == 12 * 8
    assert summary.phases == ["phase-0", "phase-1"]
    assert summary.outcomes == {"accepted": 12}
    assert summary.wall_time_s > 0


def test_trace_command_prints_the_table(tmp_path: Path) -> None:
    fake_run(tmp_path, fake_scenario())
    result = runner.invoke(app, ["trace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "write_comment" in result.output and "12 model calls (96 requests)" in result.output


def test_trace_of_a_missing_run_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trace", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no traces.jsonl" in result.output
