"""`scenariosim corpus tune`: the grid's table is what evaluating each setting gives, and
`--apply` writes the best row into a scenario file without disturbing the rest of it."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from fake_backends import DEMO, fake_cli_env
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.errors import ConfigError
from scenariosim.knowledge.chunking import ChunkSettings
from scenariosim.knowledge.retrieval_eval import LabelledQuery, evaluate
from scenariosim.knowledge.retrieve import RetrievalSettings
from scenariosim.knowledge.store import CorpusStore, open_store
from scenariosim.knowledge.tune import (
    TuneGrid,
    TuneRow,
    apply_to_scenario,
    best_row,
    retrieval_values,
    tune,
)
from scenariosim.scenario import load_scenario
from scenariosim.settings import load_settings

runner = CliRunner()
VOCAB = ["diesel", "price", "lorry", "blockade", "bread", "flour", "junction"]
DOCS = {
    "doc-a": "Diesel price up again at the junction.",
    "doc-b": "Lorry blockade at the junction, diesel short.",
    "doc-c": "Bread and flour cost more.",
}
QUERIES = [
    LabelledQuery(query="diesel price", relevant=["doc-a"]),
    LabelledQuery(query="lorry blockade junction", relevant=["doc-c"]),  # mislabelled: rank 3
]


class VocabEmbeddings(Embeddings):
    """Counts of a fixed vocabulary: deterministic, and only shared words make texts similar."""

    def _one(self, text: str) -> list[float]:
        words = text.lower().replace(",", " ").replace(".", " ").split()
        v = np.array([words.count(w) for w in VOCAB], dtype=float) + 1e-3
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


@pytest.fixture
def open_for(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id, text in DOCS.items():
        (corpus / f"{doc_id}.md").write_text(
            f"---\nid: {doc_id}\ntitle: {doc_id}\noutlet: Ses Online\ndate: 2026-08-01\n---\n{text}\n"
        )

    def open_store_for(chunking: ChunkSettings) -> CorpusStore:
        return open_store(
            corpus,
            load_settings(cache_dir=tmp_path / "cache"),
            embeddings=VocabEmbeddings(),
            model_name="vocab",
            chunking=chunking.model_copy(update={"embed_title": False}),
        )

    return open_store_for


GRID = TuneGrid(chunk_sizes=[100, 200], overlaps=[0], ks=[1, 3], lambdas=[0.5, 1.0], fetch_k=3)


def test_the_grid_has_one_row_per_setting_in_order(open_for) -> None:
    rows = tune(open_for, QUERIES, GRID)
    assert [(r.chunk_size, r.lambda_mult, r.k) for r in rows] == [
        (size, lam, k) for size in (100, 200) for lam in (0.5, 1.0) for k in (1, 3)
    ]
    assert all(r.chunks == 3 for r in rows)


def test_relevance_only_rows_have_the_hand_computed_figures(open_for) -> None:
    rows = [r for r in tune(open_for, QUERIES, GRID) if r.lambda_mult == 1.0]
    assert {r.k: r.hit_at_k for r in rows} == {1: 0.5, 3: 1.0}
    assert all(r.mrr == pytest.approx((1 + 1 / 3) / 2, abs=1e-4) for r in rows)


def test_each_row_matches_evaluating_that_setting_alone(open_for) -> None:
    for row in tune(open_for, QUERIES, GRID):
        store = open_for(ChunkSettings(size=row.chunk_size, overlap=row.chunk_overlap))
        settings = RetrievalSettings(k=row.k, mmr=True, fetch_k=3, lambda_mult=row.lambda_mult)
        alone = evaluate(store, QUERIES, settings, ks=[row.k])
        assert row.hit_at_k == alone.hit_at[row.k]


def test_best_prefers_hits_then_mrr_then_smaller_k() -> None:
    def row(k: int, hit: float, mrr: float) -> TuneRow:
        return TuneRow(
            chunk_size=700,
            chunk_overlap=0,
            k=k,
            lambda_mult=1.0,
            hit_at_k=hit,
            mrr=mrr,
            ms_per_query=1.0,
            chunks=3,
        )

    rows = [row(3, 0.9, 0.5), row(5, 0.9, 0.5), row(2, 0.8, 0.9), row(4, 0.9, 0.6)]
    assert best_row(rows) == rows[3]
    assert best_row(rows[:2]) == rows[0]


def test_an_overlap_above_half_the_size_is_an_error(open_for) -> None:
    with pytest.raises(ConfigError, match="more than half"):
        tune(open_for, QUERIES, TuneGrid(chunk_sizes=[100], overlaps=[60]))


def test_apply_sets_retrieval_and_keeps_comments_and_phases(tmp_path: Path) -> None:
    target = tmp_path / "demo.yaml"
    original = DEMO.read_text(encoding="utf-8")
    target.write_text(original, encoding="utf-8")
    values = {"k": 5, "mmr": True, "lambda_mult": 0.5, "chunk_size": 400, "chunk_overlap": 0}
    apply_to_scenario(target, values)
    scenario = load_scenario(target)
    assert scenario.retrieval.k == 5 and scenario.retrieval.chunk_size == 400
    assert scenario.phases == load_scenario(DEMO).phases
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == original.splitlines()[0]  # the comment line
    assert text.count("retrieval:") == 1


def test_apply_adds_a_missing_retrieval_section(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data.pop("retrieval")
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    row = TuneRow(
        chunk_size=400,
        chunk_overlap=100,
        k=2,
        lambda_mult=0.7,
        hit_at_k=1,
        mrr=1,
        ms_per_query=1,
        chunks=1,
    )
    apply_to_scenario(target, retrieval_values(row))
    assert load_scenario(target).retrieval.lambda_mult == 0.7


def test_tune_command_prints_the_table_and_applies_the_best(tmp_path: Path) -> None:
    target = tmp_path / "demo.yaml"
    target.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    with fake_cli_env(tmp_path):
        result = runner.invoke(
            app,
            [
                *("corpus", "tune", "--chunk-size", "700", "--chunk-overlap", "150"),
                *("--k", "2", "--k", "4", "--lambda", "1.0", "--apply", str(target)),
            ],
        )
    assert result.exit_code == 0, result.output
    assert "best: chunk size 700, overlap 150" in result.output
    assert result.output.count(" 700 ") >= 2  # one table row per k
    assert load_scenario(target).retrieval.lambda_mult == 1.0
