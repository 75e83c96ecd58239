import pytest
from langchain_core.rate_limiters import InMemoryRateLimiter

from scenariosim.errors import ConfigError, ModelError, NeedsKeyError
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.run import make_agent_model
from scenariosim.models import ChatOptions, make_chat_model, parse_spec
from scenariosim.models.registry import backends_for, default_max_tokens
from scenariosim.scenario import ModelsConfig, Phase, Scenario
from scenariosim.settings import load_settings


def test_spec_splits_backend_and_model_name() -> None:
    spec = parse_spec("gemini:gemini-2.5-flash")
    assert (spec.backend, spec.name) == ("gemini", "gemini-2.5-flash")
    assert str(parse_spec("local")) == "local"


def test_unknown_backend_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown chat model spec 'gpt9:x'.*gemini.*local"):
        make_chat_model("gpt9:x")


def test_gemini_without_key_says_which_variable_to_set() -> None:
    with pytest.raises(NeedsKeyError, match="GOOGLE_API_KEY"):
        make_chat_model("gemini:gemini-2.5-flash")


def test_gemini_with_key_gets_a_rate_limiter_and_the_key_stays_secret() -> None:
    settings = load_settings(google_api_key="fake-key-123", gemini_requests_per_second=2.0)
    model = make_chat_model("gemini:gemini-2.5-flash", settings, ChatOptions(seed=3))
    assert isinstance(model.rate_limiter, InMemoryRateLimiter)
    assert model.rate_limiter.requests_per_second == 2.0
    assert model.model.endswith("gemini-2.5-flash")
    assert "fake-key-123" not in repr(model)


def test_gemini_spec_must_name_a_model() -> None:
    settings = load_settings(google_api_key="fake-key-123")
    with pytest.raises(ConfigError, match="names its model"):
        make_chat_model("gemini", settings)


def test_ollama_points_at_its_openai_compatible_endpoint() -> None:
    settings = load_settings(ollama_base_url="http://127.0.0.1:9999/v1")
    model = make_chat_model("ollama:llama3.2", settings)
    assert model.openai_api_base == "http://127.0.0.1:9999/v1"
    assert model.model_name == "llama3.2"


def test_missing_gguf_file_is_a_model_error(tmp_path) -> None:
    with pytest.raises(ModelError, match="GGUF file not found"):
        make_chat_model(f"local:{tmp_path / 'missing.gguf'}")


def _scenario(max_tokens: int | None, agent: str = "local") -> Scenario:
    phase = Phase(id="a", date="2026-08-15", title="T", event="E")
    models = ModelsConfig(max_tokens=max_tokens, agent=agent)
    return Scenario(name="budget", models=models, phases=[phase])


def _agent(max_tokens: int | None, settings):
    resolved = resolve_scenario(_scenario(max_tokens, "gemini:gemini-2.5-flash"), settings)
    return make_agent_model(resolved.agent, resolved, settings, None)


def test_an_unset_budget_leaves_gemini_room_to_think_and_keeps_local_calls_short() -> None:
    settings = load_settings(google_api_key="fake-key-123")
    gemini = _agent(None, settings)
    assert gemini.chat.max_output_tokens == 2048
    assert default_max_tokens("local") == 320
    assert default_max_tokens("ollama:qwen2.5:7b") == 320


def test_a_budget_the_scenario_sets_is_used_on_every_backend() -> None:
    settings = load_settings(google_api_key="fake-key-123")
    gemini = _agent(600, settings)
    assert gemini.chat.max_output_tokens == 600


def test_backends_are_a_value_a_copy_with_another_backend_leaves_alone() -> None:
    builtin = backends_for(load_settings())
    added = builtin.with_backend("chat", "extra", lambda spec, settings, options: None)
    assert "extra" in added.chat and "extra" not in builtin.chat
    assert {"local", "gemini", "ollama", "openai"} <= set(builtin.chat)
    assert {"local", "gemini"} <= set(builtin.image) and "local" in builtin.embedding


def test_the_backend_modules_setting_adds_the_backends_a_module_marks() -> None:
    settings = load_settings(backend_modules=["fake_backends"])
    assert "fake" in backends_for(settings).chat and "fake" not in backends_for().chat
    with pytest.raises(ConfigError, match="backend module 'no_such_module'"):
        backends_for(load_settings(backend_modules=["no_such_module"]))


def test_the_builtin_table_names_the_module_that_marks_each_backend() -> None:
    from importlib import import_module
    from pathlib import Path

    import scenariosim.models as models_package
    from scenariosim.models.registry import BUILTIN_BACKENDS, marked

    table = {
        (kind, prefix, module)
        for kind, prefixes in BUILTIN_BACKENDS.items()
        for prefix, module in prefixes.items()
    }
    marks = set()
    for path in Path(models_package.__file__).parent.glob("*.py"):
        module = f"scenariosim.models.{path.stem}"
        marks |= {(kind, prefix, module) for kind, prefix, _ in marked(import_module(module))}
    assert table == marks


def test_knowing_the_backends_imports_no_backend_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from scenariosim.models.registry import backends_for, check_spec; "
        "check_spec('chat', 'gemini:x', 'k', backends_for()); "
        "print(sorted(m for m in sys.modules if m.startswith('scenariosim.models.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "chat_gemini" not in out.stdout and "chat_local" not in out.stdout
