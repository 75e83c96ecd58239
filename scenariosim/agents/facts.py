"""Choose the sentences an artifact will be about, before the model writes.

A 135M model given whole news chunks copies them or drifts; given one or two sentences it
writes about them. Code therefore picks the facts: each retrieved chunk is split into
sentences (`text_rules.sentence_spans`), wire datelines are left out, and sentences are
ranked by cosine similarity (MiniLM or the run's embeddings) to the phase's query, with a
smaller weight on the persona. Tasks of one phase take different sentences from the top of
that ranking (a seeded rotation by task index), so a phase's posts are not all about the same
line. Provenance keeps each fact's chunk id and character offsets in the chunk.
"""

import re

import numpy as np
from langchain_core.embeddings import Embeddings

from scenariosim.agents.schemas import ContextChunk, Fact
from scenariosim.text_rules import sentence_spans

# "BAKU, Aug 12 (CWS) - " or "Caspian Wire Service, 2026-08-04: " at a sentence start.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z .'-]{1,40},\s+[A-Z][a-z]{2,8}\.? \d{1,2}(?:,? \d{4})?\s*(?:\([^)]{1,20}\))?"
    r"\s*[-–—]+\s*|[A-Z][\w .'-]{1,40},\s+\d{4}-\d{2}-\d{2}:\s*)"
)
MIN_WORDS, MAX_WORDS = 6, 45
QUERY_WEIGHT = 0.75  # the rest goes to similarity with the persona
TOP = 4  # tasks of a phase rotate through this many best sentences


def candidate_sentences(chunks: list[ContextChunk]) -> list[Fact]:
    """Every usable sentence of the chunks, with its offsets in its chunk."""
    found = []
    for chunk in chunks:
        for start, end in sentence_spans(chunk.text):
            dateline = _DATELINE.match(chunk.text[start:end])
            if dateline:
                start += dateline.end()
            text = chunk.text[start:end]
            if MIN_WORDS <= len(text.split()) <= MAX_WORDS and not text.startswith(("#", "|")):
                found.append(Fact(chunk_id=chunk.chunk_id, start=start, end=end, text=text))
    return found


def choose_facts(
    chunks: list[ContextChunk],
    query: str,
    persona: str,
    embeddings: Embeddings,
    rotation: int,
    k: int = 1,
) -> list[Fact]:
    """The `k` sentences this task is about, best first after a rotation of `rotation`.

    Returns [] when no chunk has a usable sentence. `rotation` is the task's index in its
    phase (plus a seeded offset), so concurrent tasks pick different facts deterministically.
    """
    sentences = candidate_sentences(chunks)
    if not sentences:
        return []
    vectors = np.array(embeddings.embed_documents([query, persona, *(s.text for s in sentences)]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    scores = QUERY_WEIGHT * (vectors[2:] @ vectors[0]) + (1 - QUERY_WEIGHT) * (
        vectors[2:] @ vectors[1]
    )
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    top = order[: min(TOP, len(order))]
    first = rotation % len(top)
    picked = [top[first], *[i for i in order if i != top[first]][: k - 1]]
    return [sentences[i].model_copy(update={"score": round(float(scores[i]), 4)}) for i in picked]
