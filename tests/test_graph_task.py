"""One agent task is a small graph of its own: retrieve_facts -> draft_candidates ->
critique_candidates -> another round or finish_task, with typed state and outcome."""

from pathlib import Path

from fake_run import CHUNK, fake_actor, fake_scenario
from fault_injection import FaultRates, FaultyChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.schemas import DraftLabels
from scenariosim.graph.context import RunContext
from scenariosim.graph.nodes.write_post import write_post
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.task_state import ROUND_SEED, Outcome
from scenariosim.graph.tasks import post_task
from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.outputs.traces import TraceWriter
from scenariosim.settings import load_settings


def test_critique_is_a_node_that_routes_back_to_drafting_or_to_the_end() -> None:
    graph = write_post.get_graph()
    edges = {(e.source, e.target) for e in graph.edges}
    assert {
        ("retrieve_facts", "draft_candidates"),
        ("draft_candidates", "critique_candidates"),
        ("critique_candidates", "draft_candidates"),
        ("critique_candidates", "finish_task"),
    } <= edges


def test_a_task_whose_candidates_all_fail_draws_every_round_with_shifted_seeds(
    tmp_path: Path,
) -> None:
    scenario = fake_scenario(phases=1)
    resolved = resolve_scenario(scenario, load_settings())
    chat = FaultyChatModel(rates=FaultRates(empty=1.0))
    actor = fake_actor(1, "h1")
    context = RunContext(
        resolved=resolved,
        run_id="run-1",
        actors={actor.card.id: actor},
        retrieve=lambda query, phase, a: [CHUNK],
        known_names=frozenset({"Karavan Province", "Ses Online"}),
        embeddings=DeterministicFakeEmbedding(size=16),
        agent_model=AgentModel("faulty", chat),
        critic_model=AgentModel("faulty", chat),
        records=JsonlWriter(tmp_path / "records.jsonl"),
        failures=JsonlWriter(tmp_path / "rejected.jsonl"),
        traces=TraceWriter(tmp_path / "traces.jsonl", "run-1"),
        on_artifact=lambda kind, status: None,
    )
    task = post_task(
        scenario.seed,
        "phase-0",
        0,
        0,
        actor.card.id,
        DraftLabels(stance="support_protest", emotion="anger"),
    )
    out = write_post.invoke({"task": task}, context=context)
    assert out == {"tally": {"post:rejected": 1}}
    traces, _ = read_jsonl(tmp_path / "traces.jsonl")
    drafts = [t for t in traces if t["event"] == "model_call" and t["step"] == "draft"]
    rounds = resolved.critic.max_revisions + 1
    assert [t["seed"] for t in drafts] == [task["seed"] + ROUND_SEED * r for r in range(rounds)]
    assert [t["attempt"] for t in traces if t["event"] == "critique"] == list(range(rounds))
    (rejected,), _ = read_jsonl(tmp_path / "rejected.jsonl")
    assert rejected["status"] == "rejected" and len(rejected["critiques"]) == rounds
    assert {d["round"] for d in rejected["drafts"]} == set(range(rounds))


def test_an_outcome_is_a_typed_model() -> None:
    outcome = Outcome().failed(["no answer"])
    assert outcome.status == "failed" and outcome.reasons == ["no answer"]
    assert "candidates" in Outcome.model_fields and "critiques" in Outcome.model_fields
