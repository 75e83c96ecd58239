"""Knowledge: ingestion throughput against raw MiniLM encoding, and query latency by size.

Ingestion: the shipped corpus (copied `copies` times under new ids) is ingested into a
fresh store (read, chunk, embed, write to Chroma) and, alternately, the very same chunk
texts are encoded by the SentenceTransformer directly. Goal: ingest >= 0.85 of raw.

Query latency: collections of 1k, 10k and 100k chunks are synthesised from the shipped
corpus's real chunk vectors plus noise (so the index has realistic structure without
encoding 100k texts), with realistic metadata; then the labelled queries are run through
`CorpusStore.retrieve` (query embedding + Chroma search + MMR), plain, MMR and filtered.
"""

import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from scenariosim.knowledge import (
    SHIPPED_CORPUS,
    ChunkSettings,
    CorpusStore,
    RetrievalFilter,
    chunk_document,
    load_queries,
    open_store,
    read_documents,
)
from scenariosim.knowledge.chunking import embedding_text
from scenariosim.knowledge.evaluate import query_files_for
from scenariosim.knowledge.store import connect
from scenariosim.models.embeddings_local import MINILM_NAME, MiniLMEmbeddings, load_minilm


def _copy_corpus(folder: Path, copies: int) -> None:
    """The shipped articles `copies` times, each copy with its own ids."""
    for n in range(copies):
        for path in sorted(SHIPPED_CORPUS.glob("*.md")):
            text = path.read_text(encoding="utf-8")
            text = text.replace(f"id: {path.stem}\n", f"id: {path.stem}-c{n}\n", 1)
            (folder / f"{path.stem}-c{n}.md").write_text(text, encoding="utf-8")


def _ingest_vs_raw(work: Path, copies: int, repeats: int) -> dict[str, float]:
    corpus = work / "corpus"
    corpus.mkdir(parents=True)
    _copy_corpus(corpus, copies)
    settings = ChunkSettings()
    docs = read_documents(corpus).documents
    texts = [embedding_text(c, d, settings) for d in docs for c in chunk_document(d, settings)]
    model = load_minilm()
    model.encode(texts[:64], batch_size=64, normalize_embeddings=True)  # warm up
    raw_rates, ingest_rates = [], []
    for repeat in range(repeats):
        started = time.perf_counter()
        model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        raw_rates.append(len(texts) / (time.perf_counter() - started))

        store = open_store(corpus, embeddings=MiniLMEmbeddings(), store_dir=work / f"s{repeat}")
        started = time.perf_counter()
        report = store.ingest()
        ingest_rates.append(report.embedded_chunks / (time.perf_counter() - started))
        assert report.embedded_chunks == len(texts)
    raw, ingest = statistics.median(raw_rates), statistics.median(ingest_rates)
    return {
        "ingest_chunks": len(texts),
        "raw_encode_chunks_per_s": round(raw, 1),
        "ingest_chunks_per_s": round(ingest, 1),
        "ingest_over_raw": round(ingest / raw, 3),
    }


def _synthetic_store(work: Path, size: int, base: CorpusStore) -> tuple[CorpusStore, float]:
    """A collection of `size` chunks around the real chunk vectors, with real metadata."""
    got = base.collection.get(include=["embeddings", "documents", "metadatas"])
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    rng = np.random.default_rng(0)
    store = CorpusStore(
        connect(work / f"synth-{size}"), f"synth-{size}", base.embeddings, MINILM_NAME
    )
    outlets = sorted({m["outlet"] for m in got["metadatas"]})
    started = time.perf_counter()
    for start in range(0, size, store.batch_size):
        idx = np.arange(start, min(size, start + store.batch_size))
        src = idx % len(vectors)
        noisy = vectors[src] + rng.normal(0, 0.03, (len(idx), vectors.shape[1])).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        metadatas = []
        for i, s in zip(idx, src, strict=True):
            meta = dict(got["metadatas"][s])
            day = dt.date(2026, 8, 1) + dt.timedelta(days=int(i) % 92)
            meta.update(
                doc_id=f"d{i // 4}",
                outlet=outlets[int(i) % len(outlets)],
                date=day.isoformat(),
                date_num=int(day.strftime("%Y%m%d")),
            )
            metadatas.append(meta)
        store.collection.add(
            ids=[f"d{i // 4}#{i % 4}" for i in idx],
            embeddings=noisy,
            documents=[got["documents"][s] for s in src],
            metadatas=metadatas,
        )
    return store, time.perf_counter() - started


def _latencies(store: CorpusStore, queries: list[str], **options: object) -> tuple[float, float]:
    store.retrieve(queries[0], **options)  # type: ignore[arg-type]
    times = []
    for query in queries:
        started = time.perf_counter()
        store.retrieve(query, **options)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def run(quick: bool = False) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    try:
        figures: dict[str, float] = _ingest_vs_raw(work / "ingest", 1 if quick else 4, 3)
        base = open_store(embeddings=MiniLMEmbeddings(), store_dir=work / "base")
        base.ingest()
        queries = [q.query for q in load_queries(query_files_for(SHIPPED_CORPUS))]
        filtered = RetrievalFilter(
            outlets=["Ses Online", "Caspian Wire Service"],
            date_from=dt.date(2026, 9, 1),
            date_to=dt.date(2026, 9, 30),
        )
        for size in (1_000, 10_000) if quick else (1_000, 10_000, 100_000):
            store, insert_s = _synthetic_store(work, size, base)
            label = f"{size // 1000}k"
            figures[f"synth_{label}_insert_s"] = round(insert_s, 1)
            for mode, options in (
                ("similarity", {"k": 4, "mmr": False}),
                ("mmr", {"k": 4, "mmr": True, "fetch_k": 16}),
                ("mmr_filtered", {"k": 4, "mmr": True, "fetch_k": 16, "where": filtered}),
            ):
                p50, p95 = _latencies(store, queries, **options)
                figures[f"query_{label}_{mode}_p50_ms"] = round(p50, 1)
                figures[f"query_{label}_{mode}_p95_ms"] = round(p95, 1)
            store.drop()
        started = time.perf_counter()
        for query in queries:
            base.embed_queries([query])
        figures["query_embedding_ms"] = round(
            (time.perf_counter() - started) * 1000 / len(queries), 1
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "name": "knowledge",
        "figures": figures,
        "notes": (
            f"ingest vs raw SentenceTransformer.encode on the same {figures['ingest_chunks']} "
            "chunks, medians of 3 alternating runs (goal >= 0.85); query latency over the "
            f"{len(queries)} labelled queries, k=4, including query embedding"
            + ("; quick: sizes capped at 10k" if quick else "")
        ),
    }
