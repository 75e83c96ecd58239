"""Sentence-aware chunks that keep their document's metadata and a stable id.

A chunk is an exact slice of the document's text (whole sentences, packed up to `size`
characters), so what an agent is shown is what the article says, and its offsets point
back into the document. `overlap` repeats whole trailing sentences of one chunk at the
start of the next, up to that many characters. Chunk ids are `<doc id>#<index>`: the same
document with the same settings always gives the same ids.
"""

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scenariosim.knowledge.documents import Document
from scenariosim.text_rules import Span, sentence_spans, split_sentences, trim_span  # noqa: F401


class ChunkSettings(BaseModel):
    """How documents are cut; part of the collection's identity and the corpus fingerprint."""

    model_config = ConfigDict(frozen=True)

    size: int = Field(700, ge=100, le=20_000, description="Most characters in a chunk.")
    overlap: int = Field(
        150, ge=0, description="Characters of whole sentences repeated from the previous chunk."
    )
    embed_title: bool = Field(
        True, description="Embed each chunk with its document's title in front (not stored)."
    )

    @model_validator(mode="after")
    def _overlap_below_half(self) -> "ChunkSettings":
        if self.overlap > self.size // 2:
            raise ValueError(
                f"chunk overlap {self.overlap} must be at most half the chunk size {self.size}"
            )
        return self

    @property
    def key(self) -> str:
        """Short form for collection names: `s700-o150-t`."""
        return f"s{self.size}-o{self.overlap}{'-t' if self.embed_title else ''}"


class Chunk(BaseModel):
    """One retrievable piece of a document: `text == document.text[start:end]`."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int


def _fit(text: str, span: Span, size: int) -> list[Span]:
    """A sentence longer than `size` is cut at spaces (or hard, for one giant word)."""
    start, end = span
    pieces: list[Span] = []
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size + 1)
        if cut <= start:
            cut = start + size
        piece = trim_span(text, start, cut)
        if piece:
            pieces.append(piece)
        start = cut
    rest = trim_span(text, start, end)
    if rest:
        pieces.append(rest)
    return pieces


def chunk_spans(text: str, settings: ChunkSettings) -> list[Span]:
    """Pack whole sentences into spans of at most `size` characters, with overlap."""
    units = [piece for s in sentence_spans(text) for piece in _fit(text, s, settings.size)]
    chunks: list[Span] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and units[j][1] - units[i][0] <= settings.size:
            j += 1
        chunks.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Start the next chunk with the trailing sentences that fit in the overlap.
        k = j
        while k - 1 > i and units[j - 1][1] - units[k - 1][0] <= settings.overlap:
            k -= 1
        # ...but never so many that the next new sentence no longer fits.
        while k < j and units[j][1] - units[k][0] > settings.size:
            k += 1
        i = k
    return chunks


def chunk_document(doc: Document, settings: ChunkSettings | None = None) -> list[Chunk]:
    """The document's chunks in reading order, with stable ids `<doc id>#<index>`."""
    settings = settings or ChunkSettings()
    return [
        Chunk(
            chunk_id=f"{doc.id}#{index}",
            doc_id=doc.id,
            index=index,
            text=doc.text[start:end],
            start=start,
            end=end,
        )
        for index, (start, end) in enumerate(chunk_spans(doc.text, settings))
    ]


def embedding_text(chunk: Chunk, doc: Document, settings: ChunkSettings) -> str:
    """What the embedding model sees: the chunk, optionally after its document's title."""
    if settings.embed_title and doc.title:
        return f"{doc.title}\n\n{chunk.text}"
    return chunk.text
