"""Bad input at every entry point: scenario files, census files, corpora, CLI arguments.

Each case writes its files into an empty folder and runs one CLI command on them. Every
case must exit with code 2 and print one `Error:` line that names the file or key and
says what to do, with no traceback, and leave the files on disk as they were.

docs/failure-modes.md is generated from the same cases (`python tests/test_bad_input.py
> docs/failure-modes.md`, also run by `make docs`); a test keeps it in step.
"""

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fake_backends import fake_models
from typer.testing import CliRunner

from scenariosim.agents.calls import AgentModel
from scenariosim.cli import app
from scenariosim.graph.run import run_scenario
from scenariosim.personas.standin import CENSUS_DIR
from scenariosim.scenario import Scenario
from scenariosim.settings import load_settings

pytestmark = pytest.mark.faults

REPO = Path(__file__).resolve().parents[1]
CASE_FILES = Path(__file__).resolve().parent / "bad_input_cases"  # inputs users sent in
DOC = REPO / "docs" / "failure-modes.md"
CALLS = AgentModel("any", None)  # type: ignore[arg-type]  # the retry defaults runs use
PHASE = "  - {id: a, date: 2026-08-01, title: Prices rise, event: Diesel rose.}\n"
GOOD_DOC = (
    "---\nid: fuel-1\ntitle: Diesel\noutlet: Ses Online\ndate: 2026-08-01\n---\nDiesel rose.\n"
)


@dataclass(frozen=True)
class Case:
    id: str
    entry: str  # scenario file, census file, corpus, command line
    what: str  # the mistake, as the docs name it
    setup: Callable[[Path], list[str]]  # writes files into the folder, returns CLI args
    expect: tuple[str, ...]  # what the message must contain (file or key, and the fix)
    fakes: bool = False  # setup and command run with the `fake` chat and embedding models


def _scenario(folder: Path, text: str) -> list[str]:
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    (folder / "runs").mkdir()  # the outputs folder, as a user has it
    return ["run", str(path), "--out", str(folder / "runs")]


def _scenario_with(body: str) -> Callable[[Path], list[str]]:
    return lambda folder: _scenario(folder, body)


def _census_csv(folder: Path, edit: Callable[[pd.DataFrame, pd.DataFrame], None]) -> Path:
    """A 20-household CSV census cut from the shipped sample, changed by `edit`."""
    households = pd.read_parquet(CENSUS_DIR / "households.parquet").head(20)
    people = pd.read_parquet(CENSUS_DIR / "individuals.parquet")
    people = people[people["hid"].isin(households["hid"])].copy()
    edit(households, people)
    census = folder / "census"
    census.mkdir()
    households.to_csv(census / "households.csv", index=False)
    people.to_csv(census / "individuals.csv", index=False)
    return census


def _census(edit: Callable[[pd.DataFrame, pd.DataFrame], None]) -> Callable[[Path], list[str]]:
    return lambda folder: ["personas", "census", str(_census_csv(folder, edit))]


def _truncated_stata(folder: Path) -> list[str]:
    census = folder / "census"
    census.mkdir()
    households = pd.read_parquet(CENSUS_DIR / "households.parquet").head(50)
    full = folder / "full.dta"
    households.to_stata(full, write_index=False)
    data = full.read_bytes()
    full.unlink()
    (census / "WLD_2023_SYNTH-SVY-HLD-EN_v01_M.dta").write_bytes(data[: len(data) // 2])
    people = pd.read_parquet(CENSUS_DIR / "individuals.parquet").head(5)
    people.to_csv(census / "individuals.csv", index=False)
    return ["personas", "census", str(census)]


def _empty_census(folder: Path) -> list[str]:
    census = folder / "census"
    census.mkdir()
    (census / "households.csv").write_text("", encoding="utf-8")
    (census / "individuals.csv").write_text("", encoding="utf-8")
    return ["personas", "census", str(census)]


def _drop(column: str) -> Callable[[pd.DataFrame, pd.DataFrame], None]:
    def edit(households: pd.DataFrame, people: pd.DataFrame) -> None:
        households.pop(column)

    return edit


def _set(table: str, column: str, value: object) -> Callable[[pd.DataFrame, pd.DataFrame], None]:
    def edit(households: pd.DataFrame, people: pd.DataFrame) -> None:
        frame = households if table == "households" else people
        frame[column] = frame[column].astype(object)
        frame.loc[frame.index[3], column] = value

    return edit


def _corpus_run(folder: Path, files: dict[str, bytes]) -> list[str]:
    """A scenario whose corpus folder holds `files`."""
    corpus = folder / "corpus"
    corpus.mkdir()
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    return _scenario(folder, f"name: x\nworld: {{corpus: corpus}}\nphases:\n{PHASE}")


def _corpus(files: dict[str, bytes]) -> Callable[[Path], list[str]]:
    return lambda folder: _corpus_run(folder, files)


def _huge(folder: Path) -> list[str]:
    return _corpus_run(folder, {"huge.md": b"\x00" + b"x" * (8 * 1024 * 1024)})


def _duplicate_ids(folder: Path) -> list[str]:
    _corpus_run(folder, {"a.md": GOOD_DOC.encode(), "b.md": GOOD_DOC.encode()})
    corpus, store = str(folder / "corpus"), str(folder / "store")
    return ["corpus", "ingest", corpus, "--strict", "--store", store]


def _run_folder_without_traces(folder: Path) -> list[str]:
    (folder / "runs" / "r1").mkdir(parents=True)
    return ["trace", "r1", "--out", str(folder / "runs")]


def _case_file(name: str) -> Callable[[Path], list[str]]:
    """A scenario file a user sent in (tests/bad_input_cases/), run as it is."""
    return lambda folder: _scenario(folder, (CASE_FILES / name).read_text(encoding="utf-8"))


def _zero_counts_with(*options: str) -> Callable[[Path], list[str]]:
    """11-zero-counts.yaml, run with command-line options."""
    return lambda folder: [*_case_file("11-zero-counts.yaml")(folder), *options]


def _corpus_ingest(name: str, *options: str) -> Callable[[Path], list[str]]:
    """`corpus ingest` of a folder of tests/bad_input_cases/, into <dir>/store."""

    def setup(folder: Path) -> list[str]:
        shutil.copytree(CASE_FILES / name, folder / "corpus")
        return ["corpus", "ingest", str(folder / "corpus"), "--store", str(folder / "store")]

    return setup


def _ingest_twice(first: str, second: str) -> Callable[[Path], list[str]]:
    """13-collection-names: ingest ports/ with `first` options, then farms/ with `second`."""

    def setup(folder: Path) -> list[str]:
        shutil.copytree(CASE_FILES / "13-collection-names", folder / "news")
        store = str(folder / "store")
        ports = ["corpus", "ingest", str(folder / "news" / "ports"), "--store", store]
        done = CliRunner().invoke(app, [*ports, *shlex.split(first)])
        assert done.exit_code == 0, done.output
        farms = ["corpus", "ingest", str(folder / "news" / "farms"), "--store", store]
        return [*farms, *shlex.split(second)]

    return setup


RUN_ID = "r1"


def _finished_run(folder: Path) -> Path:
    """A finished one-phase run `r1` in <dir>/runs on the fake models, its own census and
    corpus in <dir>; returns the run folder."""
    census = _census_csv(folder, lambda households, people: None)
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "fuel.md").write_text(GOOD_DOC, encoding="utf-8")
    scenario = Scenario.model_validate(
        {
            "name": "resume",
            "seed": 3,
            "world": {"corpus": str(corpus)},
            "personas": {"n": 2, "census": str(census)},
            "models": {"agent": "fake", "critic": "fake"},
            "phases": [
                {
                    "id": "a",
                    "date": "2026-08-01",
                    "title": "t",
                    "event": "e",
                    "posts": 0,  # no model calls: resume checks folder and inputs
                    "comments": 0,
                    "images": 0,
                }
            ],
        }
    )
    run_scenario(scenario, load_settings(), folder / "runs", run_id=RUN_ID, use_cache=False)
    return folder / "runs" / RUN_ID


def _resume_after(damage: Callable[[Path, Path], None]) -> Callable[[Path], list[str]]:
    """A finished run, damaged by `damage(folder, run_dir)`, then `run --resume r1`."""

    def setup(folder: Path) -> list[str]:
        run_dir = _finished_run(folder)
        damage(folder, run_dir)
        return ["run", "--resume", RUN_ID, "--out", str(folder / "runs")]

    return setup


def _cut_resolved(folder: Path, run_dir: Path) -> None:
    shutil.copyfile(CASE_FILES / "08-resolved-cut-in-half.yaml", run_dir / "scenario.resolved.yaml")


def _garbage_checkpoints(folder: Path, run_dir: Path) -> None:
    for extra in ("-wal", "-shm"):
        (run_dir / f"checkpoints.sqlite{extra}").unlink(missing_ok=True)
    (run_dir / "checkpoints.sqlite").write_bytes(b"this is not a database\n" * 100)


def _no_checkpoints(folder: Path, run_dir: Path) -> None:
    for extra in ("", "-wal", "-shm"):
        (run_dir / f"checkpoints.sqlite{extra}").unlink(missing_ok=True)


def _other_thread(folder: Path, run_dir: Path) -> None:
    with contextlib.closing(sqlite3.connect(run_dir / "checkpoints.sqlite")) as db:
        db.execute("UPDATE checkpoints SET thread_id = 'someone-else'")
        db.execute("UPDATE writes SET thread_id = 'someone-else'")
        db.commit()


def _record_of_another_phase(folder: Path, run_dir: Path) -> None:
    record = {"id": "x-1", "kind": "post", "phase_id": "gone", "text": "From another run."}
    with (run_dir / "records.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def _census_changed(folder: Path, run_dir: Path) -> None:
    households = pd.read_parquet(CENSUS_DIR / "households.parquet").iloc[20:40]
    people = pd.read_parquet(CENSUS_DIR / "individuals.parquet")
    people = people[people["hid"].isin(households["hid"])]
    households.to_csv(folder / "census" / "households.csv", index=False)
    people.to_csv(folder / "census" / "individuals.csv", index=False)


def _corpus_changed(folder: Path, run_dir: Path) -> None:
    (folder / "corpus" / "more.md").write_text(
        GOOD_DOC.replace("fuel-1", "fuel-2").replace("Diesel rose.", "Bread rose."),
        encoding="utf-8",
    )


CASES = [
    Case(
        "yaml-syntax",
        "scenario file",
        "YAML syntax error",
        _scenario_with("name: x\nphases: [\n  - {id: a\n"),
        ("scenario.yaml, line", "not valid YAML", "Fix the syntax"),
    ),
    Case(
        "yaml-not-mapping",
        "scenario file",
        "a list instead of a mapping",
        _scenario_with("- name: x\n"),
        ("scenario.yaml", "'name' and 'phases'"),
    ),
    Case(
        "yaml-unknown-key",
        "scenario file",
        "unknown key (misspelt `seed`)",
        _scenario_with(f"name: x\nseeed: 3\nphases:\n{PHASE}"),
        ("line 2", "unknown key 'seeed'", "check its spelling"),
    ),
    Case(
        "yaml-wrong-type",
        "scenario file",
        "wrong type (`seed: many`)",
        _scenario_with(f"name: x\nseed: many\nphases:\n{PHASE}"),
        ("line 2", "'seed'", "integer", "Fix the value"),
    ),
    Case(
        "yaml-empty-phases",
        "scenario file",
        "no phases (`phases: []`)",
        _scenario_with("name: x\nphases: []\n"),
        ("'phases'", "at least 1 item", "Fix the value"),
    ),
    Case(
        "yaml-missing-phases",
        "scenario file",
        "`phases` left out",
        _scenario_with("name: x\n"),
        ("'phases'", "required", "Fix the value"),
    ),
    Case(
        "yaml-negative-count",
        "scenario file",
        "negative count (`posts: -1`)",
        _scenario_with(
            "name: x\nphases:\n  - {id: a, date: 2026-08-01, title: t, event: e, posts: -1}\n"
        ),
        ("line 3", "'phases.0.posts'", "greater than or equal to 0"),
    ),
    Case(
        "yaml-bad-date",
        "scenario file",
        "impossible date (`2026-02-30`)",
        _scenario_with("name: x\nphases:\n  - {id: a, date: 2026-02-30, title: t, event: e}\n"),
        ("line 3", "'phases.0.date'"),
    ),
    Case(
        "yaml-duplicate-phase",
        "scenario file",
        "two phases with one id",
        _scenario_with(f"name: x\nphases:\n{PHASE}{PHASE}"),
        ("phase id 'a' is used twice",),
    ),
    Case(
        "yaml-unknown-model",
        "scenario file",
        "unknown model spec (`models.agent: gpt:4`)",
        _scenario_with(f"name: x\nmodels: {{agent: 'gpt:4'}}\nphases:\n{PHASE}"),
        ("models.agent", "unknown chat model spec 'gpt:4'", "must be one of"),
    ),
    Case(
        "yaml-not-utf8",
        "scenario file",
        "not UTF-8 (Latin-1 bytes)",
        lambda folder: (
            (folder / "scenario.yaml").write_bytes(b"name: caf\xe9\nphases: []\n"),
            ["run", str(folder / "scenario.yaml"), "--out", str(folder / "runs")],
        )[1],
        ("scenario.yaml", "UTF-8"),
    ),
    Case(
        "yaml-missing-file",
        "scenario file",
        "file does not exist",
        lambda folder: ["run", str(folder / "nope.yaml")],
        ("scenario file not found", "nope.yaml", "Check the path"),
    ),
    Case(
        "yaml-missing-census",
        "scenario file",
        "`personas.census` names no file",
        _scenario_with(f"name: x\npersonas: {{census: nowhere}}\nphases:\n{PHASE}"),
        ("census path not found", "nowhere", "Point it at a folder"),
    ),
    Case(
        "census-truncated-stata",
        "census file",
        "truncated Stata file",
        _truncated_stata,
        ("HLD-EN_v01_M.dta", "cannot be read as a Stata file", "Download it again"),
    ),
    Case(
        "census-missing-column",
        "census file",
        "missing column (`hhweight`)",
        _census(_drop("hhweight")),
        ("households.csv", "missing column 'hhweight'", "add the column"),
    ),
    Case(
        "census-wrong-code",
        "census file",
        "value outside the codebook (`urbrur` = 7)",
        _census(_set("households", "urbrur", 7)),
        ("households.csv", "urbrur", "codebook", "recode it"),
    ),
    Case(
        "census-not-a-number",
        "census file",
        "text in a numeric column (`age` = 'old')",
        _census(_set("people", "age", "old")),
        ("individuals.csv", "age", "should hold numbers", "fix the value"),
    ),
    Case(
        "census-empty",
        "census file",
        "empty files",
        _empty_census,
        ("households.csv", "cannot be read as CSV", "header row"),
    ),
    Case(
        "census-no-files",
        "census file",
        "folder without census files",
        lambda folder: ["personas", "census", str(folder)],
        ("no household file in", "whose name contains"),
    ),
    Case(
        "corpus-empty-folder",
        "corpus",
        "empty folder",
        _corpus({}),
        ("no documents in", "corpus", "add files of these types"),
    ),
    Case(
        "corpus-binary",
        "corpus",
        "only a binary file",
        _corpus({"photo.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}),
        ("photo.md", "binary file", "convert it to text"),
    ),
    Case(
        "corpus-latin1",
        "corpus",
        "only a file in another encoding (Latin-1)",
        _corpus({"news.md": "Le café a fermé.".encode("latin-1")}),
        ("news.md", "not UTF-8", "re-save it as UTF-8"),
    ),
    Case(
        "corpus-huge",
        "corpus",
        "only a huge (8 MB) binary file",
        _huge,
        ("huge.md", "binary file"),
    ),
    Case(
        "corpus-empty-file",
        "corpus",
        "only an empty file",
        _corpus({"blank.md": b"\n\n"}),
        ("blank.md", "empty file"),
    ),
    Case(
        "corpus-bad-front-matter",
        "corpus",
        "front matter never closed",
        _corpus({"open.md": b"---\nid: x\ntitle: t\nDiesel rose.\n"}),
        ("open.md", "front matter is not closed", "add a '---' line"),
    ),
    Case(
        "corpus-duplicate-ids",
        "corpus",
        "two documents with one id (strict ingest)",
        _duplicate_ids,
        ("duplicate id 'fuel-1'", "b.md"),
    ),
    Case(
        "corpus-missing",
        "corpus",
        "corpus path does not exist",
        lambda folder: _scenario(
            folder, f"name: x\nworld: {{corpus: no-such-folder}}\nphases:\n{PHASE}"
        ),
        ("no-such-folder",),
    ),
    Case(
        "cli-missing-run",
        "command line",
        "`run --resume` of a run that does not exist",
        lambda folder: ["run", "--resume", "no-such-run", "--out", str(folder)],
        ("no run 'no-such-run'", "check the id"),
    ),
    Case(
        "cli-no-scenario",
        "command line",
        "`run` with neither a file nor --resume",
        lambda folder: ["run"],
        ("missing scenario file", "scenariosim run scenarios/demo.yaml"),
    ),
    Case(
        "cli-file-and-resume",
        "command line",
        "`run` with both a file and --resume",
        lambda folder: ["run", "scenarios/demo.yaml", "--resume", "x"],
        ("not both",),
    ),
    Case(
        "cli-trace-missing-run",
        "command line",
        "`trace` of a run that does not exist",
        lambda folder: ["trace", "no-such-run", "--out", str(folder)],
        ("no-such-run",),
    ),
    Case(
        "cli-trace-no-traces",
        "command line",
        "`trace` of a folder that is not a run",
        _run_folder_without_traces,
        ("r1",),
    ),
    Case(
        "cli-bad-filter",
        "command line",
        "`personas sample --where` naming no column",
        lambda folder: ["personas", "sample", "--where", "shoe_size > 40"],
        ("shoe_size",),
    ),
    Case(
        "cli-bad-filter-syntax",
        "command line",
        "`personas sample --where` that does not parse",
        lambda folder: ["personas", "sample", "--where", "age >>= 3"],
        ("'age >>= 3'", "is not a valid filter", "Columns:"),
    ),
    Case(
        "cli-bad-age-range",
        "command line",
        "`personas sample --age` that is not a range",
        lambda folder: ["personas", "sample", "--age", "old"],
        ("--age", "18-35"),
    ),
    Case(
        "cli-bad-region",
        "command line",
        "`personas sample --region` naming no region",
        lambda folder: ["personas", "sample", "--region", "Atlantis"],
        ("Atlantis",),
    ),
    Case(
        "cli-eval-missing-run",
        "command line",
        "`eval` of a run that does not exist",
        lambda folder: ["eval", "no-such-run", "--out", str(folder)],
        ("no-such-run",),
    ),
    Case(
        "cli-export-missing-run",
        "command line",
        "`export` of a run that does not exist",
        lambda folder: ["export", "no-such-run", "--out", str(folder)],
        ("no-such-run",),
    ),
    # Kind 1 and 2 (issue 17): YAML as the author wrote it; a key written twice.
    Case(
        "yaml-duplicate-key",
        "scenario file",
        "a key written twice (a second `phases:` left from a draft)",
        _case_file("02-duplicate-key.yaml"),
        ("scenario.yaml, lines 5 and 16", "key 'phases' is written twice", "Keep one"),
    ),
    Case(
        "yaml-duplicate-nested-key",
        "scenario file",
        "a key written twice inside a section (`personas.n`)",
        _scenario_with(f"name: x\npersonas:\n  n: 2\n  where: age > 20\n  n: 3\nphases:\n{PHASE}"),
        ("lines 3 and 5", "'personas.n'", "written twice", "Keep one"),
    ),
    Case(
        "yaml-number-for-text",
        "scenario file",
        "an id YAML 1.1 would read as octal (`id: 0123`) where the id must be a slug",
        _scenario_with(
            "name: x\nphases:\n  - {id: 0123, date: 2026-08-01, title: t, event: e}\n"
            "  - {id: 123, date: 2026-08-02, title: t, event: e}\n"
            "  - {id: 0123, date: 2026-08-03, title: t, event: e}\n"
        ),
        ("phase id '0123' is used twice",),
    ),
    # Kind 5: every value, from the file or the command line, by the scenario's rules.
    Case(
        "cli-negative-seed",
        "command line",
        "`run --seed -1`",
        _zero_counts_with("--seed", "-1"),
        ("--seed -1", "greater than or equal to 0", "same rule"),
    ),
    Case(
        "cli-huge-seed",
        "command line",
        "`run --seed 99999999999999999999999` (more than any seed holds)",
        _zero_counts_with("--seed", "99999999999999999999999"),
        ("--seed 99999999999999999999999", "less than or equal to 2147483647"),
    ),
    Case(
        "cli-zero-concurrency",
        "command line",
        "`run --concurrency 0`",
        _zero_counts_with("--concurrency", "0"),
        ("--concurrency 0", "greater than or equal to 1"),
    ),
    Case(
        "cli-personas-negative-seed",
        "command line",
        "`personas sample --seed -1`",
        lambda folder: ["personas", "sample", "--n", "2", "--seed", "-1"],
        ("--seed -1", "greater than or equal to 0", "same rule"),
    ),
    Case(
        "yaml-huge-seed",
        "scenario file",
        "a seed too big for the models and tables (`seed: 4294967296`)",
        _scenario_with(f"name: x\nseed: 4294967296\nphases:\n{PHASE}"),
        ("line 2", "'seed'", "less than or equal to 2147483647"),
    ),
    Case(
        "yaml-tiny-max-tokens",
        "scenario file",
        "an output budget too small for any answer (`models.max_tokens: 16`)",
        _case_file("15-tiny-max-tokens.yaml"),
        ("line 6", "'models.max_tokens'", "16 tokens cannot hold", "at least 96"),
    ),
    Case(
        "corpus-front-matter-duplicate-key",
        "corpus",
        "front matter with a key written twice",
        _corpus({"dup.md": b"---\nid: a\ntitle: One\ntitle: Two\n---\nDiesel rose.\n"}),
        ("dup.md", "lines 3 and 4", "'title' is written twice"),
    ),
    # Kind 7: store identities never collide silently.
    Case(
        "corpus-names-collide",
        "corpus",
        "two corpus names that normalise to one collection (`Team News`, `team_news`)",
        _ingest_twice("--name 'Team News'", "--name team_news"),
        ("'team_news'", "already holds corpus 'Team News'", "--name"),
        fakes=True,
    ),
    Case(
        "corpus-ingest-would-remove",
        "corpus",
        "an ingest of another folder under the same name (it would remove the first's documents)",
        _ingest_twice("--name shared", "--name shared"),
        ("would remove 1 document(s)", "port-1", "nothing was changed", "--replace"),
        fakes=True,
    ),
    # Kind 6: resume checks the run folder and its inputs before it touches anything.
    Case(
        "resume-cut-resolved",
        "resume",
        "`scenario.resolved.yaml` cut in half",
        _resume_after(_cut_resolved),
        ("scenario.resolved.yaml", "incomplete", "cut short", "restore it"),
        fakes=True,
    ),
    Case(
        "resume-garbage-checkpoints",
        "resume",
        "`checkpoints.sqlite` that is not a database",
        _resume_after(_garbage_checkpoints),
        ("checkpoints.sqlite", "not a readable checkpoint database", "restore it"),
        fakes=True,
    ),
    Case(
        "resume-no-checkpoints",
        "resume",
        "`checkpoints.sqlite` removed",
        _resume_after(_no_checkpoints),
        ("checkpoints.sqlite", "missing", "start a new run"),
        fakes=True,
    ),
    Case(
        "resume-other-thread",
        "resume",
        "`checkpoints.sqlite` of another run",
        _resume_after(_other_thread),
        ("checkpoints.sqlite", "no checkpoint of run 'r1'", "someone-else"),
        fakes=True,
    ),
    Case(
        "resume-unknown-phase",
        "resume",
        "`records.jsonl` holding a phase the scenario lacks",
        _resume_after(_record_of_another_phase),
        ("records.jsonl", "phase 'gone'", "phases: a"),
        fakes=True,
    ),
    Case(
        "resume-census-changed",
        "resume",
        "the census replaced between the crash and the resume",
        _resume_after(_census_changed),
        ("inputs differ", "persona_ids", "census", "restore them"),
        fakes=True,
    ),
    Case(
        "resume-corpus-changed",
        "resume",
        "a document added to the corpus between the crash and the resume",
        _resume_after(_corpus_changed),
        ("inputs differ", "corpus_fingerprint", "--allow-changed-inputs"),
        fakes=True,
    ),
]


@dataclass(frozen=True)
class Outcome:
    command: str  # as a user would type it, with the case folder shown as <dir>
    exit_code: int
    output: str  # stdout and stderr, with the case folder shown as <dir>
    before: dict[str, str]  # file -> sha256, after setup
    after: dict[str, str]  # file -> sha256, after the command


def _files(folder: Path) -> dict[str, str]:
    """Every file (by content hash) and folder under `folder`."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } | {f"{p.relative_to(folder)}/": "folder" for p in folder.rglob("*") if p.is_dir()}


@contextlib.contextmanager
def _models(case: Case) -> Iterator[None]:
    if not case.fakes:
        yield
        return
    with fake_models():
        yield


def run_case(case: Case, folder: Path) -> Outcome:
    folder.mkdir(parents=True, exist_ok=True)
    names = ("COLUMNS", "SCENARIOSIM_CACHE_DIR", "SCENARIOSIM_EMBEDDING_MODEL")
    old = {k: os.environ.get(k) for k in names}
    os.environ["COLUMNS"] = "10000"  # one message, one line: no wrapping by rich
    os.environ["SCENARIOSIM_CACHE_DIR"] = str(folder / "cache")
    if case.fakes:
        os.environ["SCENARIOSIM_EMBEDDING_MODEL"] = "fake"
    try:
        with _models(case):
            args = case.setup(folder)
            before = _files(folder)
            result = CliRunner().invoke(app, args)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def shown(text: str) -> str:
        return text.replace(str(folder.resolve()), "<dir>").replace(str(folder), "<dir>")

    output = shown(result.output)
    if result.exception and not isinstance(result.exception, SystemExit):
        output += f"\n(raised {type(result.exception).__name__}: {result.exception})"
    command = shown(shlex.join(["scenariosim", *args]))
    return Outcome(command, result.exit_code, output, before, _files(folder))


def error_message(outcome: Outcome) -> str:
    lines = [line for line in outcome.output.splitlines() if line.startswith("Error: ")]
    return lines[0].removeprefix("Error: ") if len(lines) == 1 else ""


@pytest.fixture(scope="module")
def outcome_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Outcome]:
    """Each case run once, in its own folder, however many tests look at it."""
    root = tmp_path_factory.mktemp("bad-input")
    done: dict[str, Outcome] = {}

    def get(case: Case) -> Outcome:
        if case.id not in done:
            done[case.id] = run_case(case, root / case.id)
        return done[case.id]

    return get


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_exits_2_with_one_message_naming_what_to_fix(case: Case, outcome_of) -> None:
    outcome = outcome_of(case)
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    message = error_message(outcome)
    assert message, f"expected exactly one 'Error:' line, got: {outcome.output}"
    for part in case.expect:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_leaves_the_files_on_disk_unchanged(case: Case, outcome_of) -> None:
    outcome = outcome_of(case)
    changed = {k for k in outcome.before if outcome.after.get(k) != outcome.before[k]}
    added = set(outcome.after) - set(outcome.before)
    if case.entry != "resume":  # a refused ingest or run may leave an empty store or cache
        added = {k for k in added if not k.startswith(("cache/", "store/"))}
    # A refused resume measured its inputs on copies of the caches: the run folder, the
    # census cache, the Chroma store and the reference library are all as they were.
    assert changed == set(), "a refused command changes no file (nor cache/ for a resume)"
    assert added == set(), "a failed command leaves no run folder or output behind"


def failure_modes_markdown(outcome_of: Callable[[Case], Outcome]) -> str:
    """docs/failure-modes.md: every case and the message a user sees."""
    out = [
        "# Failure modes: bad input and what you see",
        "",
        "Generated from the cases in `tests/test_bad_input.py` by `make docs`; a test keeps it",
        "in step. Every case exits with code 2 and prints one `Error:` line (no traceback;",
        "`scenariosim -v ...` adds one) and leaves the files on disk as they were. `<dir>` is",
        "the folder the case ran in.",
        "",
        "## While a run runs",
        "",
        "| fault | what happens |",
        "| --- | --- |",
        "| a model times out, the connection fails, the server errors | the call is retried "
        "(3 attempts) after a backoff that doubles from 0.5 s, at most 60 s per wait |",
        "| a rate limit (429) with a retry-after | the wait is at least what the server asked "
        '(attribute, `retry-after` header, or "retry in Ns" in the message), at most 60 s |',
        "| invalid JSON or an empty answer | retried at once with a new seed |",
        "| every attempt fails | the artifact is recorded in `rejected.jsonl` with status "
        "`failed` and the reason (`no valid draft: TimeoutError: ...`); the run goes on; "
        "`scenariosim replay RUN --retry-failed` runs the failed ones again in a fork |",
        "| the process is killed | `records.jsonl`, `rejected.jsonl` and `traces.jsonl` keep every "
        "finished line (a torn last line is skipped and reported); final files are written "
        "under a temporary name and renamed; `scenariosim run --resume <run_id>` ends with the "
        "dataset an uninterrupted run gives, with no record twice |",
        "",
        "`traces.jsonl` counts every attempt (`attempts`), each retry's reason (`retries`) and "
        "wait (`waits_s`), and the final `error`; `scenariosim trace <run_id>` sums them per "
        "node. The tests behind this page (fault injection, kill and resume, bad input, "
        "untrusted text, secrets) run alone with `python -m pytest -m faults`.",
        "",
        "## By kind: read as written, repaired, or refused before anything changes",
        "",
        "Each kind is tested beyond the cases below in `tests/test_bad_input_kinds.py`.",
        "",
        "| kind | what happens |",
        "| --- | --- |",
        "| values YAML 1.1 would change (`no`, `yes`, `0123`, `12:30`, `2026-08-15`) | every YAML "
        "file (scenarios, front matter, resolved scenarios, gazetteers, query files) is read with "
        "YAML 1.2 core types, and a field that wants text gets the text as written (`id: 0123` "
        "is `0123`, `language: no` is `no`); numbers and dates are read where the field wants "
        "them |",
        "| a key written twice in one mapping, at any depth | refused in every YAML file, naming "
        "the file, both lines and the key |",
        "| text that is not clean Unicode (a lone surrogate from a cut emoji escape, control "
        "characters) in any field of any corpus format | repaired (U+FFFD; control characters "
        "removed) and the document kept; `corpus ingest` prints a `repaired` line naming the "
        "file, line and key |",
        "| a CSV with `;`, tab or `\\|` separators, a decimal comma or a byte-order mark (census "
        "and corpus) | read as such; a census column written in another case or with spaces is "
        "named, not asked for; a file named .dta that is not Stata is not called truncated |",
        "| a value out of bounds from a file, the command line or the environment | judged by "
        "the scenario's own rules (`seed` 0 to 2147483647, `concurrency` 1 to 256) before any "
        "work: exit 2, no run folder |",
        "| `run --resume` of a damaged folder or with changed inputs | the resolved scenario, "
        "the checkpoint database, the records' phases, then the persona ids, corpus and "
        "references fingerprints, embedding model and output budgets are checked before "
        "anything is written (the inputs are opened on scratch copies of the census cache, "
        "Chroma store and reference library); a refused resume leaves every file in the run "
        "folder and under the cache dir byte for byte; "
        "`--allow-changed-inputs` continues with a changed corpus, references or embedding "
        "model and records both under `resumed_with_changed_inputs` (changed personas never "
        "resume) |",
        "| corpus names and stores | a name that maps to a collection holding another name's "
        "corpus is refused; an ingest never removes documents another folder's ingest added "
        "unless `--replace`; `corpus query --store S` searches the one corpus S holds (or asks "
        "which) and prints which it searched |",
        "| chunks far longer than a prompt (`retrieval.chunk_size: 20000`) | a writer reads "
        "chosen sentences, never a clipped chunk: one or two whole sentences of 6 to 45 words "
        "and at most 480 bytes (an upper bound on their tokens, whatever the script or word "
        "length) from anywhere in its retrieved chunks (a longer sentence is skipped whole), "
        "and the critic judges against the same ones; the `facts` trace event names each by "
        "chunk id and character offsets and counts what was not read (`reading`: sentences "
        "too long, too short or markup, characters not read) |",
        "| an output budget too small for any answer (`models.max_tokens` below 96) | refused "
        "when the scenario loads, naming the smallest budget that holds a post or reply (96); "
        "a candidate cut off by the budget is refused with `cut off by max_tokens=96 (finish "
        "reason length)` and the next round draws with new seeds |",
        "| a run with no comments or no images | every table is written with its columns; an "
        "empty one has no rows and no card config (`datasets.load_dataset` builds no split of "
        '0 rows, huggingface/datasets#8401) and loads with `datasets.load_dataset("parquet", '
        'data_files=path, split="train", streaming=True)`, '
        "`datasets.Dataset(pyarrow.parquet.read_table(path))` or pandas, with every column; "
        "see docs/outputs.md |",
        "",
    ]
    for entry in dict.fromkeys(c.entry for c in CASES):
        out += [f"## {entry}", "", "| mistake | command | message |", "| --- | --- | --- |"]
        for case in (c for c in CASES if c.entry == entry):
            outcome = outcome_of(case)
            command = outcome.command.replace("|", "\\|")
            message = error_message(outcome).replace("|", "\\|")
            out.append(f"| {case.what} | `{command}` | {message} |")
        out.append("")
    return "\n".join(out)


def test_failure_modes_doc_lists_every_case_with_its_message(outcome_of) -> None:
    assert DOC.read_text(encoding="utf-8") == failure_modes_markdown(outcome_of), (
        "run `make docs` (or python tests/test_bad_input.py > docs/failure-modes.md)"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        sys.stdout.write(failure_modes_markdown(lambda case: run_case(case, Path(tmp) / case.id)))
