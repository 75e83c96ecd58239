"""`scenariosim critic eval`: how well the critic's verdicts agree with blind human labels.

Every row of the calibration set (`calibration.load_set`) is judged again, offline:

- checks: the deterministic checks of `agents.critic.judge_candidates` on the row's text,
  with the critic's inputs rebuilt from the row (`inputs_of`): the shipped few-shot examples
  as a copy source, the shipped gazetteer's names, image label problems recomputed from the
  row's attributes. Accept when no check names a problem.
- rubric: the LLM rubric of one critic model (`agents.critic.rubric_prompt`, `RubricScores`)
  alone. Accept when its mean reaches the threshold and no dimension is at its floor (1).
  A row whose rubric call gave no usable answer has no rubric verdict (counted in
  `unanswered`, left out of the rubric's figures).
- combined: the verdict a run gives when the rubric votes (`critique_candidates` with
  `use_rubric`): the checks must pass; then the mean of the check score and the rubric
  mean must reach the threshold and no dimension may be at its floor. An unusable rubric
  leaves the checks to decide, as in a run.

Figures per verdict source, overall and per kind: n, agreement, Cohen's kappa, precision
(accepted that are good), bad caught (bad that are rejected); formulas in
`evaluation.agreement`. Each has a 95% percentile bootstrap interval (Efron 1979,
"Bootstrap methods: another look at the jackknife"; Efron & Tibshirani 1993, ch. 13):
rows resampled with replacement `BOOTSTRAP_RESAMPLES` times with a seeded NumPy generator,
the figure computed on each resample (resamples where it is undefined are skipped), and the
2.5th and 97.5th percentiles reported.
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, Field

from scenariosim.agents.calls import AgentModel, call_structured
from scenariosim.agents.checks import scene_label_problems
from scenariosim.agents.critic import (
    EXAMPLES_SOURCE,
    RUBRIC_FLOOR,
    CritiqueInputs,
    judge_candidates,
    rubric_hash,
    rubric_prompt,
    rubric_verdict,
)
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.schemas import RubricScores
from scenariosim.evaluation.agreement import FIGURES, cell_figures
from scenariosim.evaluation.calibration import KINDS, CalibrationRow
from scenariosim.knowledge.gazetteer import load_gazetteer

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20260816
CONFIDENCE = 0.95
SOURCES = ("checks", "rubric", "combined")


class Interval(BaseModel):
    """A figure with its 95% bootstrap interval; None where undefined on these rows."""

    value: float | None
    low: float | None
    high: float | None


class SourceFigures(BaseModel):
    """One verdict source on some rows: counts of the 2x2 table and the four figures."""

    n: int
    accepted_good: int
    accepted_bad: int
    rejected_good: int
    rejected_bad: int
    agreement: Interval
    cohen_kappa: Interval
    precision: Interval
    bad_caught: Interval


class SourceReport(SourceFigures):
    by_kind: dict[str, SourceFigures] = Field(default_factory=dict)
    unanswered: int = Field(0, description="Rows without a verdict from this source.")


class RowVerdict(BaseModel):
    """One row judged again: each source's accept (True) / reject (False) / None."""

    id: str
    kind: str
    label: str
    checks: bool
    check_score: float
    reasons: list[str]
    rubric: bool | None = None
    rubric_scores: dict[str, int] | None = None
    combined: bool | None = None


class EvalReport(BaseModel):
    model: str | None = Field(description="The critic model whose rubric was asked; None: none.")
    rubric_hash: str
    set: str
    set_version: str
    split: str
    date: str
    threshold: float
    n: int
    checks: SourceReport
    rubric: SourceReport | None = None
    combined: SourceReport | None = None
    rows: list[RowVerdict] = Field(default_factory=list)


def inputs_of(row: CalibrationRow, known_names: frozenset[str]) -> CritiqueInputs:
    """The critic's inputs for a row, as its writer's task built them (`graph/nodes/write_*`)."""
    mismatches = (tuple(scene_label_problems(row.text, row.attributes)),) if row.attributes else ()
    return CritiqueInputs(
        persona=row.persona,
        labels=row.labels,
        facts=row.facts,
        support=row.support,
        topic=row.topic,
        copy_sources={**row.copy_sources, EXAMPLES_SOURCE: all_example_text()},
        known_names=known_names,
        kind=row.critic_kind,
        label_mismatches=mismatches,
    )


def rubric_accepts(scores: RubricScores, threshold: float) -> bool:
    """The rubric alone: mean >= threshold and no dimension at its floor."""
    floored = any(v <= RUBRIC_FLOOR for v in scores.dimensions().values())
    return scores.mean() >= threshold and not floored


def combined_accepts(
    checks_pass: bool, check_score: float, scores: RubricScores | None, threshold: float
) -> bool:
    """A run's verdict with the rubric voting (`agents.critic.rubric_verdict`)."""
    if not checks_pass:
        return False
    if scores is None:
        return True
    return not rubric_verdict(check_score, scores, threshold)[1]


def row_seed(row_id: str) -> int:
    """The rubric call's seed for a row: stable, from the id."""
    return int(hashlib.sha256(row_id.encode()).hexdigest()[:8], 16)


def judge_rows(
    rows: list[CalibrationRow],
    embeddings: Embeddings,
    model: AgentModel | None,
    threshold: float,
    known_names: frozenset[str] | None = None,
    on_row: Callable[[int], None] = lambda done: None,
) -> list[RowVerdict]:
    """Each row's verdicts; the rubric is asked only when `model` is given."""
    names = known_names if known_names is not None else load_gazetteer(None).names()
    verdicts = []
    for done, row in enumerate(rows, start=1):
        inputs = inputs_of(row, names)
        judged = judge_candidates([row.text], inputs, embeddings)[0]
        passed = not judged.reasons
        verdict = RowVerdict(
            id=row.id,
            kind=row.kind,
            label=row.label,
            checks=passed,
            check_score=judged.score,
            reasons=judged.reasons,
        )
        if model is not None:
            scores, _ = call_structured(
                model, rubric_prompt(judged.text, inputs), RubricScores, row_seed(row.id)
            )
            verdict.rubric = rubric_accepts(scores, threshold) if scores else None
            verdict.rubric_scores = scores.dimensions() if scores else None
            verdict.combined = combined_accepts(passed, judged.score, scores, threshold)
        verdicts.append(verdict)
        on_row(done)
    return verdicts


def _cells(accepted: np.ndarray, good: np.ndarray, axis: int | None = None) -> list[np.ndarray]:
    return [
        np.sum(accepted & good, axis=axis),
        np.sum(accepted & ~good, axis=axis),
        np.sum(~accepted & good, axis=axis),
        np.sum(~accepted & ~good, axis=axis),
    ]


def _round(x: float) -> float:
    return round(x, 4) + 0.0  # + 0.0: no "-0.0" in the output


def _interval(point: float, samples: np.ndarray) -> Interval:
    defined = samples[~np.isnan(samples)]
    if np.isnan(point):
        return Interval(value=None, low=None, high=None)
    if defined.size == 0:
        return Interval(value=_round(float(point)), low=None, high=None)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return Interval(value=_round(float(point)), low=_round(float(low)), high=_round(float(high)))


def figures(
    accepted: list[bool],
    good: list[bool],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> SourceFigures:
    """The four figures of one verdict source against the labels, with bootstrap intervals.

    `accepted[i]`: the source accepted row i; `good[i]`: the label of row i is good.
    """
    a = np.asarray(accepted, dtype=bool)
    g = np.asarray(good, dtype=bool)
    cells = _cells(a, g)
    point = cell_figures(*cells)
    if a.size:
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, a.size, size=(resamples, a.size))
        sampled = cell_figures(*_cells(a[picks], g[picks], axis=1))
    else:
        sampled = {name: np.array([]) for name in FIGURES}
    return SourceFigures(
        n=int(a.size),
        accepted_good=int(cells[0]),
        accepted_bad=int(cells[1]),
        rejected_good=int(cells[2]),
        rejected_bad=int(cells[3]),
        **{name: _interval(float(point[name]), sampled[name]) for name in FIGURES},
    )


def source_report(verdicts: list[RowVerdict], source: str) -> SourceReport:
    """Figures of one source (`checks`, `rubric`, `combined`) overall and per kind."""
    answered = [v for v in verdicts if getattr(v, source) is not None]
    overall = figures([getattr(v, source) for v in answered], [v.label == "good" for v in answered])
    by_kind = {}
    for kind in KINDS:
        rows = [v for v in answered if v.kind == kind]
        if rows:
            by_kind[kind] = figures(
                [getattr(v, source) for v in rows], [v.label == "good" for v in rows]
            )
    return SourceReport(
        **overall.model_dump(), by_kind=by_kind, unanswered=len(verdicts) - len(answered)
    )


def evaluate_rows(
    rows: list[CalibrationRow],
    embeddings: Embeddings,
    model: AgentModel | None,
    threshold: float,
    *,
    set_path: str,
    set_version: str,
    split: str,
    known_names: frozenset[str] | None = None,
    on_row: Callable[[int], None] = lambda done: None,
    today: dt.date | None = None,
) -> EvalReport:
    """Judge `rows` (already the chosen split) and report every source's figures."""
    verdicts = judge_rows(rows, embeddings, model, threshold, known_names, on_row)
    with_rubric = model is not None
    return EvalReport(
        model=model.spec if model else None,
        rubric_hash=rubric_hash(),
        set=set_path,
        set_version=set_version,
        split=split,
        date=(today or dt.date.today()).isoformat(),
        threshold=threshold,
        n=len(rows),
        checks=source_report(verdicts, "checks"),
        rubric=source_report(verdicts, "rubric") if with_rubric else None,
        combined=source_report(verdicts, "combined") if with_rubric else None,
        rows=verdicts,
    )


def report_json(report: EvalReport) -> dict[str, Any]:
    """The report as one JSON object (without the per-row verdicts)."""
    return report.model_dump(mode="json", exclude={"rows"})
