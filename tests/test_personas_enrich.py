"""Enrichment: stable ids, reproducible names and traits, words, provinces, digital access."""

import numpy as np
import pandas as pd
import pytest

from scenariosim.errors import ConfigError
from scenariosim.personas import (
    Persona,
    enrich,
    load_census,
    parse_persona_id,
    persona_id,
    provinces_by_region,
    sample_people,
)
from scenariosim.personas.enrich import digital_access, digital_access_column
from scenariosim.personas.load import Census
from scenariosim.personas.names import draw_name, name_lists, skeleton
from scenariosim.personas.places import gazetteer_people
from scenariosim.personas.schema import CODEBOOK
from scenariosim.personas.words import WORD_MAPS


@pytest.fixture(scope="module")
def census() -> Census:
    return load_census()


@pytest.fixture(scope="module")
def adults(census) -> pd.DataFrame:
    return sample_people(census, 600, seed=4, min_age=16)


@pytest.fixture(scope="module")
def personas(adults) -> list[Persona]:
    return enrich(adults, seed=9)


def test_ids_are_hid_and_two_digit_idno_and_point_back_to_the_census(adults, personas) -> None:
    for persona, row in zip(personas, adults.to_dict("records"), strict=True):
        assert persona.id == f"{row['hid']}-{int(row['idno']):02d}"
        assert (persona.hid, persona.idno) == parse_persona_id(persona.id)
        assert persona.age == row["age"] and persona.region == row["geo1"]
    assert persona_id("00a191396a2", 3) == "00a191396a2-03"


def test_a_malformed_persona_id_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a persona id"):
        parse_persona_id("nobody")


def test_the_same_seed_gives_the_same_personas(adults, personas) -> None:
    assert enrich(adults, seed=9) == personas


def test_a_persona_does_not_depend_on_who_else_is_sampled(adults, personas) -> None:
    alone = enrich(adults.iloc[[17]], seed=9)[0]
    reversed_batch = enrich(adults.iloc[::-1], seed=9)
    assert alone == personas[17] == reversed_batch[len(personas) - 18]


def test_another_seed_changes_names_and_traits_but_not_facts(adults, personas) -> None:
    other = enrich(adults, seed=10)
    assert sum(a.name != b.name for a, b in zip(personas, other, strict=True)) > 400
    assert [p.traits for p in other] != [p.traits for p in personas]
    assert [(p.id, p.age, p.education, p.province) for p in other] == [
        (p.id, p.age, p.education, p.province) for p in personas
    ]


def test_names_are_two_words_with_a_family_name_in_the_persons_gender(personas) -> None:
    for persona in personas:
        assert persona.name.count(" ") == 1
        family = persona.name.split(" ")[1]
        if persona.sex == "Female":
            assert not family.endswith(("ov", "ev"))
        else:
            assert not family.endswith(("ova", "eva"))


def test_household_members_mostly_share_the_family_name(census) -> None:
    rows = sample_people(census, 400, seed=12, households=True)
    personas = enrich(rows, seed=3)
    frame = pd.DataFrame(
        {"hid": [p.hid for p in personas], "family": [p.name.split()[1][:5] for p in personas]}
    )
    heads_and_children = [
        p.relation in ("head of the household", "child of the household head") for p in personas
    ]
    sharing = frame[heads_and_children].groupby("hid")["family"].nunique()
    assert (sharing == 1).mean() > 0.95


def test_no_persona_is_named_after_a_real_public_figure_or_a_gazetteer_person() -> None:
    lists = name_lists(reserved=gazetteer_people())
    reserved = {skeleton(name) for name in gazetteer_people()}
    assert skeleton("Hikmet Hajiyev") in lists.blocked_people  # spelling variants match
    for i in range(20_000):
        given, family = draw_name(
            lists, i % 7, f"{i:011x}", i % 6 + 1, "Male" if i % 2 else "Female", 20 + i % 60, "Head"
        )
        key = skeleton(f"{given} {family}")
        assert key not in lists.blocked_people and key not in reserved
        assert skeleton(family.removesuffix("a")) not in lists.blocked_families


def test_given_names_lean_to_the_persons_generation() -> None:
    lists = name_lists()
    older = [draw_name(lists, 1, f"{i:011x}", 1, "Female", 70, "Head")[0] for i in range(2000)]
    share = np.mean([name in lists.female_older for name in older])
    assert 0.65 < share < 0.9


def test_provinces_come_from_the_gazetteer(personas) -> None:
    provinces = provinces_by_region()
    assert len(provinces) == 10 and provinces["geo_04"] == "Karavan Province"
    assert all(p.province == provinces[p.region] for p in personas)


def test_provinces_can_be_given_and_unknown_regions_are_named(adults) -> None:
    persona = enrich(adults.iloc[:1], seed=1, provinces={})[0]
    assert persona.province == f"region {persona.region}"


def test_rows_missing_census_columns_are_refused_with_their_names() -> None:
    with pytest.raises(ConfigError, match=r"lacks .*educ_attain"):
        enrich([{"hid": "x", "idno": 1, "sex": "Male", "age": 30}], seed=1)


@pytest.mark.parametrize(
    ("age", "cell", "education", "urban", "quintile", "expected"),
    [
        (8, 1, "Less than primary", 1, "richest", "none"),
        (70, 0, "Secondary", 1, "rich", "none"),
        (30, 0, "Secondary", 1, "rich", "low"),
        (40, 0, "NIU (not in universe) or no education", 0, "poor", "none"),
        (22, 1, "Secondary", 1, "average", "high"),
        (22, 1, "Primary", 0, "poorest", "medium"),
        (50, 1, "Primary", 0, "poor", "low"),
        (35, 1, "University", 0, "poor", "high"),
        (62, 1, "University", 1, "richest", "high"),
        (62, 1, "Primary", 1, "average", "low"),
    ],
)
def test_digital_access_follows_the_documented_rules(
    age: int, cell: int, education: str, urban: int, quintile: str, expected: str
) -> None:
    row = {"age": age, "cell": cell, "educ_attain": education, "urban": urban}
    assert digital_access({**row, "quint_nat": quintile}) == expected


def test_vectorised_digital_access_agrees_with_the_rule_for_every_person(census) -> None:
    people = census.people.iloc[::7]
    column = digital_access_column(people).astype(str)
    rows = people[["age", "cell", "educ_attain", "urban", "quint_nat"]].astype(
        {"educ_attain": str, "quint_nat": str}
    )
    assert column.tolist() == [digital_access(r) for r in rows.to_dict("records")]


def test_traits_stay_in_range_and_spread(personas) -> None:
    traits = pd.DataFrame([p.traits.model_dump() for p in personas])
    assert traits["political_interest"].between(0, 1).all()
    assert traits["government_stance"].between(-1, 1).all()
    assert traits["government_stance"].std() > 0.25 and traits["protest_stance"].std() > 0.25
    assert traits["government_stance"].corr(traits["protest_stance"]) < -0.3
    assert set(traits["news_source"]) >= {"state TV", "social media"}


def test_traits_lean_as_the_rules_say(census) -> None:
    rows = sample_people(census, 3000, seed=21, min_age=18)
    frame = pd.DataFrame(
        [
            {**p.traits.model_dump(), "industry": p.industry, "activity": p.activity, "age": p.age}
            for p in enrich(rows, seed=2)
        ]
    )
    state = frame["industry"].isin(["public administration and defence", "education"])
    assert frame[state]["government_stance"].mean() > frame[~state]["government_stance"].mean()
    jobless = frame["activity"] == "unemployed"
    assert frame[jobless]["protest_stance"].mean() > frame[~jobless]["protest_stance"].mean()
    young = frame["age"] < 30
    assert frame[young]["posting_propensity"].mean() > frame[~young]["posting_propensity"].mean()


def test_occupation_words_say_what_people_without_a_job_do(census) -> None:
    rows = sample_people(census, 2000, seed=5)
    personas = enrich(rows, seed=5)
    by_id = {p.id: p for p in personas}
    for row in rows.to_dict("records"):
        persona = by_id[persona_id(row["hid"], row["idno"])]
        if row["act_status"] == "Employed":
            assert persona.occupation not in ("student", "retired", "looking for work")
        elif row["act_status"] == "Unemployed" and row["school_attend"] != "Yes":
            assert persona.occupation == "looking for work"
        elif row["age"] >= 60 and row["school_attend"] != "Yes":
            assert persona.occupation == "retired"


def test_word_maps_cover_every_codebook_label() -> None:
    for column, words in WORD_MAPS.items():
        if column in CODEBOOK:
            assert set(CODEBOOK[column].values()) <= set(words), column


def test_describe_is_one_paragraph_with_the_persona_facts(personas) -> None:
    for persona in personas[:50]:
        text = persona.describe()
        assert "\n" not in text and persona.name in text and persona.province in text
        assert f"{persona.age}-year-old" in text
        assert "  " not in text and " ." not in text


def test_young_children_get_no_opinions_in_their_description(census) -> None:
    rows = sample_people(census, 10, where="age < 8", seed=1)
    for persona in enrich(rows, seed=1):
        assert "politics" not in persona.describe()


def test_a_persona_round_trips_through_json(personas) -> None:
    persona = personas[0]
    assert Persona.model_validate_json(persona.model_dump_json()) == persona
