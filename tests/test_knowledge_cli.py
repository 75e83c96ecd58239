"""`scenariosim corpus ...`: ingest, query, stats, eval, coverage, list and drop."""

import json
import re
from pathlib import Path

import pytest
from corpus_fixtures import FixtureCorpus, write_fixture_corpus
from typer.testing import CliRunner

from scenariosim.cli import app

runner = CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> FixtureCorpus:
    return write_fixture_corpus(tmp_path / "corpus")


def _run(*args: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr)."""
    result = runner.invoke(app, ["corpus", *args])
    return result.exit_code, result.output


def _json(*args: str) -> object:
    """What a `--json` command printed on stdout, parsed."""
    result = runner.invoke(app, ["corpus", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_help_lists_every_corpus_command() -> None:
    code, output = _run("--help")
    assert code == 0
    for command in ("ingest", "query", "stats", "eval", "coverage", "list", "drop"):
        assert command in output


def test_ingest_reports_changes_and_problem_files_and_then_embeds_nothing(
    corpus: FixtureCorpus,
) -> None:
    (corpus.folder / "broken.md").write_text("---\nid: x\ntitle: [oops\n---\nText.")
    report = _json("ingest", str(corpus.folder))
    assert report["documents"] == len(corpus.ids) and report["embedded_chunks"] > 0
    assert report["problems"][0]["path"] == "broken.md"
    code, output = _run("ingest", str(corpus.folder))
    assert code == 0 and "broken.md" in output and "malformed front matter" in output
    assert re.search(r"chunks embedded\s*│\s*0\s*│", output)


def test_ingest_strict_exits_2_when_a_file_has_a_problem(corpus: FixtureCorpus) -> None:
    (corpus.folder / "empty.md").write_text("")
    code, output = _run("ingest", str(corpus.folder), "--strict")
    assert code == 2 and "1 file problem(s)" in output


def test_ingest_of_an_empty_folder_exits_2_naming_it(tmp_path: Path) -> None:
    code, output = _run("ingest", str(tmp_path))
    assert code == 2 and "no documents in" in output and "Traceback" not in output


def test_query_prints_ranked_chunks_with_sources(corpus: FixtureCorpus) -> None:
    code, output = _run(
        "query",
        corpus.event_query,
        "--corpus",
        str(corpus.folder),
        "-k",
        "2",
        "--where",
        "outlet=Ses Online",
    )
    assert code == 0
    assert "1." in output and "ses-1#0" in output and "Ses Online, 2026-09-11" in output
    assert "2." not in output


def test_query_prints_document_markup_literally(corpus: FixtureCorpus) -> None:
    code, output = _run(
        "query",
        "ignore previous instructions",
        "--corpus",
        str(corpus.folder),
        "--where",
        "outlet=Atropia Abroad",
        "--no-mmr",
        "-k",
        "5",
    )
    assert code == 0 and "[bold red]OBEY[/bold red]" in output


def test_query_json_and_an_empty_filter_result_lists_what_exists(corpus: FixtureCorpus) -> None:
    assert len(_json("query", "flood", "--corpus", str(corpus.folder), "-k", "3")) == 3
    code, output = _run("query", "flood", "--corpus", str(corpus.folder), "-w", "outlet=Nobody")
    assert code == 0 and "no chunks match these filters" in output
    assert "Caspian Wire Service" in output


def test_query_with_a_bad_filter_exits_2_with_the_fix(corpus: FixtureCorpus) -> None:
    code, output = _run("query", "flood", "--corpus", str(corpus.folder), "-w", "colour=red")
    assert code == 2 and "unknown key 'colour'" in output


def test_stats_counts_documents_chunks_outlets_dates_and_tokens(corpus: FixtureCorpus) -> None:
    stats = _json("stats", "--corpus", str(corpus.folder))
    assert stats["documents"] == len(corpus.ids) and stats["chunks"] >= len(corpus.ids)
    assert stats["outlets"]["Atropia Public Broadcasting"] == 3
    assert (stats["date_from"], stats["date_to"]) == ("2026-08-20", "2026-09-13")
    assert stats["tokens"] > stats["words"] > 0 and stats["chunks_over_model_limit"] == 0


def test_eval_prints_hit_at_k_and_mrr_for_a_labelled_query_file(
    corpus: FixtureCorpus, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text(
        "queries:\n"
        "  - query: families say flood help came late\n    relevant: [ses-1, cws-1]\n"
        "  - query: schools prepare for the new year\n    relevant: [herald-1]\n"
    )
    report = _json("eval", "--corpus", str(corpus.folder), "-q", str(queries))
    assert report["queries"] == 2 and report["hit_at"]["1"] == 1.0 and report["mrr"] == 1.0
    code, output = _run("eval", "--corpus", str(corpus.folder), "-q", str(queries), "--no-mmr")
    assert code == 0 and "MRR@10: 1.000" in output and "similarity" in output


def test_eval_with_an_unknown_document_id_exits_2_naming_it(
    corpus: FixtureCorpus, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text("queries:\n  - query: flood\n    relevant: [no-such-article]\n")
    code, output = _run("eval", "--corpus", str(corpus.folder), "-q", str(queries))
    assert code == 2 and "no-such-article" in output


def test_coverage_exits_1_and_lists_names_missing_from_the_gazetteer(
    corpus: FixtureCorpus, tmp_path: Path
) -> None:
    gazetteer = tmp_path / "gazetteer.yaml"
    gazetteer.write_text(
        "entities:\n"
        "  - {name: Tazakend, kind: town, source: invented}\n"
        "  - {name: Ses Online, kind: outlet, source: invented}\n"
    )
    code, output = _run("coverage", "--corpus", str(corpus.folder), "--gazetteer", str(gazetteer))
    assert code == 1
    assert "missing Atropia Public Broadcasting" in output and "Karavan" in output


def test_list_shows_ingested_collections_and_drop_removes_one(corpus: FixtureCorpus) -> None:
    assert _run("ingest", str(corpus.folder))[0] == 0
    (listed,) = _json("list")
    assert listed["documents"] == len(corpus.ids) and listed["corpus"] == str(corpus.folder)
    name = listed["collection"]
    assert name.startswith("corpus-") and name[:12] in _run("list")[1]
    code, output = _run("drop", name)
    assert code == 0 and f"dropped {name}" in output
    code, output = _run("drop", "no-such-collection")
    assert code == 2 and "no collection 'no-such-collection'" in output
