"""Aggregate tables of a real census sample, which the stand-in generator draws from.

Only weighted shares per cell, means and quantiles leave this module, never rows: a
conditioning cell with fewer than `MIN_CELL` records is left out (the generator falls back
to a coarser cell), and shares are rounded. So the shipped `calibration.json` is a summary
of the real files, not a copy of them.

A maintenance script, not shipped. Run it against the catalog files (kept outside the
repository): `python tools/calibrate_census.py HOUSEHOLD.dta INDIVIDUAL.dta`. The bands and
columns it conditions on are the generator's (`scenariosim.personas.standin`).
"""

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scenariosim.personas.standin import (
    BANDS,
    CALIBRATION_FILE,
    EA_SIZE,
    EXPENDITURE,
    HOUSEHOLD_BY_CLASS,
    QUANTILES,
)

MIN_CELL = 20

Table = dict[str, dict[str, float]]


def age_band(age: pd.Series) -> pd.Series:
    """Index of the age band (see BANDS) for each age."""
    edges = [-1, *(high for _, high in BANDS)]
    return pd.cut(age, edges, labels=False).astype(int)


def shares(frame: pd.DataFrame, by: list[str], column: str, weight: str = "hhweight") -> Table:
    """{cell: {value: weighted share}}, cells keyed 'a|b|c', for every prefix of `by`
    ('a', 'a|b', 'a|b|c') so a coarser cell always exists; '*' is the whole frame.

    Cells with fewer than MIN_CELL records are dropped so no table describes a handful of
    people; the generator then uses the next coarser cell.
    """
    out: Table = {"*": _distribution(frame, column, weight)}
    for depth in range(1, len(by) + 1):
        for key, group in frame.groupby(by[:depth], observed=True):
            if len(group) >= MIN_CELL:
                cell = "|".join(map(str, key if isinstance(key, tuple) else (key,)))
                out[cell] = _distribution(group, column, weight)
    return out


def _distribution(frame: pd.DataFrame, column: str, weight: str) -> dict[str, float]:
    totals = frame.groupby(frame[column].astype(str), observed=True)[weight].sum()
    totals = totals[totals > 0] / totals.sum()
    return {str(k): round(float(v), 4) for k, v in totals.items() if round(float(v), 4) > 0}


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.select_dtypes(["category", "object", "str"]).columns:
        frame[column] = frame[column].astype(str)
    return frame


def _household_tables(h: pd.DataFrame) -> dict[str, Any]:
    strata = h.groupby(["geo1", "urbrur"])
    wealth = h.groupby(["geo1", "urbrur"])["quint_nat"].transform(
        lambda q: _normal_scores(q.map(_QUINT_RANK))
    )
    between = wealth.groupby(h["ea"]).mean().var()
    within = wealth.groupby(h["ea"]).var().mean()
    icc = max(0.0, (between - within / EA_SIZE) / (between + within * (1 - 1 / EA_SIZE)))
    log_pc = np.log(h["pc_exp"])
    size = h["hhsize"].clip(upper=10)
    h = h.assign(size=size, size_band=size.clip(upper=7), pc_log=log_pc)
    return {
        "strata": {
            f"{g}|{u}": {
                "eas": int(d["ea"].nunique()),
                "weighted_households": round(float(d["hhweight"].sum()), 1),
            }
            for (g, u), d in strata
        },
        "district_eas": shares(h.assign(one=1.0), ["geo1", "urbrur"], "geo2", "one"),
        "quintile": shares(h, ["geo1", "urbrur"], "quint_nat"),
        "wealth_icc": round(float(icc), 3),
        "pc_exp_log_quantiles": {
            q: [round(float(v), 3) for v in np.quantile(d["pc_log"], QUANTILES)]
            for q, d in h.groupby("quint_nat", observed=True)
        },
        "hhsize": shares(h, ["urbrur", "quint_nat"], "size"),
        "hhsize_over_10": shares(h[h["hhsize"] >= 10], [], "hhsize"),
        "household": {c: shares(h, ["urbrur", "quint_nat"], c) for c in HOUSEHOLD_BY_CLASS},
        "piped_water": shares(h, ["water"], "piped_water"),
        "flush_toilet": shares(h, ["toilet"], "flush_toilet"),
        "rooms": shares(h, ["size_band", "quint_nat"], "rooms"),
        "bedrooms": shares(h, ["rooms"], "bedrooms"),
        "expenditure_share": {
            q: (d[list(EXPENDITURE)].sum() / d[list(EXPENDITURE)].sum().sum()).round(4).tolist()
            for q, d in h.groupby("quint_nat", observed=True)
        },
    }


_QUINT_RANK = {"poorest": 0, "poor": 1, "average": 2, "rich": 3, "richest": 4}


def _normal_scores(rank: pd.Series) -> pd.Series:
    """Mid-point normal scores of an ordinal variable (a probit of its cumulative shares)."""
    from statistics import NormalDist

    cumulative = rank.value_counts(normalize=True).sort_index().cumsum()
    lower = cumulative.shift(fill_value=0.0)
    mid = {k: NormalDist().inv_cdf(float((lower[k] + cumulative[k]) / 2)) for k in cumulative.index}
    return rank.map(mid).astype(float)


def _member_tables(h: pd.DataFrame, p: pd.DataFrame) -> dict[str, Any]:
    heads = p[p["relation"] == "Head"].set_index("hid")
    has_spouse = p.groupby("hid")["relation"].agg(lambda r: str((r == "Spouse/partner").any()))
    heads = heads.join(has_spouse.rename("has_spouse"))
    spouses = p[p["relation"] == "Spouse/partner"].drop_duplicates("hid").set_index("hid")
    couples = spouses.join(heads[["age", "sex"]].add_suffix("_head"), how="inner")
    gap = couples["age_head"] - couples["age"]
    parents = p[p["relation"].isin(["Head", "Spouse/partner"])].groupby("hid")["age"].min()
    children = p[p["relation"] == "Child"].join(parents.rename("parent_age"), on="hid")
    children["parent_band"] = age_band(children["parent_age"])
    others = p[p["relation"] != "Head"].join(heads["band"].rename("head_band"), on="hid")
    others = others[others["relation"] != "Spouse/partner"]
    head_religion = heads["religion"]
    members = p[p["relation"] != "Head"].join(head_religion.rename("head_religion"), on="hid")
    adults = p[(p["age"] >= 23) & (p["age"] <= 72)]
    heaped = float(((adults["age"] % 5) == 0).mean())
    return {
        "head_sex": shares(heads, ["urbrur"], "sex"),
        "spouse": shares(heads, ["size", "sex"], "has_spouse"),
        "head_age": shares(heads, ["size", "has_spouse"], "band"),
        "spouse_gap": shares(
            couples.assign(
                gap=gap.clip(-20, 30).astype(int), head_band=age_band(couples["age_head"])
            ),
            ["sex_head", "head_band"],
            "gap",
        ),
        "other_member": shares(others, ["head_band", "size"], "relation"),
        "child_age": shares(children, ["parent_band"], "band"),
        "other_age": shares(others[others["relation"] != "Child"], ["relation"], "band"),
        "member_sex": shares(others, ["relation"], "sex"),
        "religion": shares(heads, ["geo1"], "religion"),
        "member_religion": shares(members, ["head_religion"], "religion"),
        "age_heaping": round(max(0.0, (heaped - 0.2) / 0.8), 3),
    }


def _person_tables(p: pd.DataFrame) -> dict[str, Any]:
    workers = p[p["act_status"] == "Employed"]
    women = p[(p["sex"] == "Female") & p["children_born"].notna()]
    under5 = p[p["age"] < 5]
    disability = p["disability"] + "/" + p["blind"] + "/" + p["deaf"] + "/" + p["mental"]
    couples = p.loc[p["relation"] == "Spouse/partner", "hid"].unique()
    role = np.where(p["relation"] == "Child", "child", "other")
    role = np.where(p["relation"] == "Head", "head", role)
    role = np.where((p["relation"] == "Head") & p["hid"].isin(couples), "head_in_couple", role)
    p = p.assign(role=role, disability_combo=disability)
    schooled = p[p["yrs_school"].notna()].assign(years=p["yrs_school"].round().astype("Int64"))
    return {
        "educ_attain": shares(p, ["band", "sex", "urbrur"], "educ_attain"),
        "school_attend": shares(p, ["band", "educ_attain"], "school_attend"),
        "literacy": shares(p, ["band", "educ_attain"], "literacy"),
        "yrs_school": shares(schooled, ["educ_attain", "band"], "years"),
        "act_status": shares(p, ["band", "sex", "urbrur"], "act_status"),
        "marstat": shares(
            p[(p["role"] != "head_in_couple") & (p["relation"] != "Spouse/partner")],
            ["role", "band", "sex"],
            "marstat",
        ),
        "migrate_recent": shares(p, ["band", "urbrur"], "migrate_recent"),
        "disability": shares(p, ["band"], "disability_combo"),
        "occupation": shares(workers, ["educ_attain", "sex", "urbrur"], "occupation"),
        "industry": shares(workers, ["occupation", "urbrur"], "industry"),
        "children_born": {
            str(b): round(float(d["children_born"].mean()), 2)
            for b, d in women.groupby("band")
            if len(d) >= MIN_CELL
        },
        "child_growth": {
            str(a): [
                round(float(d["ch_weight"].mean()), 2),
                round(float(d["ch_weight"].std()), 2),
                round(float(d["ch_height"].mean()), 1),
                round(float(d["ch_height"].std()), 1),
            ]
            for a, d in under5.groupby("age")
        },
    }


def calibrate(households: pd.DataFrame, people: pd.DataFrame) -> dict[str, Any]:
    """All tables the generator needs, from one household and one individual frame."""
    h = _strings(households)
    p = _strings(people).merge(h[["hid", "geo1", "urbrur", "quint_nat", "hhsize"]], on="hid")
    p["band"] = age_band(p["age"])
    p["size"] = p["hhsize"].clip(upper=10)
    return {
        "source": "weighted aggregates of the catalog 5906 sample; no rows",
        "min_cell": MIN_CELL,
        **_household_tables(h),
        **_member_tables(h, p),
        **_person_tables(p),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("households", type=Path, help="household file (.dta)")
    parser.add_argument("individuals", type=Path, help="individual file (.dta)")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = parser.parse_args(argv)
    tables = calibrate(pd.read_stata(args.households), pd.read_stata(args.individuals))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(tables, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
