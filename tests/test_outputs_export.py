"""`scenariosim export` and `review`: one archive, no overwrites, names that stay inside,
a CSV review sheet whose labels `eval` turns into human-vs-critic agreement."""

import json
import zipfile
from pathlib import Path

import pytest
from runfolder import BagOfWordsEmbeddings, finalize_small, make_run_folder
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.errors import ConfigError, InputFileError
from scenariosim.outputs.export import export_zip
from scenariosim.outputs.naming import inside
from scenariosim.outputs.review import read_review, write_review_sheet
from scenariosim.outputs.run_folder import open_run

runner = CliRunner()


@pytest.fixture(autouse=True)
def _offline_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    """`eval` and `export` load MiniLM by default; these tests only need some embeddings."""
    monkeypatch.setattr(
        "scenariosim.models.make_embeddings", lambda *a, **k: BagOfWordsEmbeddings()
    )


def test_export_zip_holds_dataset_report_figures_and_traces(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    done = runner.invoke(app, ["export", str(result.run_dir), "--zip"])
    assert done.exit_code == 0, done.output
    archive = tmp_path / "run-1.zip"
    names = zipfile.ZipFile(archive).namelist()
    for expected in (
        "run-1/dataset/README.md",
        "run-1/dataset/data/posts/train.parquet",
        "run-1/report.html",
        "run-1/eval.json",
        "run-1/traces.jsonl",
        "run-1/scenario.resolved.yaml",
    ):
        assert expected in names
    assert any(n.startswith("run-1/dataset/images/") and n.endswith(".png") for n in names)
    assert not any("checkpoints" in n or "/." in n for n in names)
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)


def test_export_never_overwrites_without_force(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    target = tmp_path / "out.zip"
    assert (
        runner.invoke(app, ["export", str(result.run_dir), "--zip", "--to", str(target)]).exit_code
        == 0
    )
    first = target.read_bytes()
    again = runner.invoke(app, ["export", str(result.run_dir), "--zip", "--to", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(
        app, ["export", str(result.run_dir), "--zip", "--to", str(target), "--force"]
    )
    assert forced.exit_code == 0 and target.read_bytes() == first  # same folder, same archive


def test_export_to_a_folder_copies_the_bundle(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    done = runner.invoke(app, ["export", str(result.run_dir), "--to", str(tmp_path / "copy")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "copy" / "run-1" / "dataset" / "README.md").exists()
    assert (
        runner.invoke(
            app, ["export", str(result.run_dir), "--to", str(tmp_path / "copy")]
        ).exit_code
        == 2
    )


def test_export_of_a_killed_run_builds_what_it_can_and_lists_what_is_missing(
    tmp_path: Path,
) -> None:
    run_dir = make_run_folder(tmp_path / "run")
    traces = [
        t for t in (run_dir / "traces.jsonl").read_text().splitlines() if '"finished"' not in t
    ]
    (run_dir / "traces.jsonl").write_text("\n".join(traces) + "\n")
    done = runner.invoke(app, ["export", str(run_dir), "--zip"])
    assert done.exit_code == 0, done.output
    assert "building the dataset first" in done.output and "did not finish" in done.output
    archive = zipfile.ZipFile(tmp_path / "run-1.zip")
    assert "did not finish" in archive.read("run-1/MISSING.txt").decode()
    assert "run-1/dataset/README.md" in archive.namelist()


def test_export_of_a_missing_run_exits_2_naming_the_fix(tmp_path: Path) -> None:
    done = runner.invoke(app, ["export", "nope", "--zip", "--out", str(tmp_path)])
    assert done.exit_code == 2 and "no run 'nope'" in done.output


def test_paths_that_would_leave_the_bundle_are_refused(tmp_path: Path) -> None:
    for bad in ("../x", "/etc/passwd", "a/../../b"):
        with pytest.raises(ConfigError, match="would leave"):
            inside(tmp_path, bad)


def test_zip_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    run = open_run(finalize_small(tmp_path / "run").run_dir)
    target = export_zip(run, tmp_path / "a.zip")
    assert zipfile.ZipFile(target).testzip() is None
    assert not list(tmp_path.glob(".*.tmp"))


def test_review_sheet_samples_accepted_and_rejected_drafts(tmp_path: Path) -> None:
    run_dir = make_run_folder(tmp_path / "run")
    rejected = {
        "id": "phase-0-post-009",
        "kind": "post",
        "phase_id": "phase-0",
        "persona_id": "p1",
        "status": "rejected",
        "reasons": ["names not in the news: Zorg"],
        "drafts": [{"text": '=HYPERLINK("http://x") Zorg says hi'}],
        "critiques": [{"score": 2.0, "verdict": "reject", "reasons": [], "checks": {}}],
    }
    (run_dir / "rejected.jsonl").write_text(json.dumps(rejected) + "\n")
    path = write_review_sheet(open_run(run_dir), n=6, seed=1)
    text = path.read_text()
    rows = read_review(path)
    assert len(rows) == 6
    assert {r.critic_verdict for r in rows} == {"accepted", "rejected"}
    assert "'=HYPERLINK" in text  # a spreadsheet shows it as text instead of running it
    with pytest.raises(ConfigError, match="--force"):
        write_review_sheet(open_run(run_dir), n=6)


def test_eval_reports_human_vs_critic_agreement_from_the_sheet(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    done = runner.invoke(app, ["review", str(result.run_dir), "-n", "4"])
    assert done.exit_code == 0 and "review.csv" in done.output
    path = result.run_dir / "review.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    assert header[-2:] == ["label", "note"]
    labelled = [lines[0]] + [
        line[: -len(",")] + ("good," if i < 3 else "bad,too vague")
        for i, line in enumerate(lines[1:])
    ]
    path.write_text("\n".join(labelled) + "\n")
    done = runner.invoke(app, ["eval", str(result.run_dir)])
    assert done.exit_code == 0, done.output
    review = json.loads((result.run_dir / "eval.json").read_text())["review"]
    assert review["labelled"] == 4 and review["agreement"] == 0.75
    assert review["confusion"]["critic_accepted_human_bad"] == 1
    assert "4, 0.750" in done.output


def test_a_review_label_other_than_good_or_bad_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "review.csv"
    path.write_text("record_id,critic_verdict,label,note\na,accepted,good,\nb,accepted,meh,\n")
    with pytest.raises(InputFileError, match="line 3: label 'meh'"):
        read_review(path)


def test_help_lists_the_output_commands_with_their_summaries() -> None:
    done = runner.invoke(app, ["--help"])
    assert done.exit_code == 0
    for command in ("eval", "export", "review"):
        assert command in done.output
    assert "Evaluate a run" in done.output and "review.csv" in done.output


def test_eval_of_a_run_that_accepted_nothing_still_writes_figures_and_report(
    tmp_path: Path,
) -> None:
    run_dir = make_run_folder(tmp_path / "run")
    (run_dir / "records.jsonl").unlink()
    done = runner.invoke(app, ["eval", str(run_dir)])
    assert done.exit_code == 0, done.output
    assert "no records.jsonl" in done.output
    figures = json.loads((run_dir / "eval.json").read_text())
    assert figures["counts"]["posts"] == 0 and figures["text"]["all"]["distinct_1"] is None
    assert "No posts to sample" in (run_dir / "report.html").read_text()


def test_eval_of_a_missing_run_exits_2(tmp_path: Path) -> None:
    done = runner.invoke(app, ["eval", "nope", "--out", str(tmp_path)])
    assert done.exit_code == 2 and "no run 'nope'" in done.output
