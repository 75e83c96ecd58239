"""Issue 17, by kind: each kind of bad input tested beyond the instance a user sent in.

tests/test_bad_input.py runs each instance through the CLI (exit 2, one message, nothing
changed); here each kind is checked over other keys, other formats and other fields, and
the cases that must succeed (a `;` census, a cut emoji, an empty comments table) do.
"""

import json
import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fake_backends import fake_models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scenariosim.agents.schemas import ContextChunk
from scenariosim.cli import app
from scenariosim.errors import ConfigError, InputFileError
from scenariosim.graph.resume import read_resolved
from scenariosim.graph.run import run_scenario
from scenariosim.knowledge.documents import read_documents
from scenariosim.knowledge.gazetteer import load_gazetteer
from scenariosim.knowledge.retrieval_eval import load_queries
from scenariosim.outputs.dataset import TABLE_ORDER
from scenariosim.overrides import apply_overrides, parse_value
from scenariosim.personas.load import load_census
from scenariosim.personas.standin import CENSUS_DIR
from scenariosim.scenario import SEED_MAX, Scenario, parse_scenario
from scenariosim.settings import load_settings
from scenariosim.text_rules import sentence_spans
from scenariosim.yaml_io import YamlError, as_written, dump_yaml, load_yaml

pytestmark = pytest.mark.faults

CASES = Path(__file__).resolve().parent / "bad_input_cases"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PHASE = "  - {id: a, date: 2026-08-01, title: t, event: e}\n"
# Plain scalars YAML 1.1 turns into something else: booleans, octal and base-60 numbers,
# floats, dates, nulls-by-another-name; a string field must get each back as written.
AMBIGUOUS = [
    "no", "yes", "No", "YES", "on", "off", "y", "n", "true", "False",
    "0123", "012", "0o17", "0x1F", "1_000", "12:30", "1:02:03", "1e3", ".5", "+1", "-7",
    "2026-08-15", "2026-08-15 10:00:00", ".inf", ".NaN", "0",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _one_line_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "10000")  # rich wraps nothing


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[Path]:
    """The fake models and settings a CLI command reads, under tmp_path."""
    with fake_models(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCENARIOSIM_EMBEDDING_MODEL", "fake")
        yield tmp_path


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# ---- kind 1: values read from YAML keep the text the author wrote -----------------------


@pytest.mark.parametrize("text", AMBIGUOUS)
@pytest.mark.parametrize("field", ["name", "description", "title", "event", "query"])
def test_a_scenario_string_field_keeps_the_text_written(field: str, text: str) -> None:
    top = {"name": "x", "description": ""} | (
        {field: text} if field in ("name", "description") else {}
    )
    phase = {"title": "t", "event": "e"} | ({field: text} if field not in top else {})
    body = "".join(f"{k}: {v}\n" for k, v in top.items() if v) + "phases:\n"
    body += "  - id: a\n    date: 2026-08-01\n" + "".join(
        f"    {k}: {v}\n" for k, v in phase.items()
    )
    scenario = parse_scenario(body)
    got = getattr(scenario, field) if field in top else getattr(scenario.phases[0], field)
    assert got == text


@pytest.mark.parametrize("text", AMBIGUOUS)
@pytest.mark.parametrize("key", ["id", "title", "outlet", "region", "language", "movement"])
def test_a_front_matter_value_keeps_the_text_written(tmp_path: Path, key: str, text: str) -> None:
    meta = {"id": "doc", "title": "T", "outlet": "O"} | {key: text}
    header = "".join(f"{k}: {v}\n" for k, v in meta.items())
    (tmp_path / "a.md").write_text(f"---\n{header}---\nDiesel rose.\n", encoding="utf-8")
    result = read_documents(tmp_path)
    assert result.problems == []
    assert getattr(result.documents[0], key) == text


def test_front_matter_topics_keep_the_text_written(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\nid: a\ntopics: [strike, no, 2026, 0123]\n---\nDiesel rose.\n", encoding="utf-8"
    )
    assert read_documents(tmp_path).documents[0].topics == ["strike", "no", "2026", "0123"]


def test_the_yaml11_front_matter_case_ingests_both_documents_as_written(cli_env: Path) -> None:
    corpus = shutil.copytree(CASES / "01-front-matter-yaml11", cli_env / "news")
    code, out = _cli("corpus", "ingest", str(corpus), "--store", str(cli_env / "s"), "--json")
    assert code == 0, out
    assert json.loads(out)["added_docs"] == ["0123", "83"]
    fjord = next(d for d in read_documents(corpus).documents if d.id == "0123")
    assert (fjord.title, fjord.outlet, fjord.language) == ("12:30", "Yes", "no")
    assert fjord.topics == ["strike", "no"]


def test_dates_and_numbers_still_read_as_such_where_the_schema_wants_them() -> None:
    scenario = parse_scenario(
        "name: x\nseed: 0123\nconcurrency: 0x10\ncritic: {threshold: 3.5}\n"
        "phases:\n  - {id: a, date: 2026-08-01, title: t, event: e, posts: 1_000}\n"
    )
    assert (scenario.seed, scenario.concurrency, scenario.critic.threshold) == (123, 16, 3.5)
    assert (str(scenario.phases[0].date), scenario.phases[0].posts) == ("2026-08-01", 1000)


@pytest.mark.parametrize("text", [t for t in AMBIGUOUS if t.lower() not in ("true", "false")])
def test_a_set_value_for_a_text_setting_keeps_the_text_typed(text: str) -> None:
    scenario = Scenario(
        name="x", phases=[{"id": "a", "date": "2026-08-01", "title": "t", "event": "e"}]
    )
    changed = apply_overrides(
        scenario,
        {"description": parse_value(text), "critic.threshold": parse_value("3.5")},
    )
    assert changed.description == text
    assert changed.critic.threshold == 3.5


@pytest.mark.parametrize("text", ["true", "False"])
def test_a_set_boolean_for_a_text_setting_says_how_to_quote_it(text: str) -> None:
    scenario = Scenario(
        name="x", phases=[{"id": "a", "date": "2026-08-01", "title": "t", "event": "e"}]
    )
    with pytest.raises(ConfigError) as caught:
        apply_overrides(scenario, {"description": parse_value(text)})
    assert "'description'" in str(caught.value)
    assert f"""--set description='"{text.lower()}"'""" in str(caught.value)
    quoted = apply_overrides(scenario, {"description": parse_value(f'"{text}"')})
    assert quoted.description == text


def test_a_set_number_is_written_to_yaml_and_json_as_the_number_it_is() -> None:
    changes = {"retrieval.k": parse_value("04"), "critic.threshold": parse_value("3.50")}
    assert load_yaml(dump_yaml(changes)).data == {"retrieval.k": 4, "critic.threshold": 3.5}
    assert json.loads(json.dumps(changes)) == {"retrieval.k": 4, "critic.threshold": 3.5}


def test_a_set_number_keeps_its_text_through_a_process_boundary() -> None:
    value = pickle.loads(pickle.dumps(parse_value("0123")))
    assert (value, as_written(value)) == (123, "0123")


@FAST
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=4))
def test_yaml_the_project_writes_reads_back_the_same_under_its_loader(data: dict) -> None:
    assert load_yaml(dump_yaml(data)).data == data


@FAST
@given(st.sampled_from(AMBIGUOUS) | st.from_regex(r"[0-9][0-9_:.eE+-]{0,8}", fullmatch=True))
def test_a_number_like_name_survives_a_trip_through_the_resolved_file(text: str) -> None:
    scenario = Scenario(
        name=text, phases=[{"id": "a", "date": "2026-08-01", "title": text, "event": "e"}]
    )
    data = load_yaml(dump_yaml(scenario.model_dump(mode="json"))).data
    assert Scenario.model_validate(data) == scenario


# ---- kind 2: a key written twice, at any depth, in any YAML the project reads --------


DUPLICATES = {
    "top": ("name: x\nname: y\nphases:\n" + PHASE, 1, 2, "name"),
    "section": ("name: x\nmodels:\n  agent: local\n  agent: fake\nphases:\n" + PHASE, 3, 4,
                "models.agent"),
    "list item": ("name: x\nphases:\n  - id: a\n    date: 2026-08-01\n    title: t\n"
                  "    event: e\n    title: u\n", 5, 7, "phases.0.title"),
    "flow mapping": ("name: x\nphases:\n  - {id: a, id: b, date: 2026-08-01, title: t, event: e}\n",
                     3, 3, "phases.0.id"),
}  # fmt: skip


@pytest.mark.parametrize("where", DUPLICATES)
def test_a_scenario_key_written_twice_names_both_lines(where: str) -> None:
    text, first, second, key = DUPLICATES[where]
    with pytest.raises(ConfigError) as caught:
        parse_scenario(text, "s.yaml")
    assert f"s.yaml, lines {first} and {second}: key '{key}' is written twice" in str(caught.value)


def test_a_front_matter_key_written_twice_names_the_file_and_both_lines(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\nid: a\ntopics: [x]\nid: b\n---\nDiesel rose.\n", encoding="utf-8"
    )
    result = read_documents(tmp_path)
    assert result.documents == []
    assert result.problems[0].path == "a.md"
    assert "lines 2 and 4" in result.problems[0].problem
    assert "'id' is written twice" in result.problems[0].problem


def test_a_gazetteer_key_written_twice_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("entities:\n  - name: Baku\n    kind: city\n    name: Bakı\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"g\.yaml, lines 2 and 4: key 'entities\.0\.name'"):
        load_gazetteer(path)


def test_a_query_file_key_written_twice_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "queries.yaml"
    path.write_text("queries: []\nqueries:\n  - {query: q, relevant: [a]}\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"queries\.yaml, lines 1 and 2: key 'queries'"):
        load_queries([path])


def test_a_resolved_file_key_written_twice_names_both_lines(tmp_path: Path) -> None:
    (tmp_path / "scenario.resolved.yaml").write_text(
        "run_id: r1\nscenario: {}\nrun_id: r2\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"lines 1 and 3: key 'run_id' is written twice"):
        read_resolved(tmp_path)


def test_a_settings_file_key_written_twice_is_one_error_naming_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenariosim.toml").write_text("concurrency = 2\nconcurrency = 3\n")
    with pytest.raises(ConfigError, match=r"scenariosim\.toml could not be read.*line 2"):
        load_settings()


def test_a_yaml_merge_key_is_not_taken_for_a_key_written_twice() -> None:
    data = load_yaml("base: &b {k: 1, v: 2}\nuse:\n  <<: *b\n  k: 3\n").data
    assert data["use"] == {"k": 3, "v": 2}


# ---- kind 3: text that is not clean Unicode, in any field of any format ----------------

BAD_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()),
    min_size=1,
    max_size=20,
)


@FAST
@given(key=st.sampled_from(["id", "title", "outlet", "topics", "note", "text"]), value=BAD_TEXT)
def test_any_jsonl_field_holding_any_text_never_raises_and_good_rows_ingest(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: str
) -> None:
    folder = tmp_path_factory.mktemp("jsonl")
    good = {"id": "good", "title": "Fine", "text": "Bakers raised the price of bread."}
    bad = {"id": "bad", "title": "T", "text": "Drivers will strike."} | {key: value}
    lines = [json.dumps(good), json.dumps(bad)]  # json.dumps escapes lone surrogates
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_documents(folder)
    assert "good" in {d.id for d in result.documents}
    for doc in result.documents:
        doc.model_dump_json().encode("utf-8")  # every kept field is clean Unicode


@pytest.mark.parametrize(
    ("case", "ids", "named"),
    [
        ("in-text", ["w1", "w2", "w3"], "line 2: key 'text': 1 lone surrogate"),
        ("in-title", ["t1", "t2"], "line 1: key 'title': 1 lone surrogate"),
        ("in-extra-key", ["t2"], "line 1: key 'note': 1 lone surrogate"),
    ],
)
def test_a_cut_emoji_escape_is_repaired_with_a_warning_naming_line_and_key(
    cli_env: Path, case: str, ids: list[str], named: str
) -> None:
    corpus = shutil.copytree(CASES / "03-lone-surrogate" / case, cli_env / "news")
    code, out = _cli("corpus", "ingest", str(corpus), "--store", str(cli_env / "s"))
    assert code == 0, out
    assert "Traceback" not in out
    assert f"repaired wire.jsonl: {named}" in out
    result = read_documents(corpus)
    assert sorted(d.id for d in result.documents) == ids
    assert all("\ufffd" not in d.text or d.id == "w2" for d in result.documents)


@pytest.mark.parametrize("key", ["caption", "source", "sign_text"])
def test_a_cut_emoji_in_a_reference_sidecar_is_repaired_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, key: str
) -> None:
    from scenariosim.knowledge.references.sidecar import read_sidecar

    row = {"file": "a.png", "caption": "A flag", "labels": ["flag"]} | {key: "Flag \ud83d up"}
    good = {"file": "b.png", "caption": "A crowd", "labels": ["group_20"]}
    path = tmp_path / "references.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        rows, problems = read_sidecar(path)
    assert problems == []
    assert (getattr(rows[0], key), rows[1].file) == ("Flag \ufffd up", "b.png")
    assert f"references.jsonl line 1: key '{key}': 1 lone surrogate" in caplog.text


@pytest.mark.parametrize("fmt", ["md", "csv", "jsonl"])
def test_control_characters_are_removed_in_every_text_format(tmp_path: Path, fmt: str) -> None:
    text = "Diesel\x1b rose\x07 today."  # (a NUL byte makes a text file binary: refused)
    if fmt == "md":
        (tmp_path / "a.md").write_text(f'---\nid: a\ntitle: "T\\x01"\n---\n{text}\n')
    elif fmt == "csv":
        (tmp_path / "a.csv").write_text(f"id,title,text\na,T\x01,{text}\n")
    else:
        (tmp_path / "a.jsonl").write_text(json.dumps({"id": "a", "title": "T\x01", "text": text}))
    result = read_documents(tmp_path)
    assert [(d.title, d.text) for d in result.documents] == [("T", "Diesel rose today.")]
    assert any("control character" in r.problem for r in result.repaired)


# ---- kind 4: files that are almost the expected format ---------------------------------


def _census_subset() -> tuple[pd.DataFrame, pd.DataFrame]:
    households = pd.read_parquet(CENSUS_DIR / "households.parquet").head(20)
    people = pd.read_parquet(CENSUS_DIR / "individuals.parquet")
    return households, people[people["hid"].isin(households["hid"])]


@pytest.mark.parametrize(
    ("sep", "decimal", "encoding"),
    [(",", ".", "utf-8"), (";", ",", "utf-8"), ("\t", ".", "utf-8"), ("|", ".", "utf-8"),
     (";", ",", "utf-8-sig"), (",", ".", "utf-8-sig"), ("\t", ",", "utf-8")],
)  # fmt: skip
def test_a_census_exported_in_any_spreadsheet_dialect_reads_like_the_comma_one(
    tmp_path: Path, sep: str, decimal: str, encoding: str
) -> None:
    households, people = _census_subset()
    for name, dialect in (("plain", (",", ".", "utf-8")), ("other", (sep, decimal, encoding))):
        folder = tmp_path / name
        folder.mkdir()
        for table, frame in (("households", households), ("individuals", people)):
            frame.to_csv(
                folder / f"{table}.csv",
                index=False,
                sep=dialect[0],
                decimal=dialect[1],
                encoding=dialect[2],
            )
    plain = load_census(tmp_path / "plain", cache_dir=tmp_path / "c1")
    other = load_census(tmp_path / "other", cache_dir=tmp_path / "c2")
    pd.testing.assert_frame_equal(plain.people, other.people)


def test_the_semicolon_census_case_is_read(cli_env: Path) -> None:
    census = shutil.copytree(CASES / "05-semicolon-csv" / "census", cli_env / "census")
    code, out = _cli("personas", "census", str(census))
    assert code == 0, out


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_a_corpus_csv_with_another_separator_is_read(tmp_path: Path, sep: str) -> None:
    source = (CASES / "05-semicolon-csv" / "corpus" / "news.csv").read_text(encoding="utf-8")
    (tmp_path / "news.csv").write_text(source.replace(";", sep), encoding="utf-8")
    result = read_documents(tmp_path)
    assert result.problems == []
    assert [(d.id, d.title) for d in result.documents] == [("c1", "Bus fares rise")]
    assert "0,40 to 0,55" in result.documents[0].text


def test_a_corpus_text_column_written_another_way_is_named(tmp_path: Path) -> None:
    (tmp_path / "news.csv").write_text("id,Title,Text \nc1,Fares,Fares rose.\n", encoding="utf-8")
    result = read_documents(tmp_path)
    assert result.documents == []
    assert "the text column is written 'Text ', not 'text'" in result.problems[0].problem
    assert "--text-field 'Text '" in result.problems[0].problem


def test_a_census_column_written_another_way_is_named_not_asked_for(tmp_path: Path) -> None:
    households, people = _census_subset()
    households.rename(columns={"hhweight": "HHWeight "}).to_csv(
        tmp_path / "households.csv", index=False
    )
    people.to_csv(tmp_path / "individuals.csv", index=False)
    with pytest.raises(InputFileError) as caught:
        load_census(tmp_path, cache_dir=tmp_path / "c")
    assert "'hhweight' is there as 'HHWeight '" in str(caught.value)
    assert "add the column" not in str(caught.value)


def test_a_csv_renamed_to_dta_is_not_called_truncated(tmp_path: Path) -> None:
    households, people = _census_subset()
    households.to_csv(tmp_path / "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta", index=False)
    people.to_csv(tmp_path / "individuals.csv", index=False)
    with pytest.raises(InputFileError) as caught:
        load_census(tmp_path, cache_dir=tmp_path / "c")
    assert "not a Stata .dta file" in str(caught.value)
    assert "Download it again" not in str(caught.value)


# ---- kind 5: every value validated by one set of rules before work starts --------------

OUT_OF_BOUNDS = [
    ("--seed", "-1", "greater than or equal to 0"),
    ("--seed", str(SEED_MAX + 1), f"less than or equal to {SEED_MAX}"),
    ("--seed", "99999999999999999999999", f"less than or equal to {SEED_MAX}"),
    ("--concurrency", "0", "greater than or equal to 1"),
    ("--concurrency", "-3", "greater than or equal to 1"),
    ("--concurrency", "100000", "less than or equal to 256"),
]


@pytest.mark.parametrize(("option", "value", "rule"), OUT_OF_BOUNDS)
def test_an_out_of_bounds_option_exits_2_before_any_run_folder(
    tmp_path: Path, option: str, value: str, rule: str
) -> None:
    out = tmp_path / "runs"
    code, text = _cli("run", str(CASES / "11-zero-counts.yaml"), option, value, "--out", str(out))
    assert code == 2
    assert f"Error: {option} {value}: Input should be {rule}" in text
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [["personas", "sample", "--n", "2"], ["personas", "stats", "--n", "50"], ["review", "r1"]],
)
@pytest.mark.parametrize("seed", ["-1", str(SEED_MAX + 1)])
def test_every_command_taking_a_seed_judges_it_by_the_scenario_rule(
    tmp_path: Path, command: list[str], seed: str
) -> None:
    code, text = _cli(*command, "--seed", seed)
    assert code == 2
    assert f"Error: --seed {seed}: Input should be" in text
    assert "the scenario's 'seed' has the same rule" in text


@pytest.mark.parametrize(
    ("key", "value"), [("seed", SEED_MAX + 1), ("concurrency", 0), ("seed", -5)]
)
def test_the_scenario_file_and_the_command_line_share_one_rule(key: str, value: int) -> None:
    with pytest.raises(ConfigError, match=f"line 2: '{key}'"):
        parse_scenario(f"name: x\n{key}: {value}\nphases:\n{PHASE}", "s.yaml")


def test_an_out_of_bounds_environment_setting_exits_2(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCENARIOSIM_CONCURRENCY", "0")
        code, text = _cli("run", str(CASES / "11-zero-counts.yaml"), "--out", str(tmp_path))
    assert code == 2
    assert "setting 'concurrency'" in text and "SCENARIOSIM_CONCURRENCY" in text


def test_the_largest_seed_runs_through_to_a_dataset(cli_env: Path) -> None:
    scenario = (CASES / "11-zero-counts.yaml").read_text(encoding="utf-8")
    (cli_env / "s.yaml").write_text(scenario + "models: {agent: fake, critic: fake}\n")
    out = cli_env / "runs"
    code, text = _cli("run", str(cli_env / "s.yaml"), "--seed", str(SEED_MAX), "--out", str(out))
    assert code == 0, text
    (run_dir,) = out.iterdir()
    resolved = load_yaml((run_dir / "scenario.resolved.yaml").read_text(encoding="utf-8")).data
    assert resolved["scenario"]["seed"] == SEED_MAX
    assert len(pd.read_parquet(run_dir / "dataset" / "personas.parquet")) == 1


# ---- kind 6: resume after an allowed input change keeps both fingerprints ---------------


def _finished_run_r1(root: Path, world: dict[str, str]) -> Path:
    """A finished one-phase run `r1` of one persona and no tasks under <root>/runs (returned),
    with `world` as its scenario's world."""
    scenario = Scenario.model_validate(
        {
            "name": "resume",
            "world": world,
            "personas": {"n": 1},
            "models": {"agent": "fake", "critic": "fake"},
            "phases": [{"id": "a", "date": "2026-08-01", "title": "t", "event": "e",
                        "posts": 0, "comments": 0, "images": 0}],
        }
    )  # fmt: skip
    run_scenario(scenario, load_settings(), root / "runs", run_id="r1", use_cache=False)
    return root / "runs"


def test_a_resume_allowed_to_continue_with_a_changed_corpus_records_both(cli_env: Path) -> None:
    corpus = cli_env / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("---\nid: a\ntitle: T\n---\nDiesel rose.\n", encoding="utf-8")
    out = _finished_run_r1(cli_env, {"corpus": str(corpus)})
    (corpus / "b.md").write_text("---\nid: b\ntitle: U\n---\nBread rose.\n", encoding="utf-8")
    code, text = _cli("run", "--resume", "r1", "--out", str(out), "--allow-changed-inputs", "-q")
    assert code == 0, text
    resolved = load_yaml((out / "r1" / "scenario.resolved.yaml").read_text()).data
    change = resolved["resumed_with_changed_inputs"][0]["changes"]["corpus_fingerprint"]
    assert change["recorded"] == resolved["resolved"]["corpus_fingerprint"]
    assert change["found"] != change["recorded"]


def test_a_resume_after_a_reference_was_added_is_refused_naming_the_references(
    cli_env: Path,
) -> None:
    out = _finished_run_r1(cli_env, {})
    pictures = cli_env / "pictures"
    pictures.mkdir()
    (pictures / "references.csv").write_text(
        "file,caption,source,license,labels\n"
        ",A crowd with signs on a bridge at dusk,own notes,CC0,sign group_20\n",
        encoding="utf-8",
    )
    code, text = _cli("references", "add", str(pictures))
    assert code == 0, text
    before = sorted((p.name, p.stat().st_size) for p in (out / "r1").rglob("*"))
    code, text = _cli("run", "--resume", "r1", "--out", str(out), "-q")
    assert code == 2
    assert "references_fingerprint" in text and "--allow-changed-inputs" in text
    assert sorted((p.name, p.stat().st_size) for p in (out / "r1").rglob("*")) == before
    code, text = _cli("run", "--resume", "r1", "--out", str(out), "--allow-changed-inputs", "-q")
    assert code == 0, text
    resolved = load_yaml((out / "r1" / "scenario.resolved.yaml").read_text()).data
    change = resolved["resumed_with_changed_inputs"][0]["changes"]["references_fingerprint"]
    assert change["found"] != change["recorded"]


# ---- kind 7: store identities never collide silently ----------------------------------


def test_a_query_of_a_store_searches_the_corpus_ingested_there_and_says_so(cli_env: Path) -> None:
    ports = shutil.copytree(CASES / "13-collection-names" / "ports", cli_env / "ports")
    store = str(cli_env / "store")
    assert _cli("corpus", "ingest", str(ports), "--store", store)[0] == 0
    code, out = _cli("corpus", "query", "dockers strike", "--store", store, "--k", "1")
    assert code == 0, out
    assert "port-1" in out
    assert f"(corpus: {ports})" in out
    assert not (cli_env / "store").joinpath("atropia").exists()


def test_a_query_of_a_store_with_several_corpora_asks_which(cli_env: Path) -> None:
    store = str(cli_env / "store")
    for name in ("ports", "farms"):
        folder = shutil.copytree(CASES / "13-collection-names" / name, cli_env / name)
        assert _cli("corpus", "ingest", str(folder), "--store", store)[0] == 0
    code, out = _cli("corpus", "query", "strike", "--store", store)
    assert code == 2
    assert "holds 2 collections" in out and "--corpus DIR or --name NAME" in out


def test_replace_makes_the_new_folder_the_whole_corpus_when_asked(cli_env: Path) -> None:
    store = str(cli_env / "store")
    news = shutil.copytree(CASES / "13-collection-names", cli_env / "news")
    assert _cli("corpus", "ingest", str(news / "ports"), "--store", store, "--name", "n")[0] == 0
    code, out = _cli(
        "corpus",
        "ingest",
        str(news / "farms"),
        "--store",
        store,
        "--name",
        "n",
        "--replace",
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["removed_docs"] == ["port-1"]


def test_a_re_ingest_of_the_same_folder_still_removes_its_deleted_files(cli_env: Path) -> None:
    store = str(cli_env / "store")
    news = shutil.copytree(CASES / "13-collection-names", cli_env / "news")
    both = cli_env / "both"
    both.mkdir()
    for name in ("ports/a.md", "farms/b.md"):
        shutil.copy(news / name, both / Path(name).name)
    assert _cli("corpus", "ingest", str(both), "--store", store)[0] == 0
    (both / "a.md").unlink()
    code, out = _cli("corpus", "ingest", str(both), "--store", store, "--json")
    assert code == 0, out
    assert json.loads(out)["removed_docs"] == ["port-1"]


# ---- kind 8: what an agent reads is budgeted, not clipped ------------------------------

LONG_CASE = CASES / "14-long-chunks"


def _long_chunk_run(root: Path, chunk_size: int, corpus: Path = LONG_CASE / "news") -> Path:
    """Case 14's scenario (`chunk_size` as given) on the fake models; returns the run folder."""
    data = load_yaml((LONG_CASE / "scenario.yaml").read_text(encoding="utf-8")).data
    data["world"]["corpus"] = str(corpus)
    data["retrieval"]["chunk_size"] = chunk_size
    data["models"] = {"agent": "fake", "critic": "fake"}
    with fake_models():
        settings_ = load_settings(cache_dir=root / "cache", embedding_model="fake")
        result = run_scenario(
            Scenario.model_validate(data), settings_, root / "runs", run_id="long", use_cache=False
        )
    return result.run_dir


def _events(run_dir: Path, event: str) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "traces.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("event") == event]


def _news_line(prompt: str) -> str:
    """The task's own `News:` line: the last one in a few-shot prompt."""
    return prompt.rsplit("\nNews: ", 1)[1].split("\n", 1)[0]


def test_the_long_chunks_case_runs_and_its_trace_names_every_sentence_read(cli_env: Path) -> None:
    scenario = (LONG_CASE / "scenario.yaml").read_text(encoding="utf-8")
    case = cli_env / "case"
    shutil.copytree(LONG_CASE / "news", case / "news")
    (case / "scenario.yaml").write_text(scenario + "models: {agent: fake, critic: fake}\n")
    out = cli_env / "runs"
    code, text = _cli("run", str(case / "scenario.yaml"), "--out", str(out), "-q")
    assert code == 0, text
    (run_dir,) = out.iterdir()
    (retrieval,) = _events(run_dir, "retrieval")
    chunks = {c["chunk_id"]: c["text"] for c in retrieval["chunks"]}
    assert max(map(len, chunks.values())) > 10_000  # the case: chunks far longer than a prompt
    (facts,) = _events(run_dir, "facts")
    assert facts["facts"], "a writer reads at least one sentence of its news"
    for fact in facts["facts"]:
        # Named by chunk and offsets, and whole: exactly that span of the retrieved chunk.
        assert chunks[fact["chunk_id"]][fact["start"] : fact["end"]] == fact["text"]
        assert 6 <= len(fact["text"].split()) <= 45
    read = [f["text"] for f in facts["facts"]]
    for call in _events(run_dir, "model_call"):
        assert _news_line(call["messages"][0]["content"]) == " ".join(read)
    for inputs in _events(run_dir, "critic_inputs"):
        assert inputs["facts"] == read  # the critic judges against what the writer read


@pytest.mark.parametrize("chunk_size", [700, 4000, 20000])
def test_a_writer_reads_exactly_the_traced_sentences_at_any_chunk_size(
    tmp_path: Path, chunk_size: int
) -> None:
    run_dir = _long_chunk_run(tmp_path, chunk_size)
    (retrieval,) = _events(run_dir, "retrieval")
    chunks = {c["chunk_id"]: c["text"] for c in retrieval["chunks"]}
    assert max(map(len, chunks.values())) <= chunk_size
    (facts,) = _events(run_dir, "facts")
    read = [f["text"] for f in facts["facts"]]
    (call,) = [c for c in _events(run_dir, "model_call") if c["step"] == "draft"]
    prompt = call["messages"][0]["content"]
    assert _news_line(prompt) == " ".join(read)
    # Nothing else of the chunks reaches the model: no other sentence, and no prefix of a
    # chunk (what a clip to the first N characters would send).
    others = {
        chunk[start:end]
        for chunk in chunks.values()
        for start, end in sentence_spans(chunk)
        if chunk[start:end] not in read and len(chunk[start:end].split()) >= 6
    }
    assert others, "the chunks hold more than the sentences read"
    assert not [s for s in others if s in prompt]


FILLER = [
    "The city museum opened a new hall of old carpets and copper pots this week.",
    "A children's choir from the north sang at the spring festival in the park.",
    "The national library extended its opening hours on Saturdays for students.",
    "Fishermen on the coast reported a quiet season with calm seas and clear skies.",
]
ON_TOPIC = "Diesel rose from 0.90 to 1.30 ADH per litre after the government cut fuel subsidies."


@pytest.mark.parametrize("where", [0.0, 0.5, 0.97])
def test_the_sentence_a_writer_reads_can_come_from_anywhere_in_a_long_chunk(where: float) -> None:
    from scenariosim.agents.facts import choose_facts
    from scenariosim.agents.schemas import ContextChunk
    from scenariosim.models import make_embeddings

    sentences = [FILLER[i % len(FILLER)] for i in range(240)]  # ~18,000 characters
    sentences.insert(int(where * len(sentences)), ON_TOPIC)
    text = " ".join(sentences)
    chunk = ContextChunk(chunk_id="d#0", doc_id="d", title="t", outlet="o", date="2026-08-14",
                         text=text, score=1.0)  # fmt: skip
    (fact,) = choose_facts(
        [chunk], "diesel price rise fuel subsidy cut", "a bus driver", make_embeddings("local"), 0
    )
    assert fact.text == ON_TOPIC
    assert text[fact.start : fact.end] == ON_TOPIC
    if where > 0.5:
        assert fact.start > 10_000  # far past any clip to the first few hundred characters


def test_a_sentence_longer_than_a_fact_is_never_read_in_part() -> None:
    from scenariosim.agents.facts import MAX_WORDS, candidate_sentences
    from scenariosim.agents.schemas import ContextChunk

    long = "The council said that " + " ".join(["fares"] * MAX_WORDS) + " would rise."
    text = f"{FILLER[0]} {long} {FILLER[1]}"
    chunk = ContextChunk(chunk_id="d#0", doc_id="d", title="t", outlet="o", date="2026-08-14",
                         text=text, score=1.0)  # fmt: skip
    read = [f.text for f in candidate_sentences([chunk])]
    assert read == [FILLER[0], FILLER[1]]  # skipped whole, never cut to fit


def _long_word_chunk(words: list[str]) -> ContextChunk:
    text = f"{FILLER[0]} The council said that {' '.join(words)} would change fares. {FILLER[1]}"
    return ContextChunk(chunk_id="d#0", doc_id="d", title="t", outlet="o", date="2026-08-14",
                        text=text, score=1.0)  # fmt: skip


@pytest.mark.parametrize(
    "word",
    [
        "dieselpricesubsidyreform" * 20,  # a long token run: a URL, a hash, unspaced script
        "şəhərlərarası" * 12,  # non-ASCII letters: two bytes each
        "https://example.org/" + "a1" * 60,
    ],
)
def test_a_sentence_over_the_byte_budget_is_skipped_whole_and_the_trace_says_so(
    word: str,
) -> None:
    from scenariosim.agents.facts import MAX_FACT_BYTES, candidate_sentences, reading

    chunk = _long_word_chunk([word] * 8)
    long_sentence = chunk.text[len(FILLER[0]) + 1 : chunk.text.index(FILLER[1]) - 1]
    assert len(long_sentence.split()) <= 45 < len(long_sentence.encode("utf-8")) // 10
    assert len(long_sentence.encode("utf-8")) > MAX_FACT_BYTES
    facts = candidate_sentences([chunk])
    assert [f.text for f in facts] == [FILLER[0], FILLER[1]]  # never cut to fit
    read = reading([chunk], facts)
    assert read["sentences_too_long"] == 1 and read["sentences_usable"] == 2
    assert read["chars_not_read"] == len(chunk.text) - len(FILLER[0]) - len(FILLER[1])


@pytest.mark.slow
def test_facts_at_the_byte_budget_fit_the_local_models_context_window() -> None:
    from scenariosim.agents.calls import AgentModel
    from scenariosim.agents.facts import MAX_FACT_BYTES, candidate_sentences
    from scenariosim.agents.persona_agent import draw, post_prompt
    from scenariosim.agents.schemas import DraftLabels, PersonaCard
    from scenariosim.models import ChatOptions, make_chat_model
    from scenariosim.scenario import LINE_TOKENS

    # The worst case a fact can be: as many bytes as allowed, each byte its own token.
    chunk = _long_word_chunk(["ə" * 50] * 4)
    (fact,) = [f for f in candidate_sentences([chunk]) if "ə" in f.text]
    assert MAX_FACT_BYTES - 60 < len(fact.text.encode("utf-8")) <= MAX_FACT_BYTES
    persona = PersonaCard(id="p", name="Kanan Aliyev", age=45, sex="male", province="Karavan",
                          occupation="farmer", description="A farmer.")  # fmt: skip
    labels = DraftLabels(stance="neutral", emotion="anger")
    chat = make_chat_model("local", load_settings(), ChatOptions(max_tokens=LINE_TOKENS))
    prompt = post_prompt(persona, [fact, fact, fact], labels, seed=1)  # k = 3 facts
    texts, call = draw(prompt, AgentModel("local", chat), 2, 1, LINE_TOKENS)
    assert call.error is None and len(texts) == 2
    assert call.input_tokens < 4096 - LINE_TOKENS


# ---- kind 9: a budget too small for any answer is refused at load ----------------------


@pytest.mark.parametrize("budget", [16, 17, 50, 95])
def test_a_budget_too_small_for_any_answer_is_refused_naming_the_smallest_that_fits(
    budget: int,
) -> None:
    text = f"name: x\nmodels:\n  agent: local\n  max_tokens: {budget}\nphases:\n{PHASE}"
    with pytest.raises(ConfigError) as caught:
        parse_scenario(text, "s.yaml")
    message = str(caught.value)
    assert "s.yaml, line 4: 'models.max_tokens'" in message
    assert f"{budget} tokens cannot hold one post or reply" in message
    assert "at least 96" in message


@pytest.mark.parametrize("budget", [96, 320, 8192])
def test_a_budget_that_holds_a_post_is_kept(budget: int) -> None:
    text = f"name: x\nmodels:\n  max_tokens: {budget}\nphases:\n{PHASE}"
    assert parse_scenario(text, "s.yaml").models.max_tokens == budget


def test_a_budget_set_with_set_is_judged_by_the_same_rule() -> None:
    """`--set models.max_tokens=40` (replay, sweep) goes through the scenario's validator."""
    scenario = parse_scenario(f"name: x\nphases:\n{PHASE}", "s.yaml")
    with pytest.raises(ConfigError, match=r"40 tokens cannot hold one post or reply.*at least 96"):
        apply_overrides(scenario, {"models.max_tokens": parse_value("40")})


def test_a_candidate_cut_by_the_budget_is_named_by_its_finish_reason() -> None:
    from scenariosim.agents.calls import CallRecord
    from scenariosim.agents.schemas import CandidateVerdict, CheckResults, Critique
    from scenariosim.graph.nodes.critique_candidates import _name_length_cuts
    from scenariosim.text_rules import cut_off

    texts = ["The drivers parked their lorries and I think that the", "Prices rose again today."]
    verdicts = [
        CandidateVerdict(index=i, text=t, checks=CheckResults(cut_off=cut_off(t)), score=1)
        for i, t in enumerate(texts)
    ]
    call = CallRecord(spec="local", schema="text", seed=1, messages=[])
    call.finish_reasons = ["length", "length"]
    critique = Critique(verdict="reject", score=1, reasons=[], checks=CheckResults(),
                        candidates=verdicts)  # fmt: skip
    named = _name_length_cuts(critique, call)
    cut = "cut off by max_tokens=96 (finish reason length)"
    assert cut in named.candidates[0].reasons
    # Stopped at the budget but ending a sentence: a whole text, not named as cut.
    assert cut not in named.candidates[1].reasons


# ---- kind 10: every exported table loads ------------------------------------------------


def _finished(root: Path, posts: int, seed: int) -> Path:
    """A finished one-phase run with `posts` posts and no comments or images; its dataset."""
    scenario = Scenario.model_validate(
        {
            "name": "posts only",
            "seed": seed,
            "personas": {"n": 2},
            "models": {"agent": "fake", "critic": "fake"},
            "phases": [{"id": "a", "date": "2026-08-01", "title": "Prices rise",
                        "event": "Diesel rose from 0.90 to 1.30 ADH per litre.",
                        "posts": posts, "comments": 0, "images": 0}],
        }
    )  # fmt: skip
    old = os.environ.get("SCENARIOSIM_CACHE_DIR")
    with fake_models():
        settings_ = load_settings(cache_dir=root / "cache", embedding_model="fake")
        result = run_scenario(scenario, settings_, root / "runs", run_id="p1", use_cache=False)
    assert old == os.environ.get("SCENARIOSIM_CACHE_DIR")
    return result.dataset_dir


@pytest.fixture(scope="module")
def empty_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run that wrote no comments and no images (nor posts: every table empty)."""
    return _finished(tmp_path_factory.mktemp("nothing"), posts=0, seed=4)


@pytest.fixture(scope="module")
def posts_only_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run with posts and no comments or images, like a demo without threads."""
    dataset = _finished(tmp_path_factory.mktemp("posts-only"), posts=2, seed=4)
    assert len(pd.read_parquet(dataset / "posts.parquet")) > 0
    assert len(pd.read_parquet(dataset / "comments.parquet")) == 0
    assert len(pd.read_parquet(dataset / "images.parquet")) == 0
    return dataset


def _parquet_files(dataset: Path) -> list[Path]:
    return sorted(dataset.rglob("*.parquet"))


def _streamed(path: Path, builder: str = "parquet", **options):
    import datasets

    return datasets.load_dataset(
        builder, data_files=str(path), split="train", streaming=True, **options
    )


@pytest.mark.parametrize("run", ["empty_run", "posts_only_run"])
def test_every_parquet_file_loads_with_datasets_and_pandas_with_its_schema(
    run: str, request: pytest.FixtureRequest
) -> None:
    import datasets
    import pyarrow.parquet as pq

    dataset: Path = request.getfixturevalue(run)
    files = _parquet_files(dataset)
    assert {"comments.parquet", "images.parquet", "posts.parquet"} <= {f.name for f in files}
    for file in files:
        rows = len(pd.read_parquet(file))
        features = datasets.Features.from_arrow_schema(pq.read_schema(file))
        assert datasets.Dataset(pq.read_table(file)).num_rows == rows, file
        streamed = _streamed(file)
        assert streamed.features == features, file
        assert sum(1 for _ in streamed) == rows, file
        if rows:  # datasets 5.2 builds no split of 0 rows (see the next test)
            loaded = datasets.load_dataset(
                "parquet", data_files=str(file), split="train", cache_dir=str(dataset.parent / "hf")
            )
            assert loaded.num_rows == rows and loaded.features == features, file


def test_datasets_still_cannot_build_a_split_of_zero_rows(empty_run: Path) -> None:
    """Upstream: `make_file_instructions` drops a file with 0 rows to take, then
    `ArrowReader.read` raises (huggingface/datasets PR #8401, open). When this test fails,
    datasets loads 0 rows: give empty tables a card config and simplify docs/outputs.md."""
    import datasets

    with pytest.raises(ValueError, match="corresponds to no data"):
        datasets.load_dataset(
            "parquet",
            data_files=str(empty_run / "comments.parquet"),
            split="train",
            cache_dir=str(empty_run.parent / "hf-zero"),
        )


@pytest.mark.parametrize("table", ["posts", "comments", "image_prompts", "images", "critiques"])
def test_an_empty_table_loads_as_zero_rows_with_its_columns(empty_run: Path, table: str) -> None:
    import datasets
    import pyarrow.parquet as pq

    from scenariosim.outputs.tables import SCHEMAS

    loaded = datasets.Dataset(pq.read_table(empty_run / f"{table}.parquet"))
    assert loaded.num_rows == 0
    assert {name for name, _, _ in SCHEMAS[table]} <= set(loaded.column_names)
    assert list(pd.read_parquet(empty_run / f"{table}.parquet").columns) == loaded.column_names
    streamed = _streamed(empty_run / f"{table}.parquet")
    assert list(streamed.features) == loaded.column_names and list(streamed) == []


@pytest.mark.parametrize("run", ["empty_run", "posts_only_run"])
def test_every_config_the_card_lists_loads_with_load_dataset(
    run: str, request: pytest.FixtureRequest
) -> None:
    import datasets

    dataset: Path = request.getfixturevalue(run)
    card = (dataset / "README.md").read_text(encoding="utf-8").split("---")[1]
    configs = [c["config_name"] for c in load_yaml(card).data["configs"]]
    with_rows = [t for t in TABLE_ORDER if len(pd.read_parquet(dataset / f"{t}.parquet"))]
    assert configs == with_rows  # a config for every table with rows, none for an empty one
    for config in configs:
        loaded = datasets.load_dataset(str(dataset), config, cache_dir=str(dataset.parent / "hf"))
        rows = sum(part.num_rows for part in loaded.values())
        assert rows == len(pd.read_parquet(dataset / f"{config}.parquet"))


def test_the_card_names_the_empty_tables_and_how_to_read_them(posts_only_run: Path) -> None:
    card = (posts_only_run / "README.md").read_text(encoding="utf-8")
    assert "Empty in this run: comments, image_prompts, images" in card
    assert "datasets.Dataset(pyarrow.parquet.read_table(path))" in card
    assert "streaming=True" in card and "datasets#8401" in card


def _documented_block() -> str:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text()
    return doc.split("```python\nimport datasets")[1].split("```")[0]


def test_every_documented_loading_line_works_on_a_run_without_comments_or_images(
    posts_only_run: Path,
) -> None:
    code = "import datasets" + _documented_block()
    assert code.count("comments.parquet") >= 3 and "comments.jsonl" in code
    code = code.replace('folder = "outputs/<run>/dataset"', f"folder = {str(posts_only_run)!r}")
    names: dict = {}
    exec(code, names)
    assert sum(part.num_rows for part in names["posts"].values()) > 0
    assert names["comments"].num_rows == 0 and len(names["frame"]) == 0
    assert list(names["streamed"]) == [] and names["streamed"].features is not None
    assert set(names["streamed"].features) == set(names["frame"].columns)
    assert list(names["from_jsonl"]) == [] and names["from_jsonl"].features is not None


@pytest.mark.parametrize("run", ["empty_run", "posts_only_run"])
def test_every_jsonl_table_loads_with_pandas_and_datasets(
    run: str, request: pytest.FixtureRequest
) -> None:
    import datasets
    import pyarrow.parquet as pq

    dataset: Path = request.getfixturevalue(run)
    files = sorted(dataset.glob("*.jsonl"))
    assert len(files) == len(TABLE_ORDER)
    for file in files:
        parquet = file.with_suffix(".parquet")
        rows = len(pd.read_parquet(parquet))
        assert len(pd.read_json(file, lines=True)) == rows, file
        # JSON lines hold no schema: datasets reads an empty file with the Parquet's features.
        features = datasets.Features.from_arrow_schema(pq.read_schema(parquet))
        assert sum(1 for _ in _streamed(file, "json", features=features)) == rows, file
