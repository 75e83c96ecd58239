"""Sentence-aware chunking: exact slices, whole sentences, overlap, stable ids."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from scenariosim.knowledge.chunking import ChunkSettings, chunk_document, split_sentences
from scenariosim.knowledge.documents import Document

SENTENCES = [f"Sentence number {i} is about diesel prices in Karavan." for i in range(40)]


def _doc(text: str) -> Document:
    return Document(id="a1", title="T", outlet="Ses Online", text=text)


def test_chunks_are_exact_slices_made_of_whole_sentences() -> None:
    doc = _doc(" ".join(SENTENCES))
    chunks = chunk_document(doc, ChunkSettings(size=300, overlap=0))
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text.startswith("Sentence number") and chunk.text.endswith("Karavan.")
        assert len(chunk.text) <= 300
    assert " ".join(c.text for c in chunks) == doc.text


def test_overlap_repeats_whole_trailing_sentences_of_the_previous_chunk() -> None:
    doc = _doc(" ".join(SENTENCES))
    chunks = chunk_document(doc, ChunkSettings(size=300, overlap=120))
    for before, after in pairwise(chunks):
        shared = doc.text[after.start : before.end]
        assert 0 < len(shared) <= 120
        assert before.text.endswith(shared) and after.text.startswith(shared)
        assert shared.startswith("Sentence number") and shared.endswith("Karavan.")


def test_chunk_ids_are_the_document_id_and_position_and_stable() -> None:
    doc = _doc(" ".join(SENTENCES))
    first = chunk_document(doc, ChunkSettings(size=300))
    again = chunk_document(doc, ChunkSettings(size=300))
    assert [c.chunk_id for c in first] == [f"a1#{i}" for i in range(len(first))]
    assert first == again


def test_abbreviations_initials_and_decimals_do_not_end_sentences() -> None:
    text = (
        "Mr. Aslanov met Dr. Orujova at 3 p.m. in Baku. Diesel cost 1.30 ADH. "
        'He said: "We will not move." Then he left! Was it over? No.'
    )
    assert split_sentences(text) == [
        "Mr. Aslanov met Dr. Orujova at 3 p.m. in Baku.",
        "Diesel cost 1.30 ADH.",
        'He said: "We will not move."',
        "Then he left!",
        "Was it over?",
        "No.",
    ]


def test_headings_list_items_and_paragraphs_start_new_sentences() -> None:
    text = "# Fuel prices\nDiesel rose\n\nSecond paragraph here\n- first point\n- second point"
    assert split_sentences(text) == [
        "# Fuel prices\nDiesel rose",
        "Second paragraph here",
        "- first point",
        "- second point",
    ]


def test_a_sentence_longer_than_the_chunk_size_is_cut_at_spaces() -> None:
    doc = _doc(" ".join(["word"] * 200))
    chunks = chunk_document(doc, ChunkSettings(size=100, overlap=0))
    assert all(len(c.text) <= 100 and not c.text.startswith(" ") for c in chunks)
    assert sum(len(c.text.split()) for c in chunks) == 200


def test_an_overlap_above_half_the_chunk_size_is_rejected() -> None:
    with pytest.raises(ValidationError, match="at most half"):
        ChunkSettings(size=200, overlap=150)


_words = st.text(alphabet="abcdefghij ", min_size=1, max_size=30)
_sentence = st.builds(lambda w, p: w.strip().capitalize() + p, _words, st.sampled_from(".!?"))


@settings(max_examples=60, deadline=None)
@given(
    sentences=st.lists(_sentence, min_size=1, max_size=40),
    size=st.integers(min_value=100, max_value=400),
    overlap_share=st.floats(min_value=0, max_value=0.5),
)
def test_chunks_always_fit_cover_the_text_and_move_forward(
    sentences: list[str], size: int, overlap_share: float
) -> None:
    text = " ".join(s for s in sentences if s.strip(".!? "))
    if not text.strip():
        return
    doc = _doc(text)
    chunks = chunk_document(doc, ChunkSettings(size=size, overlap=int(size * overlap_share)))
    assert chunks and chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end] and len(chunk.text) <= size
    for before, after in pairwise(chunks):
        assert before.start < after.start and after.start <= before.end + 1
