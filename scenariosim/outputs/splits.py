"""Train/validation/test splits that keep related records together.

- `household` (the default): every record of a census household's members goes to one
  split, so no author (and no author's housemate, who shares traits and circumstances)
  appears on both sides. Households are ordered by a seeded hash.
- `phase`: whole scenario phases in time order, the latest in test: a forecasting split
  where personas recur across splits by design.

Groups are taken from the end of the order into test, then validation, until each holds
its share of records (at least one group each when there are three or more groups); the
rest is train. Comments can still reply to a post in another split: the card reports how
many do.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from scenariosim.outputs.run_folder import RunFolder

SplitBy = Literal["household", "phase"]
SPLITS = ("train", "validation", "test")
UNSPLIT = "full"
FRACTIONS = {"validation": 0.1, "test": 0.1}


@dataclass
class SplitPlan:
    by: SplitBy
    group_of: dict[str, str]  # group key -> split
    leakage: dict[str, int]

    def split_for_group(self, group: str) -> str:
        return self.group_of.get(group, "train")


def assign_groups(order: list[str], sizes: dict[str, int]) -> dict[str, str]:
    """Split names for `order`ed groups: test and validation from the end, train the rest."""
    n = len(order)
    if n == 0:
        return {}
    if n == 1:
        return {order[0]: "train"}
    if n == 2:
        return {order[0]: "train", order[1]: "test"}
    total = sum(sizes.get(g, 0) for g in order)
    remaining = list(order)
    plan: dict[str, str] = {}
    for split, keep in (("test", 2), ("validation", 1)):
        taken, target = 0, max(1.0, FRACTIONS[split] * total)
        while len(remaining) > keep:
            group = remaining.pop()
            plan[group] = split
            taken += sizes.get(group, 0)
            if taken >= target or total == 0:
                break
    for group in remaining:
        plan[group] = "train"
    return plan


def _hash_order(keys: list[str], seed: int) -> list[str]:
    return sorted(keys, key=lambda k: hashlib.sha256(f"{seed}:{k}".encode()).hexdigest())


def group_key(record: dict[str, Any], by: SplitBy) -> str:
    prov = record.get("provenance", record)
    return str(prov.get("hid", "")) if by == "household" else str(prov.get("phase_id", ""))


def plan_splits(run: RunFolder, by: SplitBy = "household") -> SplitPlan:
    records = run.all_records()
    sizes = Counter(group_key(r, by) for r in records)
    if by == "household":
        groups = set(sizes) | {str(p.get("hid", "")) for p in run.personas}
        order = _hash_order(sorted(groups), run.seed)
    else:
        order = run.phase_ids
    plan = SplitPlan(by=by, group_of=assign_groups(order, dict(sizes)), leakage={})
    plan.leakage = measure_leakage(run, plan)
    return plan


def measure_leakage(run: RunFolder, plan: SplitPlan) -> dict[str, int]:
    """What still crosses the splits: authors, households, replies to another split's post."""
    split_of = {r["id"]: plan.split_for_group(group_key(r, plan.by)) for r in run.all_records()}
    authors: dict[str, set[str]] = {}
    households: dict[str, set[str]] = {}
    for record in run.all_records():
        prov = record.get("provenance", {})
        authors.setdefault(prov.get("persona_id", ""), set()).add(split_of[record["id"]])
        households.setdefault(prov.get("hid", ""), set()).add(split_of[record["id"]])
    crossing = sum(
        1
        for c in run.records["comments"]
        if c.get("thread_root") in split_of and split_of[c["thread_root"]] != split_of[c["id"]]
    )
    return {
        "authors_in_several_splits": sum(len(s) > 1 for s in authors.values()),
        "households_in_several_splits": sum(len(s) > 1 for s in households.values()),
        "replies_to_another_split": crossing,
    }
