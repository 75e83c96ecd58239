"""`scenariosim references ...`: add, list, show, stats, remove; bad input exits 2."""

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from scenariosim.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["references", *args])
    return result.exit_code, result.output


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pics"
    folder.mkdir()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(folder / "red.png")
    (folder / "junk.jpg").write_bytes(b"\x00" * 20)
    (folder / "references.csv").write_text(
        "file,caption,source,license,labels,allowed_as_input\n"
        "red.png,<b>Red</b> placards at the junction,me,CC-BY-4.0,sign,yes\n",
        encoding="utf-8",
    )
    return folder


def test_add_reports_what_was_added_and_names_bad_files(tmp_path: Path) -> None:
    code, out = _run("add", str(_folder(tmp_path)))
    assert code == 0
    assert "added 1" in out and "junk.jpg" in out


def test_add_strict_exits_2_when_a_file_was_not_added(tmp_path: Path) -> None:
    code, out = _run("add", str(_folder(tmp_path)), "--strict")
    assert code == 2 and "not added" in out and "Traceback" not in out


def test_list_shows_user_references_apart_from_the_shipped_ones(tmp_path: Path) -> None:
    _run("add", str(_folder(tmp_path)))
    result = runner.invoke(app, ["references", "list", "--user", "--json"])
    rows = json.loads(result.stdout)
    assert [r["caption"] for r in rows] == ["<b>Red</b> placards at the junction"]
    everything = json.loads(runner.invoke(app, ["references", "list", "--json"]).stdout)
    assert sum(r["synthetic"] for r in everything) >= 40


def test_show_prints_one_reference_by_id_prefix(tmp_path: Path) -> None:
    _run("add", str(_folder(tmp_path)))
    rows = json.loads(runner.invoke(app, ["references", "list", "--user", "--json"]).stdout)
    result = runner.invoke(app, ["references", "show", rows[0]["id"][:10], "--json"])
    shown = json.loads(result.stdout)
    assert shown["license"] == "CC-BY-4.0" and shown["thumbnail_path"].endswith(".jpg")


def test_show_of_an_unknown_id_exits_2(tmp_path: Path) -> None:
    code, out = _run("show", "ref-nothing")
    assert code == 2 and "no single reference" in out


def test_stats_compares_label_rates_with_ucla_and_lists_licenses(tmp_path: Path) -> None:
    _run("add", str(_folder(tmp_path)))
    result = runner.invoke(app, ["references", "stats", "--json"])
    figures = json.loads(result.stdout)
    sign = next(r for r in figures["rates"] if r["attribute"] == "sign")
    assert sign["ucla_rate"] == 0.829
    assert sign["difference"] == round(sign["rate"] - 0.829, 4)
    assert figures["licenses"]["CC-BY-4.0"] == 1 and "Apache-2.0" in figures["licenses"]


def test_remove_takes_a_reference_out_of_the_library(tmp_path: Path) -> None:
    _run("add", str(_folder(tmp_path)))
    rows = json.loads(runner.invoke(app, ["references", "list", "--user", "--json"]).stdout)
    code, _ = _run("remove", rows[0]["id"])
    after = json.loads(runner.invoke(app, ["references", "list", "--user", "--json"]).stdout)
    assert code == 0 and after == []
