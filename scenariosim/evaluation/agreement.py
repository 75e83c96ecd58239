"""Human-vs-critic agreement on the reviewed rows of `review.csv`.

The critic says "good" when it accepted the artifact and "bad" when it rejected it (or no
valid draft came); the reviewer says good or bad. Figures over the labelled rows:
- agreement: share of rows where both say the same;
- Cohen's kappa: agreement corrected for chance, (p_o - p_e) / (1 - p_e); None when the
  two raters each used only one and the same label (chance agreement is 1);
- critic precision: share of critic-accepted rows the reviewer called good;
- bad caught: share of reviewer-bad rows the critic rejected.
"""

from pydantic import BaseModel

from scenariosim.outputs.review import ReviewRow


class AgreementFigures(BaseModel):
    rows: int
    labelled: int
    agreement: float | None
    cohen_kappa: float | None
    critic_precision: float | None
    bad_caught: float | None
    confusion: dict[str, int]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def agreement_figures(rows: list[ReviewRow]) -> AgreementFigures:
    pairs = [(r.critic_verdict == "accepted", r.label == "good") for r in rows if r.label]
    n = len(pairs)
    both_good = sum(c and h for c, h in pairs)
    both_bad = sum(not c and not h for c, h in pairs)
    critic_good_human_bad = sum(c and not h for c, h in pairs)
    critic_bad_human_good = sum(not c and h for c, h in pairs)
    kappa = None
    if n:
        observed = (both_good + both_bad) / n
        critic_good = (both_good + critic_good_human_bad) / n
        human_good = (both_good + critic_bad_human_good) / n
        expected = critic_good * human_good + (1 - critic_good) * (1 - human_good)
        kappa = round((observed - expected) / (1 - expected), 4) if expected < 1 else None
    return AgreementFigures(
        rows=len(rows),
        labelled=n,
        agreement=_ratio(both_good + both_bad, n),
        cohen_kappa=kappa,
        critic_precision=_ratio(both_good, both_good + critic_good_human_bad),
        bad_caught=_ratio(both_bad, both_bad + critic_good_human_bad),
        confusion={
            "critic_accepted_human_good": both_good,
            "critic_accepted_human_bad": critic_good_human_bad,
            "critic_rejected_human_good": critic_bad_human_good,
            "critic_rejected_human_bad": both_bad,
        },
    )
