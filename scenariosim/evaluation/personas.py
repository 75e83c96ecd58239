"""Who the personas are, against the census population they were drawn from.

The table is the personas package's `representativeness`: for each attribute, the
personas' share beside the `hhweight`-weighted share among the census people the
scenario's selection keeps (`personas.where`, `filters`, `min_age`), weighted by each persona's
design weight when the scenario oversampled strata. The strata table shows those weights.
With a handful of personas the differences are noise; they are shown so a researcher
sees it.
"""

from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from scenariosim.errors import ScenarioSimError
from scenariosim.personas.represent import representativeness


class ShareRow(BaseModel):
    variable: str
    category: str
    sample_share: float
    census_share: float | None
    tvd: float | None = None


class StratumRow(BaseModel):
    """How one stratum was sampled; weight = census share / persona share."""

    name: str
    where: str
    personas: int
    persona_share: float
    census_share: float
    design_weight: float


class PersonaFigures(BaseModel):
    personas: int
    households: int
    source: str
    rows: list[ShareRow]
    strata: list[StratumRow] = []
    notes: list[str]


def strata_rows(sample: pd.DataFrame, scenario: dict[str, Any]) -> list[StratumRow]:
    """The weights used, from the persona table (empty when no strata were asked for)."""
    if "stratum" not in sample or not sample["stratum"].astype(str).str.len().any():
        return []
    where = {s["name"]: s["where"] for s in scenario.get("personas", {}).get("strata", [])}
    rows = []
    for name, group in sample.groupby("stratum", sort=False):
        share = len(group) / len(sample)
        weight = float(group["design_weight"].iloc[0])
        rows.append(
            StratumRow(
                name=str(name),
                where=where.get(str(name), "everyone else"),
                personas=len(group),
                persona_share=round(share, 4),
                census_share=round(weight * share, 4),
                design_weight=round(weight, 4),
            )
        )
    return rows


def persona_figures(personas: list[dict[str, Any]], scenario: dict[str, Any]) -> PersonaFigures:
    if not personas:
        return PersonaFigures(
            personas=0, households=0, source="none", rows=[], notes=["no persona table"]
        )
    sample = pd.DataFrame(personas)
    spec = scenario.get("personas", {})
    notes: list[str] = []
    rows: list[ShareRow] = []
    try:
        table = representativeness(
            sample,
            Path(spec["census"]) if spec.get("census") else None,
            where=spec.get("where"),
            filters=spec.get("filters"),
            min_age=int(spec.get("min_age", 0)),
        )
        rows = [
            ShareRow(**{k: r[k] for k in ShareRow.model_fields}) for r in table.to_dict("records")
        ]
    except ScenarioSimError as e:
        notes.append(f"census comparison unavailable: {e}")
    strata = strata_rows(sample, scenario)
    if strata:
        notes.append("persona shares are weighted by design weight, undoing the oversampling")
    return PersonaFigures(
        personas=len(sample),
        households=int(sample["hid"].nunique()),
        source="personas vs the hhweight-weighted census people the scenario's selection keeps",
        rows=rows,
        strata=strata,
        notes=notes,
    )
