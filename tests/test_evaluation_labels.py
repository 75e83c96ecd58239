"""Label figures (UCLA rates, text agreement, stance per phase), persona shares against
the census, and human-vs-critic agreement."""

from pathlib import Path

from runfolder import make_run_folder

from scenariosim.evaluation.agreement import agreement_figures
from scenariosim.evaluation.label_figures import label_figures
from scenariosim.evaluation.personas import persona_figures
from scenariosim.labels import UCLA_ATTRIBUTE_RATES
from scenariosim.outputs.review import ReviewRow
from scenariosim.outputs.run_folder import open_run
from scenariosim.text_rules import mentions


def test_attribute_rates_stand_beside_the_ucla_rates(tmp_path: Path) -> None:
    figures = label_figures(open_run(make_run_folder(tmp_path / "run")), None)
    rows = {r.attribute: r for r in figures.attributes}
    assert figures.images == 2 and "prompts" in figures.source
    assert rows["sign"].rate == 1.0 and rows["sign"].ucla_rate == UCLA_ATTRIBUTE_RATES["sign"]
    assert rows["sign"].difference == round(1.0 - 0.829, 4)
    assert rows["fire"].rate == 0.0
    assert figures.mean_violence == 0.1


def test_text_agreement_is_checked_per_attribute_against_prompt_and_post(tmp_path: Path) -> None:
    figures = label_figures(open_run(make_run_folder(tmp_path / "run")), None)
    rows = {r.attribute: r for r in figures.attributes}
    # The canned scene says "holding a sign"; the canned post mentions no sign and no crowd.
    assert rows["sign"].prompt_agreement == 1.0 and rows["sign"].post_agreement == 0.0
    assert rows["group_20"].label_without_mention == 2
    assert rows["fire"].prompt_agreement == 1.0 and rows["fire"].post_agreement == 1.0


def test_mentions_match_whole_words_only() -> None:
    assert mentions("Police lines at night", "police") and mentions("at NIGHT", "night")
    assert not mentions("a fireplace", "fire") and not mentions("policed", "police")


def test_stance_and_emotion_are_counted_per_phase_in_scenario_order(tmp_path: Path) -> None:
    figures = label_figures(open_run(make_run_folder(tmp_path / "run")), None)
    assert list(figures.stance_by_phase) == ["phase-0", "phase-1"]
    assert figures.stance_by_phase["phase-0"] == {"support_protest": 5}
    assert figures.emotion_by_phase["phase-1"] == {"anger": 2, "sadness": 3}


def test_persona_shares_compare_with_the_weighted_census() -> None:
    personas = [
        {
            "id": "a",
            "hid": "h1",
            "sex": "Male",
            "age": 30,
            "urban": True,
            "region": "geo_01",
            "education": "Primary",
        },
        {
            "id": "b",
            "hid": "h2",
            "sex": "Female",
            "age": 70,
            "urban": False,
            "region": "geo_02",
            "education": "Secondary",
        },
    ]
    figures = persona_figures(personas, {"personas": {"where": "age >= 18", "min_age": 16}})
    sex = {r.category: r for r in figures.rows if r.variable == "sex"}
    assert sex["Male"].sample_share == 0.5 and 0.3 < sex["Male"].census_share < 0.7
    bands = {r.category for r in figures.rows if r.variable == "age_band"}
    assert {"25-34", "65+"} <= bands
    regions = [r.census_share for r in figures.rows if r.variable == "region"]
    assert abs(sum(regions) - 1.0) < 1e-3


def test_cohen_kappa_and_confusion_from_review_rows() -> None:
    def row(verdict: str, label: str) -> ReviewRow:
        return ReviewRow(
            record_id="x", critic_verdict=verdict, critic_score=None, label=label, note=""
        )

    rows = (
        [row("accepted", "good")] * 4
        + [row("accepted", "bad")]
        + [row("rejected", "bad")] * 3
        + [
            row("rejected", "good"),
            row("accepted", ""),
        ]
    )
    figures = agreement_figures(rows)
    assert figures.rows == 10 and figures.labelled == 9
    assert figures.agreement == round(7 / 9, 4)
    # p_o = 7/9; critic good 5/9, human good 5/9: p_e = 25/81 + 16/81 = 41/81
    assert figures.cohen_kappa == round((7 / 9 - 41 / 81) / (1 - 41 / 81), 4)
    assert figures.critic_precision == 0.8 and figures.bad_caught == 0.75
    assert agreement_figures([row("accepted", "good")]).cohen_kappa is None
