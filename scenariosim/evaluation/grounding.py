"""How well the critic kept the dataset grounded, from the run's critiques.

Definitions:
- an artifact is one agent task (a post, comment or image prompt to write); its outcome
  is accepted (a record), rejected (the critic never accepted a draft) or failed (no
  valid draft at all);
- acceptance rate: accepted / artifacts; revision rate: accepted after at least one
  further round of candidates / accepted;
- "before": each artifact's first round (attempt 0) as the critic summed it up, i.e. the
  checks of the candidate it kept or, when none passed, of its best candidate; "after":
  the accepted candidates (the round each record was accepted in). Shares are of those
  with at least one unsupported name (or number) by the critic's deterministic checks;
- per outlet: the artifacts whose retrieved context included a chunk from that outlet.
"""

from collections import defaultdict
from typing import Any

import numpy as np
from pydantic import BaseModel

from scenariosim.outputs.records import CritiqueRecord
from scenariosim.outputs.run_folder import RunFolder


class GroupFigures(BaseModel):
    artifacts: int
    accepted: int
    rejected: int
    failed: int
    acceptance_rate: float | None
    mean_accepted_score: float | None
    unsupported_before: float | None


class GroundingFigures(BaseModel):
    artifacts: int
    accepted: int
    rejected: int
    failed: int
    acceptance_rate: float | None
    revision_rate: float | None
    mean_revisions: float | None
    accepted_scores: list[float]
    all_critique_scores: list[float]
    mean_accepted_score: float | None
    rubric_means: dict[str, float]
    unsupported_entities_before: float | None
    unsupported_entities_after: float | None
    unsupported_numbers_before: float | None
    unsupported_numbers_after: float | None
    real_world_names_before: float | None
    real_world_names_after: float | None
    mean_min_sentence_support_accepted: float | None
    per_phase: dict[str, GroupFigures]
    per_outlet: dict[str, GroupFigures]
    per_kind: dict[str, GroupFigures]


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def _outcomes(run: RunFolder, critiques: list[CritiqueRecord]) -> dict[str, dict[str, Any]]:
    """artifact id -> {status, kind, phase, score}."""
    out: dict[str, dict[str, Any]] = {}
    for c in critiques:
        out.setdefault(
            c.artifact_id, {"status": "unknown", "kind": c.artifact_kind, "phase": c.phase_id}
        )
    for failed in run.rejected:
        out[failed["id"]] = {
            "status": failed.get("status", "rejected"),
            "kind": failed.get("kind", ""),
            "phase": failed.get("phase_id", ""),
        }
    for record in run.all_records():
        prov = record["provenance"]
        out[record["id"]] = {
            "status": "accepted",
            "kind": record["kind"],
            "phase": prov["phase_id"],
            "score": float(prov["critic_score"]),
            "revisions": int(prov.get("revisions", 0)),
        }
    return out


def _group(
    ids: list[str], outcomes: dict[str, dict[str, Any]], first: dict[str, CritiqueRecord]
) -> GroupFigures:
    statuses = [outcomes[i]["status"] for i in ids]
    decided = [s for s in statuses if s != "unknown"]
    accepted = [outcomes[i]["score"] for i in ids if outcomes[i]["status"] == "accepted"]
    return GroupFigures(
        artifacts=len(ids),
        accepted=statuses.count("accepted"),
        rejected=statuses.count("rejected"),
        failed=statuses.count("failed"),
        acceptance_rate=_share([s == "accepted" for s in decided]),
        mean_accepted_score=_mean(accepted),
        unsupported_before=_share(
            [
                bool(first[i].unsupported_entities or first[i].unsupported_numbers)
                for i in ids
                if i in first
            ]
        ),
    )


def _outlets(run: RunFolder) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in run.traces:
        if row.get("event") == "retrieval" and row.get("task_id"):
            for chunk in row.get("chunks", []):
                if chunk.get("outlet"):
                    found[row["task_id"]].add(chunk["outlet"])
    return found


def grounding_figures(run: RunFolder, critiques: list[CritiqueRecord]) -> GroundingFigures:
    outcomes = _outcomes(run, critiques)
    by_attempt = {(c.artifact_id, c.attempt): c for c in critiques}
    first = {c.artifact_id: c for c in critiques if c.attempt == 0}
    final = [
        by_attempt[(i, o["revisions"])]
        for i, o in outcomes.items()
        if o["status"] == "accepted" and (i, o.get("revisions", 0)) in by_attempt
    ]
    ids = sorted(outcomes)
    statuses = [outcomes[i]["status"] for i in ids]
    decided = [s for s in statuses if s != "unknown"]
    accepted = [o for o in outcomes.values() if o["status"] == "accepted"]
    rubric: dict[str, list[float]] = defaultdict(list)
    for c in final:
        for k, v in c.rubric.items():
            rubric[k].append(v)
    per_phase = {
        phase: _group([i for i in ids if outcomes[i]["phase"] == phase], outcomes, first)
        for phase in dict.fromkeys([*run.phase_ids, *(outcomes[i]["phase"] for i in ids)])
        if any(outcomes[i]["phase"] == phase for i in ids)
    }
    kinds = sorted({o["kind"] for o in outcomes.values()})
    outlets = _outlets(run)
    per_outlet = {
        outlet: _group([i for i in ids if outlet in outlets.get(i, set())], outcomes, first)
        for outlet in sorted({o for s in outlets.values() for o in s})
    }
    return GroundingFigures(
        artifacts=len(ids),
        accepted=statuses.count("accepted"),
        rejected=statuses.count("rejected"),
        failed=statuses.count("failed"),
        acceptance_rate=_share([s == "accepted" for s in decided]),
        revision_rate=_share([o.get("revisions", 0) > 0 for o in accepted]),
        mean_revisions=_mean([float(o.get("revisions", 0)) for o in accepted]),
        accepted_scores=[o["score"] for o in accepted],
        all_critique_scores=[c.score for c in critiques],
        mean_accepted_score=_mean([o["score"] for o in accepted]),
        rubric_means={k: round(float(np.mean(v)), 3) for k, v in sorted(rubric.items())},
        unsupported_entities_before=_share([bool(c.unsupported_entities) for c in first.values()]),
        unsupported_entities_after=_share([bool(c.unsupported_entities) for c in final]),
        unsupported_numbers_before=_share([bool(c.unsupported_numbers) for c in first.values()]),
        unsupported_numbers_after=_share([bool(c.unsupported_numbers) for c in final]),
        real_world_names_before=_share([bool(c.real_world_names) for c in first.values()]),
        real_world_names_after=_share([bool(c.real_world_names) for c in final]),
        mean_min_sentence_support_accepted=_mean(
            [min(c.sentence_support) for c in final if c.sentence_support]
        ),
        per_phase=per_phase,
        per_outlet=per_outlet,
        per_kind={
            k: _group([i for i in ids if outcomes[i]["kind"] == k], outcomes, first) for k in kinds
        },
    )
