"""The text of the chunks that grounded a run's artifacts.

Records carry chunk ids only. Texts come from the retrieval traces when they hold them
(`chunks: [{chunk_id, text, ...}]`), otherwise from re-chunking the run's corpus with the
knowledge package's chunker (chunk ids are stable for the same document and settings).
A chunk id the corpus no longer has is reported, not guessed.
"""

from pathlib import Path
from typing import Any

from scenariosim.errors import InputFileError
from scenariosim.outputs.records import ContextChunkRecord
from scenariosim.outputs.run_folder import RunFolder

SHIPPED_CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "articles"


def used_chunk_ids(run: RunFolder) -> dict[str, int]:
    """Chunk id -> number of accepted records it grounded."""
    counts: dict[str, int] = {}
    for record in run.all_records():
        for chunk_id in record.get("provenance", {}).get("chunk_ids", []):
            counts[chunk_id] = counts.get(chunk_id, 0) + 1
    return counts


def _from_traces(run: RunFolder) -> dict[str, dict[str, Any]]:
    found = {}
    for row in run.traces:
        if row.get("event") == "retrieval":
            for chunk in row.get("chunks", []):
                if chunk.get("text"):
                    found[chunk["chunk_id"]] = chunk
    return found


def _from_corpus(run: RunFolder, notes: list[str]) -> dict[str, dict[str, Any]]:
    from scenariosim.knowledge.chunking import chunk_document
    from scenariosim.knowledge.documents import read_corpus

    corpus = run.scenario.get("world", {}).get("corpus")
    folder = Path(corpus) if corpus else SHIPPED_CORPUS
    try:
        docs, _ = read_corpus(folder)
    except InputFileError as e:
        notes.append(f"chunk texts unavailable: {e}")
        return {}
    return {
        c.chunk_id: c.model_dump()
        | {"title": d.title, "outlet": d.outlet, "date": d.date.isoformat(), "doc_id": d.id}
        for d in docs
        for c in chunk_document(d)
    }


def context_chunks(run: RunFolder) -> tuple[dict[str, ContextChunkRecord], list[str]]:
    """Records for every chunk an accepted artifact used, and notes on what is missing."""
    notes: list[str] = []
    used = used_chunk_ids(run)
    if not used:
        return {}, notes
    texts = _from_traces(run)
    if not set(used) <= set(texts):
        texts = _from_corpus(run, notes) | texts
        notes.append(
            "chunk texts were re-derived from the corpus (the traces do not hold them): if the "
            "corpus or the chunker changed since the run, they may differ from what agents read"
        )
    absent = sorted(set(used) - set(texts))
    if absent:
        notes.append(f"{len(absent)} chunk(s) not found in the corpus: {', '.join(absent[:5])}")
    chunks = {
        cid: ContextChunkRecord(
            id=cid,
            doc_id=texts[cid]["doc_id"],
            title=texts[cid].get("title", ""),
            outlet=texts[cid].get("outlet", ""),
            date=str(texts[cid].get("date", "")),
            text=texts[cid].get("text", ""),
            used_by=count,
        )
        for cid, count in sorted(used.items())
        if cid in texts
    }
    return chunks, notes
