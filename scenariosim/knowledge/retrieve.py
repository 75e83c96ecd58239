"""Retrieval from a corpus collection: similarity or MMR, with metadata filters.

Chroma does the nearest-neighbour search (cosine) and the filtering; maximal marginal
relevance then re-ranks the `fetch_k` best candidates so that `k` chunks cover more than
one outlet's telling of an event. Scores are cosine similarities to the query.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenariosim.errors import ConfigError

FILTER_KEYS = ("outlet", "region", "topic", "language", "date")


class RetrievalSettings(BaseModel):
    """How many chunks to return and how to choose them."""

    model_config = ConfigDict(frozen=True)

    k: int = Field(4, ge=1, le=200, description="Chunks returned.")
    mmr: bool = Field(True, description="Re-rank with maximal marginal relevance.")
    fetch_k: int = Field(16, ge=1, le=1000, description="Candidates MMR chooses from.")
    lambda_mult: float = Field(0.6, ge=0, le=1, description="MMR: 1 = relevance, 0 = diversity.")

    @model_validator(mode="before")
    @classmethod
    def _fetch_at_least_k(cls, data: Any) -> Any:
        """MMR needs at least k candidates; a smaller fetch_k is raised to k."""
        if isinstance(data, dict):
            k, fetch_k = data.get("k", 4), data.get("fetch_k", 16)
            if isinstance(k, int) and isinstance(fetch_k, int) and fetch_k < k:
                data = {**data, "fetch_k": k}
        return data

    @classmethod
    def checked(cls, **values: Any) -> "RetrievalSettings":
        """Like the constructor, but a bad value is a `ConfigError` naming the option."""
        try:
            return cls(**values)
        except ValidationError as e:
            first = e.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"retrieval option '{key}': {first['msg']}") from None


class RetrievalFilter(BaseModel):
    """Metadata a chunk must have. Lists mean "any of"; all given fields must hold.

    Documents without a date never pass a date bound.
    """

    model_config = ConfigDict(frozen=True)

    outlets: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description="Case-insensitive.")
    languages: list[str] = Field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause, or None for no filter."""
        clauses: list[dict[str, Any]] = []
        for key, values in (
            ("outlet", self.outlets),
            ("region", self.regions),
            ("language", self.languages),
        ):
            if values:
                clauses.append({key: {"$in": list(values)}})
        topics = [t.lower() for t in self.topics]
        if len(topics) == 1:
            clauses.append({"topics": {"$contains": topics[0]}})
        elif topics:
            clauses.append({"$or": [{"topics": {"$contains": t}} for t in topics]})
        if self.date_from:
            clauses.append({"date_num": {"$gte": date_number(self.date_from)}})
        if self.date_to:
            clauses.append({"date_num": {"$lte": date_number(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    @property
    def empty(self) -> bool:
        return self.where() is None

    @classmethod
    def parse(cls, expressions: Sequence[str]) -> "RetrievalFilter":
        """From command-line expressions: `outlet=Ses Online,APB`, `topic=police`,
        `region=Arzuli Province`, `language=en`, `date>=2026-09-01`, `date<=2026-09-30`,
        `date=2026-09-04`. Repeating a key adds values."""
        values: dict[str, list[str]] = {"outlet": [], "region": [], "topic": [], "language": []}
        bounds: dict[str, dt.date | None] = {"from": None, "to": None}
        for expression in expressions:
            for op in (">=", "<=", "="):
                key, found, value = expression.partition(op)
                if found:
                    break
            key, value = key.strip().lower().removesuffix("s"), value.strip()
            if not found or not key or not value:
                raise ConfigError(
                    f"--where '{expression}': write KEY=VALUE (keys: {', '.join(FILTER_KEYS)})"
                )
            if key not in FILTER_KEYS:
                raise ConfigError(
                    f"--where '{expression}': unknown key '{key}'; use {', '.join(FILTER_KEYS)}"
                )
            if key == "date":
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    raise ConfigError(
                        f"--where '{expression}': '{value}' is not a date; use YYYY-MM-DD"
                    ) from None
                if op in (">=", "="):
                    bounds["from"] = day
                if op in ("<=", "="):
                    bounds["to"] = day
                continue
            if op != "=":
                raise ConfigError(f"--where '{expression}': only dates take >= or <=")
            values[key].extend(v.strip() for v in value.split(",") if v.strip())
        return cls(
            outlets=values["outlet"],
            regions=values["region"],
            topics=values["topic"],
            languages=values["language"],
            date_from=bounds["from"],
            date_to=bounds["to"],
        )


class RetrievedChunk(BaseModel):
    """A chunk as an agent receives it, with where it came from."""

    chunk_id: str
    doc_id: str
    text: str
    score: float = Field(description="Cosine similarity to the query (1 = same direction).")
    title: str
    outlet: str
    date: str = Field(description="ISO date, or '' when the document has none.")
    region: str
    topics: list[str] = Field(default_factory=list)
    language: str = ""
    source: str = Field("", description="File the document came from.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Everything stored.")


def date_number(day: dt.date) -> int:
    """Dates as YYYYMMDD integers, because Chroma compares numbers, not strings."""
    return day.year * 10_000 + day.month * 100 + day.day


def mmr_order(query: np.ndarray, candidates: np.ndarray, k: int, lambda_mult: float) -> list[int]:
    """Maximal marginal relevance: relevance to the query minus redundancy with picks so far."""
    if len(candidates) == 0:
        return []
    cand = candidates / (np.linalg.norm(candidates, axis=1, keepdims=True) + 1e-9)
    q = query / (np.linalg.norm(query) + 1e-9)
    relevance = cand @ q
    chosen: list[int] = []
    redundancy = np.full(len(cand), -np.inf)
    while len(chosen) < min(k, len(cand)):
        if chosen:
            redundancy = np.maximum(redundancy, cand @ cand[chosen[-1]])
            score = lambda_mult * relevance - (1 - lambda_mult) * redundancy
        else:
            score = relevance.copy()
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


def to_chunk(chunk_id: str, text: str, metadata: dict[str, Any], score: float) -> RetrievedChunk:
    topics = metadata.get("topics") or []
    return RetrievedChunk(
        chunk_id=chunk_id,
        doc_id=str(metadata.get("doc_id", chunk_id.rsplit("#", 1)[0])),
        text=text,
        score=round(float(score), 4),
        title=str(metadata.get("title", "")),
        outlet=str(metadata.get("outlet", "")),
        date=str(metadata.get("date", "")),
        region=str(metadata.get("region", "")),
        topics=list(topics) if isinstance(topics, list) else [str(topics)],
        language=str(metadata.get("language", "")),
        source=str(metadata.get("source", "")),
        metadata=dict(metadata),
    )


def search(
    collection: Any,
    query_vector: np.ndarray,
    settings: RetrievalSettings,
    where: RetrievalFilter | None = None,
) -> list[RetrievedChunk]:
    """The best chunks for one embedded query in a Chroma collection."""
    count = collection.count()
    if count == 0:
        return []
    n = min(settings.fetch_k if settings.mmr else settings.k, count)
    include = ["documents", "metadatas", "distances"]
    if settings.mmr:
        include.append("embeddings")
    got = collection.query(
        query_embeddings=[np.asarray(query_vector, dtype=np.float32)],
        n_results=n,
        where=where.where() if where else None,
        include=include,
    )
    ids = got["ids"][0]
    if not ids:
        return []
    similarities = [1.0 - d for d in got["distances"][0]]
    order = list(range(len(ids)))
    if settings.mmr:
        vectors = np.asarray(got["embeddings"][0], dtype=np.float32)
        order = mmr_order(np.asarray(query_vector), vectors, settings.k, settings.lambda_mult)
    return [
        to_chunk(ids[i], got["documents"][0][i], got["metadatas"][0][i], similarities[i])
        for i in order[: settings.k]
    ]
