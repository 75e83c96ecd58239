"""Reading census files in the World Bank schema: Stata (value labels), CSV or Parquet.

Why it is built this way:
- Only the columns personas need are read (column pruning), so the full-population files
  (study 5908: 2.5M households, 10M people) load without their other 50 columns.
- Stata and CSV are read in chunks and written once to a Parquet cache (keyed by path,
  size and modification time); later loads read the cache, which takes seconds.
- Every column is checked before use: a missing column, a value of the wrong type or a
  label outside the codebook is one `InputFileError` naming the file, the column, the row
  and the fix. Categoricals become pandas categoricals with the codebook's labels, so
  10M people fit in well under 1 GB.
"""

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel

from scenariosim.csv_dialect import sniff_csv
from scenariosim.errors import InputFileError
from scenariosim.personas.schema import (
    ASSETS,
    CODEBOOK,
    HOUSEHOLD_STEMS,
    INDIVIDUAL_STEMS,
    PERSONA_HOUSEHOLD_COLUMNS,
    PERSONA_INDIVIDUAL_COLUMNS,
    READABLE_SUFFIXES,
    SCHEMA,
    Column,
)

log = logging.getLogger(__name__)

SHIPPED_CENSUS = Path(__file__).parents[1] / "data" / "census"
CHUNK_ROWS = 500_000
CACHE_VERSION = "1"
_SUFFIX_PREFERENCE = (".parquet", ".dta", ".csv", ".csv.gz")


class CensusInfo(BaseModel):
    """What was loaded, for logs, the CLI and the run's resolved scenario."""

    source: str
    household_file: str
    individual_file: str
    households: int
    people: int
    weighted_households: float
    weighted_people: float


@dataclass(frozen=True)
class Census:
    """People (one row each, their household's columns joined) and households.

    `people` columns: the persona columns of both files (`hid` is a categorical over
    `households.hid`), assets and `urban` as 0/1, and `hh_children` (members under 15),
    `hh_adults`, `hh_workers` (employed members) of the person's household.
    """

    people: pd.DataFrame
    households: pd.DataFrame
    source: str
    files: tuple[str, str] = field(default=("", ""))

    def info(self) -> CensusInfo:
        return CensusInfo(
            source=self.source,
            household_file=self.files[0],
            individual_file=self.files[1],
            households=len(self.households),
            people=len(self.people),
            weighted_households=round(float(self.households["hhweight"].sum()), 1),
            weighted_people=round(float(self.people["hhweight"].sum()), 1),
        )

    def find(self, hid: str, idno: int) -> pd.DataFrame:
        """The person's row (an empty frame when there is none)."""
        categories = self.people["hid"].cat.categories
        if hid not in categories:
            return self.people.iloc[0:0]
        code = categories.get_loc(hid)
        mask = (self.people["hid"].cat.codes.to_numpy() == code) & (
            self.people["idno"].to_numpy() == idno
        )
        return self.people[mask]


def load_census(
    path: Path | str | None = None, *, cache_dir: Path | None = None, use_cache: bool = True
) -> Census:
    """Load a census folder or file pair, or the shipped stand-in sample when `path` is None.

    `path` may be a folder holding one household and one individual file, or either file
    (its partner is found beside it). Stata and CSV files are cached as Parquet under
    `cache_dir` (default: the settings' cache dir) unless `use_cache` is False.
    """
    hh_path, ind_path = census_files(Path(path) if path is not None else SHIPPED_CENSUS)
    cache = _cache_folder(cache_dir) if use_cache else None
    households = read_census_file(hh_path, PERSONA_HOUSEHOLD_COLUMNS, cache)
    people = read_census_file(ind_path, PERSONA_INDIVIDUAL_COLUMNS, cache)
    households, people = _join(households, people, hh_path, ind_path)
    source = "shipped stand-in sample" if path is None else str(Path(path))
    return Census(people, households, source, (str(hh_path), str(ind_path)))


def census_files(path: Path) -> tuple[Path, Path]:
    """The (household, individual) files a path names: a folder, or one of the two files."""
    if not path.exists():
        raise InputFileError(
            f"census path not found: {path}. Point it at a folder holding the household and "
            "individual files (e.g. WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta and ...-IND-...)."
        )
    if path.is_file():
        if _kind(path) is None:
            raise InputFileError(
                f"{path}: not a census file name; the household file's name contains "
                f"{' or '.join(HOUSEHOLD_STEMS)} and the individual file's "
                f"{' or '.join(INDIVIDUAL_STEMS)}, ending in {', '.join(READABLE_SUFFIXES)}"
            )
        folder = path.parent
        found = {_kind(path): path}
    else:
        folder, found = path, {}
    for kind, stems in (("household", HOUSEHOLD_STEMS), ("individual", INDIVIDUAL_STEMS)):
        if kind in found:
            continue
        candidates = sorted(
            (p for p in folder.iterdir() if p.is_file() and _kind(p) == kind),
            key=lambda p: (_SUFFIX_PREFERENCE.index(_suffix(p)), p.name),
        )
        if not candidates:
            raise InputFileError(
                f"no {kind} file in {folder}: expected a {'/'.join(READABLE_SUFFIXES)} file "
                f"whose name contains {' or '.join(repr(s) for s in stems)}"
            )
        found[kind] = candidates[0]
    return found["household"], found["individual"]


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next(
        (s for s in sorted(READABLE_SUFFIXES, key=len, reverse=True) if name.endswith(s)), ""
    )


def _kind(path: Path) -> str | None:
    if not _suffix(path):
        return None
    name = path.name.lower()
    if any(s.lower() in name for s in HOUSEHOLD_STEMS):
        return "household"
    if any(s.lower() in name for s in INDIVIDUAL_STEMS):
        return "individual"
    return None


def _cache_folder(cache_dir: Path | None) -> Path:
    if cache_dir is None:
        from scenariosim.settings import load_settings

        cache_dir = load_settings().cache_dir
    return Path(cache_dir) / "census"


def read_census_file(path: Path, columns: tuple[str, ...], cache: Path | None) -> pd.DataFrame:
    """The named columns of one file, validated and typed (see module docstring)."""
    suffix = _suffix(path)
    if suffix == ".parquet":
        return _validated(_read_parquet(path, columns), path, 0)
    cached = _cache_path(path, columns, cache) if cache is not None else None
    if cached is not None and cached.exists():
        try:
            return pd.read_parquet(cached)
        except (OSError, pa.ArrowException) as e:
            log.warning("ignoring unreadable census cache %s (%s)", cached, e)
    chunks = _stata_chunks(path, columns) if suffix == ".dta" else _csv_chunks(path, columns)
    frame = _concat(path, chunks)
    if cached is not None:
        _write_cache(frame, cached)
    return frame


def _cache_path(path: Path, columns: tuple[str, ...], cache: Path) -> Path:
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{','.join(columns)}|{CACHE_VERSION}"
    return cache / f"{path.name}.{hashlib.sha256(key.encode()).hexdigest()[:16]}.parquet"


def _write_cache(frame: pd.DataFrame, cached: Path) -> None:
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        frame.to_parquet(partial, index=False)
        partial.replace(cached)
    except OSError as e:
        log.warning(
            "could not write the census cache %s (%s); reading the source each time", cached, e
        )


def _missing(path: Path, available: list[str], columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in available]
    spelt = {str(a).strip().lower(): str(a) for a in available}
    near = [(c, spelt[c]) for c in missing if c in spelt]
    if near:  # the column is there, written another way: adding it would not help
        wanted, found = near[0]
        raise InputFileError(
            f"{path}: column '{wanted}' is there as '{found}'; rename it to '{wanted}' "
            "(column names are lowercase, without spaces; see docs/personas.md)"
        )
    if len(available) == 1 and missing:
        raise InputFileError(
            f"{path}: the header is one column ('{str(available[0])[:60]}'); the file's "
            "separator is not a comma, semicolon, tab or '|'; save it as comma-separated CSV"
        )
    if missing:
        more = (
            f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        )
        raise InputFileError(
            f"{path}: missing column '{missing[0]}'{more} of the World Bank census schema; "
            "check that this is the catalog's file or add the column (see docs/personas.md)"
        )


def _read_parquet(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        available = pq.ParquetFile(path).schema_arrow.names
        _missing(path, available, columns)
        return pd.read_parquet(path, columns=list(columns))
    except InputFileError:
        raise
    except (OSError, pa.ArrowException, ValueError) as e:
        raise InputFileError(f"{path}: cannot be read as Parquet ({e}); is it truncated?") from e


def _stata_chunks(path: Path, columns: tuple[str, ...]) -> Iterator[pd.DataFrame]:
    try:
        with pd.io.stata.StataReader(path) as reader:
            _missing(path, list(reader.variable_labels()), columns)
        reader = pd.read_stata(path, columns=list(columns), chunksize=CHUNK_ROWS)
        with reader:
            yield from reader
    except InputFileError:
        raise
    except (ValueError, OSError, EOFError, KeyError, IndexError, UnicodeDecodeError) as e:
        raise InputFileError(_stata_problem(path, e)) from e


def _stata_problem(path: Path, error: Exception) -> str:
    """Why a .dta file cannot be read, with the fix that fits: a file cut short is downloaded
    again; a file that is not Stata at all (a renamed CSV, say) is not."""
    detail = f"{type(error).__name__}: {error}"
    with contextlib.suppress(OSError):
        head = path.read_bytes()[:64]
        # Format 117+ opens with a tag; older ones with their version (102-115), byte order
        # (1 or 2) and file type (1).
        old = len(head) > 2 and 102 <= head[0] <= 115 and head[1] in (1, 2) and head[2] == 1
        stata = head.startswith(b"<stata_dta>") or old
        if not stata:
            return (
                f"{path}: not a Stata .dta file ({detail}); it does not start like one. "
                "Rename it to its real type (.csv, .parquet) or export it again as .dta."
            )
    if isinstance(error, EOFError) or "smaller than requested" in str(error):
        return (
            f"{path}: cannot be read as a Stata file ({detail}); is it truncated? Download "
            "it again from the World Bank Microdata Library."
        )
    return (
        f"{path}: cannot be read as a Stata file ({detail}); open it in Stata or pandas to "
        "see what is wrong, or export it again."
    )


def _csv_chunks(path: Path, columns: tuple[str, ...]) -> Iterator[pd.DataFrame]:
    try:
        # A spreadsheet's "CSV" may use ';' or tabs, a decimal comma and a byte-order mark.
        dialect = sniff_csv(path)
        style = {"sep": dialect.sep, "decimal": dialect.decimal, "encoding": "utf-8-sig"}
        header = pd.read_csv(path, nrows=0, **style).columns.tolist()
        _missing(path, header, columns)
        dtypes = {c: str for c in columns if SCHEMA[c].kind in ("id", "category")}
        with pd.read_csv(
            path, usecols=list(columns), dtype=dtypes, chunksize=CHUNK_ROWS, **style
        ) as reader:
            yield from reader
    except InputFileError:
        raise
    except (ValueError, OSError, EOFError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise InputFileError(
            f"{path}: cannot be read as CSV ({type(e).__name__}: {e}); check that it is a "
            "complete CSV file with a header row"
        ) from e


def _concat(path: Path, chunks: Iterator[pd.DataFrame]) -> pd.DataFrame:
    parts, offset = [], 0
    for chunk in chunks:
        parts.append(_validated(chunk.reset_index(drop=True), path, offset))
        offset += len(chunk)
    if not parts:
        raise InputFileError(f"{path}: has no rows")
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frame


def _validated(frame: pd.DataFrame, path: Path, offset: int) -> pd.DataFrame:
    """Each column typed per the schema; the first bad value is reported with its row."""
    if frame.empty:
        raise InputFileError(f"{path}: has no rows")
    out = {}
    for name in frame.columns:
        out[name] = _column(frame[name], SCHEMA[name], path, offset)
    return pd.DataFrame(out)


def _row(series: pd.Series, mask: np.ndarray, offset: int) -> tuple[int, object]:
    position = int(np.flatnonzero(mask)[0])
    return offset + position + 1, series.iloc[position]


def _column(series: pd.Series, column: Column, path: Path, offset: int) -> pd.Series:
    where = f"{path}: column '{column.name}'"
    empty = series.isna().to_numpy()
    if empty.any() and not column.nullable:
        row, _ = _row(series, empty, offset)
        raise InputFileError(
            f"{where} has no value in data row {row}; every row needs one. "
            "Is the file truncated or was the column left empty?"
        )
    if column.kind == "id":
        if isinstance(series.dtype, pd.CategoricalDtype):
            return series.cat.rename_categories(series.cat.categories.astype(str))
        return series.astype(str)
    if column.kind == "category":
        return _categorical(series, column, where, offset)
    numbers = series
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        numbers = pd.to_numeric(series, errors="coerce")
        bad = numbers.isna().to_numpy() & ~empty
        if bad.any():
            row, value = _row(series, bad, offset)
            raise InputFileError(
                f"{where} should hold numbers but data row {row} has {str(value)[:40]!r}; "
                "fix the value or the column's type"
            )
    if column.kind == "float":
        return numbers.astype("float64")
    whole = numbers.dropna()
    if (whole != np.floor(whole)).any():
        row, value = _row(numbers, (numbers != np.floor(numbers)).to_numpy() & ~empty, offset)
        raise InputFileError(f"{where} should hold whole numbers but data row {row} has {value}")
    return numbers.astype("float64" if column.nullable else "int32")


def _categorical(series: pd.Series, column: Column, where: str, offset: int) -> pd.Series:
    codebook = CODEBOOK[column.name]
    categories = list(codebook.values())
    if isinstance(series.dtype, pd.CategoricalDtype) and list(series.cat.categories) == categories:
        return series
    if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype, pd.CategoricalDtype):
        values = series.map(codebook)
    else:
        by_text = {label.lower(): label for label in categories}
        by_text.update({str(code): label for code, label in codebook.items()})
        text = series.astype("string").str.strip()
        values = text.str.lower().map(by_text).where(text.notna(), None)
        if values.isna().to_numpy().any():  # codes written as text, e.g. '2.0'
            numeric = pd.to_numeric(text, errors="coerce")
            values = values.fillna(numeric.map(codebook))
    unknown = values.isna().to_numpy() & series.notna().to_numpy()
    if unknown.any():
        row, value = _row(series, unknown, offset)
        shown = ", ".join(categories[:8]) + (", ..." if len(categories) > 8 else "")
        raise InputFileError(
            f"{where} has {str(value)[:40]!r} in data row {row}, which is not a label or code "
            f"of the catalog's codebook ({shown}); recode it or use the catalog's file"
        )
    return pd.Series(pd.Categorical(values, categories=categories), index=series.index)


def _join(
    households: pd.DataFrame, people: pd.DataFrame, hh_path: Path, ind_path: Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People with their household's columns, `hid` as a categorical over households."""
    hids = pa.array(households["hid"].astype(str), pa.string())
    if len(pc.unique(hids)) != len(hids):
        twice = households["hid"][households["hid"].duplicated()].iloc[0]
        raise InputFileError(
            f"{hh_path}: household '{twice}' appears more than once; each hid must be one row"
        )
    codes = _positions(people["hid"], hids)
    orphans = codes < 0
    if orphans.all():
        raise InputFileError(
            f"{ind_path} and {hh_path} share no 'hid': are they from the same census?"
        )
    if orphans.any():
        raise InputFileError(
            f"{ind_path}: {int(orphans.sum())} people have a hid not in {hh_path.name}, e.g. "
            f"'{people['hid'][orphans].iloc[0]}'; use the two files of one census"
        )
    n = len(households)
    idno = people["idno"].to_numpy()
    duplicate = _duplicate_person(codes, idno, n)
    if duplicate is not None:
        raise InputFileError(
            f"{ind_path}: person (hid '{people['hid'].iloc[duplicate]}', idno {idno[duplicate]}) "
            "appears more than once; (hid, idno) must be unique"
        )
    households = households.reset_index(drop=True)
    for asset in ASSETS:
        households[asset] = (households[asset] == "Yes").to_numpy().astype("int8")
    households["urban"] = (households["urbrur"] == "Urban").to_numpy().astype("int8")
    age = people["age"].to_numpy()
    employed = (people["act_status"] == "Employed").to_numpy()
    households["hh_children"] = np.bincount(codes, weights=age < 15, minlength=n).astype("int16")
    households["hh_adults"] = np.bincount(codes, weights=age >= 18, minlength=n).astype("int16")
    households["hh_workers"] = np.bincount(codes, weights=employed, minlength=n).astype("int16")
    categories = pd.Index(households["hid"].astype(str))
    joined = {"hid": pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))}
    for column in people.columns.drop(["hid", "hhweight"], errors="ignore"):
        joined[column] = people[column].array
    for column in households.columns.drop("hid"):  # the household's weight is the person's
        values = households[column]
        joined[column] = (
            values.array.take(codes)
            if isinstance(values.dtype, pd.CategoricalDtype)
            else values.to_numpy()[codes]
        )
    return households, pd.DataFrame(joined, copy=False)


def _positions(hid: pd.Series, households: pa.Array) -> np.ndarray:
    """Row of each person's household (-1 when none), hashed in Arrow: 10M ids in a second."""
    if isinstance(hid.dtype, pd.CategoricalDtype):
        found = pc.index_in(pa.array(hid.cat.categories.astype(str)), value_set=households)
        lookup = found.fill_null(-1).to_numpy(zero_copy_only=False)
        return lookup[hid.cat.codes.to_numpy()].astype(np.int64)
    found = pc.index_in(pa.array(hid, pa.string()), value_set=households)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _duplicate_person(codes: np.ndarray, idno: np.ndarray, households: int) -> int | None:
    """Row of the first repeated (hid, idno), or None. A bit per idno and household, so
    10M people take well under a second; a rare idno above 62 falls back to hashing."""
    if len(idno) and idno.min() >= 0 and idno.max() <= 62:
        seen = np.zeros(households, dtype=np.uint64)
        np.bitwise_or.at(seen, codes, np.left_shift(np.uint64(1), idno.astype(np.uint64)))
        members = np.bincount(codes, minlength=households)
        if (np.bitwise_count(seen) == members).all():
            return None
    repeated = pd.Series(codes * 4096 + idno).duplicated().to_numpy()
    return int(np.flatnonzero(repeated)[0]) if repeated.any() else None
