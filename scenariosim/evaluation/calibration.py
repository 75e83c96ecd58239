"""The critic's calibration set: drafts from real runs, labelled blind, split once.

Three files, one row model each:

- harvested drafts (`HarvestedDraft`, `harvest_runs`): one row per distinct candidate text a
  run's writers drew (accepted and rejected; posts, comments, image prompts) with everything
  needed to judge it again offline: the persona card, the labels, the facts, every text the
  writer saw (`support`), what it must be about (`topic`), the texts it must not copy and,
  for image prompts, the attributes the planner assigned. This is what labellers read; it
  holds nothing of the critic's verdict.
- the critic's verdicts at draw time (`DrawVerdict`), keyed by the same id, in a separate
  file that labellers never see.
- the labelled set (`CalibrationRow`, `load_set`): a harvested row plus `label` (good|bad),
  a one-line `reason`, `labeller`, `rubric_version` (docs/quality.md) and `split`.

The split is fixed by the id: `split_of(id)` hashes `SPLIT_SEED:id` with SHA-256 and sends
one id in three to `heldout` (never used for tuning), the rest to `tune`. A row's stored
split must equal it, so nobody can move a held-out row into the tuning part by editing it.
"""

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenariosim.agents.schemas import DraftLabels, PersonaCard
from scenariosim.errors import InputFileError
from scenariosim.jsonl import numbered_lines
from scenariosim.outputs.run_folder import open_run

CALIBRATION_DIR = Path(__file__).parents[1] / "data" / "calibration"
DEFAULT_SET = CALIBRATION_DIR / "set-v4.jsonl"  # the current writer's drafts (docs/critic.md)
# Versions of docs/quality.md's rubric the project knows; a label made with another is refused.
RUBRIC_VERSIONS = ("quality-v1",)
SPLIT_SEED = "scenariosim-calibration-v1"
HELDOUT_SHARE = 3  # one id in this many is held out
Kind = Literal["post", "comment", "image_prompt"]
KIND_OF_NODE: dict[str, Kind] = {
    "write_post": "post",
    "write_comment": "comment",
    "write_image_prompt": "image_prompt",
}
KINDS: tuple[Kind, ...] = ("post", "comment", "image_prompt")
Label = Literal["good", "bad"]
Split = Literal["tune", "heldout"]


class HarvestedDraft(BaseModel):
    """One candidate text with what its writer was given: what a labeller reads and what
    `critic eval` rebuilds the critic's inputs from. No verdict, score or reason."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="sha256 of run id, task id, attempt and candidate index, 16 hex.")
    run_id: str
    scenario: str = Field("", description="The scenario's name, when the run folder has it.")
    task_id: str = Field(description="The task, which is the record id when it was accepted.")
    phase_id: str
    persona_id: str
    kind: Kind
    critic_kind: str = Field(description="What the critic was told it judges: post, reply...")
    writer_model: str = Field("", description="Spec of the model that drew the text.")
    text: str = Field(min_length=1)
    persona: PersonaCard
    labels: DraftLabels
    facts: list[str]
    support: str
    topic: str
    copy_sources: dict[str, str] = Field(description="Without the few-shot examples.")
    attributes: dict[str, bool] | None = Field(None, description="Image prompts: the picture's.")


class DrawVerdict(BaseModel):
    """What the critic said of one harvested draft when it was drawn. Never shown to labellers."""

    id: str
    run_id: str
    task_id: str
    attempt: int
    index: int
    task_verdict: Literal["accept", "reject"]
    chosen: bool = Field(description="This candidate was the one kept.")
    checks_passed: bool
    score: float
    reasons: list[str]
    rubric: dict[str, Any] | None = None
    rubric_note: str = ""
    duplicates: int = Field(0, description="Further draws of the same text that were dropped.")


class CalibrationRow(HarvestedDraft):
    """A labelled row of the calibration set (docs/critic.md)."""

    label: Label
    reason: str = Field(min_length=1, description="One line: the first rubric question failed.")
    labeller: str = Field(min_length=1)
    rubric_version: str
    split: Split
    coherent: bool | None = None
    in_voice: bool | None = None
    grounded: bool | None = None
    labels_carried: bool | None = None


def draft_id(run_id: str, task_id: str, attempt: int, index: int) -> str:
    """Stable id of one drawn candidate: 16 hex digits of sha256 over its coordinates."""
    key = f"{run_id}\x1f{task_id}\x1f{attempt}\x1f{index}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def split_of(row_id: str) -> Split:
    """`heldout` for one id in `HELDOUT_SHARE`, by SHA-256 of `SPLIT_SEED:id`; else `tune`."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{row_id}".encode()).digest()
    return "heldout" if int.from_bytes(digest[:8], "big") % HELDOUT_SHARE == 0 else "tune"


def _writer_models(traces: list[dict[str, Any]]) -> dict[tuple[str, int], str]:
    return {
        (t["task_id"], int(t.get("attempt", 0))): str(t.get("spec", ""))
        for t in traces
        if t.get("event") == "model_call" and t.get("step") == "draft" and "task_id" in t
    }


def _image_attributes(traces: list[dict[str, Any]]) -> dict[str, dict[str, bool]]:
    attributes: dict[str, dict[str, bool]] = {}
    for t in traces:
        if t.get("event") == "node" and t.get("node") == "plan_images":
            attributes.update(t.get("attributes") or {})
    return attributes


def harvest_run(run_dir: Path) -> tuple[list[HarvestedDraft], list[DrawVerdict]]:
    """Every candidate of every critique round in a run folder's `traces.jsonl`, in trace
    order, with the critic's verdict on it kept apart. Texts are not deduplicated here."""
    run = open_run(run_dir)
    scenario = str(run.scenario.get("name", ""))
    inputs: dict[tuple[str, int], dict[str, Any]] = {}
    writers = _writer_models(run.traces)
    attributes = _image_attributes(run.traces)
    drafts, verdicts = [], []
    for t in run.traces:
        node = t.get("node", "")
        if node not in KIND_OF_NODE or "task_id" not in t:
            continue
        key = (t["task_id"], int(t.get("attempt", 0)))
        if t.get("event") == "critic_inputs":
            inputs[key] = t
            continue
        if t.get("event") != "critique" or key not in inputs:
            continue
        given = inputs[key]
        run_id = str(t.get("run_id") or run.run_id)
        for candidate in t.get("candidates", []):
            if not str(candidate.get("text", "")).strip():
                continue
            row_id = draft_id(run_id, key[0], key[1], int(candidate["index"]))
            drafts.append(
                HarvestedDraft(
                    id=row_id,
                    run_id=run_id,
                    scenario=scenario,
                    task_id=key[0],
                    phase_id=str(given.get("phase_id", "")),
                    persona_id=str(given.get("persona_id", "")),
                    kind=KIND_OF_NODE[node],
                    critic_kind=str(given["kind"]),
                    writer_model=writers.get(key, ""),
                    text=candidate["text"],
                    persona=given["persona"],
                    labels=given["labels"],
                    facts=given["facts"],
                    support=given["support"],
                    topic=given["topic"],
                    copy_sources=given["copy_sources"],
                    attributes=attributes.get(key[0]) if node == "write_image_prompt" else None,
                )
            )
            verdicts.append(
                DrawVerdict(
                    id=row_id,
                    run_id=run_id,
                    task_id=key[0],
                    attempt=key[1],
                    index=int(candidate["index"]),
                    task_verdict=t["verdict"],
                    chosen=t.get("chosen") == candidate["index"],
                    checks_passed=not candidate.get("reasons"),
                    score=float(candidate.get("score", 1.0)),
                    reasons=list(candidate.get("reasons", [])),
                    rubric=t.get("rubric") if t.get("chosen") == candidate["index"] else None,
                    rubric_note=str(t.get("rubric_note", "")),
                )
            )
    return drafts, verdicts


def harvest_runs(run_dirs: Iterable[Path]) -> tuple[list[HarvestedDraft], list[DrawVerdict]]:
    """`harvest_run` over several folders, one row per distinct (kind, text): the first draw
    of a text is kept (a chosen draw is preferred over a rejected one of the same text), the
    others are counted in its verdict's `duplicates`. Rows are ordered by id, which is a
    hash, so a row's place says nothing about its verdict."""
    kept: dict[tuple[str, str], tuple[HarvestedDraft, DrawVerdict]] = {}
    dropped: dict[tuple[str, str], int] = {}
    for run_dir in run_dirs:
        for draft, verdict in zip(*harvest_run(run_dir), strict=True):
            key = (draft.kind, " ".join(draft.text.split()).casefold())
            if key not in kept:
                kept[key] = (draft, verdict)
                continue
            dropped[key] = dropped.get(key, 0) + 1
            if verdict.chosen and not kept[key][1].chosen:
                kept[key] = (draft, verdict)
    pairs = sorted(kept.items(), key=lambda item: item[1][0].id)
    drafts = [d for _, (d, _) in pairs]
    verdicts = [v.model_copy(update={"duplicates": dropped.get(k, 0)}) for k, (_, v) in pairs]
    return drafts, verdicts


def _describe(error: dict[str, Any], row: dict[str, Any]) -> str:
    """One pydantic error as a sentence with its fix."""
    loc = ".".join(str(p) for p in error["loc"])
    field = str(error["loc"][0]) if error["loc"] else ""
    if error["type"] == "missing":
        return f"missing field '{loc}': add it (harvested rows have it; labels add {_LABEL_KEYS})"
    if field == "label":
        return f'label {row.get("label")!r} is not good or bad: write "good" or "bad"'
    if field == "split":
        return f"split {row.get('split')!r} is not tune or heldout: write split_of(id)'s value"
    if error["type"] == "extra_forbidden":
        return (
            f"unknown field '{loc}': a set row holds the harvested fields and the label only "
            "(never the critic's verdict, score or reasons); remove it"
        )
    return f"field '{loc}': {error['msg']}; correct the value"


_LABEL_KEYS = "label, reason, labeller, rubric_version, split"


def _row_problems(row: dict[str, Any]) -> tuple[CalibrationRow | None, list[str]]:
    try:
        parsed = CalibrationRow.model_validate(row)
    except ValidationError as e:
        return None, [_describe(err, row) for err in e.errors()]
    problems = []
    if parsed.rubric_version not in RUBRIC_VERSIONS:
        problems.append(
            f"rubric_version {parsed.rubric_version!r} is not one the project knows "
            f"({', '.join(RUBRIC_VERSIONS)}): label it again with docs/quality.md's rubric "
            "and write its version"
        )
    if parsed.split != split_of(parsed.id):
        problems.append(
            f"split {parsed.split!r} but the id's hash puts it in {split_of(parsed.id)!r}: "
            f"write {split_of(parsed.id)!r} (the split is fixed by the id, see split_of)"
        )
    return parsed, problems


def load_set(path: Path) -> list[CalibrationRow]:
    """The labelled rows of a calibration set file, every line validated.

    Raises `InputFileError` naming the file, each bad line and its fix: a line that is not
    a JSON object, a missing or unknown field, a label other than good/bad, a duplicate id,
    a rubric version not in `RUBRIC_VERSIONS`, a split that is not the id's.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(
            f"{path}: no calibration set there. Harvest drafts with tools/harvest_drafts.py, "
            "have them labelled blind (docs/quality.md), build the set with "
            "tools/build_calibration_set.py, or pass --set FILE"
        ) from None
    rows: list[CalibrationRow] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in numbered_lines(text):
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {number}: not JSON ({e.msg}): write one JSON object a line")
            continue
        if not isinstance(data, dict):
            problems.append(f"line {number}: not a JSON object: write one object a line")
            continue
        parsed, found = _row_problems(data)
        problems.extend(f"line {number}: {p}" for p in found)
        row_id = str(data.get("id", ""))
        if row_id and row_id in first_line:
            problems.append(
                f"line {number}: id {row_id} is already on line {first_line[row_id]}: "
                "a draft is in the set once; remove one of the two lines"
            )
        elif row_id:
            first_line[row_id] = number
        if parsed is not None and not found:
            rows.append(parsed)
    if problems:
        shown = problems[:10] + (
            [f"... and {len(problems) - 10} more"] if len(problems) > 10 else []
        )
        raise InputFileError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(shown))
    if not rows:
        raise InputFileError(f"{path}: no rows; a calibration set needs labelled drafts")
    return rows


def set_version(path: Path) -> str:
    """The set's version is its file name: `set-v1.jsonl` -> `set-v1`."""
    return path.name.removesuffix(".jsonl")


def assemble_set(
    drafts: list[HarvestedDraft], labels: list[dict[str, Any]]
) -> list[CalibrationRow]:
    """Join labellers' verdicts (docs/quality.md's lines: id, label, reason, labeller,
    rubric_version, and the four answers) to the harvested drafts, each with its split.

    Drafts nobody labelled are left out. An id labelled twice with the same label keeps the
    first reason and joins the labellers ("reader-1+reader-2"); two different labels for one
    id, or a label for an id that was not harvested, raise `InputFileError`: adjudicate or
    drop the line first.
    """
    by_id = {d.id: d for d in drafts}
    chosen: dict[str, dict[str, Any]] = {}
    problems = []
    for n, label in enumerate(labels, start=1):
        row_id = str(label.get("id", ""))
        if row_id not in by_id:
            problems.append(f"label {n}: id {row_id!r} is not among the harvested drafts")
        elif row_id in chosen and chosen[row_id].get("label") != label.get("label"):
            problems.append(
                f"label {n}: id {row_id} is labelled {chosen[row_id].get('label')!r} and "
                f"{label.get('label')!r}: adjudicate and keep one line"
            )
        elif row_id in chosen:
            first = chosen[row_id]
            first["labeller"] = f"{first['labeller']}+{label.get('labeller', '')}"
        else:
            chosen[row_id] = dict(label)
    if problems:
        raise InputFileError("labels do not fit the drafts:\n  " + "\n  ".join(problems[:10]))
    rows = []
    for row_id, label in sorted(chosen.items()):
        answers = {
            k: label[k]
            for k in ("label", "reason", "labeller", "rubric_version", *_ANSWERS)
            if k in label
        }
        data = by_id[row_id].model_dump(mode="json") | answers | {"split": split_of(row_id)}
        parsed, found = _row_problems(data)
        if found or parsed is None:
            raise InputFileError(f"label for {row_id}: {'; '.join(found)}")
        rows.append(parsed)
    return rows


_ANSWERS = ("coherent", "in_voice", "grounded", "labels_carried")
