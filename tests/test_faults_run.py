"""Fault injection: the graph with a backend that times out, errors, answers garbage or nothing,
is rate limited or slow. Runs end, failures are recorded with reasons, and the traces count
exactly the calls, retries and failures that were injected.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fake_run import CHUNK, fake_actor
from fault_injection import FAILING, RAISING, FaultRates, FaultyChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding
from langgraph.checkpoint.memory import InMemorySaver

from scenariosim.agents.calls import AgentModel
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import RunContext
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.state import initial_state
from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.outputs.trace_summary import summarise
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Phase, Scenario
from scenariosim.settings import load_settings

pytestmark = pytest.mark.faults

EVERY_FAULT = FaultRates(
    timeout=0.1, exception=0.1, invalid_json=0.1, empty=0.1, rate_limit=0.1, slow=0.1
)


def _scenario() -> Scenario:
    return Scenario(
        name="faults",
        seed=11,
        concurrency=8,
        critic={"max_revisions": 1},
        phases=[
            Phase(
                id=f"phase-{n}",
                date=dt.date(2026, 8, 15 + n),
                title="Prices rise",
                event="Diesel rose from 0.90 to 1.30 ADH per litre.",
                posts=4,
                comments=4,
                images=2,
            )
            for n in range(3)
        ],
    )


def _run(folder: Path, chat: FaultyChatModel) -> dict[str, Any]:
    """Run the real graph over `chat` into `folder`; return what a test looks at."""
    model = AgentModel("faulty", chat, backoff_s=0.001, max_wait_s=0.05)
    traces = TraceWriter(folder / "traces.jsonl", "faults")
    scenario = _scenario()
    traces.write("run", status="started", phases=len(scenario.phases))
    context = RunContext(
        resolved=resolve_scenario(scenario, load_settings()),
        run_id="faults",
        actors={a.card.id: a for a in (fake_actor(i, f"h{i % 3}") for i in range(1, 7))},
        retrieve=lambda query, phase, actor: [CHUNK],
        known_names=frozenset({"Karavan Province", "Ses Online"}),
        embeddings=DeterministicFakeEmbedding(size=16),
        agent_model=model,
        critic_model=model,
        records=JsonlWriter(folder / "records.jsonl"),
        failures=JsonlWriter(folder / "rejected.jsonl"),
        traces=traces,
        on_artifact=lambda kind, status: None,
    )
    final = build_graph(InMemorySaver()).invoke(
        initial_state(),
        {
            "configurable": {"thread_id": "faults"},
            "recursion_limit": recursion_limit(len(scenario.phases)),
            "max_concurrency": scenario.concurrency,
        },
        context=context,
    )
    traces.write("run", status="finished")
    calls = [t for t in read_jsonl(folder / "traces.jsonl")[0] if t["event"] == "model_call"]
    return {
        "final": final,
        "records": read_jsonl(folder / "records.jsonl")[0],
        "rejected": read_jsonl(folder / "rejected.jsonl")[0],
        "calls": calls,
        "summary": summarise(folder),
        "chat": chat,
        "folder": folder,
    }


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(tmp_path_factory.mktemp("faulty"), FaultyChatModel(rates=EVERY_FAULT))


def test_every_kind_of_fault_was_injected(faulty_run) -> None:
    injected = faulty_run["chat"].injected
    assert all(injected[kind] > 0 for kind in (*FAILING, "slow")), injected


def test_the_run_reaches_its_last_phase_with_an_outcome_for_every_task(faulty_run) -> None:
    final = faulty_run["final"]
    assert final["phase_index"] == 3
    saved = [r["id"] for r in faulty_run["records"]] + [r["id"] for r in faulty_run["rejected"]]
    assert len(saved) == len(set(saved)) > 0
    assert sum(final["tally"].values()) == len(saved)


def test_some_artifacts_fail_and_each_is_recorded_with_the_error(faulty_run) -> None:
    failed = [r for r in faulty_run["rejected"] if r["status"] == "failed"]
    assert failed, "these rates should exhaust every attempt of at least one draft"
    for row in failed:
        assert len(row["reasons"]) == 1
        assert row["reasons"][0].startswith("no answer: ")
        assert any(
            kind in row["reasons"][0]
            for kind in ("TimeoutError", "ConnectionError", "InjectedRateLimit")
        )


def test_failed_drafts_in_the_traces_match_the_failed_artifacts(faulty_run) -> None:
    failed_ids = {r["id"] for r in faulty_run["rejected"] if r["status"] == "failed"}
    traced = {
        c["task_id"] for c in faulty_run["calls"] if c["step"] == "draft" and c["error"] is not None
    }
    assert traced == failed_ids


def test_traces_count_every_call_the_backend_received(faulty_run) -> None:
    # a writer's call sends one chat request per candidate; a failed request ends its attempt
    requests = sum(c["requests"] for c in faulty_run["calls"])
    assert requests == faulty_run["chat"].received
    assert all(c["schema"] == "text" for c in faulty_run["calls"])  # no rubric: not trusted


def test_trace_summary_retries_and_failures_add_up_to_the_injected_faults(faulty_run) -> None:
    summary = faulty_run["summary"]
    retries = sum(n.retries for n in summary.nodes)
    failures = sum(n.failures for n in summary.nodes)
    injected = faulty_run["chat"].injected
    # every raised fault ends one attempt (a retry, or the call's failure); garbage and empty
    # answers to a text call are candidates, for the checks to refuse
    assert retries + failures == sum(injected[kind] for kind in RAISING)
    assert summary.requests == faulty_run["chat"].received


def test_retry_reasons_in_the_traces_name_each_injected_fault(faulty_run) -> None:
    reasons = [r for c in faulty_run["calls"] for r in c["retries"]]
    injected = faulty_run["chat"].injected

    def count(prefix: str) -> int:
        return sum(r.startswith(prefix) for r in reasons)

    assert count("TimeoutError") == injected["timeout"]
    assert count("ConnectionError") == injected["exception"]
    assert count("InjectedRateLimit") == injected["rate_limit"]
    assert count("invalid output") == 0  # text calls: nothing to parse


def test_garbage_and_empty_candidates_are_refused_by_the_checks(faulty_run) -> None:
    injected = faulty_run["chat"].injected
    assert injected["invalid_json"] > 0 and injected["empty"] > 0
    critiques = [
        t for t in read_jsonl(faulty_run["folder"] / "traces.jsonl")[0] if t["event"] == "critique"
    ]
    judged = [c for t in critiques for c in t["candidates"]]
    garbage = [c for c in judged if c["text"] == "" or c["text"].startswith('{"')]
    assert garbage and all(c["reasons"] for c in garbage)
    kept = [t["candidates"][t["chosen"]] for t in critiques if t["chosen"] is not None]
    assert kept and not [c for c in kept if c in garbage]


def test_only_backend_errors_wait_and_rate_limits_wait_as_long_as_asked(faulty_run) -> None:
    for call in faulty_run["calls"]:
        errors = [r for r in call["retries"] if not r.startswith("invalid output")]
        # the last attempt does not wait: there is nothing left to retry
        last_failed = call["error"] is not None and not call["error"].startswith("invalid output")
        assert len(call["waits_s"]) == len(errors) - last_failed
        waited = zip([r for r in errors], call["waits_s"], strict=False)
        for reason, wait in waited:
            if reason.startswith("InjectedRateLimit"):
                assert wait >= faulty_run["chat"].retry_after_s


def test_a_backend_that_always_times_out_fails_every_task_and_the_run_still_ends(
    tmp_path: Path,
) -> None:
    out = _run(tmp_path, FaultyChatModel(rates=FaultRates(timeout=1.0)))
    assert out["records"] == []
    assert out["final"]["phase_index"] == 3
    tally = out["final"]["tally"]
    assert {key.split(":")[1] for key in tally} == {"failed"}
    assert len(out["rejected"]) == sum(tally.values())
    assert all("TimeoutError" in r["reasons"][0] for r in out["rejected"])
    # max_attempts each, and each attempt ends at its first request
    assert out["chat"].received == 3 * sum(tally.values())


def test_the_same_calls_get_the_same_faults_whatever_the_order(tmp_path: Path) -> None:
    first = _run(tmp_path / "a", FaultyChatModel(rates=EVERY_FAULT))
    second = _run(tmp_path / "b", FaultyChatModel(rates=EVERY_FAULT))
    assert first["chat"].injected == second["chat"].injected
    assert sorted(r["id"] for r in first["records"]) == sorted(r["id"] for r in second["records"])
