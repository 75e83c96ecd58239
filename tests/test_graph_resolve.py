"""The one resolution step: a scenario is resolved once into what the run will use, the
record in scenario.resolved.yaml says where the image spec came from, and reading the
record back gives the same decisions whatever the settings are then."""

import pytest

from scenariosim.errors import ConfigError
from scenariosim.graph.resolve import (
    IMAGE_ENV,
    RunInputs,
    from_record,
    recorded_image_spec,
    resolve_scenario,
)
from scenariosim.scenario import CriticConfig, ModelsConfig, Phase, Scenario
from scenariosim.settings import load_settings

PHASE = Phase(id="a", date="2026-08-15", title="T", event="E")


def _scenario(**models: object) -> Scenario:
    return Scenario(name="resolve", seed=5, models=ModelsConfig(**models), phases=[PHASE])


def test_budgets_are_decided_per_backend_once() -> None:
    resolved = resolve_scenario(_scenario(critic="gemini:gemini-2.5-flash"), load_settings())
    assert resolved.agent.max_tokens == 320
    assert resolved.critic_model.max_tokens == 2048
    assert str(resolved.critic_model.spec) == "gemini:gemini-2.5-flash"
    assert resolved.seed == 5


def test_an_unknown_backend_fails_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"models.critic: unknown chat model spec 'gpt9:x'"):
        resolve_scenario(_scenario(critic="gpt9:x"), load_settings())
    with pytest.raises(ConfigError, match=r"models.images: unknown image model spec 'nope'"):
        resolve_scenario(_scenario(images="nope"), load_settings())


def test_the_image_spec_and_its_source_are_recorded() -> None:
    resolved = resolve_scenario(_scenario(), load_settings())
    record = resolved.record()
    assert record["image_model"] == "local"
    assert record["image_model_source"] == "the image_model setting's default"


def test_an_environment_variable_that_replaces_the_scenarios_images_says_so(
    monkeypatch,
) -> None:
    monkeypatch.setenv(IMAGE_ENV, "gemini:gemini-2.5-flash-image")
    record = resolve_scenario(_scenario(images="local"), load_settings()).record()
    assert record["image_model"] == "gemini:gemini-2.5-flash-image"
    assert IMAGE_ENV in record["image_model_source"]
    assert "replacing the scenario's models.images: local" in record["image_model_source"]


def test_a_scenario_naming_its_image_model_keeps_it_and_says_the_variable_was_not_used(
    monkeypatch,
) -> None:
    monkeypatch.setenv(IMAGE_ENV, "local")
    record = resolve_scenario(
        _scenario(images="gemini:gemini-2.5-flash-image"), load_settings()
    ).record()
    assert record["image_model"] == "gemini:gemini-2.5-flash-image"
    assert f"{IMAGE_ENV}=local not used" in record["image_model_source"]


def test_a_record_read_back_is_the_decision_made_at_the_start(monkeypatch) -> None:
    scenario = _scenario(critic="gemini:gemini-2.5-flash").model_copy(
        update={"critic": CriticConfig(rubric="always", candidates=3)}
    )
    first = resolve_scenario(scenario, load_settings()).with_inputs(
        RunInputs(
            corpus_fingerprint="c",
            references_fingerprint="r",
            embedding_model="m",
            persona_ids=("p1", "p2"),
        )
    )
    monkeypatch.setenv(IMAGE_ENV, "gemini:other-image-model")
    again = from_record(scenario, first.record(), load_settings())
    assert again == first
    assert again.critic.use_rubric and again.critic.candidates == 3
    assert str(recorded_image_spec({"resolved": first.record()}, load_settings())) == "local"


def test_a_fork_keeps_the_sources_settings_and_takes_the_changed_scenario() -> None:
    source = resolve_scenario(_scenario(), load_settings(image_model="gemini:img"))
    changed = _scenario(agent="gemini:gemini-2.5-flash")
    fork = resolve_scenario(changed, load_settings(), previous=source)
    assert str(fork.images.spec) == "gemini:img"
    assert fork.agent.max_tokens == 2048


def test_candidates_default_to_eight_locally_and_three_on_a_backend_billed_per_request() -> None:
    local = resolve_scenario(_scenario(), load_settings())
    gemini = resolve_scenario(_scenario(agent="gemini:gemini-2.5-flash"), load_settings())
    assert (local.critic.candidates, gemini.critic.candidates) == (8, 3)
    chosen = _scenario(agent="gemini:gemini-2.5-flash").model_copy(
        update={"critic": CriticConfig(candidates=5)}
    )
    assert resolve_scenario(chosen, load_settings()).critic.candidates == 5
