"""Retrieval evaluation against labelled queries: hit@k, MRR and recall.

A query file is YAML, `queries: [{query: str, relevant: [document ids]}]`. Ranks count
chunks in the order an agent would receive them (after MMR when it is on): hit@k is the
share of queries with a chunk of a relevant article among the first k, MRR the mean of
1/rank of the first such chunk (0 when none is in the first `depth`), recall@k the share
of relevant articles found in the first k.
"""

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from scenariosim.errors import InputFileError
from scenariosim.knowledge.retrieve import RetrievalFilter, RetrievalSettings
from scenariosim.knowledge.store import CorpusStore
from scenariosim.yaml_io import load_yaml

DEFAULT_KS = (1, 3, 5, 10)


class LabelledQuery(BaseModel):
    query: str = Field(min_length=1)
    relevant: list[str] = Field(min_length=1, description="Ids of documents that answer it.")
    file: str = Field("", exclude=True)


class QueryResult(BaseModel):
    query: str
    relevant: list[str]
    retrieved: list[str] = Field(description="Document id of each chunk, in rank order.")
    first_relevant_rank: int | None


class EvalReport(BaseModel):
    queries: int
    settings: RetrievalSettings
    chunking: str
    collection: str
    fingerprint: str
    depth: int
    hit_at: dict[int, float]
    mrr: float
    recall_at: dict[int, float]
    results: list[QueryResult]

    @property
    def misses(self) -> list[QueryResult]:
        """Queries with no relevant chunk within k."""
        return [
            r
            for r in self.results
            if r.first_relevant_rank is None or r.first_relevant_rank > self.settings.k
        ]


def query_files_for(corpus: Path) -> list[Path]:
    """`queries*.yaml` beside a corpus folder (the shipped layout) or inside it."""
    folder = corpus if corpus.is_dir() else corpus.parent
    found = sorted(folder.glob("queries*.yaml")) + sorted(folder.parent.glob("queries*.yaml"))
    return list(dict.fromkeys(found))


def load_queries(paths: Sequence[Path]) -> list[LabelledQuery]:
    """Every labelled query in the files; a bad entry is an error naming file and entry."""
    if not paths:
        raise InputFileError(
            "no labelled query files; pass --queries FILE (YAML: queries: [{query, relevant}])"
        )
    queries: list[LabelledQuery] = []
    for path in paths:
        try:
            loaded = load_yaml(path.read_text(encoding="utf-8"), str(path))
        except FileNotFoundError:
            raise InputFileError(f"query file not found: {path}") from None
        data = loaded.data
        entries = data.get("queries") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise InputFileError(f"{path}: expected a non-empty top-level 'queries:' list")
        for index, entry in enumerate(entries):
            try:
                queries.append(LabelledQuery.model_validate({**entry, "file": str(path)}))
            except (ValidationError, TypeError) as e:
                detail = e.errors()[0]["msg"] if isinstance(e, ValidationError) else str(e)
                raise InputFileError(
                    f"{path}: queries[{index}]: {detail}; each entry needs 'query' and "
                    "'relevant' (a list of document ids)"
                ) from None
    return queries


def evaluate(
    store: CorpusStore,
    queries: Sequence[LabelledQuery],
    settings: RetrievalSettings | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    where: RetrievalFilter | None = None,
) -> EvalReport:
    """hit@k, MRR and recall@k of the store's retrieval with `settings` on `queries`."""
    settings = settings or RetrievalSettings()
    known = store.doc_ids()
    unknown = sorted({(q.file, d) for q in queries for d in q.relevant if d not in known})
    if unknown:
        shown = ", ".join(f"{d} ({Path(f).name})" for f, d in unknown[:8])
        raise InputFileError(
            f"labelled queries name documents that are not in the corpus: {shown}; "
            "fix the ids or ingest those documents"
        )
    ks = sorted({*ks, settings.k})
    depth = max(ks)
    # MMR picks greedily, so the first k of a depth-long list are exactly the k-list.
    deep = settings.model_copy(update={"k": depth, "fetch_k": max(settings.fetch_k, depth)})
    rankings = store.retrieve_many([q.query for q in queries], deep, where)
    results: list[QueryResult] = []
    for q, found in zip(queries, rankings, strict=True):
        retrieved = [c.doc_id for c in found]
        rank = next((i + 1 for i, d in enumerate(retrieved) if d in q.relevant), None)
        results.append(
            QueryResult(
                query=q.query, relevant=q.relevant, retrieved=retrieved, first_relevant_rank=rank
            )
        )
    n = len(results) or 1
    hit_at = {
        k: round(
            sum(r.first_relevant_rank is not None and r.first_relevant_rank <= k for r in results)
            / n,
            4,
        )
        for k in ks
    }
    recall_at = {
        k: round(
            sum(len(set(r.retrieved[:k]) & set(r.relevant)) / len(r.relevant) for r in results) / n,
            4,
        )
        for k in ks
    }
    mrr = round(sum(1 / r.first_relevant_rank for r in results if r.first_relevant_rank) / n, 4)
    return EvalReport(
        queries=len(results),
        settings=settings,
        chunking=store.chunking.key,
        collection=store.name,
        fingerprint=store.fingerprint(),
        depth=depth,
        hit_at=hit_at,
        mrr=mrr,
        recall_at=recall_at,
        results=results,
    )
