"""The calibration set, its harvester and `scenariosim critic eval` (issue 16, items 3-5)."""

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from fake_chat import ScriptedChatModel
from fake_run import fake_run, fake_scenario
from langchain_core.embeddings import DeterministicFakeEmbedding
from typer.testing import CliRunner

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.critic import CriticPolicy, critique_candidates
from scenariosim.agents.schemas import RubricScores
from scenariosim.cli import app
from scenariosim.evaluation import critic_eval
from scenariosim.evaluation.calibration import (
    CalibrationRow,
    HarvestedDraft,
    assemble_set,
    load_set,
    split_of,
)
from scenariosim.evaluation.critic_eval import (
    combined_accepts,
    evaluate_rows,
    figures,
    inputs_of,
)

REPO = Path(__file__).resolve().parents[1]
NEWS = "Diesel will rise from 0.90 to 1.30 ADH per litre at every station in Karavan."
GOOD_POST = "I can't stop worrying about diesel going up at every station. It hurts my family."
COPIED_POST = NEWS
PERSONA = {
    "id": "p1",
    "name": "Sakina Aliyeva",
    "age": 41,
    "sex": "female",
    "province": "Karavan Province",
    "occupation": "teacher",
    "description": "Sakina Aliyeva, 41, a teacher in Karavan Province.",
}


def _tool(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ids_in(split: str, n: int) -> list[str]:
    """The first `n` ids of the form r<i> that `split_of` puts in `split`."""
    found = []
    i = 0
    while len(found) < n:
        if split_of(f"r{i}") == split:
            found.append(f"r{i}")
        i += 1
    return found


def row(row_id: str, text: str = GOOD_POST, label: str = "good", **changes: Any) -> dict:
    data = {
        "id": row_id,
        "run_id": "run-1",
        "task_id": f"phase-0-post-{row_id}",
        "phase_id": "phase-0",
        "persona_id": "p1",
        "kind": "post",
        "critic_kind": "post",
        "text": text,
        "persona": PERSONA,
        "labels": {"stance": "support_protest", "emotion": "fear"},
        "facts": [NEWS],
        "support": f"{NEWS} Sakina Aliyeva Karavan Province",
        "topic": NEWS,
        "copy_sources": {"the news": NEWS},
        "label": label,
        "reason": "fine" if label == "good" else "grounded: copied news",
        "labeller": "reader-1",
        "rubric_version": "quality-v1",
        "split": split_of(row_id),
    }
    data.update(changes)
    return data


def write_set(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_cli(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    """`critic eval` embeds with a deterministic fake instead of loading MiniLM."""
    monkeypatch.setattr(
        "scenariosim.cli.critic.make_embeddings",
        lambda spec, settings: DeterministicFakeEmbedding(size=16),
    )


# Bad input: exit 2 naming the line and the fix.


def test_a_label_other_than_good_or_bad_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = write_set(tmp_path / "set-v1.jsonl", [row("r0"), row("r1", label="ok")])
    result = run_cli(["critic", "eval", "--set", str(path), "--no-rubric"])
    assert result.exit_code == 2
    assert "line 2" in result.output and "'ok' is not good or bad" in result.output
    assert "Traceback" not in result.output


def test_a_missing_field_exits_2_naming_the_line_and_the_field(tmp_path: Path) -> None:
    broken = row("r1")
    del broken["reason"]
    path = write_set(tmp_path / "set-v1.jsonl", [row("r0"), broken])
    result = run_cli(["critic", "eval", "--set", str(path), "--no-rubric"])
    assert result.exit_code == 2
    assert "line 2: missing field 'reason'" in result.output


def test_a_duplicate_id_exits_2_naming_both_lines(tmp_path: Path) -> None:
    path = write_set(tmp_path / "set-v1.jsonl", [row("r0"), row("r1"), row("r0")])
    result = run_cli(["critic", "eval", "--set", str(path), "--no-rubric"])
    assert result.exit_code == 2
    assert "line 3: id r0 is already on line 1" in result.output


def test_an_unknown_rubric_version_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = write_set(tmp_path / "set-v1.jsonl", [row("r0", rubric_version="quality-v9")])
    result = run_cli(["critic", "eval", "--set", str(path), "--no-rubric"])
    assert result.exit_code == 2
    assert "line 1: rubric_version 'quality-v9' is not one the project knows" in result.output
    assert "quality-v1" in result.output


def test_a_critic_verdict_in_a_set_row_is_refused(tmp_path: Path) -> None:
    path = write_set(tmp_path / "set-v1.jsonl", [row("r0", verdict="accept")])
    with pytest.raises(Exception, match="line 1: unknown field 'verdict'"):
        load_set(path)


def test_a_row_moved_to_the_other_split_is_refused(tmp_path: Path) -> None:
    heldout = ids_in("heldout", 1)[0]
    path = write_set(tmp_path / "set-v1.jsonl", [row(heldout, split="tune")])
    with pytest.raises(Exception, match="line 1: split 'tune' but the id's hash puts it in"):
        load_set(path)


def test_a_missing_set_file_says_how_to_make_one(tmp_path: Path) -> None:
    result = run_cli(["critic", "eval", "--set", str(tmp_path / "none.jsonl"), "--no-rubric"])
    assert result.exit_code == 2
    assert "tools/harvest_drafts.py" in result.output


# Figures.


def test_figures_equal_the_hand_computed_ones_on_a_ten_row_table() -> None:
    # 4 accepted-good, 1 accepted-bad, 2 rejected-good, 3 rejected-bad.
    accepted = [True] * 5 + [False] * 5
    good = [True, True, True, True, False, True, True, False, False, False]
    f = figures(accepted, good)
    # agreement (4 + 3) / 10; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa (0.7 - 0.5) / 0.5.
    assert f.agreement.value == 0.7
    assert f.cohen_kappa.value == 0.4
    assert f.precision.value == 0.8  # 4 of 5 accepted are good
    assert f.bad_caught.value == 0.75  # 3 of 4 bad are rejected
    assert (f.accepted_good, f.accepted_bad, f.rejected_good, f.rejected_bad) == (4, 1, 2, 3)


def test_kappa_is_zero_when_the_critic_accepts_everything() -> None:
    f = figures([True] * 4, [True, True, False, False])
    assert f.cohen_kappa.value == 0.0 and f.bad_caught.value == 0.0 and f.precision.value == 0.5


def test_precision_is_undefined_when_nothing_was_accepted() -> None:
    f = figures([False, False, False], [True, False, False])
    assert f.precision.value is None and f.precision.low is None
    assert f.bad_caught.value == 1.0


def test_the_bootstrap_interval_is_seeded_and_brackets_the_value() -> None:
    accepted = [True] * 12 + [False] * 8
    good = [True] * 9 + [False] * 3 + [True] * 2 + [False] * 6
    first, second = figures(accepted, good), figures(accepted, good)
    assert first == second
    for name in ("agreement", "cohen_kappa", "precision", "bad_caught"):
        interval = getattr(first, name)
        assert interval.low < interval.value < interval.high


# The split.


def test_the_split_is_stable_and_holds_out_about_a_third() -> None:
    ids = [f"{i:016x}" for i in range(3000)]
    splits = [split_of(i) for i in ids]
    assert splits == [split_of(i) for i in ids]
    share = splits.count("heldout") / len(ids)
    assert 0.30 < share < 0.37
    assert set(splits) == {"tune", "heldout"}


def test_a_built_set_gets_each_rows_split_from_its_id() -> None:
    drafts = [
        HarvestedDraft.model_validate(
            {k: v for k, v in row(i).items() if k in HarvestedDraft.model_fields}
        )
        for i in ("a", "b", "c")
    ]
    labels = [
        {"id": i, "label": "good", "reason": "ok", "labeller": "r1", "rubric_version": "quality-v1"}
        for i in ("a", "c")
    ]
    rows = assemble_set(drafts, labels)
    assert [r.id for r in rows] == ["a", "c"]
    assert [r.split for r in rows] == [split_of("a"), split_of("c")]


# The harvester.


def test_the_harvester_writes_labeller_rows_without_any_verdict(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    fake_run(run_dir, fake_scenario(1))
    out = tmp_path / "drafts.jsonl"
    assert _tool("harvest_drafts").main([str(run_dir), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    verdicts = [
        json.loads(line) for line in (tmp_path / "drafts.verdicts.jsonl").read_text().splitlines()
    ]
    assert {r["kind"] for r in rows} == {"post", "comment", "image_prompt"}
    forbidden = {"verdict", "task_verdict", "chosen", "score", "reasons", "checks", "rubric"}
    assert all(not forbidden & set(r) for r in rows)
    assert all("accept" not in json.dumps(r) for r in rows)
    assert [v["id"] for v in verdicts] == [r["id"] for r in rows]
    assert all(r["attributes"] for r in rows if r["kind"] == "image_prompt")
    assert all(r["persona"]["id"] == r["persona_id"] and r["facts"] for r in rows)


def test_the_harvester_keeps_one_row_per_distinct_text(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    _, traces, _ = fake_run(run_dir, fake_scenario(1))
    drawn = [
        (t["node"], c["text"]) for t in traces if t["event"] == "critique" for c in t["candidates"]
    ]
    out = tmp_path / "drafts.jsonl"
    _tool("harvest_drafts").main([str(run_dir), "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(set(drawn)) < len(drawn)


def test_harvested_rows_judged_again_get_the_verdict_the_run_gave(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    fake_run(run_dir, fake_scenario(1))
    out = tmp_path / "drafts.jsonl"
    _tool("harvest_drafts").main([str(run_dir), "--out", str(out)])
    verdicts = {
        v["id"]: v
        for v in map(json.loads, (tmp_path / "drafts.verdicts.jsonl").read_text().splitlines())
    }
    embeddings = DeterministicFakeEmbedding(size=16)
    names = frozenset({"Karavan Province", "Ses Online"})  # the fake run's gazetteer
    for line in out.read_text().splitlines():
        data = json.loads(line) | {
            "label": "good", "reason": "x", "labeller": "t", "rubric_version": "quality-v1",
        }  # fmt: skip
        data["split"] = split_of(data["id"])
        labelled = CalibrationRow.model_validate(data)
        judged = critic_eval.judge_rows([labelled], embeddings, None, 3.0, names)[0]
        assert judged.checks == verdicts[labelled.id]["checks_passed"], labelled.text


# The command.


def test_critic_eval_json_gives_each_figure_of_the_checks(
    tmp_path: Path, fake_embeddings: None
) -> None:
    heldout = ids_in("heldout", 4)
    rows = [
        row(heldout[0]),
        row(heldout[1], COPIED_POST, "bad"),
        row(heldout[2], COPIED_POST, "bad"),
        row(heldout[3], "Prices rise again and I wonder what comes next for us all.", "bad"),
    ]
    path = write_set(tmp_path / "set-v1.jsonl", [*rows, row(ids_in("tune", 1)[0])])
    result = run_cli(["critic", "eval", "--set", str(path), "--no-rubric", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["set_version"], report["split"], report["n"]) == ("set-v1", "heldout", 4)
    assert report["rubric"] is None and report["model"] is None
    checks = report["checks"]
    assert {"precision", "bad_caught", "cohen_kappa", "agreement"} <= set(checks)
    assert checks["bad_caught"]["value"] == pytest.approx(checks["rejected_bad"] / 3)
    assert checks["rejected_bad"] >= 2  # the two copied news sentences
    assert set(checks["by_kind"]) == {"post"}


def test_the_rubric_is_asked_once_per_row_of_the_chosen_split_only(
    tmp_path: Path, fake_embeddings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    heldout, tune = ids_in("heldout", 2), ids_in("tune", 3)
    path = write_set(tmp_path / "set-v1.jsonl", [row(i) for i in heldout + tune])
    chat = ScriptedChatModel()
    scores = {"coherence": 4, "groundedness": 4, "persona_fit": 4, "labels_carried": 4}
    chat.enqueue(json.dumps(scores | {"safety": 5}), json.dumps(scores | {"safety": 1}))
    monkeypatch.setattr("scenariosim.cli.critic.make_chat_model", lambda *a: chat)
    result = run_cli(["critic", "eval", "--set", str(path), "--json", "--model", "scripted"])
    assert result.exit_code == 0, result.output
    assert len(chat.history) == 2
    report = json.loads(result.output)
    assert report["model"] == "scripted"
    assert report["rubric"]["n"] == 2 and report["rubric"]["accepted_good"] == 1


@pytest.mark.parametrize(
    "scores",
    [
        (4, 4, 4, 4, 4),
        (5, 5, 5, 5, 1),  # a dimension at its floor blocks
        (2, 2, 1, 2, 2),
        (2, 2, 2, 2, 2),
    ],
)
def test_the_combined_verdict_is_the_verdict_a_run_gives_with_the_rubric_voting(
    scores: tuple[int, ...],
) -> None:
    labelled = CalibrationRow.model_validate(row("r0"))
    embeddings = DeterministicFakeEmbedding(size=16)
    inputs = inputs_of(labelled, frozenset())
    names = ("coherence", "groundedness", "persona_fit", "labels_carried", "safety")
    rubric = RubricScores(**dict(zip(names, scores, strict=True)))
    chat = ScriptedChatModel()
    chat.enqueue(rubric.model_dump_json())
    critique, _ = critique_candidates(
        [labelled.text],
        inputs,
        embeddings,
        AgentModel("scripted", chat),
        1,
        CriticPolicy(threshold=3.0, use_rubric=True),
    )
    candidate = critique.candidates[0]
    ours = combined_accepts(not candidate.reasons, candidate.score, rubric, 3.0)
    assert ours == (critique.verdict == "accept")


def test_evaluate_rows_reports_the_rubric_hash_and_date() -> None:
    labelled = CalibrationRow.model_validate(row("r0"))
    report = evaluate_rows(
        [labelled],
        DeterministicFakeEmbedding(size=16),
        None,
        3.0,
        set_path="x.jsonl",
        set_version="x",
        split="all",
        known_names=frozenset(),
    )
    assert report.rubric_hash and report.date and report.checks.n == 1


@pytest.mark.slow
def test_the_recorded_figures_of_the_checks_are_what_they_measure_today() -> None:
    from scenariosim.agents.calibration import checks_measured
    from scenariosim.evaluation.calibration import DEFAULT_SET, load_set, set_version
    from scenariosim.evaluation.critic_eval import evaluate_rows
    from scenariosim.models import make_embeddings

    recorded = checks_measured()
    rows = [r for r in load_set(DEFAULT_SET) if r.split == recorded["split"]]
    assert set_version(DEFAULT_SET) == recorded["set_version"] and len(rows) == recorded["n"]
    report = evaluate_rows(
        rows, make_embeddings("local"), None, 3.0,
        set_path=str(DEFAULT_SET), set_version=recorded["set_version"], split=recorded["split"],
    )  # fmt: skip
    # A change to the checks or the set changes these: measure again and record them
    # (scenariosim critic eval --no-rubric --json; docs/critic.md).
    assert report.checks.precision.value == recorded["precision"]["value"]
    assert report.checks.bad_caught.value == recorded["bad_caught"]["value"]
