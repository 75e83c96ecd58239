"""What every node gets through LangGraph's runtime context: frozen per run, never in state."""

from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.schemas import ContextChunk, PersonaCard
from scenariosim.graph.feed import Feed
from scenariosim.graph.resolve import ResolvedScenario
from scenariosim.jsonl import JsonlWriter
from scenariosim.outputs.records import ReferenceUse
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Phase, Scenario


@dataclass(frozen=True)
class Actor:
    """A persona as the graph needs it: the card agents see plus what planning uses."""

    card: PersonaCard
    hid: str
    idno: int
    region: str
    district: str
    posting_propensity: float
    stance_prior: float  # -1 (against protest) .. 1 (for protest)
    digital_access: str = "high"  # none, low, medium, high (personas.persona.DigitalAccess)


Retrieve = Callable[[str, Phase, Actor | None], list[ContextChunk]]
# (post text, phase, k) -> the k most similar visual references, best first.
RetrieveReferences = Callable[[str, Phase, int], list[ReferenceUse]]


@dataclass(frozen=True)
class RunContext:
    # Everything the run decided at its start (graph/resolve.py); nodes read it, never
    # settings or the environment, and never decide a spec, budget or critic setting again.
    resolved: ResolvedScenario
    run_id: str
    actors: dict[str, Actor]
    retrieve: Retrieve
    known_names: frozenset[str]
    embeddings: Embeddings
    agent_model: AgentModel
    critic_model: AgentModel
    records: JsonlWriter
    failures: JsonlWriter
    traces: TraceWriter
    on_artifact: Callable[[str, str], None]  # (kind, status) for progress display
    # Visual references for image prompts; None: prompts are grounded in the news only.
    references: RetrieveReferences | None = None
    # Published posts and comments; a resumed run rebuilds it from its records.
    feed: Feed = field(default_factory=Feed)

    @property
    def scenario(self) -> Scenario:
        return self.resolved.scenario
