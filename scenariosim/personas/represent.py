"""How well sampled personas represent the census population they were drawn from.

For each attribute, the share of each category among the personas beside its
`hhweight`-weighted share in the census (restricted to the same selection the personas
were drawn with), and the total variation distance (TVD, half the sum of absolute
differences: 0 identical, 1 disjoint). Personas drawn by `sample_people` are
self-weighting, so their shares are plain counts; stratified personas carry a
`design_weight` (see strata.py) and their shares are weighted by it, which undoes the
oversampling. With a handful of personas the differences are sampling noise; the
`personas` column says how many stand behind a row.

`compare_selections` puts census selections side by side instead: how the population a
`where` keeps differs from the whole census, before any persona is drawn.
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scenariosim.errors import ConfigError
from scenariosim.personas.enrich import digital_access_column
from scenariosim.personas.filters import PersonaFilter, selection_mask
from scenariosim.personas.load import Census, load_census
from scenariosim.personas.persona import Persona
from scenariosim.personas.words import ACTIVITY, EDUCATION, MARITAL

AGE_BANDS = ((0, 14), (15, 24), (25, 34), (35, 49), (50, 64), (65, 200))
SIZE_BANDS = ((1, 1), (2, 2), (3, 4), (5, 6), (7, 100))
COLUMNS = ("variable", "category", "sample_share", "census_share", "difference", "tvd", "personas")


def _band_names(bands: tuple[tuple[int, int], ...]) -> list[str]:
    names = [f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in bands]
    names[-1] = f"{bands[-1][0]}+"
    return names


def _bands(values: pd.Series, bands: tuple[tuple[int, int], ...]) -> pd.Series:
    """Band names of whole numbers, as a categorical (cheap to group for 10M rows)."""
    edges = np.array([high for _, high in bands[:-1]])
    codes = np.searchsorted(edges, values.to_numpy(), side="left")
    return pd.Series(pd.Categorical.from_codes(codes, _band_names(bands)), index=values.index)


def _yes_no(values: pd.Series) -> pd.Series:
    codes = values.to_numpy().astype(bool).astype(np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, ["no", "yes"]), index=values.index)


def _urban(values: pd.Series) -> pd.Series:
    codes = values.to_numpy().astype(bool).astype(np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, ["rural", "urban"]), index=values.index)


def _same(values: pd.Series) -> pd.Series:
    return values


def _text(values: pd.Series) -> pd.Series:
    return values.astype(str)


def _mapped(mapping: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    def census(values: pd.Series) -> pd.Series:
        return values.map(mapping)  # categorical in, categorical out: maps categories only

    return census


# variable -> (persona field, census column, census -> category, persona -> category)
Variable = tuple[str, str, Callable[[pd.Series], pd.Series], Callable[[pd.Series], pd.Series]]
VARIABLES: dict[str, Variable] = {
    "sex": ("sex", "sex", _same, _text),
    "age_band": ("age", "age", lambda s: _bands(s, AGE_BANDS), lambda s: _bands(s, AGE_BANDS)),
    "region": ("region", "geo1", _same, _text),
    "urban": ("urban", "urban", _urban, _urban),
    "education": ("education", "educ_attain", _mapped(EDUCATION), _text),
    "activity": ("activity", "act_status", _mapped(ACTIVITY), _text),
    "marital_status": ("marital_status", "marstat", _mapped(MARITAL), _text),
    "spending_quintile": ("spending_quintile", "quint_nat", _same, _text),
    "cell_phone": ("cell_phone", "cell", _yes_no, _yes_no),
    "household_size": (
        "household_size",
        "hhsize",
        lambda s: _bands(s, SIZE_BANDS),
        lambda s: _bands(s, SIZE_BANDS),
    ),
}


def _weighted_shares(keys: pd.Series, weights: pd.Series) -> pd.Series:
    """Weighted share of each category; grouping on codes, so 10M rows take a moment."""
    totals = weights.groupby(
        keys.to_numpy() if not isinstance(keys.dtype, pd.CategoricalDtype) else keys, observed=True
    ).sum()
    totals.index = totals.index.astype(str)
    totals = totals.groupby(level=0).sum()
    return totals / totals.sum()


def representativeness(
    personas: Sequence[Persona] | Sequence[dict[str, Any]] | pd.DataFrame,
    census: Census | Path | str | None = None,
    *,
    where: str | None = None,
    filters: PersonaFilter | dict[str, object] | None = None,
    min_age: int = 0,
) -> pd.DataFrame:
    """Persona shares vs weighted census shares per attribute, with TVD per attribute.

    `personas`: Persona objects or their rows (a run's persona table). `census`: a loaded
    Census, a census path, or None for the shipped sample. `where`/`filters`/`min_age`:
    the selection the personas were drawn with, so the census side is the same population.
    Columns: variable, category, sample_share, census_share, difference (sample - census),
    tvd (of the variable, on every row of it), personas (how many have the category).
    Attributes the personas do not carry are left out.
    """
    sample = _frame(personas)
    if sample.empty:
        raise ConfigError("no personas to compare with the census")
    if not isinstance(census, Census):
        census = load_census(Path(census) if census is not None else None)
    pool = census.people[selection_mask(census.people, where, filters, min_age)]
    if pool.empty:
        raise ConfigError("the selection keeps nobody in the census; nothing to compare with")
    weights = pool["hhweight"]
    design = (
        sample["design_weight"].astype(float)
        if "design_weight" in sample.columns
        else pd.Series(1.0, index=sample.index)
    )
    rows = []
    for variable, (field, column, census_side, persona_side) in VARIABLES.items():
        if field not in sample.columns:
            continue
        keys = persona_side(sample[field]).astype(str)
        theirs = _weighted_shares(census_side(pool[column]), weights)
        rows.extend(_rows(variable, keys, design, theirs))
    if "digital_access" in sample.columns:
        theirs = _weighted_shares(digital_access_column(pool), weights)
        rows.extend(_rows("digital_access", sample["digital_access"].astype(str), design, theirs))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _rows(
    variable: str, keys: pd.Series, design: pd.Series, census_shares: pd.Series
) -> list[dict[str, Any]]:
    counts = keys.value_counts()
    weighted = design.groupby(keys.to_numpy()).sum()
    sample_shares = weighted / weighted.sum()
    categories = sorted(set(sample_shares.index) | set(census_shares.index), key=str)
    pairs = [
        (str(c), float(sample_shares.get(c, 0.0)), float(census_shares.get(c, 0.0)))
        for c in categories
    ]
    tvd = 0.5 * sum(abs(s - c) for _, s, c in pairs)
    return [
        {
            "variable": variable,
            "category": category,
            "sample_share": round(s, 4),
            "census_share": round(c, 4),
            "difference": round(s - c, 4),
            "tvd": round(tvd, 4),
            "personas": int(counts.get(category, 0)),
        }
        for category, s, c in pairs
    ]


def compare_selections(census: Census, selections: Sequence[str], min_age: int = 0) -> pd.DataFrame:
    """Weighted shares of each selection beside the census (people aged `min_age`+).

    Columns: variable, category, census_share, then `share_<i>` and `tvd_<i>` for the i-th
    selection (TVD of that selection against the census, on every row of the variable).
    """
    everyone = census.people[census.people["age"].to_numpy() >= min_age]
    pools = [census.people[selection_mask(census.people, w, None, min_age)] for w in selections]
    for where, pool in zip(selections, pools, strict=True):
        if pool.empty:
            raise ConfigError(f"--where {where!r} keeps nobody in the census; loosen it")
    rows: list[dict[str, Any]] = []
    for variable, (_, column, census_side, _) in VARIABLES.items():
        base = _weighted_shares(census_side(everyone[column]), everyone["hhweight"])
        shares = [_weighted_shares(census_side(p[column]), p["hhweight"]) for p in pools]
        categories = sorted(set(base.index).union(*(s.index for s in shares)), key=str)
        tvds = [
            0.5 * sum(abs(float(s.get(c, 0.0)) - float(base.get(c, 0.0))) for c in categories)
            for s in shares
        ]
        for category in categories:
            row: dict[str, Any] = {
                "variable": variable,
                "category": category,
                "census_share": round(float(base.get(category, 0.0)), 4),
            }
            for i, (share, tvd) in enumerate(zip(shares, tvds, strict=True), start=1):
                row[f"share_{i}"] = round(float(share.get(category, 0.0)), 4)
                row[f"tvd_{i}"] = round(tvd, 4)
            rows.append(row)
    return pd.DataFrame(rows)


def tvd_by_variable(table: pd.DataFrame) -> pd.Series:
    """One TVD per attribute from a `representativeness` table."""
    return table.groupby("variable", sort=False)["tvd"].first()


def _frame(personas: Sequence[Persona] | Sequence[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(personas, pd.DataFrame):
        return personas
    rows = [
        p.model_dump(exclude={"traits"}) if isinstance(p, Persona) else dict(p) for p in personas
    ]
    return pd.DataFrame(rows)
