"""The shipped stand-in census sample: 8,000 households in the World Bank schema.

Generated, seeded and re-runnable, from aggregate tables only (`calibration.json`): a
household's region, district, urban/rural class, spending quintile and size; its dwelling
and assets given class and quintile; then its members, built so the structure is plausible
(heads are adults, spouses' ages near the head's, children at least 15 years younger than
their parents, school, work and occupation drawn given age, sex and education).
Run: `python -m scenariosim.personas.standin` (writes `data/census/*.parquet`).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from scenariosim.personas.calibrate import CALIBRATION_FILE, HOUSEHOLD_BY_CLASS, PERSON_BY_PROFILE
from scenariosim.personas.schema import HOUSEHOLD_COLUMNS, INDIVIDUAL_COLUMNS

CENSUS_DIR = Path(__file__).parents[1] / "data" / "census"
BAND_RANGES = [
    (0, 4),
    (5, 9),
    (10, 14),
    (15, 17),
    (18, 24),
    (25, 34),
    (35, 44),
    (45, 54),
    (55, 64),
    (65, 74),
    (75, 100),
]
QUINTILES = ["poorest", "poor", "average", "rich", "richest"]


class _Draw:
    """Draws from the calibration's share tables with one seeded generator."""

    def __init__(self, calibration: dict, rng: np.random.Generator) -> None:
        self.cal = calibration
        self.rng = rng

    def pick(self, dist: dict[str, float]) -> str:
        keys = list(dist)
        probs = np.array([dist[k] for k in keys])
        return keys[self.rng.choice(len(keys), p=probs / probs.sum())]

    def table(self, table: dict[str, dict[str, float]], *cells: str) -> str:
        """The first cell key that exists, from the most to the least specific."""
        for cell in cells:
            if cell in table:
                return self.pick(table[cell])
        return self.pick(next(iter(table.values())))

    def age_in_band(self, band: str) -> int:
        low, high = BAND_RANGES[int(band)]
        if low == BAND_RANGES[-1][0]:  # the open top band thins out with age
            return int(min(100, low + self.rng.exponential(6.0)))
        return int(self.rng.integers(low, high + 1))


def _band(age: int) -> int:
    return next(i for i, (low, high) in enumerate(BAND_RANGES) if age <= high)


def _person(d: _Draw, hid: str, idno: int, relation: str, sex: str, age: int, urbrur: str) -> dict:
    band = _band(age)
    row: dict = {"hid": hid, "idno": idno, "relation": relation, "sex": sex, "age": age}
    for column in PERSON_BY_PROFILE:
        row[column] = d.table(
            d.cal["person"][column],
            f"{band}|{sex}|{urbrur}",
            f"{band}|{sex}|Urban",
            f"{band}|Female|Urban",
        )
    if relation in ("Head", "Spouse/partner") and row["marstat"] == "Single/never married":
        row["marstat"] = "Married/in union" if relation == "Spouse/partner" else row["marstat"]
    if relation == "Spouse/partner":
        row["marstat"] = "Married/in union"
    employed = row["act_status"] == "Employed"
    row["occupation"] = (
        d.table(d.cal["occupation"], f"{row['educ_attain']}|{sex}", f"Secondary|{sex}")
        if employed
        else "Not in universe"
    )
    row["industry"] = (
        d.table(d.cal["industry"], row["occupation"]) if employed else "NIU (not in universe)"
    )
    row["labor_force"] = {"Employed": "Yes", "Unemployed": "Yes", "Inactive": "No"}.get(
        row["act_status"], "Not in universe"
    )
    mean_years = d.cal["yrs_school"].get(row["educ_attain"], 0.0)
    row["yrs_school"] = (
        float(max(0, min(age - 5, round(mean_years + d.rng.normal(0, 1.0)))))
        if age >= 6
        else np.nan
    )
    row["age_month"] = float(age * 12 + d.rng.integers(0, 12)) if age < 5 else np.nan
    row["ch_weight"] = row["ch_height"] = np.nan
    return row


def _child_age(d: _Draw, size_key: str, youngest_parent: int) -> int:
    """A child's age given the youngest parent's age band, redrawn until 15+ years younger."""
    parent_band = str(_band(youngest_parent))
    for _ in range(30):
        age = d.age_in_band(d.table(d.cal["child_age_by_parent"], parent_band, "6"))
        if age <= youngest_parent - 15:
            return age
    return round(youngest_parent - max(15.0, d.rng.normal(*d.cal["parent_gap"])))


def _members(d: _Draw, hid: str, size: int, urbrur: str) -> list[dict]:
    cal = d.cal
    size_key = str(min(size, 10))
    head_sex = d.table(cal["head_sex"], urbrur)
    married = (
        size >= 2 and d.table(cal["spouse"], f"{size_key}|{head_sex}", f"{size_key}|Male") == "True"
    )
    head_band = d.table(cal["head_age"], f"{size_key}|{married}", f"{size_key}|False")
    head_age = max(18, d.age_in_band(head_band))
    people = [_person(d, hid, 1, "Head", head_sex, head_age, urbrur)]
    parent_ages = [head_age]
    if married:
        gap = d.rng.normal(*cal["spouse_gap"])
        spouse_age = int(
            np.clip(round(head_age - gap if head_sex == "Male" else head_age + gap), 18, 95)
        )
        spouse_sex = "Female" if head_sex == "Male" else "Male"
        people.append(_person(d, hid, 2, "Spouse/partner", spouse_sex, spouse_age, urbrur))
        parent_ages.append(spouse_age)
    youngest_parent = min(parent_ages)
    while len(people) < size:
        relation = d.table(cal["other_member"], str(_band(head_age)), "6")
        if relation == "Child":
            age = _child_age(d, size_key, youngest_parent)
            if age < 0:
                relation = "Other relative"
        if relation != "Child":
            age = d.age_in_band(d.table(cal["other_age"], relation))
        sex = d.table(cal["sex"], relation)
        people.append(_person(d, hid, len(people) + 1, relation, sex, age, urbrur))
    for person in people:
        woman = person["sex"] == "Female" and person["age"] >= 15
        kids = (
            sum(p["relation"] == "Child" for p in people)
            if person["relation"] in ("Head", "Spouse/partner")
            else 0
        )
        person["children_born"] = float(kids) if woman else np.nan
        person["children_surv"] = float(kids) if woman else np.nan
        person["births_12m"] = (
            float(any(p["relation"] == "Child" and p["age"] == 0 for p in people))
            if woman and kids
            else (0.0 if woman else np.nan)
        )
    return people


def generate(
    n_households: int = 8000, seed: int = 5906, calibration: dict | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households and individuals in the catalog's schema (categoricals as strings)."""
    cal = calibration or json.loads(CALIBRATION_FILE.read_text())
    d = _Draw(cal, np.random.default_rng(seed))
    counts = cal["households_per_region"]
    total = sum(counts.values())
    regions = [r for r, c in sorted(counts.items()) for _ in range(round(c * n_households / total))]
    regions = (regions + regions[: n_households - len(regions)])[:n_households]
    households, people = [], []
    ea_fill: dict[str, int] = {}
    for region in regions:
        hid = "".join(d.rng.choice(list("0123456789abcdef"), 11))
        district = d.pick(cal["district_share"][region])
        urbrur = d.pick(cal["urban_share"][region])
        quint = d.table(cal["quintile"], f"{region}|{urbrur}")
        size_key = d.table(cal["hhsize"], f"{urbrur}|{quint}")
        size = int(size_key) if size_key != "10" else int(d.rng.integers(10, 15))
        row: dict = {"hid": hid, "geo1": region, "geo2": district, "urbrur": urbrur, "hhsize": size}
        for column in HOUSEHOLD_BY_CLASS:
            value = d.table(cal["household"][column], f"{urbrur}|{quint}")
            row[column] = float(value) if column in ("rooms", "bedrooms", "deaths_12m") else value
        row["bedrooms"] = min(row["bedrooms"], row["rooms"])
        filled = ea_fill.get(district, 0)
        ea_fill[district] = filled + 1
        row["ea"] = int(district.replace("geo_", "").replace("_", "")) * 100 + filled // 25
        pc_exp = float(np.exp(d.rng.normal(*cal["pc_exp_log"][quint])))
        shares = np.array(cal["expenditure_share"][quint]) * d.rng.lognormal(0, 0.25, 12)
        shares /= shares.sum()
        exps = np.round(pc_exp * size * shares).astype(int)
        row.update({f"exp_{i + 1:02d}": int(v) for i, v in enumerate(exps)})
        row["tot_exp"] = int(exps.sum())
        row["tot_food"] = int(exps[0])
        row["share_food"] = round(exps[0] / max(1, exps.sum()), 3)
        row["pc_exp"] = round(exps.sum() / size, 1)
        row["quint_nat"] = quint
        row["quint_urb"] = quint if urbrur == "Urban" else None
        row["quint_rur"] = quint if urbrur == "Rural" else None
        households.append(row)
        people.extend(_members(d, hid, size, urbrur))
    hh = pd.DataFrame(households)
    weights = {
        r: cal["weighted_households_per_region"][r] / c
        for r, c in hh["geo1"].value_counts().items()
    }
    hh["hhweight"] = hh["geo1"].map(weights)
    hh["popweight"] = hh["hhweight"] * hh["hhsize"]
    ind = pd.DataFrame(people).merge(hh[["hid", "hhweight"]], on="hid")
    return hh[list(HOUSEHOLD_COLUMNS)], ind[list(INDIVIDUAL_COLUMNS)]


def write(folder: Path = CENSUS_DIR, seed: int = 5906) -> tuple[Path, Path]:
    households, people = generate(seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "households.parquet", folder / "individuals.parquet")
    households.to_parquet(paths[0], index=False, compression="zstd")
    people.to_parquet(paths[1], index=False, compression="zstd")
    return paths


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")
