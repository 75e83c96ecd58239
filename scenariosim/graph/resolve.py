"""One resolution step: what a run will use, decided once at its start.

    resolve_scenario(scenario, settings) -> ResolvedScenario      # specs, budgets, critic
    resolved.with_inputs(world_inputs(world))                     # fingerprints, persona ids

`ResolvedScenario` (frozen) holds every decision a run depends on: the agent's and the
critic's model specs, parsed and checked once, with their output budgets; the image spec
and where it came from (the scenario, or the `image_model` setting and which source gave
it: `SCENARIOSIM_IMAGE_MODEL`, `scenariosim.toml`, a keyword, the default); the embedding
spec; the seed, temperature and concurrency; the critic's settings with whether its rubric
votes; and, once the world is open, the corpus and references fingerprints and the persona
ids. It is written under `resolved:` in `scenario.resolved.yaml` (`record()`) and read back
from there by resume, replay and `finalize_run` (`from_record`), so nothing below the start
of a run decides a spec, a budget or a critic setting again.
"""

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from scenariosim.agents.calibration import rubric_trusted
from scenariosim.models.registry import (
    Backends,
    ModelSpec,
    backends_for,
    check_spec,
    default_max_tokens,
    parse_spec,
)
from scenariosim.scenario import Scenario
from scenariosim.settings import TOML_FILE, Settings

IMAGE_ENV = "SCENARIOSIM_IMAGE_MODEL"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChatChoice(_Frozen):
    """A chat model as the run calls it: its parsed spec and its output budget per call."""

    backend: str
    name: str = ""
    max_tokens: int

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(self.backend, self.name)


class ImageChoice(_Frozen):
    """The image backend a run renders with, and where that choice came from, in words."""

    backend: str
    name: str = ""
    source: str

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(self.backend, self.name)


class CriticChoice(_Frozen):
    """The scenario's critic settings with the one fact resolved from outside it: whether
    the critic model's rubric was measured good enough to vote (`agents/calibration.py`)."""

    candidates: int
    max_revisions: int
    rubric: Literal["auto", "always", "never"]
    threshold: float
    rubric_trusted: bool

    @property
    def use_rubric(self) -> bool:
        return self.rubric == "always" or (self.rubric == "auto" and self.rubric_trusted)


class RunInputs(_Frozen):
    """What the world gave the run; a resume compares the current world with these."""

    corpus_fingerprint: str
    references_fingerprint: str
    embedding_model: str
    persona_ids: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        return {**self.model_dump(), "persona_ids": list(self.persona_ids)}


class ResolvedScenario(_Frozen):
    scenario: Scenario
    seed: int
    temperature: float
    concurrency: int
    agent: ChatChoice
    critic_model: ChatChoice
    images: ImageChoice
    embedding: str  # the embedding spec (its model name is in `inputs`)
    critic: CriticChoice
    inputs: RunInputs | None = None  # set once the world is open

    def with_inputs(self, inputs: RunInputs) -> "ResolvedScenario":
        return self.model_copy(update={"inputs": inputs})

    def record(self) -> dict[str, Any]:
        """The `resolved:` section of scenario.resolved.yaml (keys resume.py checks kept)."""
        data: dict[str, Any] = self.inputs.record() if self.inputs else {}
        data.update(
            agent_model=str(self.agent.spec),
            critic_model=str(self.critic_model.spec),
            max_tokens={"agent": self.agent.max_tokens, "critic": self.critic_model.max_tokens},
            image_model=str(self.images.spec),
            image_model_source=self.images.source,
            embedding_spec=self.embedding,
            seed=self.seed,
            temperature=self.temperature,
            concurrency=self.concurrency,
            critic={
                **self.critic.model_dump(),
                "use_rubric": self.critic.use_rubric,
            },
        )
        return data


# Keys `record()` writes beyond the inputs; a file without them is from an older version.
DECISION_KEYS = ("image_model", "image_model_source", "embedding_spec", "seed", "critic")


def _chat(spec: str, key: str, budget: int | None, backends: Backends) -> ChatChoice:
    parsed = check_spec("chat", spec, key, backends)
    return ChatChoice(
        backend=parsed.backend, name=parsed.name, max_tokens=budget or default_max_tokens(parsed)
    )


def _setting_source(settings: Settings) -> str:
    if "image_model" not in settings.model_fields_set:
        return "the image_model setting's default"
    if os.environ.get(IMAGE_ENV) == settings.image_model:
        return f"the environment variable {IMAGE_ENV}"
    return f"the image_model setting ({TOML_FILE} or a keyword argument)"


def _image(scenario: Scenario, settings: Settings, backends: Backends) -> ImageChoice:
    """The scenario's `models.images` when it names a backend other than `local`; else the
    `image_model` setting, and the record says so when it replaces the scenario's `local`."""
    written = scenario.models.images
    if written != "local":
        spec, source = written, "the scenario's models.images"
        env = os.environ.get(IMAGE_ENV)
        if env and env != written:
            source += f" ({IMAGE_ENV}={env} not used: the scenario names its image model)"
    else:
        spec, source = settings.image_model, _setting_source(settings)
        if parse_spec(spec) != parse_spec(written):
            source += f", replacing the scenario's models.images: {written}"
    parsed = check_spec("image", spec, "models.images", backends)
    return ImageChoice(backend=parsed.backend, name=parsed.name, source=source)


# Candidates per round when the scenario does not say (`critic.candidates`): the local model
# samples them all from one evaluated prompt, so extra ones cost only their output tokens; a
# backend billed per request pays for each (the demo on Gemini: 96 chat requests at 8, 2 per
# task before best-of-n).
DEFAULT_CANDIDATES = 8
PER_REQUEST_CANDIDATES = 3
PER_REQUEST_BACKENDS = frozenset({"gemini", "openai"})


def _critic(scenario: Scenario, agent_spec: ModelSpec, critic_spec: ModelSpec) -> CriticChoice:
    critic = scenario.critic
    billed = agent_spec.backend in PER_REQUEST_BACKENDS
    return CriticChoice(
        candidates=critic.candidates or (PER_REQUEST_CANDIDATES if billed else DEFAULT_CANDIDATES),
        max_revisions=critic.max_revisions,
        rubric=critic.rubric,
        threshold=critic.threshold,
        rubric_trusted=rubric_trusted(str(critic_spec)),
    )


def resolve_scenario(
    scenario: Scenario,
    settings: Settings,
    previous: ResolvedScenario | None = None,
    backends: Backends | None = None,
) -> ResolvedScenario:
    """Decide everything a run of `scenario` will use; a ConfigError naming the key when a
    spec names no known backend, before anything is written or loaded.

    `previous` (a replay fork's source) keeps what came from settings rather than from the
    scenario: the embedding spec, and the image choice while `models.images` is unchanged.
    """
    backends = backends or backends_for(settings)
    budget = scenario.models.max_tokens
    agent = _chat(scenario.models.agent, "models.agent", budget, backends)
    critic_model = _chat(scenario.models.critic, "models.critic", budget, backends)
    if previous is not None and previous.scenario.models.images == scenario.models.images:
        images = previous.images
    else:
        images = _image(scenario, settings, backends)
    embedding = previous.embedding if previous is not None else settings.embedding_model
    embedding_spec = check_spec("embedding", embedding, "embedding_model setting", backends)
    return ResolvedScenario(
        scenario=scenario,
        seed=scenario.seed,
        temperature=scenario.models.temperature,
        concurrency=scenario.concurrency,
        agent=agent,
        critic_model=critic_model,
        images=images,
        embedding=str(embedding_spec),
        critic=_critic(scenario, agent.spec, critic_model.spec),
    )


def from_record(
    scenario: Scenario,
    recorded: dict[str, Any],
    settings: Settings,
    backends: Backends | None = None,
) -> ResolvedScenario:
    """The resolved scenario a run wrote (`record()`), read back as it was decided.

    A file from before the decisions were recorded holds only the model specs, budgets
    and inputs: the rest is resolved from its scenario now, and its specs and budgets
    are kept as recorded."""
    if all(k in recorded for k in DECISION_KEYS):
        budgets = recorded["max_tokens"]
        agent, critic_model = (
            parse_spec(str(recorded[f"{role}_model"])) for role in ("agent", "critic")
        )
        image = parse_spec(str(recorded["image_model"]))
        critic = {k: v for k, v in recorded["critic"].items() if k != "use_rubric"}
        resolved = ResolvedScenario(
            scenario=scenario,
            seed=int(recorded["seed"]),
            temperature=float(recorded["temperature"]),
            concurrency=int(recorded["concurrency"]),
            agent=ChatChoice(
                backend=agent.backend, name=agent.name, max_tokens=int(budgets["agent"])
            ),
            critic_model=ChatChoice(
                backend=critic_model.backend,
                name=critic_model.name,
                max_tokens=int(budgets["critic"]),
            ),
            images=ImageChoice(
                backend=image.backend, name=image.name, source=str(recorded["image_model_source"])
            ),
            embedding=str(recorded["embedding_spec"]),
            critic=CriticChoice(**critic),
        )
    else:
        resolved = resolve_scenario(scenario, settings, backends=backends)
        budgets = recorded.get("max_tokens") or {}
        update: dict[str, Any] = {}
        for role, field in (("agent", "agent"), ("critic", "critic_model")):
            spec = recorded.get(f"{role}_model")
            if spec:
                parsed = parse_spec(str(spec))
                current: ChatChoice = getattr(resolved, field)
                update[field] = ChatChoice(
                    backend=parsed.backend,
                    name=parsed.name,
                    max_tokens=int(budgets.get(role, current.max_tokens)),
                )
        resolved = resolved.model_copy(update=update)
    if "corpus_fingerprint" in recorded:
        resolved = resolved.with_inputs(
            RunInputs(
                corpus_fingerprint=str(recorded["corpus_fingerprint"]),
                references_fingerprint=str(recorded.get("references_fingerprint", "")),
                embedding_model=str(recorded.get("embedding_model", "")),
                persona_ids=tuple(str(p) for p in recorded.get("persona_ids", [])),
            )
        )
    return resolved


def recorded_image_spec(resolved_file: dict[str, Any], settings: Settings) -> ModelSpec:
    """The image spec a run folder's resolved file (as `open_run` reads it) recorded; a
    file from before it was recorded: the scenario's `models.images` unless `local`, else
    the `image_model` setting (the rule those runs used)."""
    recorded = resolved_file.get("resolved") or {}
    if recorded.get("image_model"):
        return parse_spec(str(recorded["image_model"]))
    chosen = (resolved_file.get("scenario") or {}).get("models", {}).get("images")
    return parse_spec(chosen if chosen and chosen != "local" else settings.image_model)
