"""Label figures (UCLA rates, text agreement, stance per phase), persona shares against
the census, and human-vs-critic agreement."""

import json
from collections import Counter
from pathlib import Path

from fake_run import fake_scenario
from runfolder import make_run_folder

from scenariosim.evaluation.agreement import agreement_figures
from scenariosim.evaluation.label_figures import label_figures
from scenariosim.evaluation.personas import persona_figures
from scenariosim.labels import IMAGE_ATTRIBUTES, UCLA_ATTRIBUTE_RATES
from scenariosim.outputs.review import ReviewRow
from scenariosim.outputs.run_folder import open_run
from scenariosim.scenario import Scenario
from scenariosim.text_rules import mentions

# The planner draws each picture's attributes with the scenario's rates: these make every
# picture show a sign and more than 20 people and nothing else, and every post support the
# protest with every reply agreeing (so replies take the post's stance).
RATES = {a: 1.0 if a in ("sign", "group_20") else 0.0 for a in IMAGE_ATTRIBUTES}
MIX = {"stance": {"support_protest": 1.0}, "relation": {"agrees": 1.0}, "image_attributes": RATES}


def _run(tmp_path: Path) -> Path:
    data = fake_scenario().model_dump(mode="json")
    data["labels"] = {**data["labels"], **MIX}
    return make_run_folder(tmp_path / "run", Scenario.model_validate(data))


def _rewrite_scenes(run_dir: Path, scene: str) -> None:
    """What a writer that ignored part of its attributes would have left in the records."""
    path = run_dir / "records.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["kind"] == "image_prompt":
            row["scene"] = scene
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_attribute_rates_stand_beside_the_ucla_rates(tmp_path: Path) -> None:
    figures = label_figures(open_run(_run(tmp_path)), None)
    rows = {r.attribute: r for r in figures.attributes}
    assert figures.images == 2 and "prompts" in figures.source
    assert rows["sign"].rate == 1.0 and rows["sign"].ucla_rate == UCLA_ATTRIBUTE_RATES["sign"]
    assert rows["sign"].difference == round(1.0 - 0.829, 4)
    assert rows["fire"].rate == 0.0
    assert figures.mean_violence == 0.1  # violence_of: no fire, police, shouting or night


def test_planned_attributes_are_what_the_figures_count(tmp_path: Path) -> None:
    run = open_run(_run(tmp_path))
    prompts = run.records["image_prompts"]
    assert [p["labels"] for p in prompts] == [{a: RATES[a] == 1.0 for a in IMAGE_ATTRIBUTES}] * 2
    assert all(p["provenance"]["labels_assigned"] for p in prompts)
    # the fake writer shows what it was asked for: prompt and labels agree everywhere
    rows = {r.attribute: r for r in label_figures(run, None).attributes}
    assert {r.prompt_agreement for r in rows.values()} == {1.0}
    assert rows["sign"].label_without_mention == 0 and rows["group_20"].label_without_mention == 0


def test_text_agreement_is_checked_per_attribute_against_prompt_and_post(tmp_path: Path) -> None:
    run_dir = _run(tmp_path)
    _rewrite_scenes(run_dir, "Drivers stand by their lorries holding a sign near the police.")
    figures = label_figures(open_run(run_dir), None)
    rows = {r.attribute: r for r in figures.attributes}
    # The scene says "holding a sign" but shows no crowd and names police the planner did not
    # ask for; the fake posts mention no sign and no crowd.
    assert rows["sign"].prompt_agreement == 1.0 and rows["sign"].post_agreement == 0.0
    assert rows["group_20"].prompt_agreement == 0.0
    assert rows["group_20"].label_without_mention == 2
    assert rows["police"].prompt_agreement == 0.0 and rows["police"].mention_without_label == 2
    assert rows["fire"].prompt_agreement == 1.0 and rows["fire"].post_agreement == 1.0


def test_mentions_match_whole_words_only() -> None:
    assert mentions("Police lines at night", "police") and mentions("at NIGHT", "night")
    assert not mentions("a fireplace", "fire") and not mentions("policed", "police")


def test_stance_and_emotion_are_counted_per_phase_in_scenario_order(tmp_path: Path) -> None:
    run = open_run(_run(tmp_path))
    figures = label_figures(run, None)
    assert list(figures.stance_by_phase) == ["phase-0", "phase-1"]
    # 2 posts and 3 replies per phase: the posts support, the replies agree
    assert figures.stance_by_phase["phase-0"] == {"support_protest": 5}
    assert figures.stance_by_phase["phase-1"] == {"support_protest": 5}
    # emotions are drawn given the stance; the figures count what the records carry
    texts = [*run.records["posts"], *run.records["comments"]]
    phase_1 = Counter(r["emotion"] for r in texts if r["provenance"]["phase_id"] == "phase-1")
    assert figures.emotion_by_phase["phase-1"] == dict(sorted(phase_1.items()))
    assert sum(figures.emotion_by_phase["phase-0"].values()) == 5


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
