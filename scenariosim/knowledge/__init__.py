"""Knowledge: the news corpus, its Chroma store, retrieval, and the world's gazetteer.

The graph uses a small API:

    store = open_store(corpus_dir, settings)          # a CorpusStore (Chroma collection)
    report = store.ingest()                           # incremental; an IngestReport
    store.fingerprint()                               # recorded with every run
    chunks = store.retrieve(query, k=4, mmr=True, fetch_k=16, lambda_mult=0.6,
                            where=RetrievalFilter(outlets=[...], date_to=...))
    gazetteer = load_gazetteer(path)                  # gazetteer.lookup("Aslanov")

See docs/knowledge.md for formats, chunking, filters and evaluation.
"""

from scenariosim.knowledge.chunking import Chunk, ChunkSettings, chunk_document
from scenariosim.knowledge.coverage import CoverageReport, check_coverage
from scenariosim.knowledge.documents import (
    Document,
    FileProblem,
    ReadOptions,
    ReadResult,
    read_corpus,
    read_documents,
)
from scenariosim.knowledge.gazetteer import Entity, Gazetteer, load_gazetteer
from scenariosim.knowledge.retrieval_eval import EvalReport, LabelledQuery, evaluate, load_queries
from scenariosim.knowledge.retrieve import RetrievalFilter, RetrievalSettings, RetrievedChunk
from scenariosim.knowledge.store import (
    SHIPPED_CORPUS,
    CorpusStore,
    IngestReport,
    open_store,
)

__all__ = [
    "SHIPPED_CORPUS",
    "Chunk",
    "ChunkSettings",
    "CorpusStore",
    "CoverageReport",
    "Document",
    "Entity",
    "EvalReport",
    "FileProblem",
    "Gazetteer",
    "IngestReport",
    "LabelledQuery",
    "ReadOptions",
    "ReadResult",
    "RetrievalFilter",
    "RetrievalSettings",
    "RetrievedChunk",
    "check_coverage",
    "chunk_document",
    "evaluate",
    "load_gazetteer",
    "load_queries",
    "open_store",
    "read_corpus",
    "read_documents",
]
