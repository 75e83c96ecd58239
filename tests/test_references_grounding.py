"""Image prompts grounded in visual references: retrieval, attribute rates, provenance, the critic."""

import random
from pathlib import Path

import pytest
from fake_chat import SchemaAnsweringChatModel
from fake_run import CHUNK, fake_actor, fake_scenario
from langchain_core.embeddings import DeterministicFakeEmbedding
from langgraph.checkpoint.memory import InMemorySaver

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.checks import scene_label_problems
from scenariosim.graph.assign_labels import image_attributes, reference_rates, violence_of
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import RunContext
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.state import initial_state
from scenariosim.graph.world import reference_retriever
from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.knowledge.references import ReferenceLibrary, add_shipped
from scenariosim.labels import UCLA_ATTRIBUTE_RATES
from scenariosim.models.embeddings_local import MiniLMEmbeddings
from scenariosim.outputs.records import ReferenceUse
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Phase
from scenariosim.settings import load_settings

CROWD = ReferenceUse(
    id="ref-aaaaaaaaaaaa",
    kind="text",
    caption="About forty drivers with placards stand by their lorries at the junction.",
    labels=["sign", "group_20"],
    palette=["#9a9a94", "#c9d9e8"],
    score=0.61,
    synthetic=True,
)
QUIET = ReferenceUse(
    id="ref-bbbbbbbbbbbb",
    kind="text",
    caption="A lone driver sits in his cab.",
    labels=[],
    score=0.4,
    synthetic=True,
)


@pytest.fixture(scope="module")
def shipped_library(tmp_path_factory: pytest.TempPathFactory) -> ReferenceLibrary:
    embeddings = MiniLMEmbeddings()
    library = ReferenceLibrary(tmp_path_factory.mktemp("refs"), embeddings, embeddings.model_name)
    add_shipped(library)
    return library


def _run_with(tmp_path: Path, references: list[ReferenceUse]) -> tuple[list, list, list]:
    """One phase with one image prompt; the references function returns `references`."""
    chat = SchemaAnsweringChatModel()
    model = AgentModel("fake", chat)
    traces = TraceWriter(tmp_path / "traces.jsonl", "run-1")
    scenario = fake_scenario(phases=1)
    context = RunContext(
        resolved=resolve_scenario(scenario, load_settings()),
        run_id="run-1",
        actors={a.card.id: a for a in (fake_actor(1, "h1"), fake_actor(2, "h2"))},
        retrieve=lambda query, phase, actor: [CHUNK],
        known_names=frozenset({"Karavan Province", "Ses Online"}),
        embeddings=DeterministicFakeEmbedding(size=16),
        agent_model=model,
        critic_model=model,
        records=JsonlWriter(tmp_path / "records.jsonl"),
        failures=JsonlWriter(tmp_path / "rejected.jsonl"),
        traces=traces,
        on_artifact=lambda kind, status: None,
        references=lambda post, phase, k: references[:k],
    )
    build_graph(InMemorySaver()).invoke(
        initial_state(),
        {"configurable": {"thread_id": "run-1"}, "recursion_limit": recursion_limit(1)},
        context=context,
    )
    records, _ = read_jsonl(tmp_path / "records.jsonl")
    rejected, _ = read_jsonl(tmp_path / "rejected.jsonl")
    rows, _ = read_jsonl(tmp_path / "traces.jsonl")
    return records, rejected, rows


def test_a_post_about_police_at_the_blockade_retrieves_police_references(
    shipped_library: ReferenceLibrary,
) -> None:
    phase = Phase(
        id="crackdown",
        date="2026-08-20",
        title="Police clear the blockade",
        event="Riot police cleared the lorries blocking the Karavan junction.",
    )
    retrieve = reference_retriever(shipped_library)
    found = retrieve("Riot police pushed the drivers off the road with shields.", phase, 3)
    assert len(found) == 3
    assert all("police" in r.labels for r in found[:2])
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)


def test_a_night_vigil_post_retrieves_night_references(shipped_library: ReferenceLibrary) -> None:
    phase = Phase(id="vigil", date="2026-08-22", title="Vigil", event="Families held a vigil.")
    found = reference_retriever(shipped_library)(
        "We stood with candles outside the hostel until midnight.", phase, 3
    )
    assert sum("night" in r.labels for r in found) >= 2


def test_image_records_name_the_references_that_shaped_them(tmp_path: Path) -> None:
    records, _, _ = _run_with(tmp_path, [CROWD, QUIET])
    [image] = [r for r in records if r["kind"] == "image_prompt"]
    assert image["provenance"]["reference_ids"] == [CROWD.id, QUIET.id]
    assert [r["id"] for r in image["references"]] == [CROWD.id, QUIET.id]
    assert image["references"][0]["palette"] == CROWD.palette


def test_posts_and_comments_have_no_reference_ids(tmp_path: Path) -> None:
    records, _, _ = _run_with(tmp_path, [CROWD])
    assert all(
        r["provenance"]["reference_ids"] == [] for r in records if r["kind"] != "image_prompt"
    )


def test_the_pictures_attributes_follow_the_references_it_retrieved() -> None:
    rates = reference_rates([["sign", "group_20"], ["sign", "police"]])
    assert rates["sign"] == pytest.approx(0.5 * UCLA_ATTRIBUTE_RATES["sign"] + 0.5)
    assert rates["police"] == pytest.approx(0.5 * UCLA_ATTRIBUTE_RATES["police"] + 0.25)
    assert rates["fire"] == pytest.approx(0.5 * UCLA_ATTRIBUTE_RATES["fire"])


def test_without_labelled_references_the_rates_are_ucla_rates() -> None:
    assert reference_rates([]) == UCLA_ATTRIBUTE_RATES


def test_reference_retrieval_is_traced_with_ids_and_scores(tmp_path: Path) -> None:
    _, _, traces = _run_with(tmp_path, [CROWD, QUIET])
    [row] = [t for t in traces if t["event"] == "reference_retrieval"]
    assert [(r["id"], r["score"]) for r in row["references"]] == [(CROWD.id, 0.61), (QUIET.id, 0.4)]


def test_the_image_critique_checks_the_scene_against_the_assigned_attributes(
    tmp_path: Path,
) -> None:
    _, _, traces = _run_with(tmp_path, [CROWD])
    [plan] = [t for t in traces if t["event"] == "node" and t["node"] == "plan_images"]
    [critique] = [
        t for t in traces if t["event"] == "critique" and t["node"] == "write_image_prompt"
    ]
    [attributes] = plan["attributes"].values()
    chosen = critique["candidates"][critique["chosen"]]["text"]
    assert scene_label_problems(chosen, attributes) == []
    assert critique["verdict"] == "accept"


def test_a_post_naming_police_puts_police_in_the_picture() -> None:
    attributes = image_attributes("Police blocked the road", random.Random(1), {"police": 0.0})
    assert attributes["police"]


def test_more_than_a_hundred_people_are_also_more_than_twenty() -> None:
    attributes = image_attributes("", random.Random(1), {"group_100": 1.0, "group_20": 0.0})
    assert attributes["group_100"] and attributes["group_20"]


def test_violence_rises_with_fire_and_police() -> None:
    calm = violence_of({"sign": True})
    assert violence_of({"fire": True, "police": True}) > violence_of({"police": True}) > calm
