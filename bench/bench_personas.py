"""Personas: loading a 10-million-person census and sampling 10,000 personas from it.

The census is the shipped stand-in sample scaled up (each household copied ~313 times with
new ids and its weight divided accordingly, so weighted figures stay national), written
as Parquet to a temporary folder, and, in full mode, also as the catalog's Stata files to
time the first read with its Parquet cache. Loading and sampling run in a fresh process so
its peak memory is the loader's, not the synthesis's. Goal: 10,000 personas in under 10 s
after the first load.
"""

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scenariosim.personas.load import SHIPPED_CENSUS

TARGET_PEOPLE = 10_000_000
N = 10_000
REPEATS = 5
WHERE = "age >= 18 and cell == 1"
FILTERS = {"regions": ["geo_04", "geo_05"], "urban": False, "age_min": 18, "age_max": 35}


def build(folder: Path, target: int) -> dict[str, float]:
    """Scale the shipped sample up to about `target` people; write Parquet files."""
    households = pd.read_parquet(SHIPPED_CENSUS / "households.parquet")
    people = pd.read_parquet(SHIPPED_CENSUS / "individuals.parquet")
    copies = int(np.ceil(target / len(people)))
    n_households = len(households) * copies
    # household k of copy c gets id hex(k * copies + c): unique, 11 hex digits
    source = np.repeat(np.arange(len(households)), copies)
    replica = np.tile(np.arange(copies), len(households))
    hids = pa.array([f"{i:011x}" for i in range(n_households)])
    big_households = households.iloc[source].reset_index(drop=True)
    big_households["hhweight"] = big_households["hhweight"] / copies
    big_households["popweight"] = big_households["popweight"] / copies
    big_households["ea"] = big_households["ea"] * 1000 + replica % 1000
    table = pa.Table.from_pandas(big_households.drop(columns="hid"), preserve_index=False)
    pq.write_table(table.add_column(0, "hid", hids), folder / "households.parquet")
    del table, big_households
    position = pd.Index(households["hid"]).get_indexer(people["hid"])
    order = np.argsort(position, kind="stable")
    people = people.iloc[order].reset_index(drop=True)
    sizes = np.bincount(position, minlength=len(households))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # rows of every copy of household k: its people, `copies` times, household ids k*copies+c
    hh_of_row = np.repeat(np.arange(n_households), sizes[source])
    first_row = np.repeat(starts[source], sizes[source])
    offset = np.arange(len(hh_of_row)) - np.repeat(
        np.concatenate([[0], np.cumsum(sizes[source])[:-1]]), sizes[source]
    )
    big_people = people.iloc[first_row + offset].reset_index(drop=True)
    big_people["hhweight"] = big_people["hhweight"] / copies
    hid_column = pa.DictionaryArray.from_arrays(pa.array(hh_of_row, pa.int32()), hids)
    table = pa.Table.from_pandas(big_people.drop(columns="hid"), preserve_index=False)
    pq.write_table(
        table.add_column(0, "hid", hid_column.cast(pa.string())), folder / "individuals.parquet"
    )
    return {"households": float(n_households), "people": float(len(big_people))}


def write_stata(parquet_folder: Path, stata_folder: Path) -> None:
    """The same census as the catalog's Stata files (labels as value labels)."""
    for name, stem in (("households", "HLD"), ("individuals", "IND")):
        frame = pd.read_parquet(parquet_folder / f"{name}.parquet")
        frame.to_stata(
            stata_folder / f"WLD_2023_SYNTH-CEN-{stem}-EN_v01_M.dta", write_index=False, version=118
        )


def measure(folder: str, cache: str, quick: bool) -> dict[str, float]:
    """Run in a fresh process: load, sample, enrich; timings in seconds, memory in MB."""
    from scenariosim.personas import (
        enrich,
        load_census,
        representativeness,
        sample_people,
        tvd_by_variable,
    )

    started = time.perf_counter()
    census = load_census(Path(folder), cache_dir=Path(cache))
    load_s = time.perf_counter() - started
    load_peak_mb = _peak_rss_mb()  # before a second census exists beside the first
    del census
    gc.collect()
    started = time.perf_counter()
    census = load_census(Path(folder), cache_dir=Path(cache))
    second_load_s = time.perf_counter() - started
    figures = {
        "load_s": load_s,
        "second_load_s": second_load_s,
        "census_frame_mb": census.people.memory_usage(deep=True).sum() / 1e6,
        "load_peak_rss_mb": load_peak_mb,
    }

    def timed(**kwargs: object) -> float:
        times = []
        for seed in range(2 if quick else REPEATS):
            started = time.perf_counter()
            sample_people(census, N, seed=seed, **kwargs)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    def cpu_timed(**kwargs: object) -> float:
        """CPU seconds of this process: less sensitive than wall time to a busy machine."""
        times = []
        for seed in range(2 if quick else REPEATS):
            started = time.process_time()
            sample_people(census, N, seed=seed, **kwargs)
            times.append(time.process_time() - started)
        return statistics.median(times)

    figures["sample_10k_s"] = timed()
    figures["sample_10k_cpu_s"] = cpu_timed()
    figures["sample_10k_where_s"] = timed(where=WHERE)
    figures["sample_10k_filters_s"] = timed(filters=FILTERS)
    figures["sample_10k_households_s"] = timed(households=True)
    rows = sample_people(census, N, seed=1)
    started = time.perf_counter()
    personas = enrich(rows, seed=1)
    figures["enrich_10k_s"] = time.perf_counter() - started
    started = time.perf_counter()
    table = representativeness(personas, census)
    figures["representativeness_s"] = time.perf_counter() - started
    figures["max_tvd_10k"] = float(tvd_by_variable(table).max())
    figures["peak_rss_mb"] = _peak_rss_mb()
    return figures


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_fresh_process(folder: Path, cache: Path, quick: bool) -> dict[str, float]:
    code = (
        "import json, sys; from bench.bench_personas import measure; "
        "print(json.dumps(measure(sys.argv[1], sys.argv[2], sys.argv[3] == '1')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(cache), "1" if quick else "0"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> dict:
    target = 1_000_000 if quick else TARGET_PEOPLE
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-personas-") as tmp:
        root = Path(tmp)
        parquet, stata, cache = root / "parquet", root / "stata", root / "cache"
        parquet.mkdir()
        started = time.perf_counter()
        size = build(parquet, target)
        figures: dict[str, float] = {
            "census_people": size["people"],
            "census_households": size["households"],
            "build_s": time.perf_counter() - started,
        }
        measured = _in_fresh_process(parquet, cache, quick)
        figures.update(
            {f"parquet_{k}" if k.endswith("load_s") else k: v for k, v in measured.items()}
        )
        if not quick:
            stata.mkdir()
            started = time.perf_counter()
            write_stata(parquet, stata)
            figures["stata_write_s"] = time.perf_counter() - started
            stata_measured = _in_fresh_process(stata, cache, quick=True)
            figures["stata_first_load_s"] = stata_measured["load_s"]
            figures["stata_cached_load_s"] = stata_measured["second_load_s"]
            figures["stata_peak_rss_mb"] = stata_measured["load_peak_rss_mb"]
    figures["load_average_start"] = load_before
    figures["load_average_end"] = os.getloadavg()[0]
    rounded = {
        k: round(v, 3) if isinstance(v, float) and v < 100 else round(v) for k, v in figures.items()
    }
    return {
        "name": "personas",
        "figures": rounded,
        "notes": (
            f"{int(figures['census_people']):,} people; 10,000 personas in "
            f"{figures['sample_10k_s']:.2f} s (goal < 10 s after the first load); filters "
            f"{WHERE!r} and {FILTERS}; timings are medians of {2 if quick else REPEATS} seeds; "
            f"1-minute load average {load_before:.1f} at the start on {os.cpu_count()} cores"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=1))
