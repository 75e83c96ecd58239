"""What a corpus collection holds: documents, chunks, outlets, regions, dates, tokens.

Token counts use the embedding model's own tokenizer when one is available, so a user can
see whether chunks fit the model's input (MiniLM reads 256 tokens; the rest of a longer
chunk is not embedded).
"""

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

TokenCounter = Callable[[list[str]], list[int]]


class CorpusStats(BaseModel):
    collection: str = ""
    embedding_model: str = ""
    chunk_size: int = 0
    chunk_overlap: int = 0
    fingerprint: str = ""
    documents: int
    chunks: int
    outlets: dict[str, int] = Field(default_factory=dict, description="Documents per outlet.")
    regions: dict[str, int] = Field(default_factory=dict, description="Documents per region.")
    topics: dict[str, int] = Field(default_factory=dict, description="Documents per topic.")
    languages: dict[str, int] = Field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    undated_documents: int = 0
    words: int = 0
    tokens: int | None = Field(None, description="Embedding-model tokens over all chunks.")
    max_chunk_tokens: int | None = None
    model_max_tokens: int | None = None
    chunks_over_model_limit: int | None = None


def corpus_stats(
    texts: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
    token_counter: TokenCounter | None = None,
    model_max_tokens: int | None = None,
) -> CorpusStats:
    """Figures over stored chunks; per-document figures count each document once."""
    first_chunks: dict[str, dict[str, Any]] = {}
    for meta in metadatas:
        first_chunks.setdefault(str(meta.get("doc_id")), meta)
    docs = list(first_chunks.values())
    dates = sorted(str(m["date"]) for m in docs if m.get("date"))
    tokens = token_counter(list(texts)) if token_counter and texts else None
    limit = model_max_tokens or getattr(token_counter, "max_tokens", None)
    return CorpusStats(
        documents=len(docs),
        chunks=len(texts),
        outlets=dict(Counter(str(m.get("outlet") or "(none)") for m in docs).most_common()),
        regions=dict(Counter(str(m.get("region") or "(none)") for m in docs).most_common()),
        topics=dict(Counter(t for m in docs for t in (m.get("topics") or [])).most_common()),
        languages=dict(Counter(str(m.get("language") or "(none)") for m in docs).most_common()),
        date_from=dates[0] if dates else "",
        date_to=dates[-1] if dates else "",
        undated_documents=len(docs) - len(dates),
        words=sum(len(t.split()) for t in texts),
        tokens=sum(tokens) if tokens is not None else None,
        max_chunk_tokens=max(tokens) if tokens else None,
        model_max_tokens=limit,
        chunks_over_model_limit=sum(t > limit for t in tokens) if tokens and limit else None,
    )


class ModelTokenCounter:
    """Counts tokens as an embedding model sees them, for models that say (`count_tokens`)."""

    def __init__(self, embeddings: Any) -> None:
        self.embeddings = embeddings
        self.max_tokens: int = int(embeddings.max_tokens)

    def __call__(self, texts: list[str]) -> list[int]:
        return list(self.embeddings.count_tokens(texts))


def token_counter_for(embeddings: object) -> TokenCounter | None:
    """The tokenizer's count of the embedding model, if it offers one (the local MiniLM)."""
    return ModelTokenCounter(embeddings) if hasattr(embeddings, "count_tokens") else None
