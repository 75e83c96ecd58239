"""The critic: deterministic checks choose among candidates; an LLM rubric votes only where
its agreement with blind human labels was measured and found good enough.

For each candidate text the checks (`checks.py`) find what a tiny model gets wrong; any
blocking problem rules the candidate out (`BLOCKING`, one list). The passing candidates are
ranked by the check score (5 minus penalties), then (replies) by whether they keep to
`REPLY_PREFERRED_WORDS`, then by how close their sentences are to the chosen facts (cosine,
`sentence_support`), then by draw order, and the best is kept.

The rubric (`prompts/critique_draft.md` with its own system prompt,
`prompts/critic_system.md`) runs once per task, on the chosen candidate only, and only when
the critic model is trusted (`calibration.rubric_trusted`). A trusted rubric's score is
averaged with the check score, and any dimension at its floor (1 of 5) blocks acceptance.
An untrusted model's rubric is not asked for: the verdict comes from the checks, and the
record says so.
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field

from scenariosim.agents.calls import AgentModel, CallRecord, call_structured
from scenariosim.agents.checks import (
    PROTOTYPE_MARGIN,
    TEXT_MAX_WORDS,
    PrototypeVote,
    run_checks,
    sentence_support,
    sign_problems,
    sign_rank,
)
from scenariosim.agents.examples import all_example_text, prototypes
from scenariosim.agents.prompting import as_data, prompt_file_hash, render_prompt
from scenariosim.agents.schemas import (
    CandidateVerdict,
    CheckResults,
    Critique,
    DraftLabels,
    PersonaCard,
    RubricScores,
)
from scenariosim.text_rules import emotion_cues, split_sentences, stance_cues

GROUNDING_FLOOR = 0.25  # below this cosine to every fact, a sentence is about none of them
RUBRIC_FLOOR = 1


@dataclass(frozen=True)
class CriticPolicy:
    """How candidates become a verdict. `use_rubric`: ask the LLM rubric and let it vote."""

    threshold: float = 3.0
    use_rubric: bool = False


EXAMPLES_SOURCE = "an example"  # the copy source every writer gets: its few-shot examples
# Texts the run published before a task could start (graph/feed.py `settled_texts`), so two
# records do not share six words in a row.
EARLIER_SOURCE = "an earlier post or reply"
EARLIER_SCENE_SOURCE = "an earlier photo description"  # graph/feed.py `settled_scenes`
PHOTO_KIND = "photo description"  # what the critic is told it judges for an image prompt


class CritiqueInputs(BaseModel):
    """Everything a candidate is judged against: exactly what its writer was given.

    Traced with every critique (`critic_inputs` events, without the gazetteer and the
    examples, which the code ships), so a calibration set can judge a stored draft again.
    """

    model_config = ConfigDict(frozen=True)

    persona: PersonaCard
    labels: DraftLabels
    facts: list[str]
    support: str = Field(
        description="What its names and numbers may come from: facts, event, thread, persona."
    )
    topic: str = Field(description="What it must be about: facts, event, the post it answers.")
    copy_sources: dict[str, str] = Field(description="Texts it must not copy, by name.")
    known_names: frozenset[str] = frozenset()
    kind: str
    label_mismatches: tuple[tuple[str, ...], ...] = ()  # per candidate, image label problems

    def traced(self) -> dict[str, Any]:
        """The inputs as a trace holds them: no gazetteer, no examples text."""
        data = self.model_dump(mode="json", exclude={"known_names", "label_mismatches"})
        data["copy_sources"].pop(EXAMPLES_SOURCE, None)
        return data


# Check field -> reason text. A candidate with any of these is never kept.
def check_reasons(checks: CheckResults) -> list[str]:
    """Why a candidate fails, one reason per problem, in words a reader can act on."""
    reasons = []
    if checks.unsupported_entities:
        reasons.append(f"names not in its context: {', '.join(checks.unsupported_entities)}")
    if checks.unsupported_numbers:
        reasons.append(f"numbers not in its context: {', '.join(checks.unsupported_numbers)}")
    if checks.unreported_violence:
        reasons.append(f"violence nothing reported: {', '.join(checks.unreported_violence)}")
    if checks.real_world_names:
        reasons.append(f"real-world names: {', '.join(checks.real_world_names)}")
    reasons.extend(checks.persona_contradictions)
    reasons.extend(checks.label_mismatches)
    if checks.meta_text:
        reasons.append(f"talks about writing instead of the news: {', '.join(checks.meta_text)}")
    if checks.placeholders:
        reasons.append(f"placeholders: {', '.join(checks.placeholders)}")
    if checks.persona_readback:
        reasons.append(f"reads the persona card back: '{checks.persona_readback}'")
    if checks.copied:
        reasons.append(f"copied six words or more from {checks.copied}")
    if checks.cut_off:
        reasons.append("cut off mid-sentence")
    if checks.repeated:
        reasons.append(f"repeats itself: {', '.join(checks.repeated[:3])}")
    if checks.too_short:
        reasons.append("too short to be a post")
    if checks.too_long:
        reasons.append(f"longer than {TEXT_MAX_WORDS} words")
    if checks.off_topic:
        reasons.append("about nothing in its news or thread")
    if checks.labels_missing:
        reasons.append(f"does not carry its labels: {', '.join(checks.labels_missing)}")
    return reasons


def blocks_acceptance(checks: CheckResults) -> bool:
    """Any problem `check_reasons` names rules a candidate out."""
    return bool(check_reasons(checks))


def check_score(checks: CheckResults) -> float:
    """5 minus penalties, floor 1: a ranking figure, reported with every verdict."""
    penalties = len(check_reasons(checks))
    weak = [s for s in checks.sentence_support if s < GROUNDING_FLOOR]
    return max(1.0, 5.0 - penalties - (0.5 if weak else 0.0))


MAX_SENTENCES = 2


def clean_candidate(text: str) -> str:
    """Strip wrapping quotes and spaces; keep the first `MAX_SENTENCES` sentences (a small
    model drifts after them); cut a cut-off tail back to the last full sentence when a whole
    sentence of six words or more remains."""
    text = " ".join(text.split()).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    sentences = split_sentences(text)
    if len(sentences) > MAX_SENTENCES:
        text = " ".join(sentences[:MAX_SENTENCES])
    if text and text[-1] not in ".!?…\"'”’)":
        last = max(text.rfind(p) for p in ".!?")
        if last > 0 and len(text[: last + 1].split()) >= 6:
            text = text[: last + 1]
    return text


def sign_text(written: str) -> str:
    """A drawn sign as it is painted: one space between words, no edge quotes, capitals
    (the sign writer writes in lower case, `persona_agent.sign_prompt`)."""
    return " ".join(written.split()).strip(" '").upper()


def choose_sign(texts: list[str], support: str) -> str:
    """The sign for a picture from drawn candidates: of those that pass
    `checks.sign_problems` against `support` (post, news, attribute words), the first by
    `checks.sign_rank`; "" when none passes (the renderer then draws a blank sign)."""
    examples = all_example_text()
    passing = [s for s in map(sign_text, texts) if not sign_problems(s, support, examples)]
    return min(passing, key=lambda sign: sign_rank(sign, support)) if passing else ""


REPLY_KIND = "reply"  # what the critic is told it judges for a comment
# Blind readers found long replies garbled more often (audits v2 and v3, 91 accepted replies:
# coherent 86% at 10-14 words, 69% at 15-19, 48% at 20-24), so among passing candidates a
# reply of at most this many words ranks first.
REPLY_PREFERRED_WORDS = 16


def _rank(v: CandidateVerdict, kind: str = "") -> tuple[float, bool, float]:
    grounding = min(v.checks.sentence_support) if v.checks.sentence_support else 0.0
    long_reply = kind == REPLY_KIND and len(v.text.split()) > REPLY_PREFERRED_WORDS
    return (-v.score, long_reply, -grounding)


def judge_candidates(
    texts: list[str], inputs: CritiqueInputs, embeddings: Embeddings
) -> list[CandidateVerdict]:
    """Checks for every candidate, in draw order. The embedding check runs only for
    candidates that pass the others (it ranks; it does not rule out)."""
    votes = {name: PrototypeVote(prototypes(name), embeddings) for name in ("stance", "emotion")}
    verdicts = []
    for i, raw in enumerate(texts):
        text = clean_candidate(raw)
        mismatches = list(inputs.label_mismatches[i]) if i < len(inputs.label_mismatches) else []
        checks = run_checks(
            text,
            inputs.persona,
            inputs.support,
            inputs.known_names,
            inputs.labels,
            inputs.topic,
            inputs.copy_sources,
            fact=" ".join(inputs.facts),
            label_mismatches=mismatches,
            max_words=None if inputs.kind == PHOTO_KIND else TEXT_MAX_WORDS,
            tells_events=inputs.kind != PHOTO_KIND,
        )
        checks = _prototype_vote(text, checks, inputs.labels, votes)
        reasons = check_reasons(checks)
        if not reasons:
            checks = checks.model_copy(
                update={"sentence_support": sentence_support(text, inputs.facts, embeddings)}
            )
        verdicts.append(
            CandidateVerdict(
                index=i, text=text, checks=checks, score=check_score(checks), reasons=reasons
            )
        )
    return verdicts


def _prototype_vote(
    text: str, checks: CheckResults, labels: DraftLabels, votes: dict[str, PrototypeVote]
) -> CheckResults:
    """A stance or emotion with no cue word of another value may still be carried: MiniLM
    prototypes vote (`checks.PrototypeVote`, margin `PROTOTYPE_MARGIN`); a cue word of
    another value is never overruled."""
    missing = list(checks.labels_missing)
    for name, wanted, cues in (
        ("stance", labels.stance, stance_cues(text)),
        ("emotion", labels.emotion, emotion_cues(text)),
    ):
        if name not in missing or wanted is None:
            continue
        others = [k for k in cues if k != wanted and not (name == "stance" and k == "neutral")]
        if any(cues[k] for k in others):
            continue
        voted, margin = votes[name](text)
        if voted == wanted and margin >= PROTOTYPE_MARGIN:
            missing.remove(name)
    return checks.model_copy(update={"labels_missing": missing})


def rubric_prompt(text: str, inputs: CritiqueInputs) -> list[tuple[str, str]]:
    """The judge's messages: its own system prompt, then the case as delimited data."""
    facts = "\n".join(f"- {as_data(f)}" for f in inputs.facts) or "(none)"
    labels = ", ".join(f"{k}: {v}" for k, v in inputs.labels.model_dump().items() if v)
    human = render_prompt(
        "critique_draft",
        persona=as_data(inputs.persona.description),
        facts=facts,
        kind=inputs.kind,
        labels=labels or "(none)",
        draft=as_data(text),
    )
    return [("system", render_prompt("critic_system")), ("human", human)]


def rubric_hash() -> str:
    """Hash of everything the judge is sent besides the case: system prompt, template, schema."""
    return prompt_file_hash(["critic_system", "critique_draft"], RubricScores)


def critique_candidates(
    texts: list[str],
    inputs: CritiqueInputs,
    embeddings: Embeddings,
    model: AgentModel | None,
    seed: int,
    policy: CriticPolicy,
) -> tuple[Critique, CallRecord | None]:
    """Choose the best passing candidate, or reject the task with every candidate's reasons.

    Returns the critique (verdict "accept" with `chosen` set, or "reject") and the rubric
    call's record (None when the rubric was not asked: untrusted model or nothing passed).
    """
    verdicts = judge_candidates(texts, inputs, embeddings)
    rank = partial(_rank, kind=inputs.kind)
    passing = sorted((v for v in verdicts if not v.reasons), key=rank)
    if not passing:
        reasons = sorted({r for v in verdicts for r in v.reasons}) or ["no candidate was written"]
        best = min(verdicts, key=rank) if verdicts else None
        return Critique(
            verdict="reject",
            score=best.score if best else 1.0,
            reasons=reasons,
            checks=best.checks if best else CheckResults(),
            candidates=verdicts,
            rubric_note="not asked: no candidate passed the checks",
        ), None
    chosen = passing[0]

    def kept(note: str, error: str | None = None) -> Critique:
        return Critique(
            verdict="accept",
            score=chosen.score,
            reasons=[],
            checks=chosen.checks,
            chosen=chosen.index,
            candidates=verdicts,
            rubric_error=error,
            rubric_note=note,
        )

    if not policy.use_rubric or model is None:
        return kept("not asked: this critic model's rubric is not trusted (see critic eval)"), None
    rubric, call = call_structured(model, rubric_prompt(chosen.text, inputs), RubricScores, seed)
    if rubric is None:
        return kept("asked but unusable; the checks decided", call.error), call
    score, reasons = rubric_verdict(chosen.score, rubric, policy.threshold)
    verdict = "reject" if reasons else "accept"
    return Critique(
        verdict=verdict,
        score=round(score, 3),
        reasons=reasons + ([rubric.reasons] if rubric.reasons and reasons else []),
        checks=chosen.checks,
        chosen=chosen.index if verdict == "accept" else None,
        candidates=verdicts,
        rubric=rubric,
        rubric_note="trusted: the rubric voted",
    ), call


def rubric_verdict(
    check_score: float, rubric: RubricScores, threshold: float
) -> tuple[float, list[str]]:
    """A voting rubric's verdict on a candidate that passed the checks: the score is the mean
    of the check score and the rubric's mean (1-5); it is rejected, with the reasons returned,
    when a dimension is at its floor or the score is below `threshold` (no reasons: accepted).
    """
    score = (check_score + rubric.mean()) / 2
    floored = [k for k, v in rubric.dimensions().items() if v <= RUBRIC_FLOOR]
    if floored:
        return score, [f"rubric at its floor: {', '.join(floored)}"]
    if score < threshold:
        return score, [f"score {score:.2f} below the threshold {threshold}"]
    return score, []
