"""Adding folders of reference pictures: sidecars, no sidecar, duplicates, bad files."""

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from scenariosim.errors import InputFileError
from scenariosim.knowledge.references import ReferenceLibrary, add_folder
from scenariosim.knowledge.references.imaging import THUMBNAIL_MAX
from scenariosim.models.embeddings_local import MiniLMEmbeddings


@pytest.fixture(scope="module")
def embeddings() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture
def library(tmp_path: Path, embeddings: MiniLMEmbeddings) -> ReferenceLibrary:
    return ReferenceLibrary(tmp_path / "library", embeddings, embeddings.model_name)


def picture(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, colour)
    image.paste((250, 250, 240), (0, 0, size[0] // 2, size[1] // 2))
    image.save(path)
    return path


def write_csv(folder: Path, rows: list[str]) -> None:
    header = "file,caption,source,license,labels,allowed_as_input"
    (folder / "references.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def test_a_csv_sidecar_gives_each_picture_its_caption_labels_and_license(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    picture(folder / "march.png", (200, 40, 40))
    write_csv(folder, ['march.png,"Marchers with placards, Baku",me,CC-BY-4.0,sign;group_20,yes'])
    report = add_folder(library, folder)
    [ref] = library.references()
    assert report.added == [ref.id] and report.problems == [] and report.warnings == []
    assert ref.caption == "Marchers with placards, Baku"
    assert ref.labels == ["sign", "group_20"] and ref.labelled
    assert ref.license == "CC-BY-4.0" and ref.allowed_as_input is True
    assert (ref.width, ref.height) == (64, 48)
    assert ref.id == f"ref-{ref.sha256[:12]}"


def test_jsonl_and_json_sidecars_are_read_like_csv(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    row = {"file": "a.png", "caption": "A flag at night", "labels": ["flag", "night"]}
    jsonl = tmp_path / "jsonl"
    picture(jsonl / "a.png", (0, 128, 128))
    (jsonl / "references.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    as_json = tmp_path / "json"
    picture(as_json / "a.png", (0, 100, 100))
    (as_json / "references.json").write_text(json.dumps({"references": [row]}), encoding="utf-8")
    add_folder(library, jsonl)
    add_folder(library, as_json)
    assert [r.labels for r in library.references()] == [["flag", "night"], ["flag", "night"]]


def test_pictures_without_a_sidecar_are_added_unlabelled_with_a_warning(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    picture(folder / "crowd_at_square.jpg", (90, 90, 90))
    report = add_folder(library, folder)
    [ref] = library.references()
    assert report.added == [ref.id]
    assert ref.labels == [] and ref.labelled is False
    assert ref.caption == "crowd at square"
    assert len(report.warnings) == 1 and "crowd_at_square.jpg" in report.warnings[0]


def test_a_picture_the_sidecar_does_not_describe_is_added_unlabelled(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    picture(folder / "known.png", (10, 10, 10))
    picture(folder / "stray.png", (20, 200, 20))
    write_csv(folder, ["known.png,Known,me,CC0-1.0,sign,no"])
    report = add_folder(library, folder)
    labelled = {Path(r.origin).name: r.labelled for r in library.references()}
    assert labelled == {"known.png": True, "stray.png": False}
    assert "stray.png" in report.warnings[0]


def test_the_same_picture_twice_is_stored_once_and_reported(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    first = picture(folder / "one.png", (200, 0, 0))
    (folder / "copy.png").write_bytes(first.read_bytes())
    report = add_folder(library, folder)
    again = add_folder(library, folder)
    assert len(library.references()) == 1
    assert [d.name for d in report.duplicates] == ["one.png"]  # sorted: copy.png came first
    assert report.duplicates[0].of == report.added[0]
    assert again.added == [] and {d.name for d in again.duplicates} == {"copy.png", "one.png"}


def test_corrupt_and_non_image_files_are_named_and_the_rest_is_added(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    good = picture(folder / "good.png", (1, 2, 3))
    (folder / "notes.txt").write_text("not a picture", encoding="utf-8")
    (folder / "broken.jpg").write_bytes(good.read_bytes()[:60])
    report = add_folder(library, folder)
    problems = {p.name: p.reason for p in report.problems}
    assert set(problems) == {"notes.txt", "broken.jpg"}
    assert "not an image" in problems["notes.txt"]
    assert "corrupt" in problems["broken.jpg"] or "not an image" in problems["broken.jpg"]
    assert [Path(r.origin).name for r in library.references()] == ["good.png"]


def test_unknown_labels_and_missing_files_are_named_and_the_rest_is_added(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    picture(folder / "ok.png", (5, 5, 5))
    picture(folder / "typo.png", (6, 6, 6))
    write_csv(
        folder,
        [
            "ok.png,Fine,me,CC0-1.0,sign,no",
            "typo.png,Typo,me,CC0-1.0,sign;teargas,no",
            "gone.png,Gone,me,CC0-1.0,sign,no",
        ],
    )
    report = add_folder(library, folder)
    reasons = " | ".join(f"{p.name}: {p.reason}" for p in report.problems)
    assert "typo.png" in reasons and "teargas" in reasons
    assert "gone.png: listed in the sidecar but not in the folder" in reasons
    stored = {Path(r.origin).name: r.labelled for r in library.references()}
    assert stored["ok.png"] is True
    assert stored["typo.png"] is False  # its row was refused, so its labels are unknown


def test_text_only_rows_become_text_references(tmp_path: Path, library: ReferenceLibrary) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    row = {
        "caption": "Drivers block the Karavan junction with lorries",
        "labels": ["group_20"],
        "palette": ["#808080", "#C0392B"],
        "post_kind": "eyewitness report",
    }
    (folder / "references.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    add_folder(library, folder)
    [ref] = library.references()
    assert ref.kind == "text" and ref.thumbnail == ""
    assert ref.colours == ["#808080", "#c0392b"]


def test_thumbnails_are_downscaled_and_carry_no_exif(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    folder.mkdir()
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretSoftware"  # Software
    Image.new("RGB", (2000, 1000), (30, 60, 90)).save(folder / "big.jpg", exif=exif.tobytes())
    add_folder(library, folder)
    [ref] = library.references()
    path = library.thumbnail_path(ref)
    assert path is not None
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as thumb:
        assert max(thumb.size) == THUMBNAIL_MAX
        assert not thumb.getexif()
        assert "exif" not in thumb.info
    assert b"SecretSoftware" not in data and b"CameraMaker" not in data
    assert (ref.width, ref.height) == (2000, 1000)


def test_a_picture_over_the_decompression_bomb_limit_is_refused(
    tmp_path: Path, library: ReferenceLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pics"
    picture(folder / "bomb.png", (0, 0, 0), size=(400, 400))
    picture(folder / "small.png", (9, 9, 9), size=(40, 40))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    report = add_folder(library, folder)
    [problem] = report.problems
    assert problem.name == "bomb.png" and "decompression-bomb" in problem.reason
    assert [Path(r.origin).name for r in library.references()] == ["small.png"]


def test_the_palette_lists_dominant_colours_largest_first(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    folder.mkdir()
    image = Image.new("RGB", (100, 100), (0, 0, 200))
    image.paste((250, 250, 0), (0, 0, 100, 25))
    image.save(folder / "two.png")
    add_folder(library, folder)
    [ref] = library.references()
    assert ref.palette[0].colour == "#0000c8" and ref.palette[0].share == pytest.approx(
        0.75, abs=0.02
    )
    assert ref.palette[1].colour == "#fafa00"


def test_the_library_reopens_with_what_was_added(
    tmp_path: Path, library: ReferenceLibrary, embeddings: MiniLMEmbeddings
) -> None:
    folder = tmp_path / "pics"
    picture(folder / "one.png", (1, 1, 1))
    add_folder(library, folder)
    reopened = ReferenceLibrary(library.root, embeddings, embeddings.model_name)
    assert [r.id for r in reopened.references()] == [r.id for r in library.references()]
    assert reopened.fingerprint() == library.fingerprint()


def test_a_missing_folder_is_one_error_naming_it(tmp_path: Path, library: ReferenceLibrary) -> None:
    with pytest.raises(InputFileError, match="nowhere"):
        add_folder(library, tmp_path / "nowhere")


def test_an_unparsable_sidecar_is_one_error_naming_it(
    tmp_path: Path, library: ReferenceLibrary
) -> None:
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "references.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"references\.json"):
        add_folder(library, folder)


def test_a_caption_holding_a_line_separator_stays_one_reference(tmp_path: Path) -> None:
    from scenariosim.knowledge.references.sidecar import _jsonl_rows

    text = '{"file": "a.png", "caption": "march\u2028 at night"}\n'
    rows = _jsonl_rows(tmp_path / "refs.jsonl", text)
    assert len(rows) == 1 and rows[0][1]["caption"] == "march\u2028 at night"
