"""Loading census files: formats, the Parquet cache, schema validation and its messages."""

import os
from pathlib import Path

import pandas as pd
import pytest

from scenariosim.errors import InputFileError
from scenariosim.personas import load
from scenariosim.personas.load import census_files, load_census
from scenariosim.personas.schema import (
    CODEBOOK,
    PERSONA_HOUSEHOLD_COLUMNS,
    PERSONA_INDIVIDUAL_COLUMNS,
)
from scenariosim.personas.standin import CENSUS_DIR

REPO = Path(__file__).resolve().parents[1]
HLD = "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta"
IND = "WLD_2023_SYNTH-SVY-IND-EN_v01_M.dta"


def worldbank_dir() -> Path:
    folder = Path(
        os.environ.get("SCENARIOSIM_WORLDBANK_DIR", REPO.parent / "shared/data/worldbank")
    )
    if not (folder / HLD).exists():
        pytest.skip("World Bank files absent (set SCENARIOSIM_WORLDBANK_DIR)")
    return folder


@pytest.fixture(scope="module")
def shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_parquet(CENSUS_DIR / "households.parquet"),
        pd.read_parquet(CENSUS_DIR / "individuals.parquet"),
    )


def _write_csv(folder: Path, households: pd.DataFrame, people: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    households.to_csv(folder / "households.csv", index=False)
    people.to_csv(folder / "individuals.csv", index=False)
    return folder


def test_the_shipped_sample_loads_with_one_row_per_person_and_household_columns() -> None:
    census = load_census()
    assert len(census.people) == len(pd.read_parquet(CENSUS_DIR / "individuals.parquet"))
    assert len(census.households) == 8000
    assert {"geo1", "urbrur", "cell", "quint_nat", "urban", "hh_children"} <= set(census.people)
    assert set(census.people["cell"].unique()) <= {0, 1}
    assert census.info().weighted_households == pytest.approx(2_501_755)


def test_only_the_columns_personas_need_are_loaded() -> None:
    census = load_census()
    assert "ch_weight" not in census.people and "exp_01" not in census.people
    assert set(PERSONA_INDIVIDUAL_COLUMNS) <= set(census.people.columns)


def test_household_counts_are_derived_from_the_members(shipped) -> None:
    census = load_census()
    _, people = shipped
    children = people[people["age"] < 15].groupby("hid").size()
    household = census.households.set_index("hid")["hh_children"]
    assert (household.reindex(children.index) == children).all()
    assert household.drop(children.index).eq(0).all()


def test_csv_with_labels_loads_the_same_as_parquet(tmp_path: Path, shipped) -> None:
    folder = _write_csv(tmp_path / "csv", *shipped)
    from_csv, from_parquet = load_census(folder), load_census()
    columns = ["hid", "idno", "age", "sex", "educ_attain", "cell", "hhweight", "geo2"]
    pd.testing.assert_frame_equal(
        from_csv.people[columns].astype(str), from_parquet.people[columns].astype(str)
    )


def test_csv_with_numeric_codes_is_labelled_from_the_codebook(tmp_path: Path, shipped) -> None:
    households, people = (frame.copy() for frame in shipped)
    for frame in (households, people):
        for column in frame.columns:
            if column in CODEBOOK:
                codes = {label: code for code, label in CODEBOOK[column].items()}
                frame[column] = frame[column].astype(str).map(codes)
    census = load_census(_write_csv(tmp_path / "codes", households, people))
    assert set(census.people["sex"].unique()) == {"Male", "Female"}
    assert census.people["geo1"].astype(str).str.fullmatch(r"geo_\d\d").all()


def test_a_single_file_path_finds_its_partner(tmp_path: Path, shipped) -> None:
    folder = _write_csv(tmp_path / "pair", *shipped)
    households, people = census_files(folder / "individuals.csv")
    assert households.name == "households.csv" and people.name == "individuals.csv"


def test_parquet_is_preferred_when_a_folder_holds_two_formats(tmp_path: Path, shipped) -> None:
    folder = _write_csv(tmp_path / "both", *shipped)
    shipped[0].to_parquet(folder / "households.parquet")
    assert census_files(folder)[0].suffix == ".parquet"


def test_missing_column_is_named_with_its_file(tmp_path: Path, shipped) -> None:
    households, people = shipped
    folder = _write_csv(tmp_path / "missing", households.drop(columns=["cell"]), people)
    with pytest.raises(InputFileError, match=r"households\.csv: missing column 'cell'"):
        load_census(folder)


def test_text_in_a_number_column_names_the_file_column_and_row(tmp_path: Path, shipped) -> None:
    households, people = shipped
    people = people.astype({"age": object})
    people.loc[4, "age"] = "forty"
    folder = _write_csv(tmp_path / "types", households, people)
    with pytest.raises(
        InputFileError, match=r"individuals\.csv: column 'age' should hold numbers .* row 5 .*forty"
    ):
        load_census(folder)


def test_a_label_outside_the_codebook_is_named_with_the_accepted_ones(
    tmp_path: Path, shipped
) -> None:
    households, people = shipped
    people = people.astype({"sex": object})
    people.loc[0, "sex"] = "Homme"
    folder = _write_csv(tmp_path / "labels", households, people)
    with pytest.raises(InputFileError, match=r"column 'sex' has 'Homme' in data row 1.*Male"):
        load_census(folder)


def test_a_truncated_csv_is_reported_as_an_empty_required_value(tmp_path: Path, shipped) -> None:
    folder = _write_csv(tmp_path / "cut", *shipped)
    text = (folder / "individuals.csv").read_text()
    (folder / "individuals.csv").write_text(text[: len(text) // 2].rsplit(",", 3)[0])
    with pytest.raises(InputFileError, match=r"individuals\.csv: column '\w+' has no value"):
        load_census(folder)


def test_a_truncated_parquet_file_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "cut"
    folder.mkdir()
    data = (CENSUS_DIR / "households.parquet").read_bytes()
    (folder / "households.parquet").write_bytes(data[: len(data) // 2])
    (folder / "individuals.parquet").write_bytes((CENSUS_DIR / "individuals.parquet").read_bytes())
    with pytest.raises(InputFileError, match=r"households\.parquet: cannot be read.*truncated"):
        load_census(folder)


def test_people_whose_household_is_missing_are_counted_and_named(tmp_path: Path, shipped) -> None:
    households, people = shipped
    folder = _write_csv(tmp_path / "orphans", households.iloc[1:], people)
    orphan = households["hid"].iloc[0]
    with pytest.raises(InputFileError, match=rf"people have a hid not in .*'{orphan}'"):
        load_census(folder)


def test_a_household_listed_twice_is_an_error(tmp_path: Path, shipped) -> None:
    households, people = shipped
    doubled = pd.concat([households, households.iloc[:1]])
    with pytest.raises(InputFileError, match="appears more than once"):
        load_census(_write_csv(tmp_path / "twice", doubled, people))


def test_a_folder_without_census_files_says_what_names_it_expects(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no household file in .*'HLD' or 'households'"):
        load_census(tmp_path)
    with pytest.raises(InputFileError, match="census path not found"):
        load_census(tmp_path / "nowhere")


def test_real_catalog_files_load_unchanged(tmp_path: Path) -> None:
    census = load_census(worldbank_dir(), cache_dir=tmp_path)
    assert len(census.people) == 32_396 and len(census.households) == 8_000
    assert census.people["hhweight"].sum() == pytest.approx(10_074_347, abs=5)
    assert (census.people["hid"].cat.categories.str.len() == 11).all()


def test_codebook_matches_the_catalogs_value_labels() -> None:
    folder = worldbank_dir()
    for name in (HLD, IND):
        with pd.io.stata.StataReader(folder / name) as reader:
            for column, labels in reader.value_labels().items():
                assert {int(k): v for k, v in labels.items()} == CODEBOOK[column], column


def test_stata_is_cached_as_parquet_on_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = worldbank_dir()
    first = load_census(folder, cache_dir=tmp_path)
    assert len(list((tmp_path / "census").glob("*.parquet"))) == 2

    def no_stata(*args: object) -> None:
        raise AssertionError("the Stata file was read again")

    monkeypatch.setattr(load, "_stata_chunks", no_stata)
    again = load_census(folder, cache_dir=tmp_path)
    assert again.people.equals(first.people) and again.households.equals(first.households)


def test_stata_is_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "CHUNK_ROWS", 5_000)
    census = load_census(worldbank_dir(), use_cache=False)
    assert len(census.people) == 32_396
    assert str(census.people["relation"].dtype) == "category"


def test_a_truncated_stata_file_is_a_clear_error(tmp_path: Path) -> None:
    folder = worldbank_dir()
    data = (folder / HLD).read_bytes()
    (tmp_path / HLD).write_bytes(data[: len(data) // 3])
    (tmp_path / IND).write_bytes((folder / IND).read_bytes())
    with pytest.raises(InputFileError, match=r"HLD-EN_v01_M\.dta: cannot be read as a Stata file"):
        load_census(tmp_path, use_cache=False)


def test_persona_columns_exist_in_the_catalog_files() -> None:
    folder = worldbank_dir()
    for name, columns in ((HLD, PERSONA_HOUSEHOLD_COLUMNS), (IND, PERSONA_INDIVIDUAL_COLUMNS)):
        with pd.io.stata.StataReader(folder / name) as reader:
            assert set(columns) <= set(reader.variable_labels())
