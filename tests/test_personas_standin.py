"""The shipped stand-in census: reference figures, household structure, reproducibility."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenariosim.personas.schema import HOUSEHOLD_COLUMNS, INDIVIDUAL_COLUMNS
from scenariosim.personas.standin import (
    CALIBRATION_FILE,
    CENSUS_DIR,
    EA_SIZE,
    generate,
    reference_figures,
)

REPO = Path(__file__).resolve().parents[1]
# ../shared/reference/worldbank.md, weighted; percent except hhsize (mean household size)
REFERENCE = {
    "urban": 51.6,
    "hhsize": 4.03,
    "electricity": 82.9,
    "cell": 63.0,
    "tv": 69.6,
    "bank": 57.3,
    "car": 24.7,
    "under_15": 31.0,
    "over_64": 5.9,
    "female": 50.5,
}


def worldbank_dir() -> Path | None:
    folder = Path(
        os.environ.get("SCENARIOSIM_WORLDBANK_DIR", REPO.parent / "shared/data/worldbank")
    )
    return folder if (folder / "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta").exists() else None


@pytest.fixture(scope="module")
def households() -> pd.DataFrame:
    return pd.read_parquet(CENSUS_DIR / "households.parquet")


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return pd.read_parquet(CENSUS_DIR / "individuals.parquet")


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = worldbank_dir()
    if folder is None:
        pytest.skip("World Bank files absent (set SCENARIOSIM_WORLDBANK_DIR)")
    return (
        pd.read_stata(folder / "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta"),
        pd.read_stata(folder / "WLD_2023_SYNTH-SVY-IND-EN_v01_M.dta"),
    )


def test_shipped_sample_has_the_catalog_sizes_and_columns(households, people) -> None:
    assert len(households) == 8000 and households["hid"].is_unique
    assert 30_000 <= len(people) <= 34_000
    assert tuple(households.columns) == HOUSEHOLD_COLUMNS
    assert tuple(people.columns) == INDIVIDUAL_COLUMNS
    assert households["hid"].str.fullmatch(r"[0-9a-f]{11}").all()


def test_shipped_sample_matches_the_reference_figures_within_one_and_a_half_points(
    households, people
) -> None:
    figures = reference_figures(households, people)
    for name, expected in REFERENCE.items():
        tolerance = 0.1 if name == "hhsize" else 1.5
        assert abs(figures[name] - expected) <= tolerance, (name, figures[name], expected)


def test_weights_add_up_to_the_national_population(households, people) -> None:
    assert households["hhweight"].sum() == pytest.approx(2_501_755, rel=1e-6)
    assert people["hhweight"].sum() == pytest.approx(10_074_347, rel=0.02)
    assert np.allclose(households["popweight"], households["hhweight"] * households["hhsize"])


def test_every_household_has_one_adult_head_numbered_first(people) -> None:
    heads = people[people["relation"] == "Head"]
    assert heads["hid"].is_unique and heads["hid"].nunique() == people["hid"].nunique()
    assert heads["age"].min() >= 18
    assert (heads["idno"] == 1).all()
    numbered = people.groupby("hid")["idno"].apply(lambda s: list(s) == list(range(1, len(s) + 1)))
    assert numbered.all()


def test_household_size_is_the_number_of_members(households, people) -> None:
    members = people.groupby("hid").size()
    assert (households.set_index("hid")["hhsize"] == members).all()


def test_spouses_are_of_the_other_sex_with_ages_near_the_head(people) -> None:
    heads = people[people["relation"] == "Head"].set_index("hid")
    spouses = people[people["relation"] == "Spouse/partner"].join(
        heads[["age", "sex"]].add_suffix("_head"), on="hid"
    )
    assert (spouses["sex"] != spouses["sex_head"]).all()
    gap = (spouses["age_head"] - spouses["age"]).abs()
    assert gap.median() <= 6 and (gap <= 30).all()
    assert (spouses["marstat"] == "Married/in union").all()


def test_children_are_at_least_fifteen_years_younger_than_their_parents(people) -> None:
    parents = people[people["relation"].isin(["Head", "Spouse/partner"])]
    youngest = parents.groupby("hid")["age"].min()
    children = people[people["relation"] == "Child"].join(youngest.rename("parent"), on="hid")
    assert (children["parent"] - children["age"] >= 15).all()


def test_school_work_and_marriage_fit_each_age(people) -> None:
    assert people.loc[people["educ_attain"] == "University", "age"].min() >= 19
    assert people.loc[people["educ_attain"] == "Secondary", "age"].min() >= 15
    assert people.loc[people["act_status"] == "Employed", "age"].min() >= 10
    assert people.loc[people["marstat"] != "Single/never married", "age"].min() >= 15
    assert (people.loc[people["age"] < 15, "labor_force"] == "Not in universe").all()
    assert (people.loc[people["age"] < 5, "literacy"] == "Not in universe").all()
    assert (people["yrs_school"].fillna(0) <= (people["age"] - 5).clip(lower=0)).all()
    workers = people[people["act_status"] == "Employed"]
    assert (workers["occupation"] != "Not in universe").all()
    idle = people[people["act_status"] != "Employed"]
    assert (idle["industry"] == "NIU (not in universe)").all()


def test_literate_people_include_everyone_who_finished_primary(people) -> None:
    schooled = people[people["educ_attain"].isin(["Primary", "Secondary", "University"])]
    assert (schooled["literacy"] == "Yes").all()


def test_enumeration_areas_hold_25_households_of_one_district_and_setting(households) -> None:
    eas = households.groupby("ea")
    assert (eas.size() == EA_SIZE).all() and len(eas) == 320
    assert (eas["geo2"].nunique() == 1).all() and (eas["urbrur"].nunique() == 1).all()
    assert (eas["hhweight"].nunique() == 1).all()
    assert (households["geo2"].str[:6] == households["geo1"]).all()


def test_spending_quintiles_follow_per_capita_spending(households) -> None:
    order = ["poorest", "poor", "average", "rich", "richest"]
    rank = households["quint_nat"].map(order.index)
    highest = households.groupby(rank)["pc_exp"].max()
    lowest = households.groupby(rank)["pc_exp"].min()
    assert (highest.to_numpy()[:-1] <= lowest.to_numpy()[1:]).all()
    shares = households.groupby("quint_nat", observed=True)["popweight"].sum()
    assert np.allclose(shares / shares.sum(), 0.2, atol=0.01)
    spending = households[[f"exp_{i:02d}" for i in range(1, 13)]].sum(axis=1)
    assert np.allclose(spending, households["tot_exp"])
    assert np.allclose(
        households["tot_exp"] / households["hhsize"], households["pc_exp"], atol=0.01
    )


def test_the_generator_is_seeded_and_re_runnable() -> None:
    first = generate(n_households=250, seed=11)
    again = generate(n_households=250, seed=11)
    other = generate(n_households=250, seed=12)
    assert first[0].equals(again[0]) and first[1].equals(again[1])
    assert not first[0]["hid"].equals(other[0]["hid"])


def test_the_shipped_files_are_exactly_what_the_generator_writes(households, people) -> None:
    generated_households, generated_people = generate()
    pd.testing.assert_frame_equal(generated_households, households)
    pd.testing.assert_frame_equal(generated_people, people)


def test_shipped_files_stay_small() -> None:
    size = sum(p.stat().st_size for p in CENSUS_DIR.glob("*.parquet"))
    assert size < 3_000_000


def test_calibration_holds_shares_and_no_household_ids() -> None:
    text = CALIBRATION_FILE.read_text(encoding="utf-8")
    assert not re.search(r"\b[0-9a-f]{11}\b", text)
    tables = json.loads(text)
    for cell in tables["educ_attain"].values():
        assert sum(cell.values()) == pytest.approx(1.0, abs=0.01)


def test_real_files_give_the_reference_figures(real) -> None:
    figures = reference_figures(*real)
    for name, expected in REFERENCE.items():
        assert figures[name] == pytest.approx(expected, abs=0.06 if name != "hhsize" else 0.006)


def _weighted_tvd(a: pd.DataFrame, b: pd.DataFrame, column: str) -> float:
    shares = [
        f.groupby(f[column].astype(str))["hhweight"].sum() / f["hhweight"].sum() for f in (a, b)
    ]
    both = shares[0].index.union(shares[1].index)
    return 0.5 * float(
        (shares[0].reindex(both, fill_value=0) - shares[1].reindex(both, fill_value=0)).abs().sum()
    )


@pytest.mark.parametrize(
    "column",
    ["relation", "sex", "marstat", "religion", "school_attend", "educ_attain", "literacy",
     "act_status", "labor_force", "occupation", "industry", "migrate_recent", "disability"],
)  # fmt: skip
def test_person_marginals_are_within_three_points_of_the_real_sample(real, people, column) -> None:
    assert _weighted_tvd(real[1], people, column) < 0.03


@pytest.mark.parametrize(
    "column",
    ["geo1", "urbrur", "statocc", "floor", "walls", "roof", "water", "piped_water", "toilet",
     "electricity", "cook_fuel", "phone", "cell", "car", "refrigerator", "tv", "radio", "bank",
     "quint_nat", "hhsize", "rooms"],
)  # fmt: skip
def test_household_marginals_are_within_three_points_of_the_real_sample(
    real, households, column
) -> None:
    assert _weighted_tvd(real[0], households, column) < 0.03


def test_age_by_sex_and_activity_by_age_follow_the_real_sample(real, people) -> None:
    def table(frame: pd.DataFrame) -> pd.Series:
        band = pd.cut(frame["age"], [-1, 14, 24, 34, 49, 64, 200]).astype(str)
        key = band + "|" + frame["sex"].astype(str) + "|" + frame["act_status"].astype(str)
        return frame.groupby(key)["hhweight"].sum() / frame["hhweight"].sum()

    mine, theirs = table(people), table(real[1])
    both = mine.index.union(theirs.index)
    tvd = 0.5 * (mine.reindex(both, fill_value=0) - theirs.reindex(both, fill_value=0)).abs().sum()
    assert tvd < 0.05
