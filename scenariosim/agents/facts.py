"""Choose the sentences an artifact will be about, before the model writes.

A 135M model given whole news chunks copies them or drifts; given one or two sentences it
writes about them. Code therefore picks the facts: each retrieved chunk is split into
sentences (`text_rules.sentence_spans`), wire datelines are left out, and sentences are
ranked by cosine similarity (MiniLM or the run's embeddings) to the phase's query, with a
smaller weight on the persona. Tasks of one phase take different sentences from the top of
that ranking (a seeded rotation by task index), so a phase's posts are not all about the same
line. Provenance keeps each fact's chunk id and character offsets in the chunk.

What a writer reads is budgeted, not clipped: a sentence is read whole or not at all. It is
usable with 6 to 45 words and at most `MAX_FACT_BYTES` bytes of UTF-8; a byte-level BPE
tokenizer (SmolLM2's, Gemini's, GPT-style) never makes more tokens than bytes, so `k` facts
take at most k x 480 tokens of the prompt whatever the script or the word lengths (a writer's
prompt with its three examples and one fact stays under 1,500 tokens of SmolLM2's 4,096).
`reading` says what of the chunks was not read, for the `facts` trace event.
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
MAX_FACT_BYTES = 480  # UTF-8 bytes: an upper bound on the tokens a fact takes
QUERY_WEIGHT = 0.75  # the rest goes to similarity with the persona
TOP = 4  # tasks of a phase rotate through this many best sentences


def _sentences(chunks: list[ContextChunk]) -> list[tuple[Fact, str]]:
    """Every sentence of the chunks (datelines cut) with why it cannot be read ("" if it can)."""
    found = []
    for chunk in chunks:
        for start, end in sentence_spans(chunk.text):
            dateline = _DATELINE.match(chunk.text[start:end])
            if dateline:
                start += dateline.end()
            text = chunk.text[start:end]
            fact = Fact(chunk_id=chunk.chunk_id, start=start, end=end, text=text)
            n_words = len(text.split())
            if text.startswith(("#", "|")):
                found.append((fact, "markup"))
            elif n_words < MIN_WORDS:
                found.append((fact, "too_short"))
            elif n_words > MAX_WORDS or len(text.encode("utf-8")) > MAX_FACT_BYTES:
                found.append((fact, "too_long"))
            else:
                found.append((fact, ""))
    return found


def candidate_sentences(chunks: list[ContextChunk]) -> list[Fact]:
    """Every usable sentence of the chunks, with its offsets in its chunk."""
    return [fact for fact, why in _sentences(chunks) if not why]


def reading(chunks: list[ContextChunk], facts: list[Fact]) -> dict[str, int]:
    """What the writer read of its chunks and what it did not: sentences usable and skipped
    (too long, too short, markup), and characters of the chunks read (the chosen facts) and
    not read."""
    counts = {"usable": 0, "too_long": 0, "too_short": 0, "markup": 0}
    for _, why in _sentences(chunks):
        counts[why or "usable"] += 1
    total = sum(len(c.text) for c in chunks)
    read = sum(f.end - f.start for f in facts)
    return {**{f"sentences_{k}": v for k, v in counts.items()}, "chars_read": read,
            "chars_not_read": total - read}  # fmt: skip


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
