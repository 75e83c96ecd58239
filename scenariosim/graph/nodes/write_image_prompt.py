"""Write one image prompt: the planner chose the picture's protest attributes; the model
describes a scene that shows them (and writes the sign's words); the offline renderer then
draws exactly those attributes, so the image labels are exact by construction."""

from typing import Any

from langgraph.runtime import Runtime

from scenariosim.agents.calls import CallRecord
from scenariosim.agents.checks import scene_label_problems, sign_problems
from scenariosim.agents.critic import EXAMPLES_SOURCE, CritiqueInputs, clean_candidate
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.persona_agent import attribute_words, draw, scene_prompt, sign_prompt
from scenariosim.agents.schemas import DraftLabels, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.task_loop import Outcome, provenance, run_task, tally
from scenariosim.graph.tasks import TaskInput
from scenariosim.outputs.records import ImagePromptRecord, ReferenceUse

SIGN_TOKENS = 16
SIGN_SEED = 577


def write_sign(
    ctx: RunContext, task: dict[str, Any], about: str, support: str
) -> tuple[str, CallRecord]:
    """The words on the picture's sign: the first candidate that passes `sign_problems`."""
    prompt = sign_prompt(about, task["seed"] + SIGN_SEED)
    texts, call = draw(
        prompt,
        ctx.agent_model,
        ctx.resolved.critic.candidates,
        task["seed"] + SIGN_SEED,
        SIGN_TOKENS,
    )
    examples = all_example_text()
    for text in texts:
        sign = " ".join(text.split()).strip(" '")
        if not sign_problems(sign, support, examples):
            return sign, call
    return "", call


def write_image_prompt(state: TaskInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx, task = runtime.context, state["task"]
    actor = ctx.actors[task["persona_id"]]
    phase = ctx.scenario.phases[task["phase_index"]]
    attributes: dict[str, bool] = task["attributes"]
    post_text: str = task["post_text"]
    support = " ".join([post_text, phase.event, phase.title, attribute_words(attributes)])

    def prepare(base: dict[str, Any], outcome: Outcome) -> list[Fact]:
        return []  # the picture is about its post, which the planner attached

    def inputs(facts: list[Fact], texts: list[str]) -> CritiqueInputs:
        return CritiqueInputs(
            persona=actor.card,
            labels=DraftLabels(),
            facts=[post_text],
            support=support,
            topic=" ".join([post_text, phase.event, phase.title]),
            copy_sources={"the post": post_text, EXAMPLES_SOURCE: all_example_text()},
            known_names=ctx.known_names,
            kind="photo description",
            label_mismatches=tuple(
                tuple(scene_label_problems(clean_candidate(t), attributes)) for t in texts
            ),
        )

    outcome = run_task(
        ctx,
        "write_image_prompt",
        task,
        prepare,
        lambda facts, seed: scene_prompt(post_text, attributes, seed),
        inputs,
    )
    if outcome.status != "accepted":
        return tally(task, outcome.status)
    sign_text = ""
    if attributes.get("sign"):
        sign_text, call = write_sign(ctx, task, phase.title, support)
        ctx.traces.write(
            "model_call",
            node="write_image_prompt",
            task_id=task["id"],
            persona_id=actor.card.id,
            phase_id=phase.id,
            step="sign",
            attempt=0,
            **call.as_trace(),
        )
    used = [ReferenceUse(**r) for r in task["references"]]
    record = ImagePromptRecord(
        id=task["id"],
        phase_date=phase.date.isoformat(),
        post_id=task["post_id"],
        scene=outcome.text,
        sign_text=sign_text,
        labels=attributes,
        violence=task["violence"],
        provenance=provenance(ctx, task, outcome).model_copy(
            update={"reference_ids": [u.id for u in used]}
        ),
        references=used,
    )
    ctx.records.write(record)
    return tally(task, "accepted")
