"""Reading census files in the World Bank schema: Stata (value labels), CSV or Parquet.

Only the columns persona sampling needs are read (column pruning), so the 10-million-person
full-population files load without reading their other 60 columns. Files are checked
against the schema first: a missing or mistyped column is one error naming file and column.
"""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scenariosim.errors import InputFileError
from scenariosim.personas.schema import (
    HOUSEHOLD_CATEGORICAL,
    INDIVIDUAL_CATEGORICAL,
    PERSONA_HOUSEHOLD_COLUMNS,
    PERSONA_INDIVIDUAL_COLUMNS,
)

SHIPPED_CENSUS = Path(__file__).parents[1] / "data" / "census"
ASSETS = ("electricity", "cell", "car", "tv", "bank", "refrigerator", "radio", "phone")


@dataclass(frozen=True)
class Census:
    """One row per person, with their household's columns joined on `hid`."""

    people: pd.DataFrame
    source: str


def _find(folder: Path, kind: str) -> Path:
    """The household (`HLD`) or individual (`IND`) file in a folder."""
    names = {"HLD": ("households", "HLD"), "IND": ("individuals", "IND")}[kind]
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".dta", ".csv", ".parquet") and any(
            n in path.name for n in names
        ):
            return path
    raise InputFileError(
        f"no {'household' if kind == 'HLD' else 'individual'} file in {folder}: expected a "
        f".dta/.csv/.parquet file whose name contains {names[0]!r} or {names[1]!r}"
    )


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".dta":
            with pd.io.stata.StataReader(path) as reader:
                available = set(reader.variable_labels())
                missing = [c for c in columns if c not in available]
                if missing:
                    raise InputFileError(
                        f"{path}: missing column '{missing[0]}' of the census schema"
                    )
                return reader.read(columns=list(columns), convert_categoricals=True)
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype={"hid": str})
    except InputFileError:
        raise
    except (ValueError, OSError, EOFError, KeyError) as e:
        raise InputFileError(
            f"{path}: cannot be read as a census file ({e}); is it truncated?"
        ) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(f"{path}: missing column '{missing[0]}' of the census schema")
    return frame[list(columns)]


def _check_types(frame: pd.DataFrame, path: Path, categorical: tuple[str, ...]) -> None:
    for column in frame.columns:
        if column == "hid" or column in categorical:
            continue
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise InputFileError(
                f"{path}: column '{column}' should be numeric, found {frame[column].dtype}"
            )
    if frame.empty:
        raise InputFileError(f"{path}: has no rows")


def load_census(path: Path | None = None) -> Census:
    """Load a census folder (or the shipped stand-in sample when `path` is None)."""
    folder = path or SHIPPED_CENSUS
    if not folder.is_dir():
        raise InputFileError(f"census folder not found: {folder}; point personas.census at it")
    hh_path, ind_path = _find(folder, "HLD"), _find(folder, "IND")
    households = _read(hh_path, PERSONA_HOUSEHOLD_COLUMNS)
    people = _read(ind_path, PERSONA_INDIVIDUAL_COLUMNS)
    _check_types(households, hh_path, HOUSEHOLD_CATEGORICAL)
    _check_types(people, ind_path, INDIVIDUAL_CATEGORICAL)
    for frame in (households, people):
        for column in frame.columns:
            if not pd.api.types.is_numeric_dtype(frame[column]):
                frame[column] = frame[column].astype(str)
    for asset in ASSETS:
        households[asset] = (households[asset] == "Yes").astype(int)
    joined = people.merge(households, on="hid", how="inner", validate="many_to_one")
    if joined.empty:
        raise InputFileError(
            f"{ind_path} and {hh_path} share no 'hid': are they from the same census?"
        )
    joined["urban"] = (joined["urbrur"] == "Urban").astype(int)
    return Census(people=joined.reset_index(drop=True), source=str(folder))
