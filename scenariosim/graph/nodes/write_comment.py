"""Write one reply in a thread: it answers the post its relation names (agrees, disagrees,
asks, adds a fact from the news)."""

from typing import Any

from langgraph.runtime import Runtime

from scenariosim.agents.critic import EXAMPLES_SOURCE, CritiqueInputs
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.persona_agent import comment_prompt
from scenariosim.agents.schemas import DraftLabels, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.task_loop import Outcome, provenance, retrieve_facts, run_task, tally
from scenariosim.graph.tasks import TaskInput
from scenariosim.outputs.records import CommentRecord

FACTS_PER_COMMENT = 1


def write_comment(state: TaskInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx, task = runtime.context, state["task"]
    actor = ctx.actors[task["persona_id"]]
    phase = ctx.scenario.phases[task["phase_index"]]
    labels = DraftLabels(**task["labels"])
    thread = task["thread"]
    answered = thread[-1]
    thread_text = " ".join(f"{t['author']} {t['text']}" for t in thread)

    def prepare(base: dict[str, Any], outcome: Outcome) -> list[Fact]:
        outcome.chunks, facts = retrieve_facts(
            ctx, base, task, thread[0]["text"], FACTS_PER_COMMENT
        )
        return facts

    def inputs(facts: list[Fact], texts: list[str]) -> CritiqueInputs:
        fact_texts = [f.text for f in facts]
        return CritiqueInputs(
            persona=actor.card,
            labels=DraftLabels(emotion=labels.emotion, relation=labels.relation),
            facts=fact_texts,
            support=" ".join([*fact_texts, thread_text, phase.event, actor.card.province]),
            topic=" ".join([*fact_texts, answered["text"], phase.event]),
            copy_sources={
                "the news": " ".join(fact_texts),
                "the thread": " ".join(t["text"] for t in thread),
                EXAMPLES_SOURCE: all_example_text(),
            },
            known_names=ctx.known_names,
            kind="reply",
        )

    outcome = run_task(
        ctx,
        "write_comment",
        task,
        prepare,
        lambda facts, seed: comment_prompt(
            actor.card, facts, answered["author"], answered["text"], labels, seed
        ),
        inputs,
    )
    if outcome.status != "accepted":
        return tally(task, outcome.status)
    record = CommentRecord(
        id=task["id"],
        phase_date=phase.date.isoformat(),
        author_name=actor.card.name,
        reply_to=task["reply_to"],
        thread_root=task["thread_root"],
        text=outcome.text,
        stance=labels.stance,
        emotion=labels.emotion,
        relation=labels.relation,
        provenance=provenance(ctx, task, outcome),
    )
    ctx.records.write(record)
    ctx.feed.add_record(record.model_dump(mode="json"), task["phase_index"])
    return tally(task, "accepted")
