"""Oversampling groups on purpose: strata with fixed shares of the personas, and the design
weights that undo the oversampling when figures are compared with the census.

A stratum is a census selection (a pandas-query expression) and the share of the `n`
personas it gets. People are assigned to the first stratum whose expression they match;
everyone the selection keeps and no stratum matches forms the rest, which gets what the
strata leave. Within each group people are drawn as `sample_people` draws them
(proportional to `hhweight`). A persona's design weight is its group's weighted census
share divided by the group's share of the personas: 1 for every persona of an
unstratified sample, below 1 for an oversampled group, above 1 for the rest.
"""

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from scenariosim.errors import ConfigError
from scenariosim.personas.filters import (
    PersonaFilter,
    describe_selection,
    selection_mask,
    where_mask,
)
from scenariosim.personas.load import Census
from scenariosim.personas.sample import plain_rows, systematic_pps

REST = "rest"


class Stratum(BaseModel):
    """A group of census people that gets a fixed share of the personas."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="Label shown in the report, e.g. `young urban`.")
    where: str = Field(
        min_length=1, description="Census expression, e.g. `age < 30 and urban == 1`."
    )
    share: float = Field(gt=0, le=1, description="Share of the personas drawn from this group.")


class StratumFigures(BaseModel):
    """One row of the weights table the report shows."""

    name: str
    where: str
    census_share: float
    persona_share: float
    personas: int
    design_weight: float


def _allocate(n: int, shares: list[float]) -> list[int]:
    """Whole counts for the shares by largest remainder, never more than n in all."""
    exact = [n * s for s in shares]
    counts = [int(x) for x in exact]
    spare = min(n, round(sum(exact))) - sum(counts)
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[:spare]:
        counts[i] += 1
    return counts


def sample_strata(
    census: Census,
    n: int,
    strata: list[Stratum],
    where: str | None = None,
    filters: PersonaFilter | dict[str, object] | None = None,
    seed: int = 0,
    min_age: int = 0,
) -> tuple[pd.DataFrame, list[StratumFigures]]:
    """`n` people, each stratum's share of them from its group, the rest from everyone else.

    Returns the rows (with `stratum` and `design_weight` columns, groups in stratum order)
    and the weights table. Same seed, census and strata: same people.
    """
    total_share = sum(s.share for s in strata)
    if total_share > 1 + 1e-9:
        raise ConfigError(
            f"personas.strata shares add up to {total_share:.2f}; they may add up to at most 1"
        )
    if len({s.name for s in strata}) < len(strata) or any(s.name == REST for s in strata):
        raise ConfigError(f"personas.strata names must be distinct and not '{REST}'")
    base = selection_mask(census.people, where, filters, min_age)
    weights = census.people["hhweight"].to_numpy().astype(float)
    population = weights[base].sum()
    taken = np.zeros(len(base), dtype=bool)
    groups: list[tuple[str, str, np.ndarray, int]] = []
    counts = _allocate(n, [s.share for s in strata])
    for stratum, count in zip(strata, counts, strict=True):
        mask = base & ~taken & where_mask(census.people, stratum.where)
        taken |= mask
        groups.append((stratum.name, stratum.where, mask, count))
    groups.append((REST, "everyone else", base & ~taken, n - sum(counts)))
    rng = np.random.default_rng(seed)
    frames: list[pd.DataFrame] = []
    figures: list[StratumFigures] = []
    for name, expression, mask, count in groups:
        pool = np.flatnonzero(mask)
        if count > len(pool):
            raise ConfigError(
                f"personas.strata '{name}' ({expression}) needs {count} people but "
                f"{describe_selection(where, filters, min_age)} leaves it {len(pool)}; "
                "lower its share or loosen it"
            )
        census_share = float(weights[pool].sum() / population) if population else 0.0
        weight = census_share / (count / n) if count else 0.0
        if count:
            rows = pool[systematic_pps(weights[pool], count, rng)]
            frame = plain_rows(census.people.iloc[rows])
            frame["stratum"] = name
            frame["design_weight"] = round(weight, 6)
            frames.append(frame)
        figures.append(
            StratumFigures(
                name=name,
                where=expression,
                census_share=round(census_share, 4),
                persona_share=round(count / n, 4),
                personas=count,
                design_weight=round(weight, 4),
            )
        )
    return pd.concat(frames, ignore_index=True), figures
