"""The corpus in a Chroma collection: incremental ingestion and retrieval.

One collection per corpus and embedding model. Each chunk's metadata holds its document's
content hash, so re-ingesting an unchanged corpus embeds nothing, a changed document
replaces only its chunks, and a deleted document's chunks are removed. Embeddings always
come from the project's offline models, never from Chroma's downloading default.
"""

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, Field

from scenariosim.knowledge.chunking import Chunk, chunk_document
from scenariosim.knowledge.documents import Document, FileProblem
from scenariosim.models.embeddings_local import ChromaEmbeddingAdapter


class IngestReport(BaseModel):
    documents: int
    chunks: int
    added_docs: list[str]
    updated_docs: list[str]
    removed_docs: list[str]
    embedded_chunks: int
    problems: list[FileProblem] = Field(default_factory=list)


class RetrievedChunk(BaseModel):
    chunk_id: str
    doc_id: str
    text: str
    score: float  # cosine similarity to the query
    title: str
    outlet: str
    date: str
    region: str


class RetrievalFilter(BaseModel):
    outlets: list[str] = Field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.outlets:
            clauses.append({"outlet": {"$in": self.outlets}})
        if self.date_from:
            clauses.append({"date_num": {"$gte": int(self.date_from.strftime("%Y%m%d"))}})
        if self.date_to:
            clauses.append({"date_num": {"$lte": int(self.date_to.strftime("%Y%m%d"))}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def collection_name(corpus_key: str, model_name: str) -> str:
    digest = hashlib.sha256(f"{corpus_key}|{model_name}".encode()).hexdigest()[:12]
    return f"corpus-{digest}"


class CorpusStore:
    def __init__(
        self,
        client: chromadb.api.ClientAPI,
        name: str,
        embeddings: Embeddings,
        model_name: str,
        chunk_size: int = 700,
        chunk_overlap: int = 1,
    ) -> None:
        self.embeddings = embeddings
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.collection = client.get_or_create_collection(
            name,
            embedding_function=ChromaEmbeddingAdapter(embeddings, model_name),
            metadata={"hnsw:space": "cosine"},
        )
        self.batch_size = client.get_max_batch_size()

    @classmethod
    def open(
        cls, path: Path, corpus_key: str, embeddings: Embeddings, model_name: str
    ) -> "CorpusStore":
        client = chromadb.PersistentClient(
            path=str(path), settings=chromadb.Settings(anonymized_telemetry=False)
        )
        return cls(client, collection_name(corpus_key, model_name), embeddings, model_name)

    def _stored_hashes(self) -> dict[str, str]:
        got = self.collection.get(include=["metadatas"])
        return {m["doc_id"]: m["doc_hash"] for m in got["metadatas"] or []}

    def ingest(
        self, docs: list[Document], problems: list[FileProblem] | None = None
    ) -> IngestReport:
        stored = self._stored_hashes()
        wanted = {d.id: d for d in docs}
        removed = sorted(set(stored) - set(wanted))
        changed = [d for d in docs if stored.get(d.id) != d.content_hash]
        for doc_id in removed + [d.id for d in changed if d.id in stored]:
            self.collection.delete(where={"doc_id": doc_id})
        chunks = [
            (c, d) for d in changed for c in chunk_document(d, self.chunk_size, self.chunk_overlap)
        ]
        for start in range(0, len(chunks), self.batch_size):
            batch = chunks[start : start + self.batch_size]
            self.collection.add(
                ids=[c.chunk_id for c, _ in batch],
                documents=[c.text for c, _ in batch],
                metadatas=[self._metadata(c, d) for c, d in batch],
            )
        return IngestReport(
            documents=len(docs),
            chunks=self.collection.count(),
            added_docs=sorted(d.id for d in changed if d.id not in stored),
            updated_docs=sorted(d.id for d in changed if d.id in stored),
            removed_docs=removed,
            embedded_chunks=len(chunks),
            problems=problems or [],
        )

    @staticmethod
    def _metadata(chunk: Chunk, doc: Document) -> dict[str, Any]:
        return {
            "doc_id": doc.id,
            "doc_hash": doc.content_hash,
            "title": chunk.title,
            "outlet": chunk.outlet,
            "date": chunk.date,
            "date_num": int(chunk.date.replace("-", "")),
            "region": chunk.region,
            "topics": ", ".join(chunk.topics),
        }

    def fingerprint(self) -> str:
        """Hash of chunk ids, document hashes and chunking settings."""
        got = self.collection.get(include=["metadatas"])
        items = sorted(
            f"{i}:{m['doc_hash']}" for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        )
        settings = f"size={self.chunk_size};overlap={self.chunk_overlap}"
        return hashlib.sha256("\n".join([settings, *items]).encode()).hexdigest()[:16]

    def retrieve(
        self,
        query: str,
        k: int = 4,
        mmr: bool = True,
        fetch_k: int = 16,
        lambda_mult: float = 0.6,
        where: RetrievalFilter | None = None,
    ) -> list[RetrievedChunk]:
        """Top chunks by cosine similarity, or an MMR selection from the top `fetch_k`."""
        count = self.collection.count()
        if count == 0:
            return []
        query_vec = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        got = self.collection.query(
            query_embeddings=[query_vec],
            n_results=min(fetch_k if mmr else k, count),
            where=where.where() if where else None,
            include=["documents", "metadatas", "distances", "embeddings"],
        )
        ids = got["ids"][0]
        if not ids:
            return []
        sims = [1.0 - d for d in got["distances"][0]]
        order = list(range(len(ids)))
        if mmr:
            order = mmr_order(query_vec, np.asarray(got["embeddings"][0]), k, lambda_mult)
        return [
            RetrievedChunk(
                chunk_id=ids[i],
                doc_id=got["metadatas"][0][i]["doc_id"],
                text=got["documents"][0][i],
                score=round(float(sims[i]), 4),
                title=got["metadatas"][0][i]["title"],
                outlet=got["metadatas"][0][i]["outlet"],
                date=got["metadatas"][0][i]["date"],
                region=got["metadatas"][0][i]["region"],
            )
            for i in order[:k]
        ]


def mmr_order(query: np.ndarray, candidates: np.ndarray, k: int, lambda_mult: float) -> list[int]:
    """Maximal marginal relevance: relevance to the query minus redundancy with picks so far."""
    norms = np.linalg.norm(candidates, axis=1, keepdims=True) + 1e-9
    cand = candidates / norms
    q = query / (np.linalg.norm(query) + 1e-9)
    relevance = cand @ q
    chosen: list[int] = []
    while len(chosen) < min(k, len(cand)):
        redundancy = (cand @ cand[chosen].T).max(axis=1) if chosen else np.zeros(len(cand))
        score = lambda_mult * relevance - (1 - lambda_mult) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen
