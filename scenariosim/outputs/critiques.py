"""Every critic verdict of a run, one record per draft attempt.

Read from the `critique` trace events (which hold the checks and the rubric); a run without
traces falls back to the critiques kept with its rejected artifacts.
"""

from typing import Any

from scenariosim.outputs.records import CritiqueRecord
from scenariosim.outputs.run_folder import RunFolder

NODE_KIND = {"write_post": "post", "write_comment": "comment", "write_image_prompt": "image_prompt"}


def _status(run: RunFolder) -> dict[str, str]:
    status = {r["id"]: "accepted" for r in run.all_records()}
    for failed in run.rejected:
        status.setdefault(failed["id"], failed.get("status", "rejected"))
    return status


def _record(
    artifact_id: str, kind: str, attempt: int, row: dict[str, Any], status: dict[str, str]
) -> CritiqueRecord:
    checks = row.get("checks") or {}
    rubric = row.get("rubric") or {}
    return CritiqueRecord(
        id=f"{artifact_id}#{attempt}",
        artifact_id=artifact_id,
        artifact_kind=kind,
        attempt=attempt,
        phase_id=row.get("phase_id", ""),
        persona_id=row.get("persona_id", ""),
        verdict=row["verdict"],
        score=float(row["score"]),
        reasons=list(row.get("reasons", [])),
        unsupported_entities=checks.get("unsupported_entities", []),
        unsupported_numbers=checks.get("unsupported_numbers", []),
        real_world_names=checks.get("real_world_names", []),
        persona_contradictions=checks.get("persona_contradictions", []),
        label_mismatches=checks.get("label_mismatches", []),
        sentence_support=checks.get("sentence_support", []),
        rubric={k: float(v) for k, v in rubric.items() if isinstance(v, int | float)},
        final_status=status.get(artifact_id, "unknown"),  # type: ignore[arg-type]
    )


def critique_records(run: RunFolder) -> list[CritiqueRecord]:
    status = _status(run)
    found: dict[str, CritiqueRecord] = {}
    for row in run.traces:
        if row.get("event") != "critique" or "task_id" not in row:
            continue
        kind = NODE_KIND.get(row.get("node", ""), "unknown")
        record = _record(row["task_id"], kind, int(row.get("attempt", 0)), row, status)
        found[record.id] = record
    if not run.traces:
        for failed in run.rejected:
            for attempt, critique in enumerate(failed.get("critiques", [])):
                row = {
                    **critique,
                    "phase_id": failed["phase_id"],
                    "persona_id": failed["persona_id"],
                }
                record = _record(failed["id"], failed["kind"], attempt, row, status)
                found[record.id] = record
    return [found[k] for k in sorted(found)]
