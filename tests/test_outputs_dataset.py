"""The dataset folder: tables load with pandas and `datasets`, splits keep households
apart, the card says what the data is, and a killed run still yields what it has."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from runfolder import finalize_small, make_run_folder

from scenariosim.agents.schemas import RubricScores
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.outputs.dataset import build_dataset
from scenariosim.outputs.naming import inside, safe_name
from scenariosim.outputs.run_folder import open_run
from scenariosim.outputs.splits import assign_groups, plan_splits
from scenariosim.outputs.tables import SCHEMAS


def test_tables_load_with_pandas_and_have_the_declared_columns(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    for table in ("posts", "comments", "image_prompts", "images", "critiques", "chunks"):
        frame = pd.read_parquet(result.dataset_dir / f"{table}.parquet")
        assert list(frame.columns) == [name for name, _, _ in SCHEMAS[table]]
        assert len(frame) == sum(result.counts[table].values())
    posts = pd.read_parquet(result.dataset_dir / "posts.parquet")
    assert posts["synthetic"].all() and posts["chunk_ids"].map(list).tolist()[0] == ["fuel-001#0"]
    images = pd.read_parquet(result.dataset_dir / "images.parquet")
    assert images[list(IMAGE_ATTRIBUTES)].dtypes.eq(bool).all()
    assert (result.dataset_dir / images["file_name"][0]).exists()
    lines = (result.dataset_dir / "comments.jsonl").read_text().splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["kind"] == "comment"

    # what the generation redesign added to records reaches the tables
    comments = pd.read_parquet(result.dataset_dir / "comments.parquet")
    assert set(comments["relation"]) <= {"agrees", "disagrees", "asks", "adds"}
    assert comments["relation"].notna().all()
    assert posts["labels_assigned"].all() and (posts["candidates"] == 8).all()
    assert posts["chosen"].between(0, 7).all() and posts["rubric_note"].str.len().gt(0).all()
    assert [f["chunk_id"] for f in posts["facts"][0]] == ["fuel-001#0"]
    rubric = [name for name in RubricScores.model_fields if name != "reasons"]
    assert all(f"critic_{name}" in posts.columns for name in rubric)
    prompts = [json.loads(x) for x in (result.dataset_dir / "image_prompts.jsonl").open()]
    assert not [r for p in prompts for r in p.get("references", []) if "thumbnail_path" in r]


def test_dataset_loads_with_datasets_parquet_builder_and_decodes_images(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    result = finalize_small(tmp_path / "run")
    cache = str(tmp_path / "hf-cache")
    posts = datasets.load_dataset(str(result.dataset_dir), "posts", cache_dir=cache)
    assert set(posts) == set(result.counts["posts"])
    assert posts[next(iter(posts))].features["chunk_ids"].feature.dtype == "string"
    images = datasets.load_dataset(str(result.dataset_dir), "images", cache_dir=cache)
    split = next(iter(images))
    assert type(images[split].features["image"]).__name__ == "Image"
    first = images[split][0]
    assert first["image"].size == (first["width"], first["height"])
    assert first["labels_exact"] is True


def test_household_split_keeps_each_household_in_one_split(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    frames = [pd.read_parquet(result.dataset_dir / f"{t}.parquet") for t in ("posts", "comments")]
    rows = pd.concat([f[["hid", "persona_id", "split"]] for f in frames])
    assert rows.groupby("hid")["split"].nunique().max() == 1
    assert rows.groupby("persona_id")["split"].nunique().max() == 1
    assert result.evaluation is not None
    card = (result.dataset_dir / "README.md").read_text()
    assert "households in several splits: 0" in card


def test_phase_split_puts_the_last_phase_in_test(tmp_path: Path) -> None:
    run = open_run(make_run_folder(tmp_path / "run", phases=3))
    plan = plan_splits(run, "phase")
    assert plan.group_of == {"phase-0": "train", "phase-1": "validation", "phase-2": "test"}
    assert plan.leakage["authors_in_several_splits"] > 0  # by design of a temporal split


def test_assign_groups_fills_test_and_validation_from_the_end() -> None:
    order = [f"g{i}" for i in range(10)]
    plan = assign_groups(order, dict.fromkeys(order, 10))
    assert [plan[g] for g in order] == ["train"] * 8 + ["validation", "test"]
    assert assign_groups(["a", "b"], {"a": 1, "b": 1}) == {"a": "train", "b": "test"}
    assert assign_groups(["a"], {"a": 5}) == {"a": "train"}


def test_card_header_is_yaml_whose_configs_point_at_existing_files(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    text = (result.dataset_dir / "README.md").read_text()
    _, head, _body = text.split("---\n", 2)
    meta = yaml.safe_load(head)
    assert meta["license"] == "cc-by-4.0" and "synthetic" in meta["tags"]
    assert next(c["config_name"] for c in meta["configs"]) == "posts"
    for config in meta["configs"]:
        for entry in config["data_files"]:
            assert (result.dataset_dir / entry["path"]).exists()


def test_card_says_synthetic_and_names_scenario_seed_models_and_figures(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    body = (result.dataset_dir / "README.md").read_text()
    assert "All content in this dataset is synthetic and fictional" in body
    assert "seed 3" in body and "corpus fingerprint: `test`" in body
    assert "persona agents: `fake`" in body and "images: `local:scene-1`" in body
    assert "acceptance rate | 1.000" in body
    assert "## Known limitations" in body and "| sign |" in body


def test_a_killed_run_still_builds_its_dataset_and_says_what_is_missing(tmp_path: Path) -> None:
    run_dir = make_run_folder(tmp_path / "run")
    records = run_dir / "records.jsonl"
    lines = records.read_text().splitlines()
    records.write_text("\n".join(lines[:5]) + "\n" + lines[5][:40])  # torn last line
    traces = [
        t for t in (run_dir / "traces.jsonl").read_text().splitlines() if '"finished"' not in t
    ]
    (run_dir / "traces.jsonl").write_text("\n".join(traces) + "\n")
    (run_dir / "personas.jsonl").unlink()
    run = open_run(run_dir)
    assert len(run.all_records()) == 5
    assert any("did not finish" in m and "--resume run-1" in m for m in run.missing)
    assert any("incomplete line" in m for m in run.missing)
    assert any("persona" in m for m in run.missing)
    summary = build_dataset(run)
    assert summary.rows("posts") + summary.rows("comments") + summary.rows("image_prompts") == 5


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "/abs/path", "..", ".hidden", "a/b\\c"])
def test_file_names_from_ids_never_leave_their_folder(hostile: str, tmp_path: Path) -> None:
    name = safe_name(hostile, ".png")
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert inside(tmp_path, name).parent == tmp_path
    assert safe_name("price-hike-image-000", ".png") == "price-hike-image-000.png"
    assert safe_name("a/b") != safe_name("a_b")
