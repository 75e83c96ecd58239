"""The shipped Atropia corpus: its shape, retrieval quality, MMR diversity, name coverage.

One store is ingested for the whole module (about half a minute on two cores).
"""

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from scenariosim.knowledge import (
    SHIPPED_CORPUS,
    CorpusStore,
    RetrievalSettings,
    check_coverage,
    evaluate,
    load_gazetteer,
    load_queries,
    open_store,
    read_documents,
)
from scenariosim.knowledge.retrieval_eval import query_files_for
from scenariosim.models.embeddings_local import MiniLMEmbeddings

REAL_WORLD_NAMES = SHIPPED_CORPUS.parents[1] / "world" / "real_world_names.txt"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    folder = tmp_path_factory.mktemp("shipped")
    shipped = open_store(embeddings=MiniLMEmbeddings(), store_dir=folder / "chroma")
    shipped.ingest()
    return shipped


def test_the_corpus_reads_cleanly_with_the_promised_size_spread_and_voices() -> None:
    result = read_documents(SHIPPED_CORPUS)
    docs = result.documents
    assert result.problems == [] and result.skipped == []
    assert len(docs) >= 60
    assert all(150 <= len(d.text.split()) <= 500 for d in docs), "articles are 150-500 words"
    assert len({d.outlet for d in docs}) >= 5
    dates = sorted(d.date for d in docs if d.date)
    assert len(dates) == len(docs) and (dates[-1] - dates[0]) >= dt.timedelta(days=80)
    movements = Counter(d.movement for d in docs)
    assert movements["fuel"] >= 10 and movements["housing"] >= 10
    assert all(d.title and d.region and d.topics and d.language == "en" for d in docs)


def test_the_labelled_query_sets_hold_at_least_40_queries_naming_real_articles() -> None:
    queries = load_queries(query_files_for(SHIPPED_CORPUS))
    ids = {d.id for d in read_documents(SHIPPED_CORPUS).documents}
    assert len(queries) >= 40
    assert all(set(q.relevant) <= ids for q in queries)


def test_hit_at_5_on_the_shipped_queries_with_default_settings_is_at_least_0_8(
    store: CorpusStore,
) -> None:
    queries = load_queries(query_files_for(SHIPPED_CORPUS))
    report = evaluate(store, queries, RetrievalSettings())
    print(f"hit@5={report.hit_at[5]} MRR@{report.depth}={report.mrr} hit@1={report.hit_at[1]}")
    assert report.hit_at[5] >= 0.8
    assert report.mrr >= 0.6


def test_mmr_returns_more_distinct_outlets_than_plain_similarity_on_one_event(
    store: CorpusStore,
) -> None:
    query = "police cleared the truckers' blockade at night and detained drivers"
    plain = store.retrieve(query, k=5, mmr=False)
    diverse = store.retrieve(query, k=5, mmr=True, fetch_k=30, lambda_mult=0.5)
    assert len({c.outlet for c in diverse}) > len({c.outlet for c in plain})


def test_the_place_in_an_agent_query_brings_local_news_forward(store: CorpusStore) -> None:
    """A run queries with the phase's query and the persona's province (graph/world.py)."""
    event = "Diesel and bread prices rise after the subsidy cut."

    def local(place: str | None) -> int:
        chunks = store.retrieve(f"{event} {place}" if place else event, k=4)
        return sum(c.region == "Arzuli Province" for c in chunks)

    assert local("Arzuli Province") > local(None)


def test_every_proper_noun_the_corpus_names_is_in_the_gazetteer() -> None:
    report = check_coverage(read_documents(SHIPPED_CORPUS).documents, load_gazetteer())
    missing = [f"{m.name} ({', '.join(m.documents)}): {m.example}" for m in report.missing]
    assert missing == [] and report.metadata_missing == []
    assert report.names_checked > 300


def test_the_corpus_names_no_real_world_country_city_or_person() -> None:
    lines = REAL_WORLD_NAMES.read_text(encoding="utf-8").splitlines()
    names = [n.strip() for n in lines if n.strip() and not n.startswith("#")]
    leaks = [
        (d.id, name)
        for d in read_documents(SHIPPED_CORPUS).documents
        for name in names
        if re.search(rf"(?<![\w#]){re.escape(name)}(?!\w)", f"{d.title}\n{d.text}")
    ]
    assert leaks == []


def test_every_outlet_region_and_town_in_front_matter_is_a_gazetteer_entry() -> None:
    gazetteer = load_gazetteer()
    docs = read_documents(Path(SHIPPED_CORPUS)).documents
    outlets = {gazetteer.lookup(d.outlet).kind for d in docs}  # type: ignore[union-attr]
    regions = {d.region for d in docs} - {"national"}
    assert outlets == {"outlet"}
    assert all(gazetteer.province_for(r) == r for r in regions)
