"""Sentence-aware chunks that keep their document's metadata and a stable id."""

import re

from pydantic import BaseModel

from scenariosim.knowledge.documents import Document

_SENTENCE = re.compile(r"(?<=[.!?\"'])\s+(?=[A-Z0-9\"'])")


class Chunk(BaseModel):
    chunk_id: str
    doc_id: str
    index: int
    text: str
    title: str
    outlet: str
    date: str
    region: str
    topics: list[str]


def split_sentences(text: str) -> list[str]:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return [
        s.strip() for p in paragraphs for s in _SENTENCE.split(" ".join(p.split())) if s.strip()
    ]


def chunk_document(doc: Document, size: int = 700, overlap: int = 1) -> list[Chunk]:
    """Pack whole sentences up to `size` characters; repeat `overlap` sentences between chunks."""
    sentences = split_sentences(doc.text)
    chunks: list[list[str]] = []
    current: list[str] = []
    for sentence in sentences:
        if current and len(" ".join([*current, sentence])) > size:
            chunks.append(current)
            current = current[-overlap:] if overlap else []
        current.append(sentence)
    if current and (not chunks or current != chunks[-1][-len(current) :]):
        chunks.append(current)
    return [
        Chunk(
            chunk_id=f"{doc.id}#{i}",
            doc_id=doc.id,
            index=i,
            text=" ".join(parts),
            title=doc.title,
            outlet=doc.outlet,
            date=doc.date.isoformat(),
            region=doc.region,
            topics=doc.topics,
        )
        for i, parts in enumerate(chunks)
    ]
