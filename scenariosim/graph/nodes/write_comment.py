"""Write one reply in a thread: it answers the post its relation names (agrees, disagrees,
asks, adds a fact from the news)."""

from typing import Any

from scenariosim.agents.critic import EARLIER_SOURCE, EXAMPLES_SOURCE, REPLY_KIND, CritiqueInputs
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.persona_agent import Prompt, comment_prompt
from scenariosim.agents.schemas import ContextChunk, DraftLabels, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.nodes.retrieve_facts import retrieve_and_choose
from scenariosim.graph.task_graph import build_task_graph
from scenariosim.graph.task_state import Outcome, provenance
from scenariosim.graph.tasks import CommentTask
from scenariosim.outputs.records import CommentRecord
from scenariosim.scenario import protest_underway

FACTS_PER_COMMENT = 1


class CommentWriter:
    node = "write_comment"

    def facts(
        self, ctx: RunContext, task: CommentTask, base: dict[str, Any]
    ) -> tuple[list[ContextChunk], list[Fact]]:
        return retrieve_and_choose(ctx, base, task, task["thread"][0]["text"], FACTS_PER_COMMENT)

    def prompt(self, ctx: RunContext, task: CommentTask, facts: list[Fact], seed: int) -> Prompt:
        answered = task["thread"][-1]
        return comment_prompt(
            ctx.actors[task["persona_id"]].card,
            facts,
            answered["author"],
            answered["text"],
            DraftLabels(**task["labels"]),
            seed,
            protest_underway(ctx.scenario.phases, task["phase_index"]),
        )

    def inputs(
        self, ctx: RunContext, task: CommentTask, facts: list[Fact], texts: list[str]
    ) -> CritiqueInputs:
        card = ctx.actors[task["persona_id"]].card
        phase = ctx.scenario.phases[task["phase_index"]]
        labels = DraftLabels(**task["labels"])
        thread = task["thread"]
        thread_text = " ".join(f"{t['author']} {t['text']}" for t in thread)
        fact_texts = [f.text for f in facts]
        return CritiqueInputs(
            persona=card,
            labels=labels,
            facts=fact_texts,
            support=" ".join([*fact_texts, thread_text, phase.event, card.province]),
            topic=" ".join([*fact_texts, thread[-1]["text"], phase.event]),
            copy_sources={
                "the news": " ".join(fact_texts),
                "the thread": " ".join(t["text"] for t in thread),
                EXAMPLES_SOURCE: all_example_text(),
                EARLIER_SOURCE: "\n".join(ctx.feed.settled_texts(task["phase_index"], "comment")),
            },
            known_names=ctx.known_names,
            kind=REPLY_KIND,
        )

    def publish(self, ctx: RunContext, task: CommentTask, outcome: Outcome) -> None:
        labels = DraftLabels(**task["labels"])
        record = CommentRecord(
            id=task["id"],
            phase_date=ctx.scenario.phases[task["phase_index"]].date.isoformat(),
            author_name=ctx.actors[task["persona_id"]].card.name,
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


write_comment = build_task_graph(CommentWriter())
