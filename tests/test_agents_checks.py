from scenariosim.agents.checks import (
    image_label_mismatches,
    leaked_real_names,
    name_candidates,
    persona_contradictions,
    unsupported_entities,
    unsupported_numbers,
)
from scenariosim.agents.schemas import ImagePromptDraft, PersonaCard

PERSONA = PersonaCard(
    id="p1",
    name="Aysel Karimova",
    age=34,
    sex="female",
    province="Arzuli Province",
    occupation="nurse",
    description="Aysel Karimova, 34, a nurse in Arzuli Province.",
)
SUPPORT = "Diesel rose from 0.90 to 1.30 ADH per litre, said Vugar Aslanov in Karavan."


def _image(**overrides: object) -> ImagePromptDraft:
    values = dict(
        scene="A crowd holds signs in a square.",
        sign_text="Bread not bullets",
        sign=True,
        photo=False,
        fire=False,
        police=False,
        children=False,
        group_20=True,
        group_100=False,
        flag=False,
        night=False,
        shouting=False,
        violence=0.1,
    )
    values.update(overrides)
    return ImagePromptDraft(**values)


def test_sentence_openers_are_not_names() -> None:
    assert name_candidates("The price rose. We are angry.") == []


def test_critic_flags_a_name_that_nothing_supports() -> None:
    text = "Vugar Aslanov spoke, and Rashad Novruzov agreed."
    assert unsupported_entities(text, SUPPORT, []) == ["Rashad Novruzov"]


def test_gazetteer_names_count_as_supported() -> None:
    assert unsupported_entities("I marched in Gulbahar.", SUPPORT, ["Gulbahar"]) == []


def test_critic_flags_unsupported_number() -> None:
    assert unsupported_numbers("Diesel is 1.30 now, up 45%.", SUPPORT) == ["45%"]


def test_real_world_names_are_caught_but_not_inside_other_words() -> None:
    assert leaked_real_names("Like in Russia, prices rose.") == ["Russia"]
    assert leaked_real_names("Russian-speaking?") == ["Russian"]
    assert leaked_real_names("The Ukrainianness of it") == []


def test_age_and_sex_contradictions_are_found() -> None:
    problems = persona_contradictions("As a father and a 60-year-old, I worry.", PERSONA)
    assert any("age 60" in p for p in problems)
    assert any("speaks as a man" in p for p in problems)
    assert persona_contradictions("I am 34 and tired.", PERSONA) == []


def test_image_labels_must_agree_with_the_scene() -> None:
    assert image_label_mismatches(_image()) == []
    problems = image_label_mismatches(_image(scene="Police face a crowd at night."))
    assert "the scene mentions police but the label is false" in problems
    assert "the scene mentions night but the label is false" in problems


def test_group_100_implies_group_20_and_sign_text_implies_sign() -> None:
    problems = image_label_mismatches(_image(group_100=True, group_20=False, sign=False))
    assert "group_100 is true but group_20 is false" in problems
    assert "sign must be true exactly when there is sign_text" in problems


def test_source_citations_are_not_numbers() -> None:
    assert unsupported_numbers("Diesel is 1.30 now [1], see [2, 3].", SUPPORT) == []
