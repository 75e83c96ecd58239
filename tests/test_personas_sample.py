"""Weighted sampling: convergence to the weighted census, seeds, filters, households."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenariosim.errors import ConfigError
from scenariosim.personas import PersonaFilter, load_census, sample_people, select
from scenariosim.personas.load import Census

REPO = Path(__file__).resolve().parents[1]
REAL_HLD = "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta"


@pytest.fixture(scope="module")
def census() -> Census:
    return load_census()


@pytest.fixture(scope="module")
def real_census(tmp_path_factory: pytest.TempPathFactory) -> Census:
    folder = Path(
        os.environ.get("SCENARIOSIM_WORLDBANK_DIR", REPO.parent / "shared/data/worldbank")
    )
    if not (folder / REAL_HLD).exists():
        pytest.skip("World Bank files absent (set SCENARIOSIM_WORLDBANK_DIR)")
    return load_census(folder, cache_dir=tmp_path_factory.mktemp("cache"))


def _tvd(draws: pd.Series, population: pd.Series, weights: pd.Series) -> float:
    expected = weights.groupby(population.astype(str).to_numpy()).sum()
    expected = expected / expected.sum()
    observed = draws.astype(str).value_counts(normalize=True)
    both = expected.index.union(observed.index)
    return 0.5 * float(
        (expected.reindex(both, fill_value=0) - observed.reindex(both, fill_value=0)).abs().sum()
    )


@pytest.mark.parametrize("column", ["geo1", "sex", "educ_attain", "act_status", "quint_nat"])
def test_5000_weighted_draws_are_within_003_tvd_of_the_weighted_census(census, column) -> None:
    draws = sample_people(census, 5000, seed=1)
    people = census.people
    assert _tvd(draws[column], people[column], people["hhweight"]) < 0.03


def test_age_bands_of_5000_draws_are_within_003_tvd(census) -> None:
    draws = sample_people(census, 5000, seed=2)
    bands = [-1, 14, 24, 34, 49, 64, 200]
    people = census.people
    assert (
        _tvd(pd.cut(draws["age"], bands), pd.cut(people["age"], bands), people["hhweight"]) < 0.03
    )


@pytest.mark.parametrize("column", ["geo1", "urbrur", "sex", "educ_attain", "act_status"])
def test_5000_draws_from_the_real_files_are_within_003_tvd_of_their_weighted_census(
    real_census, column
) -> None:
    draws = sample_people(real_census, 5000, seed=4)
    people = real_census.people
    assert _tvd(draws[column], people[column], people["hhweight"]) < 0.03


def test_draws_follow_hhweight_not_row_counts(census) -> None:
    people = census.people.copy()
    heavy = people["geo1"] == "geo_08"
    people["hhweight"] = np.where(heavy, people["hhweight"] * 20, people["hhweight"])
    weighted = Census(people, census.households, "reweighted")
    share = (sample_people(weighted, 2000, seed=3)["geo1"] == "geo_08").mean()
    expected = people.loc[heavy, "hhweight"].sum() / people["hhweight"].sum()
    assert share == pytest.approx(expected, abs=0.03)
    assert heavy.mean() < 0.1 < share


def test_the_same_seed_gives_the_same_people_in_the_same_order(census) -> None:
    first = sample_people(census, 30, where="age >= 18", seed=7)
    again = sample_people(census, 30, where="age >= 18", seed=7)
    other = sample_people(census, 30, where="age >= 18", seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert set(first["hid"] + first["idno"].astype(str)) != set(
        other["hid"] + other["idno"].astype(str)
    )


def test_no_person_is_drawn_twice(census) -> None:
    rows = sample_people(census, 3000, seed=4)
    assert not rows.duplicated(["hid", "idno"]).any()


def test_an_expression_selects_what_it_says(census) -> None:
    rows = sample_people(
        census, 60, where="age >= 30 and age < 40 and urban == 1 and cell == 1", seed=2
    )
    assert rows["age"].between(30, 39).all()
    assert (rows["urbrur"] == "Urban").all() and (rows["cell"] == 1).all()


def test_labels_can_be_compared_in_an_expression(census) -> None:
    rows = sample_people(census, 40, where="sex == 'Female' and educ_attain == 'Secondary'")
    assert (rows["sex"] == "Female").all() and (rows["educ_attain"] == "Secondary").all()


def test_structured_filters_select_what_they_say(census) -> None:
    filters = PersonaFilter(
        regions=["Karavan Province", "geo_05"],
        urban=False,
        age_min=18,
        age_max=35,
        sex="female",
        education=["primary", "Secondary"],
        activity=["employed"],
        cell=True,
        quintiles=["poor", "average"],
    )
    rows = sample_people(census, 20, filters=filters, seed=5)
    assert set(rows["geo1"]) <= {"geo_04", "geo_05"}
    assert (rows["urban"] == 0).all() and rows["age"].between(18, 35).all()
    assert (rows["sex"] == "Female").all() and (rows["act_status"] == "Employed").all()
    assert set(rows["educ_attain"]) <= {"Primary", "Secondary"} and (rows["cell"] == 1).all()
    assert set(rows["quint_nat"]) <= {"poor", "average"}


def test_filters_given_as_a_dict_work_like_the_model(census) -> None:
    as_dict = sample_people(census, 10, filters={"sex": "male", "age_min": 60}, seed=6)
    as_model = sample_people(census, 10, filters=PersonaFilter(sex="Male", age_min=60), seed=6)
    pd.testing.assert_frame_equal(as_dict, as_model)
    assert (as_dict["age"] >= 60).all()


def test_expression_filters_and_min_age_all_hold(census) -> None:
    rows = sample_people(census, 25, where="cell == 0", filters={"urban": True}, min_age=16, seed=7)
    assert (rows["cell"] == 0).all() and (rows["urban"] == 1).all() and (rows["age"] >= 16).all()


def test_select_returns_every_matching_person(census) -> None:
    chosen = select(census, where="hh_children >= 3", min_age=18)
    people = census.people
    assert len(chosen) == ((people["hh_children"] >= 3) & (people["age"] >= 18)).sum()


def test_whole_households_come_together_in_draw_order(census) -> None:
    rows = sample_people(census, 40, seed=3, households=True)
    assert len(rows) == 40
    order = rows["hid"].drop_duplicates().tolist()
    assert rows["hid"].map(order.index).is_monotonic_increasing
    sizes = census.people.groupby(census.people["hid"].astype(str)).size()
    counts = rows.groupby("hid", sort=False).size()
    assert (counts.iloc[:-1] == sizes.reindex(counts.index[:-1])).all()


def test_whole_households_keep_only_members_the_filter_selects(census) -> None:
    rows = sample_people(census, 30, seed=9, households=True, min_age=16)
    assert (rows["age"] >= 16).all() and rows["hid"].nunique() < 30


def test_household_draws_are_reproducible(census) -> None:
    first = sample_people(census, 25, seed=11, households=True)
    pd.testing.assert_frame_equal(first, sample_people(census, 25, seed=11, households=True))


def test_a_bad_expression_names_it_and_the_columns(census) -> None:
    with pytest.raises(ConfigError, match=r"personas.where 'agee > 3'.*Columns:.*\bage\b"):
        sample_people(census, 5, where="agee > 3")


def test_an_expression_that_is_not_a_condition_is_refused(census) -> None:
    with pytest.raises(ConfigError, match="does not give True/False"):
        sample_people(census, 5, where="age + 1")


def test_asking_for_more_people_than_the_selection_holds_says_how_many(census) -> None:
    with pytest.raises(ConfigError, match=r"asked for 50 personas .* keeps \d+ census people"):
        sample_people(census, 50, where="age > 97")


def test_an_empty_selection_is_an_error_not_an_empty_sample(census) -> None:
    with pytest.raises(ConfigError, match="keeps nobody"):
        select(census, where="age > 150")


def test_unknown_filter_values_name_the_field_and_the_choices(census) -> None:
    with pytest.raises(ConfigError, match=r"education: unknown value 'phd'.*secondary"):
        sample_people(census, 5, filters={"education": ["phd"]})
    with pytest.raises(ConfigError, match=r"regions: unknown region 'Atlantis'.*geo_04"):
        sample_people(census, 5, filters={"regions": ["Atlantis"]})
    with pytest.raises(ConfigError, match="age_min 40 is above age_max 30"):
        sample_people(census, 5, filters={"age_min": 40, "age_max": 30})


def test_asking_for_the_whole_selection_returns_everyone_once(census) -> None:
    pool = select(census, where="age > 90")
    rows = sample_people(census, len(pool), where="age > 90", seed=1)
    assert len(rows) == len(pool) and not rows.duplicated(["hid", "idno"]).any()


def test_a_person_worth_more_than_one_draw_is_always_drawn(census) -> None:
    people = census.people.copy()
    people.loc[0, "hhweight"] = people["hhweight"].sum()
    weighted = Census(people, census.households, "one heavy person")
    for seed in range(5):
        rows = sample_people(weighted, 50, seed=seed)
        assert len(rows) == 50
        assert ((rows["hid"] == str(people.loc[0, "hid"])) & (rows["idno"] == 1)).any()
