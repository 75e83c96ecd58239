"""Strata: oversampled groups get their share of the personas, design weights undo it,
and `personas compare` shows how selections differ from the census."""

import pandas as pd
import pytest
from fake_backends import fake_models
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.errors import ConfigError
from scenariosim.evaluation.personas import persona_figures
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.world import open_world
from scenariosim.personas import (
    Stratum,
    compare_selections,
    load_census,
    representativeness,
    sample_strata,
    tvd_by_variable,
)
from scenariosim.personas.load import Census
from scenariosim.scenario import parse_scenario
from scenariosim.settings import load_settings

YOUNG_URBAN = Stratum(name="young urban", where="age < 30 and urban == 1", share=0.6)


@pytest.fixture(scope="module")
def census() -> Census:
    return load_census()


@pytest.fixture(scope="module")
def drawn(census) -> tuple[pd.DataFrame, list]:
    return sample_strata(census, 3000, [YOUNG_URBAN], seed=5, min_age=16)


def test_each_stratum_gets_its_share_of_the_personas(drawn) -> None:
    rows, figures = drawn
    young = rows[rows["stratum"] == "young urban"]
    assert len(rows) == 3000 and len(young) == 1800
    assert ((young["age"] < 30) & (young["urban"].astype(bool))).all()
    rest = rows[rows["stratum"] == "rest"]
    assert not ((rest["age"] < 30) & (rest["urban"].astype(bool))).any()
    assert [f.name for f in figures] == ["young urban", "rest"]


def test_design_weights_are_census_share_over_persona_share(drawn, census) -> None:
    _, figures = drawn
    people = census.people[census.people["age"] >= 16]
    young = people[(people["age"] < 30) & people["urban"].astype(bool)]
    census_share = young["hhweight"].sum() / people["hhweight"].sum()
    first = figures[0]
    assert first.census_share == pytest.approx(census_share, abs=1e-4)
    assert first.design_weight == pytest.approx(census_share / 0.6, abs=1e-4)
    assert first.design_weight < 1 < figures[1].design_weight


def test_design_weights_undo_the_oversampling_in_the_representativeness_table(
    drawn, census
) -> None:
    rows, _ = drawn
    weighted = tvd_by_variable(representativeness(rows, census, min_age=16))
    unweighted = tvd_by_variable(
        representativeness(rows.drop(columns="design_weight"), census, min_age=16)
    )
    assert unweighted["age_band"] > 0.2, "the raw personas show the oversampling"
    assert weighted["age_band"] < 0.03 and weighted["urban"] < 0.03


def test_the_same_seed_draws_the_same_stratified_people(census, drawn) -> None:
    again, _ = sample_strata(census, 3000, [YOUNG_URBAN], seed=5, min_age=16)
    assert again[["hid", "idno"]].equals(drawn[0][["hid", "idno"]])


def test_shares_above_one_are_refused(census) -> None:
    other = Stratum(name="old", where="age >= 65", share=0.5)
    with pytest.raises(ConfigError, match=r"add up to 1\.10"):
        sample_strata(census, 10, [YOUNG_URBAN, other])


def test_a_stratum_too_small_for_its_share_is_named(census) -> None:
    tiny = Stratum(name="centenarians", where="age >= 99", share=1.0)
    with pytest.raises(ConfigError, match=r"'centenarians' .* needs 500 people"):
        sample_strata(census, 500, [tiny])


def test_a_scenario_cannot_stratify_and_draw_households() -> None:
    text = """
name: strata
personas: {n: 4, households: true, strata: [{name: young, where: "age < 30", share: 0.5}]}
phases: [{id: a, date: 2026-08-15, title: T, event: E}]
"""
    with pytest.raises(ConfigError, match="strata draw people, not households"):
        parse_scenario(text, "strata.yaml")


def test_the_report_figures_list_the_strata_and_their_weights(drawn) -> None:
    rows, _ = drawn
    sample = pd.concat([rows[rows["stratum"] == s].head(3) for s in ("young urban", "rest")])
    personas = [
        {**r, "region": r["geo1"], "education": "primary"} for r in sample.to_dict("records")
    ]
    scenario = {"personas": {"min_age": 16, "strata": [YOUNG_URBAN.model_dump()]}}
    figures = persona_figures(personas, scenario)
    by_name = {s.name: s for s in figures.strata}
    assert by_name["young urban"].where == YOUNG_URBAN.where
    assert by_name["young urban"].personas == 3 and by_name["rest"].where == "everyone else"
    assert by_name["young urban"].design_weight == pytest.approx(
        float(rows.loc[rows["stratum"] == "young urban", "design_weight"].iloc[0]), abs=1e-4
    )


def test_compare_gives_each_selection_its_weighted_shares_and_tvd(census) -> None:
    table = compare_selections(census, ["urban == 1", "age >= 65"], min_age=16)
    urban = table[table["variable"] == "urban"].set_index("category")
    assert urban.loc["urban", "share_1"] == 1.0 and urban.loc["rural", "share_1"] == 0.0
    assert urban.loc["urban", "tvd_1"] == pytest.approx(1 - urban.loc["urban", "census_share"])
    ages = table[table["variable"] == "age_band"].set_index("category")
    assert ages.loc["65+", "share_2"] == 1.0


def test_personas_compare_prints_both_selections_against_the_census() -> None:
    result = CliRunner().invoke(
        app, ["personas", "compare", "--where", "urban == 1", "--where", "cell == 0"]
    )
    assert result.exit_code == 0, result.output
    assert "A %" in result.output and "B %" in result.output
    assert "A: urban == 1: mean TVD vs census" in result.output


def test_personas_compare_with_a_selection_of_nobody_exits_2() -> None:
    result = CliRunner().invoke(app, ["personas", "compare", "--where", "age > 500"])
    assert result.exit_code == 2
    assert "keeps nobody" in result.output and "Traceback" not in result.output


def _persona_rows(personas_yaml: str, tmp_path) -> list[dict]:
    """The personas a one-phase scenario with this `personas:` section samples."""
    scenario = parse_scenario(
        f"""
name: personas
personas:
{personas_yaml}
retrieval: {{references_k: 0}}
phases: [{{id: a, date: 2026-08-15, title: T, event: E}}]
""",
        "personas.yaml",
    )
    with fake_models():
        settings = load_settings(cache_dir=tmp_path, embedding_model="fake")
        world = open_world(resolve_scenario(scenario, settings), settings)
    return world.persona_rows


def test_a_stratified_scenario_gives_its_personas_stratum_and_weight(tmp_path) -> None:
    rows = _persona_rows(
        """  n: 4
  strata: [{name: young urban, where: "age < 30 and urban == 1", share: 0.5}]""",
        tmp_path,
    )
    strata = [row["stratum"] for row in rows]
    assert sorted(strata) == ["rest", "rest", "young urban", "young urban"]
    young = [r for r in rows if r["stratum"] == "young urban"]
    assert all(r["age"] < 30 and r["design_weight"] < 1 for r in young)


def test_structured_filters_in_a_scenario_choose_who_is_sampled(tmp_path) -> None:
    rows = _persona_rows(
        """  n: 5
  filters: {regions: [Karavan Province], urban: false, sex: female, age_min: 20, age_max: 40}""",
        tmp_path,
    )
    assert len(rows) == 5
    assert {(r["region"], r["urban"], r["sex"]) for r in rows} == {("geo_04", False, "Female")}
    assert all(20 <= r["age"] <= 40 for r in rows)
