"""Property tests of the scenario parser: any text gives a Scenario or one ConfigError, and a
valid scenario survives a trip through YAML unchanged."""

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariosim.errors import ConfigError
from scenariosim.scenario import SEED_MAX, Phase, Scenario, parse_scenario
from scenariosim.yaml_io import dump_yaml

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,15}", fullmatch=True)
words = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and s
)
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    ids = draw(st.lists(slugs, min_size=1, max_size=4, unique=True))
    phases = [
        Phase(
            id=phase_id,
            date=draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))),
            title=draw(words),
            event=draw(words),
            posts=draw(st.integers(0, 10_000)),
            comments=draw(st.integers(0, 10_000)),
            images=draw(st.integers(0, 10_000)),
        )
        for phase_id in ids
    ]
    return Scenario(
        name=draw(words),
        seed=draw(st.integers(0, SEED_MAX)),
        concurrency=draw(st.integers(1, 256)),
        personas={"n": draw(st.integers(1, 10_000)), "min_age": draw(st.integers(0, 100))},
        critic={"threshold": draw(st.floats(1, 5)), "max_revisions": draw(st.integers(0, 5))},
        phases=phases,
    )


def _parse(text: str) -> Scenario | None:
    try:
        return parse_scenario(text, source="fuzz.yaml")
    except ConfigError as e:
        assert str(e).startswith("fuzz.yaml"), str(e)
        return None


@FAST
@given(st.text(max_size=300))
def test_any_text_gives_a_scenario_or_one_config_error(text: str) -> None:
    _parse(text)


@FAST
@given(yaml_values)
def test_any_yaml_document_gives_a_scenario_or_one_config_error(value: object) -> None:
    _parse(yaml.safe_dump(value))


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["name", "seed", "phases", "personas", "models", "world"]), yaml_values
    )
)
def test_scenario_shaped_documents_give_a_scenario_or_one_config_error(value: dict) -> None:
    _parse(yaml.safe_dump(value))


@FAST
@given(scenarios())
def test_a_scenario_survives_a_trip_through_yaml(scenario: Scenario) -> None:
    text = dump_yaml(scenario.model_dump(mode="json"))
    assert parse_scenario(text) == scenario


@FAST
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=4))
def test_yaml_the_project_writes_reads_back_the_same(data: dict[str, str]) -> None:
    assert yaml.safe_load(dump_yaml(data)) == data


def test_a_line_break_pyyaml_writes_raw_is_escaped() -> None:
    assert yaml.safe_load(dump_yaml({"name": "a\x85b"})) == {"name": "a\x85b"}
