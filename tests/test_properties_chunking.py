"""Property tests of the chunker: chunks are exact, ordered slices of the document that cover
every sentence, respect the size where a sentence allows, and get stable ids."""

from hypothesis import given, settings
from hypothesis import strategies as st

from scenariosim.knowledge.chunking import ChunkSettings, chunk_document, chunk_spans
from scenariosim.knowledge.documents import Document

FAST = settings(max_examples=120, deadline=None)
pieces = st.sampled_from(
    [
        "Diesel rose.",
        "Mr. Aslanov spoke!",
        "No. 4 closed?",
        "\n\n",
        "\n# Heading\n",
        "\n- item ",
        " ",
        "1.30 ADH",
        "“Quoted.” ",
        "…",
        "word",
        "Ünïcödé.",
        "\t",
        "a" * 150,
        "x. ",
    ]
)
texts = st.one_of(st.text(max_size=2000), st.lists(pieces, max_size=80).map("".join))


@st.composite
def chunk_settings(draw: st.DrawFn) -> ChunkSettings:
    size = draw(st.integers(100, 2000))
    return ChunkSettings(size=size, overlap=draw(st.integers(0, size // 2)))


@FAST
@given(texts, chunk_settings())
def test_chunks_are_ordered_exact_slices(text: str, chunking: ChunkSettings) -> None:
    spans = chunk_spans(text, chunking)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip()
    assert [s for s, _ in spans] == sorted({s for s, _ in spans})


@FAST
@given(texts, chunk_settings())
def test_every_visible_character_is_in_some_chunk(text: str, chunking: ChunkSettings) -> None:
    covered = set()
    for start, end in chunk_spans(text, chunking):
        covered.update(range(start, end))
    missing = [i for i, c in enumerate(text) if not c.isspace() and i not in covered]
    assert missing == []


@FAST
@given(texts, chunk_settings())
def test_no_chunk_is_longer_than_the_size(text: str, chunking: ChunkSettings) -> None:
    for start, end in chunk_spans(text, chunking):
        assert end - start <= chunking.size


@FAST
@given(texts.filter(str.strip), chunk_settings())
def test_chunk_ids_are_unique_and_the_same_every_time(text: str, chunking: ChunkSettings) -> None:
    doc = Document(id="doc-1", text=text)
    first, again = chunk_document(doc, chunking), chunk_document(doc, chunking)
    assert first == again
    assert [c.chunk_id for c in first] == [f"doc-1#{i}" for i in range(len(first))]
    assert all(c.text == text[c.start : c.end] for c in first)
