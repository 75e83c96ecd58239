"""Agreement between a critic's verdicts and human labels: one home for the formulas.

The critic says "good" when it accepted an artifact and "bad" when it rejected it (or no
valid draft came); a human says good or bad. From the four cells of their 2x2 table
(`gg` critic good and human good, `gb` critic good and human bad, `bg`, `bb`):
- agreement: share of rows where both say the same, (gg + bb) / n;
- Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales"): agreement
  corrected for chance, (p_o - p_e) / (1 - p_e), with p_e from the two raters' marginal
  rates; undefined when p_e = 1 (both raters each used one and the same label);
- precision: share of critic-accepted rows the human called good, gg / (gg + gb);
- bad caught: share of human-bad rows the critic rejected, bb / (bb + gb).

`cell_figures` takes counts or NumPy arrays of counts (one entry per bootstrap resample)
and gives NaN where a figure is undefined; `agreement_figures` applies it to `review.csv`.
"""

import math

import numpy as np
from pydantic import BaseModel

from scenariosim.outputs.review import ReviewRow

FIGURES = ("agreement", "cohen_kappa", "precision", "bad_caught")


class AgreementFigures(BaseModel):
    rows: int
    labelled: int
    agreement: float | None
    cohen_kappa: float | None
    critic_precision: float | None
    bad_caught: float | None
    confusion: dict[str, int]


def cell_figures(gg, gb, bg, bb) -> dict[str, np.ndarray]:
    """The four figures (`FIGURES`) of 2x2 tables given by their cells; NaN where undefined.

    Cells are counts: `gg` critic good & human good, `gb` critic good & human bad, `bg`
    critic bad & human good, `bb` critic bad & human bad. Scalars or same-shape arrays.
    """
    gg, gb, bg, bb = (np.asarray(c, dtype=float) for c in (gg, gb, bg, bb))
    n = gg + gb + bg + bb
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = (gg + bb) / n
        critic_good = (gg + gb) / n
        human_good = (gg + bg) / n
        expected = critic_good * human_good + (1 - critic_good) * (1 - human_good)
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)
        return {
            "agreement": observed,
            "cohen_kappa": kappa,
            "precision": gg / (gg + gb),
            "bad_caught": bb / (bb + gb),
        }


def _rounded(value: np.ndarray) -> float | None:
    v = float(value)
    return None if math.isnan(v) else round(v, 4)


def agreement_figures(rows: list[ReviewRow]) -> AgreementFigures:
    pairs = [(r.critic_verdict == "accepted", r.label == "good") for r in rows if r.label]
    both_good = sum(c and h for c, h in pairs)
    both_bad = sum(not c and not h for c, h in pairs)
    critic_good_human_bad = sum(c and not h for c, h in pairs)
    critic_bad_human_good = sum(not c and h for c, h in pairs)
    figures = cell_figures(both_good, critic_good_human_bad, critic_bad_human_good, both_bad)
    return AgreementFigures(
        rows=len(rows),
        labelled=len(pairs),
        agreement=_rounded(figures["agreement"]),
        cohen_kappa=_rounded(figures["cohen_kappa"]),
        critic_precision=_rounded(figures["precision"]),
        bad_caught=_rounded(figures["bad_caught"]),
        confusion={
            "critic_accepted_human_good": both_good,
            "critic_accepted_human_bad": critic_good_human_bad,
            "critic_rejected_human_good": critic_bad_human_good,
            "critic_rejected_human_bad": both_bad,
        },
    )
