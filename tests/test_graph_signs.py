"""What a picture's sign says: the scenario's slogans when it gives them (graph/nodes/
write_image_prompt.py)."""

from pathlib import Path

from fake_run import fake_run, fake_scenario

from scenariosim.graph.nodes.write_image_prompt import scenario_slogan
from scenariosim.scenario import LabelMix

SLOGANS = ["FAIR PRICES NOW", "BRING BACK THE OLD PRICE", "DIESEL WE CAN AFFORD"]


def test_pictures_of_a_phase_say_the_slogans_in_turn() -> None:
    said = [scenario_slogan(SLOGANS, 7, "blockade", number) for number in range(3)]
    assert sorted(said) == sorted(SLOGANS)


def test_a_picture_with_a_sign_says_its_phases_slogan_else_the_scenarios(
    tmp_path: Path,
) -> None:
    scenario = fake_scenario(2).model_copy(
        update={
            "slogans": ["FAIR PRICES NOW"],
            "labels": LabelMix(image_attributes={"sign": 1.0}),
        }
    )
    scenario.phases[1] = scenario.phases[1].model_copy(update={"slogans": ["FREE THE DRIVERS"]})
    records, traces, _ = fake_run(tmp_path, scenario)
    signs = {
        r["provenance"]["phase_id"]: r["sign_text"] for r in records if r["kind"] == "image_prompt"
    }
    assert signs == {"phase-0": "FAIR PRICES NOW", "phase-1": "FREE THE DRIVERS"}
    sign_events = [t for t in traces if t["event"] == "sign"]
    assert [t["source"] for t in sign_events] == ["scenario", "scenario"]
    assert not [t for t in traces if t.get("step") == "sign"]  # no model was asked


def test_without_slogans_the_model_writes_the_sign_in_capitals(tmp_path: Path) -> None:
    scenario = fake_scenario(1).model_copy(
        update={"labels": LabelMix(image_attributes={"sign": 1.0})}
    )
    records, traces, _ = fake_run(tmp_path, scenario)
    (image,) = [r for r in records if r["kind"] == "image_prompt"]
    assert image["sign_text"] == "FAIR PRICES NOW"  # the fake model wrote it in lower case
    assert [t for t in traces if t.get("step") == "sign"]


def test_pictures_without_a_sign_do_not_use_up_a_slogan(tmp_path: Path) -> None:
    slogans = SLOGANS[:2]
    scenario = fake_scenario(1).model_copy(
        update={"seed": 8, "slogans": slogans, "labels": LabelMix(image_attributes={"sign": 0.5})}
    )
    scenario.phases[0] = scenario.phases[0].model_copy(update={"posts": 3, "images": 3})
    records, _, _ = fake_run(tmp_path, scenario)
    images = sorted((r for r in records if r["kind"] == "image_prompt"), key=lambda r: r["id"])
    # Seed 8 draws a sign, none, a sign: counted over every picture, the two signs would be
    # two slogans apart and, with two slogans, say the same.
    assert [r["labels"]["sign"] for r in images] == [True, False, True]
    assert sorted(r["sign_text"] for r in images if r["labels"]["sign"]) == sorted(slogans)
