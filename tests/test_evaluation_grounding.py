"""Grounding figures from hand-made critiques: acceptance, revisions, before and after."""

from pathlib import Path
from typing import Any

from scenariosim.evaluation.grounding import grounding_figures
from scenariosim.outputs.critiques import critique_records
from scenariosim.outputs.run_folder import RunFolder


def critique(
    task: str,
    attempt: int,
    verdict: str,
    score: float,
    names: list[str] | None = None,
    node: str = "write_post",
    phase: str = "p0",
) -> dict[str, Any]:
    return {
        "event": "critique",
        "task_id": task,
        "attempt": attempt,
        "node": node,
        "phase_id": phase,
        "persona_id": "a",
        "verdict": verdict,
        "score": score,
        "reasons": [],
        "checks": {
            "unsupported_entities": names or [],
            "unsupported_numbers": [],
            "sentence_support": [0.5],
        },
        "rubric": None,
    }


def record(task: str, revisions: int, score: float, phase: str = "p0") -> dict[str, Any]:
    return {
        "id": task,
        "kind": "post",
        "text": "x",
        "stance": "neutral",
        "emotion": "calm",
        "provenance": {
            "phase_id": phase,
            "persona_id": "a",
            "hid": "h",
            "critic_score": score,
            "revisions": revisions,
            "chunk_ids": [],
        },
    }


def run_with(
    traces: list[dict[str, Any]], records: list[dict[str, Any]], rejected: list[dict[str, Any]]
) -> RunFolder:
    return RunFolder(
        path=Path("."),
        run_id="r",
        resolved={"scenario": {"phases": [{"id": "p0"}, {"id": "p1"}]}},
        records={"posts": records, "comments": [], "image_prompts": []},
        rejected=rejected,
        traces=traces,
        personas=[],
        finished=True,
    )


def test_acceptance_revision_and_before_after_shares() -> None:
    traces = [
        critique("t1", 0, "accept", 4.0),
        critique("t2", 0, "reject", 2.5, ["Zorg"]),
        critique("t2", 1, "accept", 3.5),
        critique("t3", 0, "reject", 2.5, ["Zorg"], phase="p1"),
        critique("t3", 1, "reject", 1.2, ["Zorg"], phase="p1"),
        {"event": "retrieval", "task_id": "t1", "chunks": [{"outlet": "Ses Online"}]},
        {
            "event": "retrieval",
            "task_id": "t3",
            "chunks": [{"outlet": "Ses Online"}, {"outlet": "Herald"}],
        },
    ]
    rejected = [
        {
            "id": "t3",
            "kind": "post",
            "phase_id": "p1",
            "persona_id": "a",
            "status": "rejected",
            "critiques": [],
            "drafts": [],
        }
    ]
    run = run_with(traces, [record("t1", 0, 4.0), record("t2", 1, 3.5)], rejected)
    g = grounding_figures(run, critique_records(run))
    assert (g.artifacts, g.accepted, g.rejected, g.failed) == (3, 2, 1, 0)
    assert g.acceptance_rate == round(2 / 3, 4)
    assert g.revision_rate == 0.5 and g.mean_revisions == 0.5
    assert g.unsupported_entities_before == round(2 / 3, 4)
    assert g.unsupported_entities_after == 0.0
    assert g.mean_accepted_score == 3.75
    assert g.per_phase["p0"].acceptance_rate == 1.0 and g.per_phase["p1"].acceptance_rate == 0.0
    assert g.per_outlet["Ses Online"].artifacts == 2 and g.per_outlet["Herald"].rejected == 1
    assert g.all_critique_scores == [4.0, 2.5, 3.5, 2.5, 1.2]


def test_critique_records_know_each_artifacts_fate() -> None:
    traces = [
        critique("t1", 0, "accept", 4.0),
        critique("t9", 0, "reject", 1.0, node="write_comment"),
    ]
    rejected = [
        {"id": "t9", "kind": "comment", "phase_id": "p0", "persona_id": "a", "status": "rejected"}
    ]
    records = critique_records(run_with(traces, [record("t1", 0, 4.0)], rejected))
    assert [(c.id, c.artifact_kind, c.final_status) for c in records] == [
        ("t1#0", "post", "accepted"),
        ("t9#0", "comment", "rejected"),
    ]
