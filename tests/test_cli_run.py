from pathlib import Path

from typer.testing import CliRunner

from scenariosim.cli import app

runner = CliRunner()


def test_missing_scenario_file_exits_2_naming_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "scenario file not found" in result.output
    assert "Traceback" not in result.output


def test_scenario_with_unknown_key_exits_2_naming_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nseeed: 3\nphases:\n  - {id: a, date: 2026-08-01, title: t, event: e}\n"
    )
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "seeed" in result.output


def test_resume_of_an_unknown_run_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--resume", "no-such-run", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no run 'no-such-run'" in result.output


def test_scenario_and_resume_together_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "scenarios/demo.yaml", "--resume", "x"])
    assert result.exit_code == 2
    assert "not both" in result.output
