"""Write one post: facts chosen from the phase's news, labels assigned by the planner."""

from typing import Any

from langgraph.runtime import Runtime

from scenariosim.agents.critic import EXAMPLES_SOURCE, CritiqueInputs
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.persona_agent import post_prompt
from scenariosim.agents.schemas import DraftLabels, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.task_loop import Outcome, provenance, retrieve_facts, run_task, tally
from scenariosim.graph.tasks import TaskInput
from scenariosim.outputs.records import PostRecord

FACTS_PER_POST = 1


def write_post(state: TaskInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx, task = runtime.context, state["task"]
    actor = ctx.actors[task["persona_id"]]
    phase = ctx.scenario.phases[task["phase_index"]]
    labels = DraftLabels(**task["labels"])

    def prepare(base: dict[str, Any], outcome: Outcome) -> list[Fact]:
        outcome.chunks, facts = retrieve_facts(
            ctx, base, task, phase.retrieval_query, FACTS_PER_POST
        )
        return facts

    def inputs(facts: list[Fact], texts: list[str]) -> CritiqueInputs:
        fact_texts = [f.text for f in facts]
        return CritiqueInputs(
            persona=actor.card,
            labels=labels,
            facts=fact_texts,
            support=" ".join([*fact_texts, phase.event, actor.card.name, actor.card.province]),
            topic=" ".join([*fact_texts, phase.event, phase.title, phase.retrieval_query]),
            copy_sources={"the news": " ".join(fact_texts), EXAMPLES_SOURCE: all_example_text()},
            known_names=ctx.known_names,
            kind="post",
        )

    outcome = run_task(
        ctx,
        "write_post",
        task,
        prepare,
        lambda facts, seed: post_prompt(actor.card, facts, labels, seed),
        inputs,
    )
    if outcome.status != "accepted":
        return tally(task, outcome.status)
    record = PostRecord(
        id=task["id"],
        phase_date=phase.date.isoformat(),
        author_name=actor.card.name,
        text=outcome.text,
        hashtags=[],
        stance=labels.stance,
        emotion=labels.emotion,
        provenance=provenance(ctx, task, outcome),
    )
    ctx.records.write(record)
    ctx.feed.add_record(record.model_dump(mode="json"), task["phase_index"])
    return tally(task, "accepted")
