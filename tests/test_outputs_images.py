"""Images: the offline renderer's labels match its pixels; PNGs describe themselves; the
Gemini backend is built only with a key and reads a picture out of a chat answer."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from fake_run import fake_scenario
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from PIL import Image, ImageDraw
from runfolder import make_run_folder

from scenariosim.errors import ConfigError, NeedsKeyError
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models import make_image_backend
from scenariosim.models.image_backend import ImageRequest
from scenariosim.models.image_gemini import GeminiImageBackend
from scenariosim.models.image_local import FLAG_TEAL, POLICE_BLUE, SIGN_BOARD, render_scene
from scenariosim.models.image_local import _font as renderer_font
from scenariosim.outputs.images import read_png_metadata, render_images
from scenariosim.outputs.run_folder import open_run
from scenariosim.scenario import Scenario
from scenariosim.settings import load_settings

NONE = dict.fromkeys(IMAGE_ATTRIBUTES, False)


def request(
    seed: int = 1, sign_text: str = "Old price for diesel!", **labels: bool
) -> ImageRequest:
    return ImageRequest(
        id="img",
        scene="a street",
        sign_text=sign_text,
        labels={**NONE, **labels},
        violence=0.2,
        seed=seed,
    )


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def fire_pixels(a: np.ndarray) -> int:
    """Bright orange/yellow: the colour rule the renderer's docstring promises for flames."""
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return int(np.sum((r >= 230) & (g >= 80) & (g <= 215) & (b <= 90)))


def colour_pixels(a: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int(np.sum(np.all(a == np.array(colour), axis=-1)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_night_images_are_dark_and_day_images_are_light(seed: int) -> None:
    night = pixels(render_scene(request(seed, night=True, sign=True, fire=True)).image)
    day = pixels(render_scene(request(seed, sign=True)).image)
    sky_rows = slice(0, int(night.shape[0] * 0.1))  # above the held-up signs
    assert night[sky_rows].mean() < 60
    assert day[sky_rows].mean() > 150


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fire_coloured_pixels_appear_only_when_fire_is_labelled(seed: int) -> None:
    burning = render_scene(request(seed, fire=True, group_100=True, group_20=True, night=True))
    calm = render_scene(
        request(
            seed,
            sign=True,
            flag=True,
            police=True,
            children=True,
            group_20=True,
            photo=True,
            night=True,
        )
    )
    assert burning.labels["fire"] and fire_pixels(pixels(burning.image)) > 2000
    assert not calm.labels["fire"] and fire_pixels(pixels(calm.image)) == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_police_and_flag_colours_appear_only_with_their_labels(seed: int) -> None:
    both = pixels(render_scene(request(seed, police=True, flag=True, group_20=True)).image)
    neither = pixels(render_scene(request(seed, group_20=True, sign=True)).image)
    assert colour_pixels(both, POLICE_BLUE) > 300 and colour_pixels(both, FLAG_TEAL) > 300
    assert colour_pixels(neither, POLICE_BLUE) == 0 and colour_pixels(neither, FLAG_TEAL) == 0


@pytest.mark.parametrize(
    "text", ["Old price for diesel!", "Bread, fuel, dignity", "Karavan says NO"]
)
def test_signs_show_the_sign_text_where_the_layout_says(text: str) -> None:
    generated = render_scene(request(5, sign_text=text, sign=True, group_20=True))
    image = generated.image
    signs = generated.layout["signs"]
    assert signs and all(s["text"] == text for s in signs)
    for sign in signs:
        assert " ".join(line["text"] for line in sign["lines"]) == text
        for line in sign["lines"]:
            font = renderer_font(line["size"])
            x, y = line["xy"]
            box = ImageDraw.Draw(image).textbbox((x, y), line["text"], font=font)
            expected = Image.new("RGB", image.size, SIGN_BOARD)
            ImageDraw.Draw(expected).text((x, y), line["text"], font=font, fill=(20, 20, 20))
            assert np.array_equal(pixels(image.crop(box)), pixels(expected.crop(box)))
            assert pixels(image.crop(box)).std() > 20  # ink on the board, not a blank patch


@pytest.mark.parametrize(
    ("labels", "low", "high"),
    [({}, 1, 20), ({"group_20": True}, 21, 100), ({"group_20": True, "group_100": True}, 101, 400)],
)
def test_crowd_size_matches_the_group_labels(labels: dict[str, bool], low: int, high: int) -> None:
    for seed in range(5):
        generated = render_scene(request(seed, police=True, children=True, **labels))
        people = generated.layout["people"]
        assert low <= len(people) <= high
        assert generated.labels["group_20"] == (len(people) > 20)
        assert generated.labels["group_100"] == (len(people) > 100)
        kinds = {p["kind"] for p in people}
        assert {"police", "child"} <= kinds


def test_every_requested_attribute_is_drawn_and_labelled_exactly() -> None:
    everything = {k: True for k in IMAGE_ATTRIBUTES}
    generated = render_scene(request(9, **everything))
    assert generated.labels == everything and generated.labels_exact and not generated.notes
    layout = generated.layout
    assert layout["photos"] and layout["flags"] and layout["fire"] and layout["signs"]
    assert any(p["shouting"] for p in layout["people"])


def test_group_100_without_group_20_is_drawn_as_both_and_says_so() -> None:
    generated = render_scene(request(2, group_100=True))
    assert generated.labels["group_20"] and generated.labels["group_100"]
    assert generated.notes == ["group_20: asked False, drawn True"]


def test_same_seed_gives_the_same_pixels_and_another_seed_does_not() -> None:
    a = pixels(render_scene(request(7, sign=True, group_20=True)).image)
    b = pixels(render_scene(request(7, sign=True, group_20=True)).image)
    c = pixels(render_scene(request(8, sign=True, group_20=True)).image)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_pngs_carry_labels_prompt_and_ids_and_are_not_rendered_twice(tmp_path: Path) -> None:
    # the planner draws each picture's attributes: this scenario gives every picture a sign
    data = fake_scenario().model_dump(mode="json")
    data["labels"]["image_attributes"] = {"sign": 1.0}
    run = open_run(make_run_folder(tmp_path / "run", Scenario.model_validate(data)))
    assert all(p["labels"]["sign"] and p["sign_text"] for p in run.records["image_prompts"])
    out = tmp_path / "images"
    records, problems = render_images(run, make_image_backend("local"), out)
    assert not problems and len(records) == len(run.records["image_prompts"]) == 2
    meta = read_png_metadata(out / f"{records[0].id}.png")
    prompt = next(r for r in run.records["image_prompts"] if r["id"] == records[0].id)
    assert meta["ids"]["record_id"] == prompt["id"]
    assert meta["ids"]["persona_id"] == prompt["provenance"]["persona_id"]
    assert meta["prompt"]["scene"] == prompt["scene"]
    assert meta["labels"] == records[0].labels and meta["backend"]["labels_exact"] is True
    assert meta["layout"]["signs"][0]["text"] == prompt["sign_text"]
    with Image.open(out / f"{records[0].id}.png") as png:
        assert "synthetic" in png.text["Comment"].lower()
    stamp = (out / f"{records[0].id}.png").stat().st_mtime_ns
    again, _ = render_images(run, make_image_backend("local"), out)
    assert (out / f"{records[0].id}.png").stat().st_mtime_ns == stamp
    assert [r.sha256 for r in again] == [r.sha256 for r in records]


def test_gemini_image_backend_needs_a_key() -> None:
    with pytest.raises(NeedsKeyError, match="GOOGLE_API_KEY"):
        make_image_backend("gemini:gemini-2.5-flash-image")


def test_gemini_image_backend_is_built_with_an_image_modality_and_no_call() -> None:
    backend = make_image_backend("gemini:gemini-2.5-flash-image", load_settings(google_api_key="k"))
    assert isinstance(backend, GeminiImageBackend)
    assert [m.value for m in backend.chat.response_modalities] == ["TEXT", "IMAGE"]
    assert backend.chat.model.endswith("gemini-2.5-flash-image")


def test_gemini_image_backend_reads_the_picture_from_the_answer() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 200, 30)).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    answer = AIMessage(
        content=[{"type": "text", "text": "here"}, {"type": "image_url", "image_url": {"url": url}}]
    )
    backend = GeminiImageBackend("gemini:test", GenericFakeChatModel(messages=iter([answer])))
    generated = backend.generate(request(1, sign=True, police=True))
    assert generated.image.size == (8, 6)
    assert generated.labels_exact is False and generated.labels["police"] is True


def test_unknown_image_backend_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown image model spec 'dalle:x'.*gemini.*local"):
        make_image_backend("dalle:x")


def test_png_metadata_is_json_in_itxt_chunks(tmp_path: Path) -> None:
    run = open_run(make_run_folder(tmp_path / "run"))
    records, _ = render_images(run, make_image_backend("local"), tmp_path / "images")
    with Image.open(tmp_path / "images" / f"{records[0].id}.png") as png:
        labels = json.loads(png.text["scenariosim:labels"])
    assert set(labels) == set(IMAGE_ATTRIBUTES)
