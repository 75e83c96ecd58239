from pathlib import Path

import pytest

from scenariosim.errors import ConfigError
from scenariosim.scenario import Phase, Scenario, load_scenario, parse_scenario

REPO = Path(__file__).resolve().parents[1]

MINIMAL = """\
name: Test
phases:
  - id: one
    date: 2026-08-15
    title: Prices rise
    event: Diesel rose.
"""


def test_every_shipped_scenario_loads() -> None:
    files = sorted((REPO / "scenarios").glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        assert load_scenario(path).phases


def test_minimal_scenario_gets_defaults() -> None:
    scenario = parse_scenario(MINIMAL)
    assert scenario.seed == 0
    assert scenario.models.agent == "local"
    assert scenario.phases[0].retrieval_query == "Diesel rose."


def test_unknown_key_is_named_with_its_line() -> None:
    text = MINIMAL.replace("    title:", "    titel: x\n    title:")
    with pytest.raises(ConfigError, match=r"line 5: unknown key 'phases\.0\.titel'"):
        parse_scenario(text)


def test_bad_value_is_named_with_its_line() -> None:
    text = MINIMAL + "    posts: -3\n"
    with pytest.raises(
        ConfigError, match=r"line 7: 'phases\.0\.posts'.*greater than or equal to 0"
    ):
        parse_scenario(text)


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        parse_scenario("name: [unclosed\nphases: []\n")


def test_empty_phase_list_is_an_error() -> None:
    with pytest.raises(ConfigError, match="phases"):
        parse_scenario("name: Test\nphases: []\n")


def test_duplicate_phase_ids_are_an_error() -> None:
    text = MINIMAL + MINIMAL.split("phases:\n")[1]
    with pytest.raises(ConfigError, match="used twice"):
        parse_scenario(text)


def test_missing_file_says_where_examples_are(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scenarios/"):
        load_scenario(tmp_path / "nope.yaml")


def test_relative_paths_are_taken_from_the_scenario_folder(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL + "world:\n  corpus: my-news\n")
    assert load_scenario(path).world.corpus == tmp_path / "my-news"


def test_the_same_scenario_can_be_built_in_python() -> None:
    built = Scenario(
        name="Test",
        phases=[Phase(id="one", date="2026-08-15", title="Prices rise", event="Diesel rose.")],
    )
    assert built == parse_scenario(MINIMAL)


def test_scenario_reference_in_docs_matches_the_model() -> None:
    from scenariosim.scenario import reference_markdown

    shipped = (REPO / "docs" / "scenario.md").read_text(encoding="utf-8")
    assert shipped.strip() == reference_markdown().strip(), "run `make docs`"


TINY_BUDGET = """\
name: Tiny budget
models:
  max_tokens: 16
phases:
  - id: hike
    date: 2026-08-15
    title: Diesel prices rise
    event: Diesel rose.
"""


def test_a_budget_too_small_for_one_post_is_refused_naming_the_smallest_that_fits() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_scenario(TINY_BUDGET, "tiny.yaml")
    message = str(caught.value)
    assert "tiny.yaml" in message and "line 3" in message and "max_tokens" in message
    assert "at least 96" in message


def _phase(title: str, event: str, **extra: object) -> Phase:
    return Phase(id="p", date="2026-08-15", title=title, event=event, **extra)


def test_a_protest_is_under_way_from_the_first_phase_that_names_a_protest_action() -> None:
    from scenariosim.scenario import protest_underway

    phases = [
        _phase("Diesel prices rise", "Diesel rose from 0.90 to 1.30 ADH."),
        _phase("Truckers block the junction", "Drivers parked their lorries."),
        _phase("A rebate for carriers", "The government announced a rebate."),
    ]
    assert [protest_underway(phases, i) for i in range(3)] == [False, True, True]


def test_a_phase_can_say_whether_a_protest_is_under_way() -> None:
    from scenariosim.scenario import protest_underway

    phases = [
        _phase("Diesel prices rise", "Diesel rose.", protest_underway=True),
        _phase("Drivers strike", "Drivers stopped work.", protest_underway=False),
    ]
    assert [protest_underway(phases, i) for i in range(2)] == [True, False]


def test_a_protest_a_phase_says_has_begun_goes_on_in_the_phases_after_it() -> None:
    from scenariosim.scenario import protest_underway

    phases = [
        _phase("Prices rise", "Diesel rose."),
        _phase("Drivers meet", "Drivers met the minister.", protest_underway=True),
        _phase("A rebate", "The government announced a rebate."),
    ]
    assert [protest_underway(phases, i) for i in range(3)] == [False, True, True]


def test_the_month_of_march_is_not_a_protest_action() -> None:
    from scenariosim.text_rules import names_protest_action

    assert not names_protest_action("In March the price of bread rose.")
    assert names_protest_action("Several hundred people marched to the ministry.")


def test_slogans_are_set_in_capitals_and_a_phase_may_give_its_own() -> None:
    text = MINIMAL.replace("phases:", "slogans: [fair prices  now]\nphases:")
    text += "    slogans: [Free the drivers]\n"
    scenario = parse_scenario(text)
    assert scenario.slogans == ["FAIR PRICES NOW"]
    assert scenario.phases[0].slogans == ["FREE THE DRIVERS"]


def test_a_slogan_the_renderer_cannot_draw_is_named_with_its_line() -> None:
    text = MINIMAL + "    slogans: [Gülbahar now]\n"
    with pytest.raises(ConfigError, match=r"line 7: 'phases\.0\.slogans\.0'.*ASCII"):
        parse_scenario(text)


def test_a_slogan_is_measured_as_it_will_be_painted() -> None:
    # "ß" is "SS" in capitals: 24 of them are 48 characters painted.
    assert parse_scenario(MINIMAL + "    slogans: [" + "s" * 48 + "]\n").phases[0].slogans
    with pytest.raises(ConfigError, match="at most 48 characters"):
        parse_scenario(MINIMAL + "    slogans: [" + "ß" * 25 + "]\n")


def test_a_slogan_too_long_for_a_sign_is_named_with_its_line() -> None:
    text = MINIMAL + "    slogans:\n      - " + "no more " * 6 + "\n"
    with pytest.raises(ConfigError, match=r"line 8: 'phases\.0\.slogans\.0'.*1 to 8 words"):
        parse_scenario(text)
