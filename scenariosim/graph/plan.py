"""Who acts in a phase, and which post each commenter answers. Pure, seeded functions.

Activation: a persona's weight is its posting propensity (which already folds in digital
access). Comments follow a feed ranked by social ties (household, district, region,
shared stance), recency and text similarity, so replies cluster into threads.
"""

import hashlib
import random
from collections.abc import Sequence
from typing import Literal

import numpy as np

from scenariosim.graph.context import Actor
from scenariosim.graph.feed import FeedItem


def task_seed(*parts: object) -> int:
    """A stable 31-bit seed from any parts (scenario seed, phase, kind, index)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


Kind = Literal["post", "comment", "image_prompt"]
KINDS: tuple[Kind, ...] = ("post", "comment", "image_prompt")  # in the order the graph runs them
# The token a kind puts in its task ids and seeds. An image prompt's is "image": the ids and
# seeds of every run so far have it, and changing it would change every image task's seed.
ID_TOKENS: dict[Kind, str] = {"post": "post", "comment": "comment", "image_prompt": "image"}


def task_id(phase_id: str, kind: Kind, index: int) -> str:
    """The id of a task, and of the record or rejection it produces."""
    return f"{phase_id}-{ID_TOKENS[kind]}-{index:03d}"


def kind_seed(scenario_seed: int, phase_id: str, kind: Kind, index: int) -> int:
    """The seed of a task of `kind` (its draws, and each round's shifted from it)."""
    return task_seed(scenario_seed, phase_id, ID_TOKENS[kind], index)


def task_position(task: str, phase_ids: Sequence[str]) -> tuple[int, int] | None:
    """(phase index, stage index) of a task id, i.e. when it ran; None if no planner made it."""
    parts = task.rsplit("-", 2)
    tokens = list(ID_TOKENS.values())
    if len(parts) != 3 or parts[0] not in phase_ids or parts[1] not in tokens:
        return None
    return list(phase_ids).index(parts[0]), tokens.index(parts[1])


def online(actors: Sequence[Actor]) -> list[Actor]:
    """Actors who can post at all: a persona with no internet access is never planned."""
    return [a for a in actors if a.digital_access != "none"]


def pick_actors(actors: Sequence[Actor], n: int, rng: random.Random) -> list[Actor]:
    """`n` actors weighted by propensity: each at most once until everyone has acted."""
    chosen: list[Actor] = []
    while len(chosen) < n and actors:
        pool = list(actors)
        while pool and len(chosen) < n:
            weights = [max(a.posting_propensity, 0.01) for a in pool]
            pick = rng.choices(range(len(pool)), weights=weights)[0]
            chosen.append(pool.pop(pick))
    return chosen


def tie_strength(a: Actor, b: Actor) -> float:
    """The follow graph's edge weight between two personas."""
    if a.card.id == b.card.id:
        return 0.0
    strength = 0.0
    if a.hid == b.hid:
        strength += 3.0
    elif a.district and a.district == b.district:
        strength += 2.0
    elif a.region == b.region:
        strength += 1.0
    if a.stance_prior * b.stance_prior > 0:
        strength += 0.5
    return strength


def rank_feed(
    reader: Actor,
    posts: Sequence[FeedItem],
    actors: dict[str, Actor],
    current_phase: int,
    similarity: dict[str, float],
) -> list[FeedItem]:
    """Posts the reader sees, best first: ties + recency + similarity; id breaks ties."""
    scored = []
    for post in posts:
        if post["persona_id"] == reader.card.id:
            continue
        author = actors[post["persona_id"]]
        recency = 1.0 / (1 + current_phase - post["phase_index"])
        score = tie_strength(reader, author) + 2.0 * recency + similarity.get(post["id"], 0.0)
        scored.append((-score, post["id"], post))
    return [post for _, _, post in sorted(scored, key=lambda t: (t[0], t[1]))]


def similarity_to_posts(
    reader_vec: np.ndarray, post_vecs: dict[str, np.ndarray]
) -> dict[str, float]:
    return {pid: float(reader_vec @ vec) for pid, vec in post_vecs.items()}
