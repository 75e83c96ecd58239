"""The shipped stand-in census sample: 8,000 households in the World Bank schema.

Seeded and re-runnable, drawn from aggregate tables only (`data/census/calibration.json`,
made by `tools/calibrate_census.py`), following the catalog's design: 320 enumeration areas of 25
households, each EA in one district and one urban/rural stratum with one weight.

- An EA has a wealth level shared by its households (intra-EA correlation as measured),
  which sets each household's spending quintile and per-capita spending;
  `quint_nat/urb/rur` are then recomputed from spending, so they agree with `pc_exp`.
- Dwelling and assets are drawn given urban/rural and quintile (piped water given the
  water source, flush given the toilet, bedrooms given rooms).
- Members: a head (an adult), maybe a spouse of the other sex with the measured age gap,
  children at least 15 years younger than the younger parent, other relatives. Each
  person's education, school, literacy, work, occupation, industry and marital status are
  drawn given age band, sex and setting, and never outside what an age allows (no
  university under 19, no work under 10, no marriage under 15).

`python tools/make_standin.py` rewrites `data/census/*.parquet`; `--check` prints the
reference figures of a generated sample instead.
"""

import json
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from scenariosim.personas.schema import CODEBOOK, HOUSEHOLD_SCHEMA, INDIVIDUAL_SCHEMA, labels

CENSUS_DIR = Path(__file__).parents[1] / "data" / "census"
# The aggregate tables the sample is drawn from; tools/calibrate_census.py makes them from
# the real catalog files, conditioned on the bands and columns below.
CALIBRATION_FILE = CENSUS_DIR / "calibration.json"
EA_SIZE = 25
# Age bands the tables are conditioned on (inclusive bounds).
BANDS = (
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
)
# Dwelling and asset columns drawn given (urban/rural, spending quintile).
HOUSEHOLD_BY_CLASS = (
    "statocc",
    "floor",
    "walls",
    "roof",
    "water",
    "toilet",
    "electricity",
    "cook_fuel",
    "phone",
    "cell",
    "car",
    "bicycle",
    "motorcycle",
    "refrigerator",
    "tv",
    "radio",
    "bank",
    "deaths_12m",
)
EXPENDITURE = tuple(f"exp_{i:02d}" for i in range(1, 13))
QUANTILES = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
SEED = 5906
N_HOUSEHOLDS = 8000
EA_WEIGHT_SPREAD = 0.2  # EA weights vary around their stratum's mean, as in the catalog
QUINTILES = labels("quint_nat")
# The youngest age at which a value is allowed; draws below it are excluded.
MIN_AGE = {
    ("educ_attain", "Primary"): 10,
    ("educ_attain", "Secondary"): 15,
    ("educ_attain", "University"): 19,
    ("marstat", "Married/in union"): 15,
    ("marstat", "Divorced/separated"): 16,
    ("marstat", "Widowed"): 18,
    ("act_status", "Employed"): 10,
    ("act_status", "Unemployed"): 12,
    ("school_attend", "No, attended in the past"): 6,
}
_NORMAL = NormalDist()
_GEO2_CODE = {label: code for code, label in CODEBOOK["geo2"].items()}


class _Draw:
    """Draws from the calibration's share tables with one seeded generator."""

    def __init__(self, calibration: dict[str, Any], rng: np.random.Generator) -> None:
        self.cal = calibration
        self.rng = rng
        self._cdf: dict[int, tuple[list[str], np.ndarray]] = {}

    def pick(self, dist: dict[str, float], allowed: Callable[[str], bool] | None = None) -> str:
        if allowed is None:
            keys, cdf = self._cumulative(dist)
        else:
            kept = {k: v for k, v in dist.items() if allowed(k)}
            keys, cdf = _cumulative(kept or dist)
        return keys[min(int(np.searchsorted(cdf, self.rng.random(), side="right")), len(keys) - 1)]

    def _cumulative(self, dist: dict[str, float]) -> tuple[list[str], np.ndarray]:
        key = id(dist)
        if key not in self._cdf:
            self._cdf[key] = _cumulative(dist)
        return self._cdf[key]

    def table(
        self,
        name: str | dict[str, dict[str, float]],
        *cell: object,
        allowed: Callable[[str], bool] | None = None,
    ) -> str:
        """A value from the cell `a|b|c`, else its first coarser prefix in the table, else '*'."""
        table = self.cal[name] if isinstance(name, str) else name
        for depth in range(len(cell), 0, -1):
            key = "|".join(map(str, cell[:depth]))
            if key in table:
                return self.pick(table[key], allowed)
        return self.pick(table["*"], allowed)

    def person(self, column: str, age: int, *cell: object) -> str:
        """A person's value, excluding values their age does not allow."""

        def allowed(value: str) -> bool:
            return age >= MIN_AGE.get((column, value), 0)

        return self.table(column, *cell, allowed=allowed)

    def age_in_band(self, band: int | str) -> int:
        low, high = BANDS[int(band)]
        if high == BANDS[-1][1]:  # the open top band thins out with age
            return int(min(high, low + self.rng.exponential(6.0)))
        return int(self.rng.integers(low, high + 1))

    def heap(self, age: int) -> int:
        """Age heaping as in the census: some adults report a round age."""
        if age >= 25 and self.rng.random() < self.cal["age_heaping"]:
            return int(5 * round(age / 5))
        return age


def _cumulative(dist: dict[str, float]) -> tuple[list[str], np.ndarray]:
    keys = list(dist)
    cdf = np.cumsum([dist[k] for k in keys], dtype=float)
    return keys, cdf / cdf[-1]


def _band(age: int) -> int:
    return next(i for i, (_, high) in enumerate(BANDS) if age <= high)


def _person(
    d: _Draw, hid: str, idno: int, relation: str, sex: str, age: int, setting: str
) -> dict[str, Any]:
    band = _band(age)
    row: dict[str, Any] = {"hid": hid, "idno": idno, "relation": relation, "sex": sex, "age": age}
    educ = d.person("educ_attain", age, band, sex, setting)
    row["educ_attain"] = educ
    row["school_attend"] = d.person("school_attend", age, band, educ)
    schooled = educ in ("Primary", "Secondary", "University")  # finished primary: can read
    row["literacy"] = (
        "Not in universe"
        if age < 5
        else d.table("literacy", band, educ, allowed=(lambda v: v == "Yes") if schooled else None)
    )
    years = d.table("yrs_school", educ, band) if educ != labels("educ_attain")[0] else None
    row["yrs_school"] = float(min(int(years), max(0, age - 5))) if years is not None else np.nan
    act = d.person("act_status", age, band, sex, setting)
    if age >= 15 and act == "NIU (not in universe)":
        act = "Inactive"
    row["act_status"] = act
    row["labor_force"] = (
        "Not in universe" if age < 15 else {"Employed": "Yes", "Unemployed": "Yes"}.get(act, "No")
    )
    if act == "Employed":
        occupation = d.table("occupation", educ, sex, setting, allowed=_in_universe)
        row["occupation"] = occupation
        row["industry"] = d.table("industry", occupation, setting, allowed=_in_universe)
    else:
        row["occupation"], row["industry"] = "Not in universe", "NIU (not in universe)"
    row["migrate_recent"] = d.table("migrate_recent", band, setting)
    combo = d.table("disability", band)
    row["disability"], row["blind"], row["deaf"], row["mental"] = combo.split("/")
    row["age_month"] = float(age * 12 + d.rng.integers(0, 12)) if age < 5 else np.nan
    if age < 5:
        weight_mean, weight_sd, height_mean, height_sd = d.cal["child_growth"][str(age)]
        row["ch_weight"] = round(max(2.0, d.rng.normal(weight_mean, weight_sd)), 1)
        row["ch_height"] = round(max(44.0, d.rng.normal(height_mean, height_sd)), 1)
    else:
        row["ch_weight"] = row["ch_height"] = np.nan
    return row


def _in_universe(value: str) -> bool:
    """Workers have an occupation and an industry (the catalog has a few without)."""
    return value not in ("Not in universe", "NIU (not in universe)")


def _marital(d: _Draw, person: dict[str, Any], married: bool) -> str:
    relation, age, sex = person["relation"], person["age"], person["sex"]
    if relation == "Spouse/partner" or (relation == "Head" and married):
        return "Married/in union"
    role = {"Head": "head", "Child": "child"}.get(relation, "other")
    band = _band(age)
    return d.person("marstat", age, role, band, sex)


def _child_age(d: _Draw, youngest_parent: int) -> int | None:
    """A child's age given the younger parent's, at least 15 years younger; None if none fits."""
    if youngest_parent < 15:
        return None
    for _ in range(30):
        age = d.age_in_band(d.table("child_age", _band(youngest_parent)))
        if age <= youngest_parent - 15:
            return age
    return int(d.rng.integers(0, youngest_parent - 14))


def _members(d: _Draw, hid: str, size: int, setting: str, region: str) -> list[dict[str, Any]]:
    size_key = min(size, 10)
    head_sex = d.table("head_sex", setting)
    married = size >= 2 and d.table("spouse", size_key, head_sex) == "True"
    head_age = max(18, d.heap(d.age_in_band(d.table("head_age", size_key, married))))
    roster = [("Head", head_sex, head_age)]
    if married:
        gap = int(d.table("spouse_gap", head_sex, _band(head_age)))
        spouse_age = int(np.clip(head_age - gap, 18, 95))
        roster.append(("Spouse/partner", "Female" if head_sex == "Male" else "Male", spouse_age))
    youngest_parent = min(age for _, _, age in roster)
    while len(roster) < size:
        relation = d.table("other_member", _band(head_age), size_key)
        age = _child_age(d, youngest_parent) if relation == "Child" else None
        if age is None:
            relation = "Other relative" if relation == "Child" else relation
            age = d.heap(d.age_in_band(d.table("other_age", relation)))
        roster.append((relation, d.table("member_sex", relation), age))
    religion = d.table("religion", region)
    people = []
    for idno, (relation, sex, age) in enumerate(roster, start=1):
        person = _person(d, hid, idno, relation, sex, age, setting)
        person["marstat"] = _marital(d, person, married)
        person["religion"] = religion if idno == 1 else d.table("member_religion", religion)
        people.append(person)
    _fertility(d, people)
    return people


def _fertility(d: _Draw, people: list[dict[str, Any]]) -> None:
    """Children ever born (at least her children at home), surviving, births last year."""
    own = [p["age"] for p in people if p["relation"] == "Child"]
    for person in people:
        is_mother = person["relation"] in ("Head", "Spouse/partner")
        if person["sex"] != "Female" or person["age"] < 12:
            person["children_born"] = person["children_surv"] = person["births_12m"] = np.nan
            continue
        mean = d.cal["children_born"].get(str(_band(person["age"])), 0.0)
        at_home = len(own) if is_mother else 0
        born = max(at_home, int(d.rng.poisson(mean)))
        person["children_born"] = float(born)
        person["children_surv"] = (
            float(max(at_home, born - d.rng.binomial(born, 0.06))) if born else np.nan
        )
        person["births_12m"] = float(is_mother and any(age == 0 for age in own))


def _allocate(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Whole counts proportional to shares, summing to total (largest remainder)."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[
        : total - sum(counts.values())
    ]:
        counts[k] += 1
    return counts


def _log_spending(quantiles: list[float], position: float) -> float:
    """Log per-capita spending at a position in (0, 1) within a quintile."""
    return float(np.interp(position, QUANTILES, quantiles))


def _household(
    d: _Draw, hid: str, region: str, setting: str, district: str, ea: int, wealth: float
) -> dict[str, Any]:
    quint_dist = d.cal["quintile"].get(f"{region}|{setting}", d.cal["quintile"]["*"])
    probability = _NORMAL.cdf(wealth)
    cumulative = 0.0
    quint, position = QUINTILES[-1], 0.5
    for q in QUINTILES:
        share = quint_dist.get(q, 0.0) / sum(quint_dist.values())
        if probability <= cumulative + share or q == QUINTILES[-1]:
            quint, position = q, (probability - cumulative) / max(share, 1e-9)
            break
        cumulative += share
    position = float(np.clip(position, 0.0, 1.0))
    size_key = d.table("hhsize", setting, quint)
    size = int(size_key) if size_key != "10" else int(d.table("hhsize_over_10"))
    row: dict[str, Any] = {
        "hid": hid,
        "geo1": region,
        "geo2": district,
        "ea": ea,
        "urbrur": setting,
        "hhsize": size,
    }
    for column in HOUSEHOLD_BY_CLASS:
        row[column] = d.table(d.cal["household"][column], setting, quint)
    row["deaths_12m"] = float(row["deaths_12m"])
    row["piped_water"] = d.table("piped_water", row["water"])
    row["flush_toilet"] = d.table("flush_toilet", row["toilet"])
    row["rooms"] = int(d.table("rooms", min(size, 7), quint))
    row["bedrooms"] = min(row["rooms"], int(d.table("bedrooms", row["rooms"])))
    pc_exp = float(np.exp(_log_spending(d.cal["pc_exp_log_quantiles"][quint], position)))
    budget = np.array(d.cal["expenditure_share"][quint]) * d.rng.lognormal(0, 0.25, 12)
    spending = np.maximum(0, np.round(pc_exp * size * budget / budget.sum())).astype(int)
    row.update({column: float(v) for column, v in zip(EXPENDITURE, spending, strict=True)})
    row["tot_exp"] = float(spending.sum())
    row["tot_food"] = float(spending[0])
    row["share_food"] = round(spending[0] / max(1, spending.sum()), 3)
    row["pc_exp"] = round(spending.sum() / size, 2)
    return row


def _weighted_quintile(value: pd.Series, weight: pd.Series) -> pd.Series:
    """Quintile labels of `value` with cut points at 20 % steps of `weight`."""
    order = value.sort_values(kind="stable").index
    cumulative = weight.loc[order].cumsum() / weight.sum()
    codes = np.minimum((cumulative.to_numpy() * 5 - 1e-9).astype(int), 4)
    return pd.Series(np.array(QUINTILES)[codes], index=order).reindex(value.index)


def generate(
    n_households: int = N_HOUSEHOLDS, seed: int = SEED, calibration: dict[str, Any] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households and individuals in the catalog's schema (categoricals as labels)."""
    if n_households % EA_SIZE:
        raise ValueError(f"n_households must be a multiple of {EA_SIZE} (one EA each)")
    cal = calibration or json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    d = _Draw(cal, np.random.default_rng(seed))
    strata = cal["strata"]
    ea_counts = _allocate(n_households // EA_SIZE, {k: v["eas"] for k, v in strata.items()})
    rho = float(np.sqrt(cal["wealth_icc"]))
    households: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    used_hids: set[str] = set()
    ea_numbers: dict[str, int] = {}
    weights: list[float] = []
    for stratum in sorted(strata):
        region, setting = stratum.split("|")
        n_eas = ea_counts[stratum]
        if not n_eas:
            continue
        districts = d.cal["district_eas"].get(stratum) or {
            k: v for k, v in cal["district_eas"]["*"].items() if k.startswith(region)
        }
        spread = d.rng.lognormal(0.0, EA_WEIGHT_SPREAD, n_eas)
        ea_weights = iter(strata[stratum]["weighted_households"] * spread / spread.sum() / EA_SIZE)
        # EA wealth levels at evenly spaced normal quantiles, shuffled: every stratum gets
        # the full range of EAs, so sample-to-sample swings in wealth stay small.
        levels = iter(d.rng.permutation([_NORMAL.inv_cdf((k + 0.5) / n_eas) for k in range(n_eas)]))
        for district, count in sorted(_allocate(n_eas, districts).items()):
            for _ in range(count):
                weight = float(next(ea_weights))
                ea_numbers[district] = ea_numbers.get(district, 0) + 1
                ea = _GEO2_CODE[district] * 1000 + ea_numbers[district]
                level = next(levels)
                for _ in range(EA_SIZE):
                    hid = _new_hid(d.rng, used_hids)
                    wealth = rho * level + np.sqrt(1 - rho**2) * d.rng.normal()
                    household = _household(d, hid, region, setting, district, ea, wealth)
                    households.append(household)
                    weights.append(weight)
                    people.extend(_members(d, hid, household["hhsize"], setting, region))
    hh = pd.DataFrame(households)
    hh["hhweight"] = weights
    hh["popweight"] = hh["hhweight"] * hh["hhsize"]
    hh["quint_nat"] = _weighted_quintile(hh["pc_exp"], hh["popweight"])
    hh["quint_urb"] = hh["quint_rur"] = None
    for setting, column in (("Urban", "quint_urb"), ("Rural", "quint_rur")):
        part = hh["urbrur"] == setting
        hh.loc[part, column] = _weighted_quintile(hh.loc[part, "pc_exp"], hh.loc[part, "popweight"])
    ind = pd.DataFrame(people).merge(hh[["hid", "hhweight"]], on="hid", validate="many_to_one")
    hh = hh.sort_values("hid", ignore_index=True)  # the catalog's files are sorted by hid
    ind = ind.sort_values(["hid", "idno"], ignore_index=True)
    return _typed(hh, HOUSEHOLD_SCHEMA), _typed(ind, INDIVIDUAL_SCHEMA)


def _new_hid(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        hid = f"{int(rng.integers(0, 16**11)):011x}"
        if hid not in used:
            used.add(hid)
            return hid


def _typed(frame: pd.DataFrame, schema: tuple) -> pd.DataFrame:
    """Columns in schema order; categoricals with the codebook's categories."""
    out = {}
    for column in schema:
        values = frame[column.name]
        if column.kind == "category":
            out[column.name] = pd.Categorical(values, categories=labels(column.name))
        elif column.kind == "int":
            out[column.name] = values.astype("int32")
        elif column.kind == "float":
            out[column.name] = values.astype("float64")
        else:
            out[column.name] = values.astype(str)
    return pd.DataFrame(out)


def reference_figures(households: pd.DataFrame, people: pd.DataFrame) -> dict[str, float]:
    """The figures of `../shared/reference/worldbank.md`: percentages, mean household size."""
    hw, pw = households["hhweight"], people["hhweight"]
    setting = people["hid"].map(households.set_index("hid")["urbrur"].astype(str))
    figures = {
        "urban": 100 * pw[setting == "Urban"].sum() / pw.sum(),
        "hhsize": float((households["hhsize"] * hw).sum() / hw.sum()),
        "under_15": 100 * pw[people["age"] < 15].sum() / pw.sum(),
        "over_64": 100 * pw[people["age"] >= 65].sum() / pw.sum(),
        "female": 100 * pw[people["sex"].astype(str) == "Female"].sum() / pw.sum(),
    }
    for asset in ("electricity", "cell", "tv", "bank", "car"):
        figures[asset] = 100 * hw[households[asset].astype(str) == "Yes"].sum() / hw.sum()
    return {k: round(float(v), 2) for k, v in figures.items()}
