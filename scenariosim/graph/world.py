"""The run's world: personas from the census, a retriever over the corpus, the gazetteer,
and the visual references image prompts are grounded in.

This is the one place the graph meets the personas and knowledge packages; everything
downstream sees `Actor`s, a `retrieve` function, a `references` function and a set of
known names. Every input
file is checked here, before any chat model is loaded.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from langchain_core.embeddings import Embeddings

from scenariosim.agents.schemas import ContextChunk, PersonaCard
from scenariosim.errors import ConfigError
from scenariosim.graph.context import Actor, Retrieve, RetrieveReferences
from scenariosim.graph.resolve import ResolvedScenario
from scenariosim.knowledge.chunking import ChunkSettings
from scenariosim.knowledge.documents import read_corpus
from scenariosim.knowledge.gazetteer import load_gazetteer
from scenariosim.knowledge.references import ReferenceLibrary, add_shipped, default_root
from scenariosim.knowledge.store import CorpusStore, IngestReport, RetrievalFilter
from scenariosim.models import make_embeddings
from scenariosim.models.registry import Backends
from scenariosim.outputs.records import ReferenceUse
from scenariosim.personas.enrich import Persona, enrich, persona_id
from scenariosim.personas.load import Census, load_census
from scenariosim.personas.sample import sample_people
from scenariosim.personas.strata import sample_strata
from scenariosim.scenario import Phase, Scenario
from scenariosim.settings import Settings

SHIPPED_CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "articles"


@dataclass(frozen=True)
class World:
    actors: dict[str, Actor]
    persona_rows: list[dict[str, Any]]
    retrieve: Retrieve
    known_names: frozenset[str]
    embeddings: Embeddings
    embedding_model: str
    corpus_fingerprint: str
    ingest: IngestReport
    references: RetrieveReferences | None = None
    references_fingerprint: str = ""


def actor_for(persona: Persona) -> Actor:
    card = PersonaCard(
        id=persona.id,
        name=persona.name,
        age=persona.age,
        sex="female" if persona.sex == "Female" else "male",
        province=persona.province,
        occupation=persona.occupation,
        description=persona.describe(),
    )
    return Actor(
        card=card,
        hid=persona.hid,
        idno=persona.idno,
        region=persona.region,
        district=persona.district,
        posting_propensity=persona.traits.posting_propensity,
        stance_prior=persona.traits.protest_stance,
        digital_access=persona.digital_access,
    )


def persona_row(persona: Persona, sampled: pd.Series) -> dict[str, Any]:
    """The persona as the dataset's personas table holds it, with how it was sampled."""
    row = persona.model_dump(exclude={"traits"})
    row.update(persona.traits.model_dump())
    row["assets"] = ", ".join(persona.assets)
    row["description"] = persona.describe()
    row["stratum"] = str(sampled.get("stratum", ""))
    row["design_weight"] = float(sampled.get("design_weight", 1.0))
    return row


def _sample(census: Census, scenario: Scenario) -> pd.DataFrame:
    """The scenario's people: stratified when it names strata, else one weighted draw."""
    chosen = scenario.personas
    if chosen.strata:
        rows, _ = sample_strata(
            census,
            chosen.n,
            chosen.strata,
            where=chosen.where,
            filters=chosen.filters,
            seed=scenario.seed,
            min_age=chosen.min_age,
        )
        return rows
    return sample_people(
        census,
        chosen.n,
        where=chosen.where,
        filters=chosen.filters,
        seed=scenario.seed,
        min_age=chosen.min_age,
        households=chosen.households,
    )


def open_world(
    resolved: ResolvedScenario, settings: Settings, backends: Backends | None = None
) -> World:
    """The resolved scenario's world; its embedding spec is the one the run resolved."""
    scenario = resolved.scenario
    corpus_dir = scenario.world.corpus or SHIPPED_CORPUS
    gazetteer = load_gazetteer(scenario.world.gazetteer)
    docs, problems = read_corpus(corpus_dir)
    census = load_census(scenario.personas.census, cache_dir=settings.cache_dir)
    rows = _sample(census, scenario)
    personas = enrich(rows.to_dict("records"), scenario.seed, gazetteer.provinces_by_region())
    ids = [persona_id(h, i) for h, i in zip(rows["hid"], rows["idno"], strict=True)]
    design = rows.set_index(pd.Index(ids))

    embeddings = make_embeddings(resolved.embedding, settings, backends)
    embedding_model = getattr(embeddings, "model_name", resolved.embedding)
    retrieval = scenario.retrieval
    store = CorpusStore.open(
        settings.cache_dir / "chroma",
        str(corpus_dir.resolve()),
        embeddings,
        embedding_model,
        ChunkSettings(size=retrieval.chunk_size, overlap=retrieval.chunk_overlap),
    )
    report = store.ingest(docs, problems)

    def retrieve(query: str, phase: Phase, actor: Actor | None) -> list[ContextChunk]:
        text = f"{query} {actor.card.province}" if actor else query
        found = store.retrieve(
            text,
            k=retrieval.k,
            mmr=retrieval.mmr,
            fetch_k=retrieval.fetch_k,
            lambda_mult=retrieval.lambda_mult,
            where=RetrievalFilter(
                outlets=phase.filters.outlets,
                date_from=phase.filters.date_from,
                date_to=phase.filters.date_to,
            ),
        )
        return [
            ContextChunk(
                chunk_id=c.chunk_id,
                doc_id=c.doc_id,
                title=c.title,
                outlet=c.outlet,
                date=c.date,
                text=c.text,
                score=c.score,
            )
            for c in found
        ]

    actors = {p.id: actor_for(p) for p in personas}
    library = open_references(scenario, settings, embeddings, embedding_model)
    return World(
        actors=actors,
        persona_rows=[persona_row(p, design.loc[p.id]) for p in personas],
        retrieve=retrieve,
        known_names=gazetteer.names(),
        embeddings=embeddings,
        embedding_model=embedding_model,
        corpus_fingerprint=store.fingerprint(),
        ingest=report,
        references=reference_retriever(library) if library is not None else None,
        references_fingerprint=library.fingerprint() if library is not None else "",
    )


def open_references(
    scenario: Scenario, settings: Settings, embeddings: Embeddings, embedding_model: str
) -> ReferenceLibrary | None:
    """The scenario's reference library with the shipped catalogue in it; None when the
    scenario asks for no references (`retrieval.references_k: 0`)."""
    if scenario.retrieval.references_k == 0:
        return None
    root = scenario.world.references
    if root is not None and not root.is_dir():
        raise ConfigError(
            f"world.references: no reference library at {root}; create one with "
            f"`scenariosim references add FOLDER --library {root}` or remove the key"
        )
    library = ReferenceLibrary(root or default_root(settings), embeddings, embedding_model)
    add_shipped(library)
    return library


def reference_use(library: ReferenceLibrary, ref_id: str, score: float | None) -> ReferenceUse:
    ref = library.get(ref_id)
    thumbnail = library.thumbnail_path(ref)
    return ReferenceUse(
        id=ref.id,
        kind=ref.kind,
        caption=ref.caption,
        labels=list(ref.labels),
        labelled=ref.labelled,
        palette=ref.colours,
        score=score,
        license=ref.license,
        source=ref.source,
        synthetic=ref.synthetic,
        allowed_as_input=ref.allowed_as_input,
        thumbnail_path=str(thumbnail.resolve()) if thumbnail is not None else "",
    )


def reference_retriever(library: ReferenceLibrary) -> RetrieveReferences:
    """References most like the post, in the phase's situation."""

    def references(post_text: str, phase: Phase, k: int) -> list[ReferenceUse]:
        query = f"{post_text} {phase.title}. {phase.event}"
        return [reference_use(library, r.id, score) for r, score in library.search(query, k)]

    return references
