"""Corpus reading, chunking, the incremental Chroma store, filters and MMR."""

from pathlib import Path

import pytest

from scenariosim.knowledge.chunking import chunk_document
from scenariosim.knowledge.documents import read_corpus
from scenariosim.knowledge.gazetteer import load_gazetteer
from scenariosim.knowledge.store import CorpusStore, RetrievalFilter
from scenariosim.models.embeddings_local import MINILM_NAME, MiniLMEmbeddings

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "scenariosim" / "data" / "corpus" / "articles"

ARTICLE = """---
id: {id}
title: "{title}"
outlet: {outlet}
date: {date}
region: Karavan Province
topics: [fuel prices]
---
{body}
"""


def _write(
    folder: Path,
    id: str,
    body: str,
    outlet: str = "Ses Online",
    date: str = "2026-08-20",
    title: str = "Drivers angry",
) -> Path:
    path = folder / f"{id}.md"
    path.write_text(ARTICLE.format(id=id, title=title, outlet=outlet, date=date, body=body))
    return path


def _store(tmp_path: Path) -> CorpusStore:
    return CorpusStore.open(tmp_path / "chroma", "test", MiniLMEmbeddings(), MINILM_NAME)


def test_chunks_keep_whole_sentences_metadata_and_stable_ids(tmp_path: Path) -> None:
    _write(
        tmp_path, "a1", " ".join(f"Sentence number {i} is about diesel prices." for i in range(40))
    )
    docs, _ = read_corpus(tmp_path)
    chunks = chunk_document(docs[0], size=300, overlap=1)
    assert len(chunks) > 3
    assert [c.chunk_id for c in chunks] == [f"a1#{i}" for i in range(len(chunks))]
    assert all(c.text.endswith(".") and c.outlet == "Ses Online" for c in chunks)
    assert chunks[1].text.split(". ")[0] + "." in chunks[0].text  # one sentence of overlap


def test_reingesting_an_unchanged_corpus_embeds_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "a1", "Diesel rose to 1.30 ADH per litre. Drivers are angry.")
    _write(corpus, "a2", "Bread prices rose in Arzuli. Families worry.")
    store = _store(tmp_path)
    first = store.ingest(read_corpus(corpus)[0])
    again = store.ingest(read_corpus(corpus)[0])
    assert first.embedded_chunks == 2 and again.embedded_chunks == 0
    assert store.fingerprint() == store.fingerprint()


def test_a_changed_file_replaces_only_its_chunks_and_a_deleted_file_goes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "a1", "Diesel rose to 1.30 ADH per litre.")
    path = _write(corpus, "a2", "Bread prices rose in Arzuli.")
    store = _store(tmp_path)
    store.ingest(read_corpus(corpus)[0])
    before = store.fingerprint()
    _write(corpus, "a1", "Diesel fell back to 1.05 ADH for carriers.")
    changed = store.ingest(read_corpus(corpus)[0])
    assert changed.updated_docs == ["a1"] and changed.embedded_chunks == 1
    assert store.fingerprint() != before
    path.unlink()
    removed = store.ingest(read_corpus(corpus)[0])
    assert removed.removed_docs == ["a2"] and removed.chunks == 1


def test_bad_files_are_reported_by_name_and_good_ones_still_ingest(tmp_path: Path) -> None:
    _write(tmp_path, "good", "Diesel rose to 1.30 ADH per litre.")
    (tmp_path / "no-front-matter.md").write_text("just text")
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00\x81binary")
    _write(tmp_path, "good", "A second file with the same id.").rename(tmp_path / "dup.md")
    _write(tmp_path, "good", "Diesel rose to 1.30 ADH per litre.")
    docs, problems = read_corpus(tmp_path)
    assert [d.id for d in docs] == ["good"]
    text = " ".join(p.problem for p in problems)
    assert "no-front-matter.md: no front matter" in text
    assert "binary.md: not UTF-8" in text
    assert "duplicate id 'good'" in text


def test_date_and_outlet_filters_restrict_retrieval(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "early", "Diesel prices will rise next week.", date="2026-08-04")
    _write(
        corpus,
        "late",
        "Diesel prices rose and drivers blocked roads.",
        outlet="Arzuli Herald",
        date="2026-09-01",
    )
    store = _store(tmp_path)
    store.ingest(read_corpus(corpus)[0])
    import datetime as dt

    early = store.retrieve(
        "diesel prices", k=5, where=RetrievalFilter(date_to=dt.date(2026, 8, 10))
    )
    assert [c.doc_id for c in early] == ["early"]
    herald = store.retrieve("diesel prices", k=5, where=RetrievalFilter(outlets=["Arzuli Herald"]))
    assert [c.doc_id for c in herald] == ["late"]


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    store = _store(tmp_path_factory.mktemp("shipped"))
    store.ingest(read_corpus(SHIPPED)[0])
    return store


def test_mmr_returns_more_distinct_outlets_than_plain_similarity(
    shipped_store: CorpusStore,
) -> None:
    query = "police cleared the truckers' blockade and detained drivers"
    plain = shipped_store.retrieve(query, k=5, mmr=False)
    diverse = shipped_store.retrieve(query, k=5, mmr=True, fetch_k=30, lambda_mult=0.5)
    assert len({c.outlet for c in diverse}) > len({c.outlet for c in plain})


def test_shipped_corpus_has_the_promised_size_and_variety() -> None:
    docs, problems = read_corpus(SHIPPED)
    assert problems == []
    assert len(docs) >= 60
    assert len({d.outlet for d in docs}) >= 6
    assert all(150 <= len(d.text.split()) <= 500 for d in docs)


def test_every_outlet_and_province_the_corpus_names_is_in_the_gazetteer() -> None:
    names = load_gazetteer().names()
    docs, _ = read_corpus(SHIPPED)
    assert {d.outlet for d in docs} <= names
    assert {d.region for d in docs} - {"national"} <= names
