"""Census loading, the shipped stand-in sample, weighted sampling and enrichment."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenariosim.errors import ConfigError, InputFileError
from scenariosim.personas.enrich import enrich
from scenariosim.personas.load import load_census
from scenariosim.personas.sample import sample_people
from scenariosim.personas.standin import CENSUS_DIR

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "worldbank"
REFERENCE = {  # ../shared/reference/worldbank.md, weighted, in percent (hhsize: mean)
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


@pytest.fixture(scope="module")
def census():
    return load_census()


def _figures(households: pd.DataFrame, people: pd.DataFrame) -> dict[str, float]:
    hw, pw = households["hhweight"], people["hhweight"]
    urban = people.merge(households[["hid", "urbrur"]], on="hid")["urbrur"].astype(str) == "Urban"
    figures = {
        "urban": 100 * (urban * pw.to_numpy()).sum() / pw.sum(),
        "hhsize": (households["hhsize"] * hw).sum() / hw.sum(),
        "under_15": 100 * ((people["age"] < 15) * pw).sum() / pw.sum(),
        "over_64": 100 * ((people["age"] >= 65) * pw).sum() / pw.sum(),
        "female": 100 * ((people["sex"].astype(str) == "Female") * pw).sum() / pw.sum(),
    }
    for asset in ("electricity", "cell", "tv", "bank", "car"):
        figures[asset] = 100 * ((households[asset].astype(str) == "Yes") * hw).sum() / hw.sum()
    return figures


def test_shipped_sample_marginals_match_the_reference_within_one_and_a_half_points() -> None:
    households = pd.read_parquet(CENSUS_DIR / "households.parquet")
    people = pd.read_parquet(CENSUS_DIR / "individuals.parquet")
    assert len(households) == 8000
    assert 30_000 <= len(people) <= 34_000
    figures = _figures(households, people)
    for name, expected in REFERENCE.items():
        tolerance = 0.1 if name == "hhsize" else 1.5
        assert abs(figures[name] - expected) <= tolerance, (name, figures[name], expected)


def test_shipped_households_have_a_plausible_structure() -> None:
    people = pd.read_parquet(CENSUS_DIR / "individuals.parquet")
    heads = people[people["relation"] == "Head"].set_index("hid")
    assert heads["age"].min() >= 18
    assert people.groupby("hid")["relation"].apply(lambda r: (r == "Head").sum()).eq(1).all()
    spouses = people[people["relation"] == "Spouse/partner"].merge(
        heads["age"].rename("age_head"), left_on="hid", right_index=True
    )
    assert (spouses["age"] - spouses["age_head"]).abs().median() <= 6
    parents = (
        people[people["relation"].isin(["Head", "Spouse/partner"])].groupby("hid")["age"].min()
    )
    children = people[people["relation"] == "Child"].join(parents.rename("parent"), on="hid")
    assert (children["parent"] - children["age"] >= 15).mean() > 0.99
    workers = people[people["act_status"] == "Employed"]
    assert workers["age"].min() >= 5 and (workers["age"] < 15).mean() < 0.05
    assert (people[people["age"] < 5]["occupation"] == "Not in universe").all()


def test_weighted_sampling_converges_to_the_weighted_marginals(census) -> None:
    draws = sample_people(census, 5000, seed=1)
    weights = census.people.groupby("geo1")["hhweight"].sum()
    expected = weights / weights.sum()
    observed = draws["geo1"].value_counts(normalize=True).reindex(expected.index, fill_value=0)
    assert 0.5 * np.abs(expected - observed).sum() < 0.03


def test_same_seed_gives_the_same_people(census) -> None:
    first = sample_people(census, 20, where="age >= 18", seed=7)
    again = sample_people(census, 20, where="age >= 18", seed=7)
    other = sample_people(census, 20, where="age >= 18", seed=8)
    assert first[["hid", "idno"]].equals(again[["hid", "idno"]])
    assert not first[["hid", "idno"]].equals(other[["hid", "idno"]])


def test_filters_select_what_they_say(census) -> None:
    rows = sample_people(
        census, 50, where="age >= 30 and age < 40 and urban == 1 and cell == 1", seed=2
    )
    assert rows["age"].between(30, 39).all()
    assert (rows["urbrur"] == "Urban").all() and (rows["cell"] == 1).all()


def test_whole_households_can_be_sampled(census) -> None:
    rows = sample_people(census, 12, seed=3, households=True)
    sizes = census.people.groupby("hid").size()
    complete = rows.groupby("hid").size() == sizes.reindex(rows["hid"].unique())
    assert complete.iloc[:-1].all()  # every household but possibly the last is whole


def test_a_bad_filter_names_the_expression_and_the_columns(census) -> None:
    with pytest.raises(ConfigError, match=r"personas.where 'agee > 3'.*Columns:.*age"):
        sample_people(census, 5, where="agee > 3")


def test_enrichment_is_reproducible_and_ids_point_back_to_the_census(census) -> None:
    rows = sample_people(census, 5, seed=4).to_dict("records")
    provinces = {"geo_01": "Baku Capital District"}
    first, again = enrich(rows, 9, provinces), enrich(rows, 9, provinces)
    assert first == again
    for persona, row in zip(first, rows, strict=True):
        assert persona.id == f"{row['hid']}-{int(row['idno']):02d}"
        assert persona.age == row["age"] and persona.name.count(" ") == 1
        assert persona.name.split()[0] in persona.describe()


def test_missing_column_is_named_with_its_file(tmp_path: Path) -> None:
    households = pd.read_parquet(CENSUS_DIR / "households.parquet").drop(columns=["cell"])
    households.to_csv(tmp_path / "households.csv", index=False)
    pd.read_parquet(CENSUS_DIR / "individuals.parquet").to_csv(
        tmp_path / "individuals.csv", index=False
    )
    with pytest.raises(InputFileError, match=r"households.csv: missing column 'cell'"):
        load_census(tmp_path)


def test_truncated_stata_file_is_a_clear_error(tmp_path: Path) -> None:
    if not REAL.exists():
        pytest.skip("the World Bank files are not beside the repository")
    data = (REAL / "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta").read_bytes()
    (tmp_path / "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta").write_bytes(data[: len(data) // 3])
    (tmp_path / "WLD_2023_SYNTH-SVY-IND-EN_v01_M.dta").write_bytes(
        (REAL / "WLD_2023_SYNTH-SVY-IND-EN_v01_M.dta").read_bytes()
    )
    with pytest.raises(InputFileError, match="HLD"):
        load_census(tmp_path)


def test_real_catalog_files_load_unchanged() -> None:
    if not REAL.exists():
        pytest.skip("the World Bank files are not beside the repository")
    census = load_census(REAL)
    assert len(census.people) == 32_396
    assert abs(census.people["hhweight"].sum() - 10_074_347) < 5
