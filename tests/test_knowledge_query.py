"""Building an agent's retrieval query from an event, a place and concerns."""

import pytest

from scenariosim.errors import ConfigError
from scenariosim.knowledge.gazetteer import load_gazetteer
from scenariosim.knowledge.query import build_agent_query


def test_the_query_has_the_event_then_the_place_then_the_concerns() -> None:
    query = build_agent_query(
        "Truckers block the Karavan junction",
        place="Karavan Province",
        concerns=["fuel prices", "jobs", "", "rent", "corruption"],
    )
    assert query == (
        "Truckers block the Karavan junction. Karavan Province. Concerns: fuel prices, jobs, rent."
    )


def test_a_census_region_code_becomes_its_province_and_an_unknown_code_is_dropped() -> None:
    gazetteer = load_gazetteer()
    assert build_agent_query("Bread prices rise.", place="geo_05", gazetteer=gazetteer) == (
        "Bread prices rise. Arzuli Province."
    )
    assert build_agent_query("Bread prices rise.", place="geo_99", gazetteer=gazetteer) == (
        "Bread prices rise."
    )


def test_a_long_event_is_cut_to_whole_sentences_so_place_and_concerns_survive() -> None:
    event = " ".join(f"Sentence {i} tells more about the blockade." for i in range(40))
    query = build_agent_query(event, place="Arzuli Province", concerns=["housing"])
    assert query.endswith("Arzuli Province. Concerns: housing.")
    assert query.startswith("Sentence 0 tells") and "Sentence 7 tells" in query
    assert "Sentence 8 tells" not in query


def test_an_empty_event_is_an_error() -> None:
    with pytest.raises(ConfigError, match="event text is empty"):
        build_agent_query("   ", place="Arzuli Province")
