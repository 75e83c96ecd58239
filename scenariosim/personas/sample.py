"""Weighted, filtered, seeded sampling of people, or of whole households, from a census.

People are drawn without replacement with inclusion probability proportional to
`hhweight` (the number of people each census row stands for): systematic PPS sampling
over the eligible rows in a seeded random order, with rows whose share would exceed one
draw taken for certain. So the expected count of any group among the personas is exactly
`n` times its weighted census share, however large `n` is against the pool, and it is
one pass over the rows (10M people in under a second). Whole households are drawn by
Efraimidis-Spirakis keys (`Exp(1) / hhweight`, smallest first) and taken in that order
until `n` people are in, which is proportional to weight while few households are taken.
The same seed, census and selection give the same people in the same order.
"""

import numpy as np
import pandas as pd

from scenariosim.errors import ConfigError
from scenariosim.personas.filters import PersonaFilter, describe_selection, selection_mask
from scenariosim.personas.load import Census


def select(
    census: Census,
    where: str | None = None,
    min_age: int = 0,
    filters: PersonaFilter | dict[str, object] | None = None,
) -> pd.DataFrame:
    """The census people a selection keeps (a view of `census.people`, with its index)."""
    keep = selection_mask(census.people, where, filters, min_age)
    if not keep.any():
        raise ConfigError(
            f"the persona selection ({describe_selection(where, filters, min_age)}) keeps "
            "nobody in the census; loosen it"
        )
    return census.people[keep]


def sample_people(
    census: Census,
    n: int,
    where: str | None = None,
    filters: PersonaFilter | dict[str, object] | None = None,
    seed: int = 0,
    min_age: int = 0,
    households: bool = False,
) -> pd.DataFrame:
    """`n` census people drawn with probability proportional to `hhweight`, in draw order.

    `where` is a pandas-query expression over census columns, `filters` structured filters
    (see `PersonaFilter`); both and `min_age` must hold. With `households=True`, whole
    households are drawn (by weight, among those with a selected member) and all their
    selected members are taken, household after household, until `n` people are in; the
    last household may be cut short. Categorical columns come back as plain strings.
    """
    if n < 1:
        raise ConfigError(f"asked for {n} personas; ask for at least 1")
    keep = selection_mask(census.people, where, filters, min_age)
    pool = np.flatnonzero(keep)
    if len(pool) < n:
        raise ConfigError(
            f"asked for {n} personas but the selection "
            f"({describe_selection(where, filters, min_age)}) keeps {len(pool)} census people; "
            "ask for fewer or loosen the selection"
        )
    rng = np.random.default_rng(seed)
    if households:
        rows = _household_rows(census, pool, n, rng)
    else:
        rows = pool[systematic_pps(census.people["hhweight"].to_numpy()[pool], n, rng)]
    return plain_rows(census.people.iloc[rows])


def systematic_pps(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of `n` distinct rows, each included with probability n * w / sum(w)."""
    order = rng.permutation(len(weights))
    share = weights[order].astype(float)
    certain = np.zeros(len(share), dtype=bool)
    probability = np.zeros(len(share))
    left = n
    while left > 0:  # rows worth a whole draw or more are certain; share the rest again
        rest = np.where(certain, 0.0, share)
        probability = rest * left / rest.sum()
        over = probability >= 1.0
        if not over.any():
            break
        certain |= over
        left = n - int(certain.sum())
    chosen = certain.copy()
    if left > 0:
        cumulative = np.cumsum(probability)
        cumulative *= left / cumulative[-1]  # exact total despite round-off
        points = rng.random() + np.arange(left)
        hits = np.searchsorted(cumulative, points, side="right")
        chosen[np.minimum(hits, len(share) - 1)] = True
    return order[np.flatnonzero(chosen)]


def _household_rows(
    census: Census, pool: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Rows of whole households (their selected members), drawn by hhweight, n in total."""
    codes = census.people["hid"].cat.codes.to_numpy()[pool]
    members = np.bincount(codes, minlength=len(census.households))
    eligible = np.flatnonzero(members)
    keys = _exponential(rng, len(eligible)) / census.households["hhweight"].to_numpy()[eligible]
    k = min(n, len(eligible))  # each household adds at least one person
    first = np.argpartition(keys, k - 1)[:k] if k < len(eligible) else np.arange(len(eligible))
    order = eligible[first[np.argsort(keys[first], kind="stable")]]
    taken = int(np.searchsorted(np.cumsum(members[order]), n)) + 1
    rank = np.full(len(census.households), -1)
    rank[order[:taken]] = np.arange(taken)
    chosen = rank[codes] >= 0
    rows = pool[chosen]
    idno = census.people["idno"].to_numpy()[rows]
    rows = rows[np.lexsort((idno, rank[codes[chosen]]))]
    return rows[:n]


def _exponential(rng: np.random.Generator, size: int) -> np.ndarray:
    """Exp(1) draws from uniform doubles, the generator's most stable output."""
    return -np.log1p(-rng.random(size))


def plain_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """A small frame of plain values: categoricals as strings, a fresh index."""
    out = rows.reset_index(drop=True)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(str)
    return out
