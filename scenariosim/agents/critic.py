"""The critic: deterministic checks plus an LLM rubric, combined into a verdict.

The checks are what keep a small model honest; the rubric adds judgement a bigger model
can give. The score is the mean of the two halves on a 1-5 scale. A draft with an invented name or
number, a real-world name or a contradiction of its persona is never accepted, whatever
its score: it is revised or rejected. A rubric the model could
not produce leaves the checks alone to decide, capped below the threshold, so the draft is
revised rather than accepted unchecked.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from scenariosim.agents.calls import AgentModel, CallRecord, call_structured
from scenariosim.agents.checks import run_checks
from scenariosim.agents.persona_agent import SYSTEM, format_context
from scenariosim.agents.prompting import as_data, render_prompt
from scenariosim.agents.schemas import (
    CheckResults,
    ContextChunk,
    Critique,
    Draft,
    ImagePromptDraft,
    PersonaCard,
    ReferenceCard,
    RubricScores,
)

GROUNDING_FLOOR = 0.25
CRITIC_CHUNK_CHARS = 300  # the rubric sees the gist; the checks see every chunk in full  # below this max-cosine, a sentence is not about any chunk


@dataclass(frozen=True)
class CriticPolicy:
    threshold: float = 3.0
    reject_below: float = 1.5


def draft_text(draft: Draft) -> str:
    if isinstance(draft, ImagePromptDraft):
        return f"{draft.scene} {draft.sign_text}".strip()
    return draft.text


def check_score(checks: CheckResults) -> tuple[float, list[str]]:
    """Start at 5 and take off for each problem; return the score and the reasons."""
    score, reasons = 5.0, []
    if checks.unsupported_entities:
        score -= min(2.0, 1.0 * len(checks.unsupported_entities))
        reasons.append(
            f"names not in the news or the world: {', '.join(checks.unsupported_entities)}"
        )
    if checks.unsupported_numbers:
        score -= min(1.5, 0.5 * len(checks.unsupported_numbers))
        reasons.append(f"numbers not in the news: {', '.join(checks.unsupported_numbers)}")
    if checks.real_world_names:
        score -= 3.0
        reasons.append(
            f"real-world names in a fictional world: {', '.join(checks.real_world_names)}"
        )
    if checks.persona_contradictions:
        score -= 2.0
        reasons.extend(checks.persona_contradictions)
    if checks.label_mismatches:
        score -= min(2.0, 0.5 * len(checks.label_mismatches))
        reasons.extend(checks.label_mismatches)
    weak = [s for s in checks.sentence_support if s < GROUNDING_FLOOR]
    if checks.sentence_support and weak:
        score -= 1.0
        reasons.append(f"{len(weak)} sentence(s) are about nothing in the news")
    return max(1.0, score), reasons


def blocks_acceptance(checks: CheckResults) -> bool:
    """Inventions a dataset about a fictional world cannot publish, whatever the rubric says."""
    return bool(
        checks.real_world_names
        or checks.unsupported_entities
        or checks.persona_contradictions
        or checks.unsupported_numbers
    )


def describe_checks(checks: CheckResults) -> str:
    lines = [
        f"names not found in the news or the world: {checks.unsupported_entities or 'none'}",
        f"numbers not found in the news: {checks.unsupported_numbers or 'none'}",
        f"real-world names: {checks.real_world_names or 'none'}",
        f"contradictions of the persona: {checks.persona_contradictions or 'none'}",
    ]
    if checks.label_mismatches:
        lines.append(f"image label problems: {checks.label_mismatches}")
    return "\n".join(lines)


def critique_draft(
    draft: Draft,
    persona: PersonaCard,
    event: str,
    chunks: list[ContextChunk],
    known_names: Iterable[str],
    embeddings: Embeddings,
    model: AgentModel,
    seed: int,
    policy: CriticPolicy,
    extra_support: str = "",
    references: list[ReferenceCard] | None = None,
) -> tuple[Critique, CallRecord | None]:
    """Score `draft` against exactly the context its author was given.

    For an image prompt, `extra_support` is the post it illustrates and `references` the
    reference photos its author saw; its labels are checked against both.
    The rubric call is skipped (call record None) when the checks already block acceptance.
    """
    text = draft_text(draft)
    given = [persona.description, persona.name, event, extra_support]
    given += [f"{c.title} {c.outlet} {c.date} {c.text}" for c in chunks]
    support = " ".join(given)
    checks = run_checks(
        text,
        persona,
        support,
        [c.text for c in chunks],
        known_names,
        embeddings,
        image=draft if isinstance(draft, ImagePromptDraft) else None,
        post_text=extra_support,
        references=references,
    )
    deterministic, reasons = check_score(checks)
    if blocks_acceptance(checks):
        # The checks already rule the draft out; the rubric could not change the verdict.
        score = min(deterministic, policy.threshold - 0.5)
        return _critique(score, reasons, checks, None, None, policy), None
    prompt = render_prompt(
        "critique_draft",
        persona=as_data(persona.description),
        context=format_context(chunks, chars=CRITIC_CHUNK_CHARS),
        kind=type(draft).__name__,
        draft=as_data(draft.model_dump_json()),
        checks=describe_checks(checks),
    )
    rubric, call = call_structured(
        model, [("system", SYSTEM), ("human", prompt)], RubricScores, seed
    )
    if rubric is None:
        score = min(deterministic, policy.threshold - 0.5)
        reasons.append("the critic model gave no usable rubric")
        return _critique(score, reasons, checks, None, call.error, policy), call
    llm = (rubric.groundedness + rubric.persona_fit + rubric.world_consistency + rubric.safety) / 4
    if rubric.reasons:
        reasons.append(rubric.reasons)
    return _critique((deterministic + llm) / 2, reasons, checks, rubric, None, policy), call


def _critique(
    score: float,
    reasons: list[str],
    checks: CheckResults,
    rubric: RubricScores | None,
    rubric_error: str | None,
    policy: CriticPolicy,
) -> Critique:
    if score < policy.reject_below:
        verdict = "reject"
    elif score < policy.threshold or blocks_acceptance(checks):
        verdict = "revise"
    else:
        verdict = "accept"
    return Critique(
        verdict=verdict,
        score=round(max(1.0, min(5.0, score)), 3),
        reasons=reasons,
        checks=checks,
        rubric=rubric,
        rubric_error=rubric_error,
    )
