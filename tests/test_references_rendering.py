"""Rendering with references: the offline renderer takes their palettes and frequencies,
Gemini gets the pictures the user allowed as inputs; labels stay what was asked."""

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from gemini_standin import GeminiStandIn
from PIL import Image

from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models import make_image_backend
from scenariosim.models.image_backend import ImageRequest, ReferenceHint
from scenariosim.models.image_local import render_scene
from scenariosim.outputs.images import image_request
from scenariosim.settings import load_settings

KEY = "AIzaSyStandInTestKey-0123456789abcdefgh"
OCHRE = "#b08a3e"  # a colour no label rule reserves, and not among the default clothes


def request(*references: ReferenceHint, **labels: bool) -> ImageRequest:
    wanted = {"sign": True, "group_20": True} | labels
    return ImageRequest(
        id="img-1",
        scene="Drivers stand by their lorries at the junction.",
        sign_text="Diesel 0.90",
        labels={a: wanted.get(a, False) for a in IMAGE_ATTRIBUTES},
        violence=0.1,
        seed=5,
        references=references,
    )


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {c for _, c in image.getcolors(maxcolors=1 << 20) or []}


def test_the_offline_renderer_dresses_the_crowd_in_the_references_palette() -> None:
    ochre = ReferenceHint(id="ref-1", labels=("sign", "group_20"), palette=(OCHRE,))
    with_refs = render_scene(request(ochre))
    without = render_scene(request())
    assert (0xB0, 0x8A, 0x3E) in colours(with_refs.image)
    assert (0xB0, 0x8A, 0x3E) not in colours(without.image)
    assert with_refs.layout["references"]["clothes_from_palette"] == [OCHRE]


def test_reserved_colours_in_a_palette_are_not_worn() -> None:
    police_blue = ReferenceHint(id="ref-1", labels=("sign",), palette=("#182860", "#ff8c00"))
    rendered = render_scene(request(police_blue))
    assert rendered.layout["references"]["clothes_from_palette"] == []
    assert rendered.labels["police"] is False and rendered.labels["fire"] is False


def test_labels_stay_exact_whatever_the_references_show() -> None:
    refs = tuple(
        ReferenceHint(id=f"ref-{i}", labels=("police", "fire", "group_100"), palette=(OCHRE,))
        for i in range(3)
    )
    rendered = render_scene(request(*refs))
    assert rendered.labels == dict(request().labels)


def test_crowds_lean_towards_the_size_the_references_show() -> None:
    big = tuple(ReferenceHint(id=f"b{i}", labels=("group_20", "group_100")) for i in range(3))
    small = tuple(ReferenceHint(id=f"s{i}", labels=("group_20",)) for i in range(3))
    big_crowd = render_scene(request(*big)).layout["counts"]["people"]
    small_crowd = render_scene(request(*small)).layout["counts"]["people"]
    assert 20 < small_crowd < big_crowd <= 100


def test_signs_follow_how_often_the_references_show_them() -> None:
    signs = tuple(ReferenceHint(id=f"r{i}", labels=("sign", "group_20")) for i in range(2))
    no_signs = tuple(ReferenceHint(id=f"n{i}", labels=("group_20",)) for i in range(2))
    assert len(render_scene(request(*signs)).layout["signs"]) == 3
    assert len(render_scene(request(*no_signs)).layout["signs"]) == 1


def test_a_request_without_references_hashes_as_before() -> None:
    plain = request()
    before = {  # the payload of requests made before references existed
        "scene": plain.scene,
        "sign_text": plain.sign_text,
        "labels": dict(plain.labels),
        "violence": 0.1,
        "seed": 5,
        "size": [640, 480],
    }
    digest = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:16]
    assert plain.fingerprint() == digest
    assert request(ReferenceHint(id="ref-1", palette=(OCHRE,))).fingerprint() != digest


def test_only_references_allowed_as_inputs_offer_their_picture() -> None:
    record = {
        "id": "img-1",
        "labels": {"sign": True},
        "references": [
            {
                "id": "ref-a",
                "labels": ["sign"],
                "allowed_as_input": True,
                "thumbnail_path": "/a.jpg",
            },
            {"id": "ref-b", "labels": [], "allowed_as_input": False, "thumbnail_path": "/b.jpg"},
        ],
    }
    hints = image_request(record, run_seed=1).references
    assert [(h.id, h.image_path) for h in hints] == [("ref-a", "/a.jpg"), ("ref-b", "")]


@pytest.fixture
def stand_in() -> Iterator[GeminiStandIn]:
    with GeminiStandIn(KEY) as server:
        yield server


def test_gemini_gets_the_allowed_reference_pictures_beside_the_prompt(
    stand_in: GeminiStandIn, tmp_path: Path
) -> None:
    picture = tmp_path / "ref.jpg"
    Image.new("RGB", (32, 24), (176, 138, 62)).save(picture)
    allowed = ReferenceHint(id="ref-a", labels=("sign",), image_path=str(picture))
    text_only = ReferenceHint(id="ref-b", labels=("sign",))
    settings = load_settings(
        google_api_key=KEY, gemini_base_url=stand_in.url, gemini_requests_per_second=50.0
    )
    backend = make_image_backend("gemini:gemini-2.5-flash-image", settings)
    generated = backend.generate(request(allowed, text_only))
    (sent,) = stand_in.requests
    parts = [p for c in sent.body["contents"] for p in c["parts"]]
    inline = [p.get("inlineData") or p.get("inline_data") for p in parts if "text" not in p]
    assert len(inline) == 1
    assert inline[0]["mimeType" if "mimeType" in inline[0] else "mime_type"] == "image/jpeg"
    data = inline[0]["data"]  # the SDK sends bytes as URL-safe base64
    sent_picture = Image.open(io.BytesIO(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))))
    assert sent_picture.size == (32, 24)
    assert "references" in sent.prompt_text and "Diesel 0.90" in sent.prompt_text
    assert "reference images passed as inputs: ref-a" in generated.notes
