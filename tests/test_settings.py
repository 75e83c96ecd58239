from pathlib import Path

import pytest

from scenariosim.errors import ConfigError
from scenariosim.settings import load_settings


def test_defaults_use_the_local_models() -> None:
    settings = load_settings()
    assert settings.agent_model == "local"
    assert settings.critic_model == "local"
    assert settings.embedding_model == "local"


def test_toml_file_overrides_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenariosim.toml").write_text('agent_model = "ollama:llama3.2"\nconcurrency = 8\n')
    settings = load_settings()
    assert settings.agent_model == "ollama:llama3.2"
    assert settings.concurrency == 8


def test_env_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenariosim.toml").write_text("concurrency = 8\n")
    monkeypatch.setenv("SCENARIOSIM_CONCURRENCY", "3")
    assert load_settings().concurrency == 3


def test_arguments_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIOSIM_CONCURRENCY", "3")
    assert load_settings(concurrency=5).concurrency == 5


def test_gemini_key_is_read_from_either_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "key-from-gemini-var")
    key = load_settings().google_api_key
    assert key is not None and key.get_secret_value() == "key-from-gemini-var"


def test_api_key_never_appears_in_repr_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "sk-very-secret-value")
    settings = load_settings()
    assert "sk-very-secret-value" not in repr(settings)
    assert "sk-very-secret-value" not in settings.model_dump_json()


def test_bad_value_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIOSIM_CONCURRENCY", "zero")
    with pytest.raises(ConfigError, match="concurrency"):
        load_settings()


def test_unknown_toml_key_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenariosim.toml").write_text('agnet_model = "local"\n')
    with pytest.raises(ConfigError, match="agnet_model"):
        load_settings()


def test_malformed_toml_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenariosim.toml").write_text("concurrency = = 3\n")
    with pytest.raises(ConfigError, match=r"scenariosim\.toml"):
        load_settings()
