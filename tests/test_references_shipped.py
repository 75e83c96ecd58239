"""The shipped reference catalogue: what it holds, that it names only Atropia, that its
pictures render again exactly, and how the world opens it."""

import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from scenariosim.agents.checks import unsupported_entities
from scenariosim.errors import ConfigError
from scenariosim.graph.world import open_references
from scenariosim.knowledge.gazetteer import load_gazetteer
from scenariosim.knowledge.references.shipped import (
    SHIPPED_REFERENCES,
    SHIPPED_SIDECAR,
    render_row,
    render_seed,
    render_shipped,
)
from scenariosim.knowledge.references.sidecar import read_sidecar
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models.image_backend import ImageRequest
from scenariosim.models.image_local import render_scene
from scenariosim.scenario import Phase, RetrievalConfig, Scenario, WorldConfig
from scenariosim.settings import load_settings


@pytest.fixture(scope="module")
def rows() -> list:
    found, problems = read_sidecar(SHIPPED_SIDECAR)
    assert problems == []
    return found


def test_at_least_forty_text_only_references_ship(rows: list) -> None:
    text_only = [r for r in rows if not r.file]
    assert len(text_only) >= 40
    assert all(r.caption and r.post_kind and r.palette for r in text_only)


def test_every_shipped_reference_is_synthetic_and_licensed(rows: list) -> None:
    assert all(r.synthetic and r.license == "Apache-2.0" and r.source for r in rows)


def test_the_shipped_label_rates_cover_every_attribute(rows: list) -> None:
    for attribute in ("sign", "photo", "fire", "police", "children", "flag", "night"):
        assert any(attribute in r.labels for r in rows), attribute


def test_captions_name_only_places_of_the_gazetteer(rows: list) -> None:
    names = load_gazetteer(None).names()
    for row in rows:
        # Sentence openers are capitalised without being names.
        text = re.sub(r"(^|[.:;]\s+)(\w)", lambda m: m.group(1) + m.group(2).lower(), row.caption)
        assert unsupported_entities(text, "", names) == [], row.caption


def test_shipped_pictures_show_exactly_their_labels(rows: list) -> None:
    for row in (r for r in rows if r.file):
        labels = {a: a in row.labels for a in IMAGE_ATTRIBUTES}
        drawn = render_scene(
            ImageRequest(
                id=row.file,
                scene=row.caption,
                sign_text=row.sign_text,
                labels=labels,
                violence=0.0,
                seed=render_seed(row.file),
            )
        )
        assert drawn.labels == labels, row.file


def test_the_generator_renders_the_shipped_pictures_again_pixel_for_pixel(
    rows: list, tmp_path: Path
) -> None:
    (tmp_path / SHIPPED_SIDECAR.name).write_bytes(SHIPPED_SIDECAR.read_bytes())
    written = render_shipped(tmp_path)
    assert len(written) == sum(1 for r in rows if r.file) >= 5
    for path in written:
        shipped = SHIPPED_REFERENCES / path.relative_to(tmp_path)
        with Image.open(path) as again, Image.open(shipped) as original:
            assert again.size == original.size
            assert (
                ImageChops.difference(again.convert("RGB"), original.convert("RGB")).getbbox()
                is None
            )
            assert not original.info.get("exif")


def test_a_shipped_row_renders_in_memory(rows: list) -> None:
    row = next(r for r in rows if r.file)
    assert render_row(row).size == (640, 480)


def test_a_scenario_asking_for_no_references_opens_no_library() -> None:
    scenario = Scenario(
        name="refs",
        phases=[Phase(id="p", date="2026-08-15", title="t", event="e")],
        retrieval=RetrievalConfig(references_k=0),
    )
    assert open_references(scenario, load_settings(), embeddings=None, embedding_model="x") is None  # type: ignore[arg-type]


def test_a_missing_reference_library_is_one_error_naming_it(tmp_path: Path) -> None:
    scenario = Scenario(
        name="refs",
        phases=[Phase(id="p", date="2026-08-15", title="t", event="e")],
        world=WorldConfig(references=tmp_path / "nowhere"),
    )
    with pytest.raises(ConfigError, match="nowhere"):
        open_references(scenario, load_settings(), embeddings=None, embedding_model="x")  # type: ignore[arg-type]
