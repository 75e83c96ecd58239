"""Sentence-aware chunks that keep their document's metadata and a stable id.

A chunk is an exact slice of the document's text (whole sentences, packed up to `size`
characters), so what an agent is shown is what the article says, and its offsets point
back into the document. `overlap` repeats whole trailing sentences of one chunk at the
start of the next, up to that many characters. Chunk ids are `<doc id>#<index>`: the same
document with the same settings always gives the same ids.
"""

import re
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scenariosim.knowledge.documents import Document

# Words that end with a full stop without ending a sentence ("Mr. Aslanov", "No. 4").
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st gen col lt capt sgt rev jr sr no nos vs etc inc ltd co corp dept
    gov sen rep approx est fig jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
# A line that starts a Markdown heading, list item, quote or table row starts a new block.
_STRUCTURE = re.compile(r"\n(?=[ \t]*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|\|))")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_OPENERS = "\"'“‘([¡¿"

Span = tuple[int, int]


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


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _blocks(text: str) -> list[Span]:
    """Paragraphs and Markdown structure lines: sentences never cross these."""
    cuts = sorted(
        {0, len(text)}
        | {m.start() for m in _PARAGRAPH.finditer(text)}
        | {m.end() for m in _PARAGRAPH.finditer(text)}
        | {m.start() for m in _STRUCTURE.finditer(text)}
    )
    spans = [_trim(text, a, b) for a, b in pairwise(cuts)]
    return [s for s in spans if s]


def _ends_sentence(text: str, punct_start: int, punct: str, after: int, limit: int) -> bool:
    """A full stop after an abbreviation, an initial or an acronym does not end a sentence."""
    if "." in punct and not any(c in punct for c in "!?…"):
        word = _WORD_BEFORE.search(text, max(0, punct_start - 40), punct_start)
        if word:
            token = word.group(1)
            if token.lower() in ABBREVIATIONS or "." in token:
                return False
            if len(token) == 1 and token.isalpha() and token.isupper():
                return False
    j = after
    while j < limit and text[j].isspace():
        j += 1
    while j < limit and text[j] in _OPENERS:
        j += 1
    return j < limit and (text[j].isupper() or text[j].isdigit())


def sentence_spans(text: str) -> list[Span]:
    """(start, end) of each sentence; paragraph and list boundaries always end one."""
    spans: list[Span] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for m in _SENTENCE_END.finditer(text, block_start, block_end):
            if _ends_sentence(text, m.start(), m.group(0), m.end(), block_end):
                span = _trim(text, start, m.end())
                if span:
                    spans.append(span)
                start = m.end()
        span = _trim(text, start, block_end)
        if span:
            spans.append(span)
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def _fit(text: str, span: Span, size: int) -> list[Span]:
    """A sentence longer than `size` is cut at spaces (or hard, for one giant word)."""
    start, end = span
    pieces: list[Span] = []
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size + 1)
        if cut <= start:
            cut = start + size
        piece = _trim(text, start, cut)
        if piece:
            pieces.append(piece)
        start = cut
    rest = _trim(text, start, end)
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
