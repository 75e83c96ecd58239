import pytest
from typer.testing import CliRunner

from scenariosim.cli import app

runner = CliRunner()


def test_help_lists_the_models_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "models" in result.output


def test_unknown_model_spec_exits_2_with_one_message_and_no_traceback() -> None:
    result = runner.invoke(app, ["models", "check", "--model", "gpt9:x"])
    assert result.exit_code == 2
    assert "unknown chat model spec 'gpt9:x'" in result.output
    assert "Traceback" not in result.output


def test_gemini_without_key_exits_2_naming_the_variable() -> None:
    result = runner.invoke(app, ["models", "check", "--model", "gemini:gemini-2.5-flash"])
    assert result.exit_code == 2
    assert "GOOGLE_API_KEY" in result.output


def test_verbose_flag_adds_the_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    result = runner.invoke(app, ["-v", "models", "check", "--model", "gpt9:x"])
    assert result.exit_code == 2
    assert "Traceback" in result.output + capfd.readouterr().err


@pytest.mark.slow
def test_models_check_runs_a_structured_call_on_the_local_model() -> None:
    result = runner.invoke(app, ["models", "check"])
    assert result.exit_code == 0, result.output
    assert "local" in result.output
    assert "tokens/s" in result.output
    assert "384 dimensions" in result.output
