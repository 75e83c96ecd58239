"""Knowledge: ingestion throughput against raw MiniLM encoding, and query latency by size.

Ingestion: the shipped corpus (copied `copies` times under new ids) is ingested into a
fresh store (read, chunk, embed, write to Chroma) and, in the same repeat, the very same
chunk texts are encoded by the SentenceTransformer directly; which of the two goes first
alternates between repeats, so a machine whose load changes favours neither. Goal: ingest
>= 0.85 of raw, in wall time; the ratio in CPU time (all threads of this process) is
reported too, as it moves less when other processes compete for the cores.

Query latency: collections of 1k, 10k and 100k chunks are synthesised from the shipped
corpus's real chunk vectors plus noise (so the index has realistic structure without
encoding 100k texts), with realistic metadata; then the labelled queries are run through
`CorpusStore.retrieve` (query embedding + Chroma search + MMR), plain, MMR and filtered,
and through `search` alone with the query vectors precomputed (the store's share). All
sizes are queried in each of several rounds, in rotating order, so a change in the
machine's load spreads over the sizes instead of landing on one.
"""

import datetime as dt
import os
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
from scenariosim.knowledge.chroma import connect
from scenariosim.knowledge.chunking import embedding_text
from scenariosim.knowledge.retrieval_eval import query_files_for
from scenariosim.knowledge.retrieve import RetrievalSettings, search
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

    def raw() -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return time.perf_counter() - wall, time.process_time() - cpu

    def ingest(repeat: int) -> tuple[float, float]:
        store = open_store(corpus, embeddings=MiniLMEmbeddings(), store_dir=work / f"s{repeat}")
        wall, cpu = time.perf_counter(), time.process_time()
        report = store.ingest()
        took = time.perf_counter() - wall, time.process_time() - cpu
        assert report.embedded_chunks == len(texts)
        return took

    raw_s, ingest_s = [], []  # (wall, cpu) seconds per repeat
    for repeat in range(repeats):
        if repeat % 2:
            ingest_s.append(ingest(repeat))
            raw_s.append(raw())
        else:
            raw_s.append(raw())
            ingest_s.append(ingest(repeat))
    rate = {
        name: [len(texts) / wall for wall, _ in runs]
        for name, runs in (("raw", raw_s), ("ingest", ingest_s))
    }
    paired = [r_s[0] / i_s[0] for r_s, i_s in zip(raw_s, ingest_s, strict=True)]
    paired_cpu = [r_s[1] / i_s[1] for r_s, i_s in zip(raw_s, ingest_s, strict=True)]
    raw_rate, ingest_rate = statistics.median(rate["raw"]), statistics.median(rate["ingest"])
    return {
        "ingest_chunks": len(texts),
        "ingest_repeats": repeats,
        "raw_encode_chunks_per_s": round(raw_rate, 1),
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "ingest_over_raw": round(ingest_rate / raw_rate, 3),
        "ingest_over_raw_paired_median": round(statistics.median(paired), 3),
        "ingest_over_raw_cpu_paired_median": round(statistics.median(paired_cpu), 3),
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


def _percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) of times in seconds, in milliseconds (nearest rank)."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(np.ceil(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def _query_latencies(
    stores: dict[str, CorpusStore], queries: list[str], rounds: int
) -> dict[str, float]:
    """p50/p95 per size and mode, end to end and search only, over rotating rounds."""
    filtered = RetrievalFilter(
        outlets=["Ses Online", "Caspian Wire Service"],
        date_from=dt.date(2026, 9, 1),
        date_to=dt.date(2026, 9, 30),
    )
    modes: dict[str, dict] = {
        "similarity": {"k": 4, "mmr": False},
        "mmr": {"k": 4, "mmr": True, "fetch_k": 16},
        "mmr_filtered": {"k": 4, "mmr": True, "fetch_k": 16, "where": filtered},
    }
    labels = list(stores)
    vectors = next(iter(stores.values())).embed_queries(queries)
    end_to_end: dict[tuple[str, str], list[float]] = {}
    search_only: dict[tuple[str, str], list[float]] = {}
    embedding: list[float] = []
    for store in stores.values():  # warm each index once
        store.retrieve(queries[0], **modes["mmr"])
    for round_ in range(rounds):
        for label in labels[round_ % len(labels) :] + labels[: round_ % len(labels)]:
            store = stores[label]
            for mode, options in modes.items():
                settings = RetrievalSettings.checked(
                    **{k: v for k, v in options.items() if k != "where"}
                )
                for query, vector in zip(queries, vectors, strict=True):
                    started = time.perf_counter()
                    store.retrieve(query, **options)
                    end_to_end.setdefault((label, mode), []).append(time.perf_counter() - started)
                    started = time.perf_counter()
                    search(store.collection, vector, settings, options.get("where"))
                    search_only.setdefault((label, mode), []).append(time.perf_counter() - started)
        for query in queries:
            started = time.perf_counter()
            stores[labels[0]].embed_queries([query])
            embedding.append(time.perf_counter() - started)
    figures: dict[str, float] = {}
    for label in labels:
        for mode in modes:
            p50, p95 = _percentiles(end_to_end[(label, mode)])
            figures[f"query_{label}_{mode}_p50_ms"] = round(p50, 1)
            figures[f"query_{label}_{mode}_p95_ms"] = round(p95, 1)
            p50, p95 = _percentiles(search_only[(label, mode)])
            figures[f"search_{label}_{mode}_p50_ms"] = round(p50, 1)
            figures[f"search_{label}_{mode}_p95_ms"] = round(p95, 1)
    p50, p95 = _percentiles(embedding)
    figures["query_embedding_p50_ms"] = round(p50, 1)
    figures["query_embedding_p95_ms"] = round(p95, 1)
    return figures


def run(quick: bool = False) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    load_start = os.getloadavg()[0]
    rounds = 2 if quick else 3
    try:
        figures: dict[str, float] = _ingest_vs_raw(
            work / "ingest", 1 if quick else 4, 3 if quick else 5
        )
        base = open_store(embeddings=MiniLMEmbeddings(), store_dir=work / "base")
        base.ingest()
        queries = [q.query for q in load_queries(query_files_for(SHIPPED_CORPUS))]
        stores = {}
        for size in (1_000, 10_000) if quick else (1_000, 10_000, 100_000):
            label = f"{size // 1000}k"
            stores[label], insert_s = _synthetic_store(work, size, base)
            figures[f"synth_{label}_insert_s"] = round(insert_s, 1)
        figures.update(_query_latencies(stores, queries, rounds))
        for store in stores.values():
            store.drop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["load_average_start"] = load_start
    figures["load_average_end"] = os.getloadavg()[0]
    return {
        "name": "knowledge",
        "figures": figures,
        "notes": (
            f"ingest vs raw SentenceTransformer.encode on the same {figures['ingest_chunks']} "
            f"chunks, medians of {figures['ingest_repeats']} repeats in alternating order "
            "(goal >= 0.85); query latency over the "
            f"{len(queries)} labelled queries x {rounds} rounds, k=4, end to end (with query "
            "embedding) and search only; "
            f"1-minute load average {load_start:.1f} at the start on {os.cpu_count()} cores"
            + ("; quick: sizes capped at 10k" if quick else "")
        ),
    }
