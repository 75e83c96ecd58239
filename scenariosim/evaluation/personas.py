"""Who the personas are, against the census population they were drawn from.

Uses the personas package's `representativeness(sample, census_path)` when it exists
(a frame of variable, category, sample_share, census_share). Until then this module
compares the sample itself: for sex, age band, urban/rural, region and education, the
share among the personas beside the `hhweight`-weighted share in the census rows the
scenario's filter (`personas.where`, `min_age`) selects. With a handful of personas the
differences are noise; they are shown so a researcher sees it.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from scenariosim.errors import ScenarioSimError

AGE_BANDS = [(16, 24), (25, 34), (35, 49), (50, 64), (65, 200)]
# persona field -> census column (the persona's value is the census value, as enriched)
COMPARED = {
    "sex": "sex",
    "age_band": "age_band",
    "urban": "urban",
    "region": "geo1",
    "education": "educ_attain",
}


class ShareRow(BaseModel):
    variable: str
    category: str
    sample_share: float
    census_share: float | None


class PersonaFigures(BaseModel):
    personas: int
    households: int
    source: str
    rows: list[ShareRow]
    notes: list[str]


def age_band(age: float) -> str:
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}-{hi}" if hi < 200 else f"{lo}+"
    return f"<{AGE_BANDS[0][0]}"


def _packaged() -> Callable[..., pd.DataFrame] | None:
    try:
        from scenariosim.personas import representativeness  # type: ignore[attr-defined]
    except ImportError:
        return None
    func = getattr(representativeness, "representativeness", representativeness)
    return func if callable(func) else None


def _packaged_rows(
    packaged: Callable[..., pd.DataFrame],
    sample: pd.DataFrame,
    scenario: dict[str, Any],
    notes: list[str],
) -> list[ShareRow] | None:
    """The personas package's table, or None (with a note) if it does not fit this report."""
    spec = scenario.get("personas", {})
    try:
        table = packaged(sample, Path(spec["census"]) if spec.get("census") else None)
        return [
            ShareRow(**{k: r.get(k) for k in ShareRow.model_fields})
            for r in table.to_dict("records")
        ]
    except (TypeError, KeyError, AttributeError, ValueError, ScenarioSimError) as e:
        notes.append(
            f"personas.representativeness could not be used here ({e}); shares computed here"
        )
        return None


def _shares(values: pd.Series, weights: pd.Series | None = None) -> dict[str, float]:
    if weights is None:
        weights = pd.Series(1.0, index=values.index)
    totals = weights.groupby(values.astype(str)).sum()
    return (totals / totals.sum()).round(4).to_dict()


def _census_frame(scenario: dict[str, Any], notes: list[str]) -> pd.DataFrame | None:
    from scenariosim.personas.load import load_census
    from scenariosim.personas.sample import select

    spec = scenario.get("personas", {})
    try:
        census = load_census(Path(spec["census"]) if spec.get("census") else None)
        pool = select(census, spec.get("where"), int(spec.get("min_age", 0)))
    except ScenarioSimError as e:
        notes.append(f"census comparison unavailable: {e}")
        return None
    pool = pool.copy()
    pool["age_band"] = pool["age"].map(age_band)
    return pool


def persona_figures(personas: list[dict[str, Any]], scenario: dict[str, Any]) -> PersonaFigures:
    notes: list[str] = []
    if not personas:
        return PersonaFigures(
            personas=0, households=0, source="none", rows=[], notes=["no persona table"]
        )
    sample = pd.DataFrame(personas)
    packaged = _packaged()
    if packaged is not None:
        spec = scenario.get("personas", {})
        table = packaged(sample, Path(spec["census"]) if spec.get("census") else None)
        rows = [
            ShareRow(**{k: r[k] for k in ShareRow.model_fields}) for r in table.to_dict("records")
        ]
        return PersonaFigures(
            personas=len(sample),
            households=sample["hid"].nunique(),
            source="scenariosim.personas.representativeness",
            rows=rows,
            notes=notes,
        )
    if packaged is None:
        notes.append(
            "scenariosim.personas has no representativeness function yet: shares computed here"
        )
    sample["age_band"] = sample["age"].map(age_band)
    sample["urban"] = sample["urban"].astype(int) if "urban" in sample else 0
    census = _census_frame(scenario, notes)
    rows = []
    for variable, column in COMPARED.items():
        if variable not in sample:
            continue
        mine = _shares(sample[variable])
        theirs = _shares(census[column], census["hhweight"]) if census is not None else {}
        for category in sorted(set(mine) | set(theirs)):
            rows.append(
                ShareRow(
                    variable=variable,
                    category=category,
                    sample_share=mine.get(category, 0.0),
                    census_share=theirs.get(category) if census is not None else None,
                )
            )
    return PersonaFigures(
        personas=len(sample),
        households=int(sample["hid"].nunique()),
        source="sample vs hhweight-weighted census rows matching the scenario's filter",
        rows=rows,
        notes=notes,
    )
