"""Evaluation with references: label rates beside the references' and UCLA's, and the
spot-check sheet showing each image next to the references that shaped it."""

import json
from pathlib import Path

import pytest
from PIL import Image
from runfolder import BagOfWordsEmbeddings, make_run_folder

from scenariosim.evaluation.label_figures import label_figures
from scenariosim.graph.finalize import finalize_run
from scenariosim.outputs.run_folder import open_run
from scenariosim.settings import load_settings


def _reference(ref_id: str, labels: list[str], **extra: object) -> dict:
    return {
        "id": ref_id,
        "kind": "image",
        "caption": f"caption of {ref_id}",
        "labels": labels,
        "labelled": True,
        "palette": ["#b08a3e", "#123456"],
        "score": 0.5,
        "license": "CC-BY-4.0",
        "source": "me",
        "synthetic": False,
        "allowed_as_input": False,
        "thumbnail_path": "",
    } | extra


def _with_references(run_dir: Path, references: list[dict]) -> Path:
    """Give every image prompt of the run these references."""
    path = run_dir / "records.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["kind"] == "image_prompt":
            row["references"] = references
            row["provenance"]["reference_ids"] = [r["id"] for r in references]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return run_dir


@pytest.fixture
def thumbnail(tmp_path: Path) -> Path:
    path = tmp_path / "thumb.jpg"
    Image.new("RGB", (40, 30), (176, 138, 62)).save(path)
    return path


def test_run_rates_stand_beside_the_rates_of_their_references(tmp_path: Path) -> None:
    refs = [
        _reference("ref-a", ["sign", "group_20"]),
        _reference("ref-b", ["sign", "police"]),
        _reference("ref-c", [], labelled=False),  # unknown labels: not counted
    ]
    run = open_run(_with_references(make_run_folder(tmp_path / "run"), refs))
    figures = label_figures(run, None)
    rows = {r.attribute: r for r in figures.attributes}
    assert figures.references == 2
    # difference = the run's rate (the planner's attributes) - the references' rate
    assert rows["sign"].reference_rate == 1.0
    assert rows["sign"].reference_difference == round(rows["sign"].rate - 1.0, 4)
    assert rows["police"].reference_rate == 0.5
    assert rows["police"].reference_difference == round(rows["police"].rate - 0.5, 4)
    assert rows["group_20"].reference_rate == 0.5
    assert rows["group_20"].reference_difference == round(rows["group_20"].rate - 0.5, 4)
    assert rows["sign"].ucla_rate == 0.829


def test_without_references_the_reference_rates_are_unknown(tmp_path: Path) -> None:
    figures = label_figures(open_run(make_run_folder(tmp_path / "run")), None)
    assert figures.references == 0
    assert all(r.reference_rate is None for r in figures.attributes)


def test_the_spotcheck_shows_each_image_next_to_its_references(
    tmp_path: Path, thumbnail: Path
) -> None:
    refs = [
        _reference("ref-shown", ["sign"], synthetic=True, thumbnail_path=str(thumbnail)),
        _reference("ref-private", ["police"], thumbnail_path=str(thumbnail)),
    ]
    run_dir = _with_references(make_run_folder(tmp_path / "run"), refs)
    result = finalize_run(run_dir, load_settings(), embeddings=BagOfWordsEmbeddings())
    html = result.report_path.read_text(encoding="utf-8")
    shaped = html.split('<div class="shaped">')[1].split('<div class="comment">')[0]
    assert "data:image/png;base64," in shaped  # the generated image
    assert "ref-shown" in shaped and "ref-private" in shaped
    assert 'alt="reference ref-shown"' in shaped
    assert 'alt="reference ref-private"' not in shaped  # neither synthetic nor allowed
    assert "background:#b08a3e" in shaped and "license: CC-BY-4.0" in shaped


def test_eval_json_and_the_report_carry_the_reference_rates(tmp_path: Path) -> None:
    run_dir = _with_references(
        make_run_folder(tmp_path / "run"), [_reference("ref-a", ["sign", "fire"])]
    )
    result = finalize_run(run_dir, load_settings(), embeddings=BagOfWordsEmbeddings())
    saved = json.loads(result.eval_path.read_text(encoding="utf-8"))
    fire = next(r for r in saved["labels"]["attributes"] if r["attribute"] == "fire")
    assert fire["reference_rate"] == 1.0 and fire["reference_difference"] == -1.0
    assert "run - references" in result.report_path.read_text(encoding="utf-8")


def test_reference_captions_are_escaped_in_the_report(tmp_path: Path) -> None:
    hostile = _reference("ref-x", ["sign"], caption="<script>alert(1)</script>")
    run_dir = _with_references(make_run_folder(tmp_path / "run"), [hostile])
    result = finalize_run(run_dir, load_settings(), embeddings=BagOfWordsEmbeddings())
    html = result.report_path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
