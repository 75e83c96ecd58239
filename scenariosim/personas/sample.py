"""Weighted, filtered, seeded sampling of people (or whole households) from a census."""

import numpy as np
import pandas as pd

from scenariosim.errors import ConfigError
from scenariosim.personas.load import Census


def select(census: Census, where: str | None, min_age: int = 0) -> pd.DataFrame:
    """People matching a pandas-query expression over census columns, e.g. `age >= 18 and cell == 1`."""
    frame = census.people[census.people["age"] >= min_age]
    if not where:
        return frame
    try:
        chosen = frame.query(where, engine="python")
    except Exception as e:  # pandas raises many types for a bad expression
        columns = ", ".join(sorted(frame.columns))
        raise ConfigError(
            f"personas.where {where!r} is not a valid filter ({type(e).__name__}: {e}). "
            f"Columns: {columns}"
        ) from None
    if chosen.empty:
        raise ConfigError(f"personas.where {where!r} selects nobody; loosen the filter")
    return chosen


def sample_people(
    census: Census,
    n: int,
    where: str | None = None,
    seed: int = 0,
    min_age: int = 0,
    households: bool = False,
) -> pd.DataFrame:
    """`n` people drawn without replacement with probability proportional to `hhweight`.

    With `households=True`, whole households are drawn (by weight) until `n` people are in.
    Same arguments, same rows, in the same order.
    """
    pool = select(census, where, min_age).sort_values(["hid", "idno"])
    rng = np.random.default_rng(seed)
    if households:
        weights = pool.groupby("hid")["hhweight"].first()
        order = rng.choice(
            len(weights), size=len(weights), replace=False, p=(weights / weights.sum()).to_numpy()
        )
        chosen = []
        for index in order:
            chosen.append(weights.index[index])
            if pool["hid"].isin(chosen).sum() >= n:
                break
        return pool[pool["hid"].isin(chosen)].head(n).reset_index(drop=True)
    if n > len(pool):
        raise ConfigError(
            f"asked for {n} personas but the filter leaves {len(pool)}; lower personas.n"
        )
    p = (pool["hhweight"] / pool["hhweight"].sum()).to_numpy()
    picked = rng.choice(len(pool), size=n, replace=False, p=p)
    return pool.iloc[picked].reset_index(drop=True)
