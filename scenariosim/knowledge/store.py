"""The corpus in a Chroma collection: incremental ingestion, retrieval, fingerprint, stats.

One collection per corpus, embedding model and chunk settings, in a local
`PersistentClient` (default: `<cache_dir>/chroma`) or on a Chroma server (`HttpClient`) a
team shares. Every chunk's metadata holds its document's content hash and source file, so
re-ingesting an unchanged corpus embeds nothing, a changed document replaces only its
chunks, a deleted file's chunks go away, and documents of a file that cannot be read this
time are kept as they were. Embeddings always come from the project's models layer (the
offline MiniLM by default), never from Chroma's downloading default.
"""

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, Field

from scenariosim.errors import ConfigError, InputFileError
from scenariosim.knowledge.chroma import ChromaEmbeddingAdapter, chroma_name, connect
from scenariosim.knowledge.chunking import Chunk, ChunkSettings, chunk_document, embedding_text
from scenariosim.knowledge.documents import (
    Document,
    FileProblem,
    ReadOptions,
    ReadResult,
    empty_corpus_message,
    read_documents,
)
from scenariosim.knowledge.retrieve import (
    RetrievalFilter,
    RetrievalSettings,
    RetrievedChunk,
    date_number,
    search,
    to_chunk,
)
from scenariosim.knowledge.stats import CorpusStats, corpus_stats
from scenariosim.settings import Settings
from scenariosim.slugs import ascii_slug

__all__ = [
    "SHIPPED_CORPUS",
    "CorpusStore",
    "IngestReport",
    "RetrievalFilter",
    "RetrievedChunk",
    "collection_name",
    "open_store",
]

SHIPPED_CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "articles"
SHIPPED_NAME = "atropia"
Progress = Callable[[int, int], None]
# Chunks embedded and written per step: small enough for a live progress bar and for an
# interrupted ingest to keep most of its work, large enough to cost nothing in throughput.
EMBED_STEP = 256


class IngestReport(BaseModel):
    """What one ingest changed in the collection, and what it could not read."""

    collection: str = ""
    documents: int = Field(description="Documents in the collection after the ingest.")
    chunks: int = Field(description="Chunks in the collection after the ingest.")
    added_docs: list[str] = Field(default_factory=list)
    updated_docs: list[str] = Field(default_factory=list)
    removed_docs: list[str] = Field(default_factory=list)
    kept_docs: list[str] = Field(
        default_factory=list, description="Not read this time (file problems); left as stored."
    )
    unchanged_docs: int = 0
    embedded_chunks: int = 0
    problems: list[FileProblem] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="Files of unsupported types.")
    repaired: list[FileProblem] = Field(
        default_factory=list, description="Text that was not clean Unicode, repaired and read."
    )
    fingerprint: str = ""
    seconds: float = 0.0


@dataclass
class _StoredDoc:
    doc_hash: str
    source: str
    chunk_ids: list[str] = field(default_factory=list)


def corpus_name_for(corpus: Path | str) -> str:
    """A stable, readable name for a corpus: `atropia` for the shipped one, otherwise the
    folder's name plus a short hash of its absolute path (two `articles/` folders differ)."""
    text = str(corpus)
    path = Path(text)
    looks_like_path = "/" in text or "\\" in text or path.exists()
    if not looks_like_path:
        return ascii_slug(text, "corpus")[:40]
    resolved = path.resolve()
    if resolved == SHIPPED_CORPUS.resolve():
        return SHIPPED_NAME
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:6]
    return f"{ascii_slug(resolved.stem or resolved.name, 'corpus')[:30]}-{digest}"


def corpus_root(corpus: Path | Sequence[Path] | None) -> str:
    """The folders or files a collection was ingested from, resolved, as recorded."""
    if corpus is None:
        return ""
    paths = [corpus] if isinstance(corpus, Path) else list(corpus)
    return ", ".join(sorted(str(Path(p).resolve()) for p in paths))


def collection_name(corpus_name: str, model_name: str, chunking: ChunkSettings) -> str:
    """`<corpus>--<model>--<chunking>`."""
    return chroma_name(corpus_name, model_name, chunking.key)


class CorpusStore:
    """A corpus's Chroma collection: keep it in step with the files, and search it."""

    def __init__(
        self,
        client: Any,
        name: str,
        embeddings: Embeddings,
        model_name: str,
        chunking: ChunkSettings | None = None,
        corpus: Path | Sequence[Path] | None = None,
        read_options: ReadOptions | None = None,
        corpus_name: str = "",
    ) -> None:
        self.client = client
        self.name = name
        self.corpus_name = corpus_name
        self.embeddings = embeddings
        self.model_name = model_name
        self.chunking = chunking or ChunkSettings()
        self.corpus = corpus
        self.read_options = read_options or ReadOptions()
        self.embedding_function = ChromaEmbeddingAdapter(embeddings, model_name)
        self.collection = client.get_or_create_collection(
            name,
            embedding_function=self.embedding_function,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=self._base_metadata(),
        )
        self.batch_size = client.get_max_batch_size()
        self._fingerprint: str | None = None
        self._check_name()

    def _check_name(self) -> None:
        """Two corpus names that map to one collection (`Team News`, `team_news`) are an
        error, not one collection silently shared."""
        recorded = str((self.collection.metadata or {}).get("corpus_name") or "")
        if self.corpus_name and recorded and recorded != self.corpus_name:
            raise ConfigError(
                f"corpus name '{self.corpus_name}' maps to collection '{self.name}', which "
                f"already holds corpus '{recorded}'; use --name '{recorded}' to work on that "
                "corpus, or a name that differs in its letters or digits to keep them apart"
            )

    @classmethod
    def open(
        cls,
        path: Path,
        corpus_key: str,
        embeddings: Embeddings,
        model_name: str,
        chunking: ChunkSettings | None = None,
    ) -> "CorpusStore":
        """A store in the folder `path` for the corpus `corpus_key` (a name or its path)."""
        chunking = chunking or ChunkSettings()
        name = collection_name(corpus_name_for(corpus_key), model_name, chunking)
        corpus = Path(corpus_key) if Path(corpus_key).exists() else None
        return cls(connect(path), name, embeddings, model_name, chunking, corpus)

    def _base_metadata(self) -> dict[str, Any]:
        corpus = self.corpus
        where = str(corpus) if isinstance(corpus, Path) else ", ".join(map(str, corpus or []))
        return {
            "corpus": where or "(documents passed in)",
            "corpus_name": self.corpus_name,
            "corpus_root": corpus_root(corpus),
            "embedding_model": self.model_name,
            "chunk_size": self.chunking.size,
            "chunk_overlap": self.chunking.overlap,
            "embed_title": self.chunking.embed_title,
        }

    # ---- reading the collection -------------------------------------------------------

    def _pages(self, include: list[str]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=self.batch_size, offset=offset)
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    def _stored(self) -> dict[str, _StoredDoc]:
        stored: dict[str, _StoredDoc] = {}
        for page in self._pages(["metadatas"]):
            for chunk_id, meta in zip(page["ids"], page["metadatas"], strict=True):
                doc = stored.setdefault(
                    str(meta["doc_id"]), _StoredDoc(str(meta["doc_hash"]), str(meta["source"]))
                )
                doc.chunk_ids.append(chunk_id)
        return stored

    def count(self) -> int:
        return self.collection.count()

    def doc_ids(self) -> set[str]:
        return set(self._stored())

    def chunk_ids(self) -> list[str]:
        return sorted(i for page in self._pages([]) for i in page["ids"])

    # ---- ingestion --------------------------------------------------------------------

    def ingest(
        self,
        source: Path | Sequence[Path] | Sequence[Document] | None = None,
        problems: Sequence[FileProblem] | None = None,
        *,
        progress: Progress | None = None,
        replace: bool = False,
    ) -> IngestReport:
        """Bring the collection in step with a corpus and report what changed.

        `source` is a folder, files, or documents already read (with their `problems`);
        by default the corpus the store was opened for. An empty corpus is an error and
        changes nothing. Documents another folder's ingest added are removed only when
        `replace` says so; otherwise that is an error and nothing changes.
        """
        started = time.perf_counter()
        if source is None:
            if self.corpus is None:
                raise ConfigError("this store was opened without a corpus; pass files to ingest")
            source = self.corpus
        items = [source] if isinstance(source, Path) else list(source)
        where: Path | Sequence[Path]
        if items and all(isinstance(item, Path) for item in items):
            paths = [item for item in items if isinstance(item, Path)]
            result = read_documents(paths, self.read_options)
            where = paths[0] if len(paths) == 1 else paths
            root = corpus_root(where)
        else:
            docs = [item for item in items if isinstance(item, Document)]
            result = ReadResult(documents=docs, problems=list(problems or []))
            where = self.corpus if self.corpus is not None else Path("(documents passed in)")
            root = ""  # documents passed in are what the caller wants the collection to hold
        if not result.documents:
            raise InputFileError(empty_corpus_message(where, result))
        report = self.sync(result, progress=progress, root="" if replace else root)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def sync(
        self, result: ReadResult, progress: Progress | None = None, root: str = ""
    ) -> IngestReport:
        """Embed new and changed documents, drop deleted ones, keep unreadable ones.

        With `root` (the folder read), documents are removed only if the collection was
        last ingested from that same folder: another folder's documents are never dropped
        silently.
        """
        stored = self._stored()
        wanted = {d.id: d for d in result.documents}
        protected = result.problem_sources
        gone = [i for i in stored if i not in wanted]
        removed = sorted(i for i in gone if stored[i].source not in protected)
        recorded = str((self.collection.metadata or {}).get("corpus_root") or "")
        if removed and root and recorded and recorded != root:
            shown = ", ".join(removed[:3]) + (
                f" and {len(removed) - 3} more" if len(removed) > 3 else ""
            )
            raise ConfigError(
                f"ingesting {root} into collection '{self.name}' would remove {len(removed)} "
                f"document(s) an ingest of {recorded} added ({shown}); nothing was changed. "
                "Use another --name to keep the two corpora apart, or pass --replace to make "
                f"{root} the collection's whole corpus"
            )
        kept = sorted(i for i in gone if stored[i].source in protected)
        changed = [
            d
            for d in result.documents
            if d.id not in stored or stored[d.id].doc_hash != d.content_hash
        ]
        moved = [
            d
            for d in result.documents
            if d.id in stored
            and stored[d.id].doc_hash == d.content_hash
            and stored[d.id].source != d.source
        ]

        pairs = [(c, d) for d in changed for c in chunk_document(d, self.chunking)]
        step = min(self.batch_size, EMBED_STEP)
        for start in range(0, len(pairs), step):
            batch = pairs[start : start + step]
            vectors = self.embedding_function(
                [embedding_text(c, d, self.chunking) for c, d in batch]
            )
            self.collection.upsert(
                ids=[c.chunk_id for c, _ in batch],
                embeddings=vectors,
                documents=[c.text for c, _ in batch],
                metadatas=[chunk_metadata(c, d) for c, d in batch],
            )
            if progress:
                progress(start + len(batch), len(pairs))
        # A moved file with unchanged content: only its chunks' `source` changes.
        relabel = [(c, d) for d in moved for c in chunk_document(d, self.chunking)]
        for start in range(0, len(relabel), self.batch_size):
            batch = relabel[start : start + self.batch_size]
            self.collection.update(
                ids=[c.chunk_id for c, _ in batch],
                metadatas=[chunk_metadata(c, d) for c, d in batch],
            )

        new_ids = {c.chunk_id for c, _ in pairs}
        stale = [cid for i in removed for cid in stored[i].chunk_ids]
        stale += [
            cid
            for d in changed
            if d.id in stored
            for cid in stored[d.id].chunk_ids
            if cid not in new_ids
        ]
        self._in_batches(lambda ids: self.collection.delete(ids=ids), stale)

        final = {i: s for i, s in stored.items() if i not in removed}
        for d in changed:
            final[d.id] = _StoredDoc(
                d.content_hash, d.source, [c.chunk_id for c, x in pairs if x is d]
            )
        self._fingerprint = self._fingerprint_of(final)
        chunks = sum(len(s.chunk_ids) for s in final.values())
        self.collection.modify(
            metadata={
                **self._base_metadata(),
                "fingerprint": self._fingerprint,
                "documents": len(final),
                "chunks": chunks,
                "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
        )
        return IngestReport(
            collection=self.name,
            documents=len(final),
            chunks=chunks,
            added_docs=sorted(d.id for d in changed if d.id not in stored),
            updated_docs=sorted(d.id for d in changed if d.id in stored),
            removed_docs=removed,
            kept_docs=kept,
            unchanged_docs=len(result.documents) - len(changed),
            embedded_chunks=len(pairs),
            problems=result.problems,
            skipped=result.skipped,
            repaired=result.repaired,
            fingerprint=self._fingerprint,
        )

    def _in_batches(self, call: Callable[[list[str]], Any], ids: list[str]) -> None:
        for start in range(0, len(ids), self.batch_size):
            call(ids[start : start + self.batch_size])

    # ---- identity ---------------------------------------------------------------------

    def _fingerprint_of(self, docs: dict[str, _StoredDoc]) -> str:
        items = sorted(f"{cid}:{d.doc_hash}" for d in docs.values() for cid in d.chunk_ids)
        header = f"model={self.model_name};chunking={self.chunking.model_dump_json()}"
        return hashlib.sha256("\n".join([header, *items]).encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """Hash of chunk ids, document hashes, chunk settings and embedding model: two stores
        with the same fingerprint give the same retrieval results."""
        if self._fingerprint is None:
            self._fingerprint = self._fingerprint_of(self._stored())
        return self._fingerprint

    # ---- retrieval --------------------------------------------------------------------

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        for query in queries:
            if not query.strip():
                raise ConfigError("the retrieval query is empty; give some text to search for")
        return np.asarray(self.embedding_function.embed_query(list(queries)), dtype=np.float32)

    def retrieve(
        self,
        query: str,
        k: int = 4,
        mmr: bool = True,
        fetch_k: int = 16,
        lambda_mult: float = 0.6,
        where: RetrievalFilter | None = None,
    ) -> list[RetrievedChunk]:
        """The `k` best chunks for a query: by cosine similarity, or an MMR selection from
        the `fetch_k` most similar (`lambda_mult` 1 = relevance only, 0 = diversity only)."""
        settings = RetrievalSettings.checked(k=k, mmr=mmr, fetch_k=fetch_k, lambda_mult=lambda_mult)
        return search(self.collection, self.embed_queries([query])[0], settings, where)

    def retrieve_many(
        self,
        queries: Sequence[str],
        settings: RetrievalSettings | None = None,
        where: RetrievalFilter | None = None,
    ) -> list[list[RetrievedChunk]]:
        """Several queries, embedded in one batch (evaluation, benchmarks)."""
        settings = settings or RetrievalSettings()
        vectors = self.embed_queries(queries) if queries else []
        return [search(self.collection, v, settings, where) for v in vectors]

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[RetrievedChunk]:
        """Chunks by id (to show a trace's context again); score is 0."""
        got = self.collection.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        found = {
            i: to_chunk(i, text, meta, 0.0)
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [found[i] for i in chunk_ids if i in found]

    # ---- description ------------------------------------------------------------------

    def stats(self, token_counter: Callable[[list[str]], list[int]] | None = None) -> CorpusStats:
        """Documents, chunks, outlets, regions, topics, dates, words and tokens."""
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        for page in self._pages(["documents", "metadatas"]):
            texts.extend(page["documents"])
            metadatas.extend(page["metadatas"])
        stats = corpus_stats(texts, metadatas, token_counter)
        return stats.model_copy(
            update={
                "collection": self.name,
                "embedding_model": self.model_name,
                "chunk_size": self.chunking.size,
                "chunk_overlap": self.chunking.overlap,
                "fingerprint": self.fingerprint() if texts else "",
            }
        )

    def drop(self) -> None:
        """Delete the collection (the files are untouched; the next ingest rebuilds it)."""
        self.client.delete_collection(self.name)


def chunk_metadata(chunk: Chunk, doc: Document) -> dict[str, Any]:
    """What Chroma stores beside a chunk: its document's metadata and where it sits."""
    meta: dict[str, Any] = {
        "doc_id": doc.id,
        "doc_hash": doc.content_hash,
        "source": doc.source,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "words": len(chunk.text.split()),
        "title": doc.title,
        "outlet": doc.outlet,
        "date": doc.date.isoformat() if doc.date else "",
        "region": doc.region,
        "language": doc.language,
        "movement": doc.movement,
    }
    if doc.date:
        meta["date_num"] = date_number(doc.date)
    if doc.topics:
        meta["topics"] = [t.lower() for t in doc.topics]
    for key, value in doc.extra.items():
        meta.setdefault(f"x_{key}", value)
    return meta


def open_store(
    corpus: Path | Sequence[Path] | None = None,
    settings: Settings | None = None,
    *,
    embeddings: Embeddings | None = None,
    model_name: str | None = None,
    chunking: ChunkSettings | None = None,
    server: str | None = None,
    store_dir: Path | None = None,
    name: str | None = None,
    read_options: ReadOptions | None = None,
) -> CorpusStore:
    """The store for a corpus (default: the shipped Atropia news), ready to ingest and query.

    Embeddings come from `settings.embedding_model` unless given. The collection lives in
    `store_dir` (default `<settings.cache_dir>/chroma`) or on the Chroma server at `server`;
    `name` overrides the corpus name (so a team can share one collection on a server).
    """
    from scenariosim.models import make_embeddings, parse_spec

    settings = settings or Settings()
    corpus = corpus if corpus is not None else SHIPPED_CORPUS
    if embeddings is None:
        embeddings = make_embeddings(settings.embedding_model, settings)
    model_name = model_name or getattr(embeddings, "model_name", None)
    if not model_name:
        model_name = str(parse_spec(settings.embedding_model))
    chunking = chunking or ChunkSettings()
    if name is None:
        key = corpus if isinstance(corpus, Path) else Path(sorted(map(str, corpus))[0]).parent
        name = corpus_name_for(key)
    location: Path | str = server or store_dir or settings.cache_dir / "chroma"
    return CorpusStore(
        connect(location),
        collection_name(name, model_name, chunking),
        embeddings,
        model_name,
        chunking,
        corpus,
        read_options,
        corpus_name=name,
    )


def open_stored(
    settings: Settings,
    *,
    server: str | None = None,
    store_dir: Path | None = None,
    embeddings: Embeddings | None = None,
) -> CorpusStore:
    """The one corpus a store holds (for `corpus query --store S` without --corpus): an
    error naming the collections if it holds none or several, or one of another model."""
    from scenariosim.models import make_embeddings, parse_spec

    location: Path | str = server or store_dir or settings.cache_dir / "chroma"
    client = connect(location)
    collections = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    if not collections:
        raise ConfigError(
            f"the store {location} holds no corpus; ingest one first "
            "(scenariosim corpus ingest DIR --store ...) or pass --corpus DIR"
        )
    if len(collections) > 1:
        raise ConfigError(
            f"the store {location} holds {len(collections)} collections "
            f"({', '.join(sorted(collections))}); say which corpus to search with --corpus DIR "
            "or --name NAME"
        )
    meta = client.get_collection(collections[0]).metadata or {}
    if embeddings is None:
        embeddings = make_embeddings(settings.embedding_model, settings)
    model_name = getattr(embeddings, "model_name", None) or str(
        parse_spec(settings.embedding_model)
    )
    stored_model = str(meta.get("embedding_model") or model_name)
    if stored_model != model_name:
        raise ConfigError(
            f"collection '{collections[0]}' in {location} was embedded with {stored_model}, "
            f"not {model_name}; set SCENARIOSIM_EMBEDDING_MODEL to match or re-ingest"
        )
    chunking = ChunkSettings(
        size=int(meta.get("chunk_size", ChunkSettings().size)),
        overlap=int(meta.get("chunk_overlap", ChunkSettings().overlap)),
        embed_title=bool(meta.get("embed_title", ChunkSettings().embed_title)),
    )
    return CorpusStore(
        client,
        collections[0],
        embeddings,
        model_name,
        chunking,
        corpus_name=str(meta.get("corpus_name") or ""),
    )
