"""Write one post: facts chosen from the phase's news, labels assigned by the planner."""

from typing import Any

from scenariosim.agents.critic import EARLIER_SOURCE, EXAMPLES_SOURCE, CritiqueInputs
from scenariosim.agents.examples import all_example_text
from scenariosim.agents.persona_agent import Prompt, post_prompt
from scenariosim.agents.schemas import ContextChunk, DraftLabels, Fact
from scenariosim.graph.context import RunContext
from scenariosim.graph.nodes.retrieve_facts import retrieve_and_choose
from scenariosim.graph.task_graph import build_task_graph
from scenariosim.graph.task_state import Outcome, provenance
from scenariosim.graph.tasks import Task
from scenariosim.outputs.records import PostRecord
from scenariosim.scenario import protest_underway

FACTS_PER_POST = 1


class PostWriter:
    node = "write_post"

    def facts(
        self, ctx: RunContext, task: Task, base: dict[str, Any]
    ) -> tuple[list[ContextChunk], list[Fact]]:
        phase = ctx.scenario.phases[task["phase_index"]]
        return retrieve_and_choose(ctx, base, task, phase.retrieval_query, FACTS_PER_POST)

    def prompt(self, ctx: RunContext, task: Task, facts: list[Fact], seed: int) -> Prompt:
        card = ctx.actors[task["persona_id"]].card
        underway = protest_underway(ctx.scenario.phases, task["phase_index"])
        return post_prompt(card, facts, DraftLabels(**task["labels"]), seed, underway)

    def inputs(
        self, ctx: RunContext, task: Task, facts: list[Fact], texts: list[str]
    ) -> CritiqueInputs:
        card = ctx.actors[task["persona_id"]].card
        phase = ctx.scenario.phases[task["phase_index"]]
        fact_texts = [f.text for f in facts]
        return CritiqueInputs(
            persona=card,
            labels=DraftLabels(**task["labels"]),
            facts=fact_texts,
            support=" ".join([*fact_texts, phase.event, card.name, card.province]),
            topic=" ".join([*fact_texts, phase.event, phase.title, phase.retrieval_query]),
            copy_sources={
                "the news": " ".join(fact_texts),
                EXAMPLES_SOURCE: all_example_text(),
                EARLIER_SOURCE: "\n".join(ctx.feed.settled_texts(task["phase_index"], "post")),
            },
            known_names=ctx.known_names,
            kind="post",
        )

    def publish(self, ctx: RunContext, task: Task, outcome: Outcome) -> None:
        labels = DraftLabels(**task["labels"])
        record = PostRecord(
            id=task["id"],
            phase_date=ctx.scenario.phases[task["phase_index"]].date.isoformat(),
            author_name=ctx.actors[task["persona_id"]].card.name,
            text=outcome.text,
            hashtags=[],
            stance=labels.stance,
            emotion=labels.emotion,
            provenance=provenance(ctx, task, outcome),
        )
        ctx.records.write(record)
        ctx.feed.add_record(record.model_dump(mode="json"), task["phase_index"])


write_post = build_task_graph(PostWriter())
