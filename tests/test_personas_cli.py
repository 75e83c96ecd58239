"""`scenariosim personas sample | show | stats | census`."""

import json
from pathlib import Path

from typer.testing import CliRunner

from scenariosim.cli import app

runner = CliRunner()


def test_sample_prints_a_table_of_personas() -> None:
    result = runner.invoke(app, ["personas", "sample", "--n", "5", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "5 personas, seed 7" in result.output
    assert result.output.count("Province") + result.output.count("District") >= 5


def test_sample_with_the_same_seed_prints_the_same_personas() -> None:
    args = ["personas", "sample", "-n", "4", "--seed", "3", "--where", "age >= 18", "-f", "jsonl"]
    first, again = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0 and first.output == again.output
    personas = [json.loads(line) for line in first.output.splitlines()]
    assert len(personas) == 4 and all(p["age"] >= 18 for p in personas)


def test_sample_structured_options_filter_the_personas() -> None:
    result = runner.invoke(
        app,
        ["personas", "sample", "-n", "6", "--region", "Karavan", "--rural", "--age", "20-40",
         "--sex", "female", "--cell", "-f", "jsonl"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for persona in map(json.loads, result.output.splitlines()):
        assert persona["province"] == "Karavan Province" and not persona["urban"]
        assert 20 <= persona["age"] <= 40 and persona["sex"] == "Female" and persona["cell_phone"]


def test_sample_describe_prints_one_paragraph_per_persona() -> None:
    result = runner.invoke(app, ["personas", "sample", "-n", "2", "-f", "describe"])
    assert result.exit_code == 0
    assert len([line for line in result.output.splitlines() if line.strip()]) == 2


def test_sample_csv_has_a_header_and_one_line_per_persona() -> None:
    result = runner.invoke(app, ["personas", "sample", "-n", "3", "-f", "csv"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 0 and lines[0].startswith("id,hid,idno") and len(lines) == 4


def test_show_prints_the_persona_a_sample_listed() -> None:
    listed = runner.invoke(app, ["personas", "sample", "-n", "1", "--seed", "5", "-f", "jsonl"])
    persona = json.loads(listed.output)
    shown = runner.invoke(app, ["personas", "show", persona["id"], "--seed", "5", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == persona
    text = runner.invoke(app, ["personas", "show", persona["id"], "--seed", "5"])
    assert text.exit_code == 0 and persona["name"].split()[0] in text.output


def test_show_an_unknown_id_exits_2_with_a_hint() -> None:
    result = runner.invoke(app, ["personas", "show", "00000000000-01"])
    assert result.exit_code == 2
    assert "no person 00000000000-01" in result.output and "Traceback" not in result.output


def test_stats_prints_shares_and_tvd_and_can_write_csv(tmp_path: Path) -> None:
    out = tmp_path / "stats.csv"
    result = runner.invoke(
        app, ["personas", "stats", "-n", "300", "--min-age", "16", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "TVD" in result.output and "largest TVD" in result.output
    assert out.read_text().startswith("variable,category,sample_share,census_share")


def test_census_prints_counts_and_reference_figures() -> None:
    result = runner.invoke(app, ["personas", "census"])
    assert result.exit_code == 0, result.output
    assert '"households": 8000' in result.output and "electricity" in result.output


def test_a_bad_where_exits_2_without_a_traceback() -> None:
    result = runner.invoke(app, ["personas", "sample", "--where", "agee > 3"])
    assert result.exit_code == 2
    assert "personas.where 'agee > 3'" in result.output and "Traceback" not in result.output


def test_a_bad_age_range_exits_2_with_examples() -> None:
    result = runner.invoke(app, ["personas", "sample", "--age", "old"])
    assert result.exit_code == 2 and "18-35" in result.output


def test_a_missing_census_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["personas", "sample", "--census", str(tmp_path / "none")])
    assert result.exit_code == 2 and "census path not found" in result.output
