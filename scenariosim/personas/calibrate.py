"""Aggregate statistics of real census files, which the stand-in generator draws from.

Only contingency tables (weighted shares per cell) leave this module, never rows, so the
shipped calibration carries no record of the real files. Run:
`python -m scenariosim.personas.calibrate HOUSEHOLD.dta INDIVIDUAL.dta`.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

CALIBRATION_FILE = Path(__file__).parents[1] / "data" / "census" / "calibration.json"

HOUSEHOLD_BY_CLASS = (
    "statocc",
    "floor",
    "walls",
    "roof",
    "water",
    "piped_water",
    "toilet",
    "flush_toilet",
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
    "rooms",
    "bedrooms",
    "deaths_12m",
)
PERSON_BY_PROFILE = (
    "marstat",
    "religion",
    "school_attend",
    "educ_attain",
    "literacy",
    "act_status",
    "migrate_recent",
    "disability",
    "blind",
    "deaf",
    "mental",
)


def age_band(age: pd.Series) -> pd.Series:
    return pd.cut(age, [-1, 4, 9, 14, 17, 24, 34, 44, 54, 64, 74, 200], labels=False).astype(int)


def _shares(
    frame: pd.DataFrame, by: list[str], column: str, weight: str
) -> dict[str, dict[str, float]]:
    """{cell key: {value: weighted share}} with the cell key joined by '|'."""
    table = frame.groupby([*by, column], observed=True)[weight].sum()
    out: dict[str, dict[str, float]] = {}
    for key, value in table.items():
        *cell, val = key if isinstance(key, tuple) else (key,)
        out.setdefault("|".join(map(str, cell)), {})[str(val)] = float(value)
    for cell, dist in out.items():
        total = sum(dist.values())
        out[cell] = {k: round(v / total, 5) for k, v in dist.items() if v > 0}
    return out


def _gap(p: pd.DataFrame) -> list[float]:
    """Mean and spread of (youngest of head and spouse) minus child age."""
    parents = p[p["relation"].isin(["Head", "Spouse/partner"])].groupby("hid")["age"].min()
    kids = p[p["relation"] == "Child"].join(parents.rename("parent_age"), on="hid")
    gap = kids["parent_age"] - kids["age"]
    return [float(gap.mean()), float(gap.std())]


def _child_by_parent(p: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Child age band given the youngest parent's age band."""
    parents = p[p["relation"].isin(["Head", "Spouse/partner"])].groupby("hid")["age"].min()
    kids = p[p["relation"] == "Child"].join(parents.rename("parent_age"), on="hid")
    kids["parent_band"] = age_band(kids["parent_age"])
    return _shares(kids, ["parent_band"], "band", "hhweight")


def calibrate(households: pd.DataFrame, people: pd.DataFrame) -> dict:
    h = households.copy()
    for c in h.select_dtypes("category"):
        h[c] = h[c].astype(str)
    p = people.merge(h[["hid", "urbrur", "quint_nat", "hhsize"]], on="hid")
    for c in p.select_dtypes("category"):
        p[c] = p[c].astype(str)
    p["band"] = age_band(p["age"])
    p["size"] = p["hhsize"].clip(upper=10)
    h["size"] = h["hhsize"].clip(upper=10)
    worker = p[p["act_status"] == "Employed"]
    spouses = p[p["relation"] == "Spouse/partner"].merge(
        p[p["relation"] == "Head"][["hid", "age"]], on="hid", suffixes=("", "_head")
    )
    exp_cols = [f"exp_{i:02d}" for i in range(1, 13)]
    return {
        "households_per_region": h.groupby("geo1").size().to_dict(),
        "weighted_households_per_region": h.groupby("geo1")["hhweight"].sum().round(1).to_dict(),
        "districts": {g: sorted(d["geo2"].unique().tolist()) for g, d in h.groupby("geo1")},
        "district_share": _shares(h, ["geo1"], "geo2", "hhweight"),
        "urban_share": _shares(h, ["geo1"], "urbrur", "hhweight"),
        "quintile": _shares(h, ["geo1", "urbrur"], "quint_nat", "hhweight"),
        "hhsize": _shares(h, ["urbrur", "quint_nat"], "size", "hhweight"),
        "household": {
            c: _shares(h, ["urbrur", "quint_nat"], c, "hhweight") for c in HOUSEHOLD_BY_CLASS
        },
        "expenditure_share": {
            q: (d[exp_cols].sum() / d[exp_cols].sum().sum()).round(5).tolist()
            for q, d in h.groupby("quint_nat")
        },
        "pc_exp_log": {
            q: [float(np.log(d["pc_exp"]).mean()), float(np.log(d["pc_exp"]).std())]
            for q, d in h.groupby("quint_nat")
        },
        "spouse": _shares(
            p[p["relation"] == "Head"].merge(
                p.groupby("hid")["relation"]
                .apply(lambda r: str((r == "Spouse/partner").any()))
                .rename("has_spouse"),
                on="hid",
            ),
            ["size", "sex"],
            "has_spouse",
            "hhweight",
        ),
        "other_member": _shares(
            p[~p["relation"].isin(["Head", "Spouse/partner"])].join(
                age_band(p[p["relation"] == "Head"].set_index("hid")["age"]).rename("head_band"),
                on="hid",
            ),
            ["head_band"],
            "relation",
            "hhweight",
        ),
        "head_sex": _shares(p[p["relation"] == "Head"], ["urbrur"], "sex", "hhweight"),
        "head_age": _shares(
            p[p["relation"] == "Head"].merge(
                p.groupby("hid")["relation"]
                .apply(lambda r: str((r == "Spouse/partner").any()))
                .rename("has_spouse"),
                on="hid",
            ),
            ["size", "has_spouse"],
            "band",
            "hhweight",
        ),
        "spouse_gap": [
            float((spouses["age_head"] - spouses["age"]).mean()),
            float((spouses["age_head"] - spouses["age"]).std()),
        ],
        "child_age": _shares(p[p["relation"] == "Child"], ["size"], "band", "hhweight"),
        "parent_gap": _gap(p),
        "child_age_by_parent": _child_by_parent(p),
        "other_age": _shares(
            p[p["relation"].isin(["Other relative", "Non-relative"])],
            ["relation"],
            "band",
            "hhweight",
        ),
        "sex": _shares(p[p["relation"] != "Head"], ["relation"], "sex", "hhweight"),
        "person": {
            c: _shares(p, ["band", "sex", "urbrur"], c, "hhweight") for c in PERSON_BY_PROFILE
        },
        "occupation": _shares(worker, ["educ_attain", "sex"], "occupation", "hhweight"),
        "industry": _shares(worker, ["occupation"], "industry", "hhweight"),
        "yrs_school": p.groupby("educ_attain")["yrs_school"].mean().fillna(0).round(2).to_dict(),
    }


def main() -> None:
    households = pd.read_stata(sys.argv[1])
    people = pd.read_stata(sys.argv[2])
    CALIBRATION_FILE.parent.mkdir(parents=True, exist_ok=True)
    CALIBRATION_FILE.write_text(json.dumps(calibrate(households, people), indent=1, sort_keys=True))
    print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
