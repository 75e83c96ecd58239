"""The scenario file: what a run simulates, as a pydantic model that YAML files load into.

Unknown keys and bad values are errors naming the key and its line in the file.
`Scenario(...)` builds the same thing from Python.
"""

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from scenariosim.errors import ConfigError
from scenariosim.labels import IMAGE_ATTRIBUTES, Emotion, Relation, Stance
from scenariosim.markdown import table_cell
from scenariosim.personas.filters import PersonaFilter
from scenariosim.personas.strata import Stratum
from scenariosim.slugs import slug
from scenariosim.text_rules import names_protest_action
from scenariosim.yaml_io import Loaded, YamlError, key_name, load_yaml, validate_authored

# Largest seed: llama.cpp, NumPy and the Parquet tables all hold a 31-bit seed.
SEED_MAX = 2**31 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorldConfig(_Strict):
    """Where the knowledge comes from; `None` means the shipped Atropia corpus."""

    corpus: Path | None = Field(None, description="Folder or file of documents to ground agents.")
    gazetteer: Path | None = Field(None, description="Gazetteer YAML of the world's entities.")
    references: Path | None = Field(
        None,
        description="Reference library folder (`scenariosim references add`); default "
        "<cache_dir>/references. The shipped synthetic references are always in it.",
    )


class PersonaSelection(_Strict):
    """Who takes part: a seeded, weighted sample of census people."""

    n: int = Field(3, ge=1, le=10_000, description="How many personas to sample.")
    where: str | None = Field(
        None, description="Filter expression over census columns, e.g. `age >= 18 and cell == 1`."
    )
    filters: PersonaFilter = Field(
        default_factory=PersonaFilter,
        description="Structured filters, e.g. `{regions: [Karavan Province], urban: true}`; "
        "they and `where` must all hold.",
    )
    census: Path | None = Field(None, description="Census folder or file; default: shipped sample.")
    households: bool = Field(False, description="Sample whole households instead of people.")
    min_age: int = Field(16, ge=0, le=100, description="Youngest person who posts.")
    strata: list[Stratum] = Field(
        default_factory=list,
        description="Oversample groups: each `{name, where, share}` gets that share of the "
        "personas, the rest come from everyone else; the report shows the design weights.",
    )

    @model_validator(mode="after")
    def _strata_fit(self) -> "PersonaSelection":
        if self.strata and self.households:
            raise ValueError("strata draw people, not households: drop one of the two")
        if sum(s.share for s in self.strata) > 1 + 1e-9:
            raise ValueError("strata shares add up to more than 1")
        return self


class RetrievalConfig(_Strict):
    k: int = Field(4, ge=1, le=20, description="Chunks given to an agent.")
    mmr: bool = Field(True, description="Diversify chunks with maximal marginal relevance.")
    fetch_k: int = Field(16, ge=1, le=200, description="Candidates MMR chooses from.")
    lambda_mult: float = Field(0.6, ge=0, le=1, description="MMR: 1 = relevance, 0 = diversity.")
    references_k: int = Field(
        3, ge=0, le=12, description="Visual references an image-prompt author sees (0: none)."
    )
    chunk_size: int = Field(
        700, ge=100, le=20_000, description="Most characters per corpus chunk (whole sentences)."
    )
    chunk_overlap: int = Field(
        150, ge=0, description="Characters of sentences repeated; at most half the chunk size."
    )

    @model_validator(mode="after")
    def _overlap_below_half(self) -> "RetrievalConfig":
        if self.chunk_overlap > self.chunk_size // 2:
            raise ValueError(
                f"chunk_overlap {self.chunk_overlap} must be at most half chunk_size "
                f"{self.chunk_size}"
            )
        return self


class PhaseFilters(_Strict):
    """Restrict what agents can retrieve in a phase (e.g. only news published so far)."""

    outlets: list[str] = Field(default_factory=list, description="Only these outlets.")
    topics: list[str] = Field(default_factory=list, description="Only articles with a topic here.")
    date_from: dt.date | None = Field(None, description="Only news published on or after.")
    date_to: dt.date | None = Field(None, description="Only news published on or before.")


def _slogan(value: str) -> str:
    text = " ".join(value.split()).upper()
    if not 1 <= len(text.split()) <= SLOGAN_MAX_WORDS or len(text) > SLOGAN_MAX_CHARS:
        raise ValueError(
            f"a slogan is 1 to {SLOGAN_MAX_WORDS} words and at most {SLOGAN_MAX_CHARS} "
            "characters, to fit on a sign"
        )
    if not text.isascii():
        raise ValueError(
            f"'{text}': write a slogan in ASCII letters (the offline renderer's font draws "
            "no others)"
        )
    return text


# A sign's words: short enough for the renderer's placard (models/image_local.wrap_sign).
SLOGAN_MAX_WORDS = 8
SLOGAN_MAX_CHARS = 48
Slogan = Annotated[str, AfterValidator(_slogan)]


class Phase(_Strict):
    id: str = Field(description="Short slug, unique in the scenario.")
    date: dt.date = Field(description="Date the phase takes place.")
    title: str = Field(min_length=1, max_length=120, description="Short headline of the phase.")
    event: str = Field(min_length=1, max_length=1000, description="What happened, in prose.")
    query: str | None = Field(None, description="Retrieval query; default: the event text.")
    filters: PhaseFilters = Field(default_factory=PhaseFilters)
    posts: int = Field(2, ge=0, le=10_000, description="Posts to aim for.")
    comments: int = Field(2, ge=0, le=10_000, description="Comments to aim for.")
    images: int = Field(1, ge=0, le=10_000, description="Image prompts to aim for.")
    slogans: list[Slogan] = Field(
        default_factory=list,
        description="What the signs in this phase's pictures say, one picked per picture "
        "(set in capitals); unset: the scenario's `slogans`.",
    )
    protest_underway: bool | None = Field(
        None,
        description="Whether a protest has begun by this phase: writers take a side on the "
        "measure before it ('It's unfair,'), on the protest once it has ('Keep going,'). "
        "Unset: from the first phase that sets it true or whose title or event names a "
        "protest action (protest, blockade, strike, sit-in, marched, rally, demonstration, "
        "occupy) on.",
    )

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", value):
            raise ValueError("use lowercase letters, digits, '-' or '_' (at most 40)")
        return value

    @property
    def retrieval_query(self) -> str:
        return self.query or self.event


def protest_underway(phases: list[Phase], index: int) -> bool:
    """Whether a protest has begun by phase `index`: its `protest_underway` when set, else
    whether an earlier phase or this one says so (`protest_underway: true`) or, unset, names
    a protest action in its title or event (`text_rules.names_protest_action`)."""
    phase = phases[index]
    if phase.protest_underway is not None:
        return phase.protest_underway
    return any(
        p.protest_underway
        if p.protest_underway is not None
        else names_protest_action(p.title) or names_protest_action(p.event)
        for p in phases[: index + 1]
    )


# Output tokens a writer needs for one post, reply or scene of two sentences under the line
# grammar (the local model's budget per candidate; graph/nodes/draft_candidates.py).
LINE_TOKENS = 96


class ModelsConfig(_Strict):
    agent: str = Field("local", description="Chat model spec for persona agents.")
    critic: str = Field("local", description="Chat model spec for the critic.")
    images: str = Field("local", description="Image backend spec.")
    temperature: float = Field(0.8, ge=0, le=2)
    max_tokens: int | None = Field(
        None,
        ge=16,
        le=8192,
        description="Output budget per call; unset: 320 on local and Ollama models, 2048 on "
        "Gemini, whose thinking counts against it. At least 96: a post of two sentences.",
    )

    @field_validator("max_tokens")
    @classmethod
    def _holds_a_post(cls, value: int | None) -> int | None:
        if value is not None and value < LINE_TOKENS:
            raise ValueError(
                f"{value} tokens cannot hold one post or reply (two sentences need up to "
                f"{LINE_TOKENS}); set max_tokens to at least {LINE_TOKENS}, or leave it unset"
            )
        return value


class CriticConfig(_Strict):
    """How each task's text is drafted and judged (docs/architecture.md, "The critic")."""

    candidates: int | None = Field(
        None,
        ge=1,
        le=32,
        description="Candidates drawn per task and round; the best that passes the checks is "
        "kept (bench/bench_yield.py measures the yield). Unset: 8 on the local model, which "
        "samples them all from one evaluated prompt, and 3 on a backend billed per request "
        "(gemini, openai), where each candidate is a request.",
    )
    max_revisions: int = Field(
        2, ge=0, le=5, description="Further rounds of candidates when none passed, then rejected."
    )
    rubric: Literal["auto", "always", "never"] = Field(
        "auto",
        description="The LLM rubric: auto asks it only for a critic model whose agreement with "
        "blind labels was measured good enough (scenariosim critic eval); always asks it.",
    )
    threshold: float = Field(
        3.0, ge=1, le=5, description="With the rubric voting: mean score needed to accept."
    )


_MIX_TOLERANCE = 0.01


def _check_mix(mix: dict[str, float] | None) -> dict[str, float] | None:
    if mix is None:
        return None
    if any(not 0 <= v <= 1 for v in mix.values()):
        raise ValueError("each share must be between 0 and 1")
    total = sum(mix.values())
    if abs(total - 1) > _MIX_TOLERANCE:
        raise ValueError(
            f"the shares add up to {total:g}, not 1: change them so they sum to 1 "
            "(for example 0.5, 0.3, 0.2)"
        )
    return mix


class LabelMix(_Strict):
    """Labels the planner assigns, as shares; unset: they follow the personas (see
    graph/assign_labels.py). Ask for a mix to get balanced classes for a classifier."""

    stance: dict[Stance, float] | None = Field(
        None, description="e.g. {support_protest: 0.5, oppose_protest: 0.3, neutral: 0.2}."
    )
    emotion: dict[Emotion, float] | None = Field(None, description="Shares of the six emotions.")
    relation: dict[Relation, float] | None = Field(
        None, description="How replies relate to their post: agrees, disagrees, asks, adds."
    )
    image_attributes: dict[str, float] | None = Field(
        None,
        description="Rate of each protest-image attribute (default: the UCLA rates); each "
        "between 0 and 1, not a share.",
    )

    @field_validator("stance", "emotion", "relation")
    @classmethod
    def _sums_to_one(cls, mix: dict[str, float] | None) -> dict[str, float] | None:
        return _check_mix(mix)

    @field_validator("image_attributes")
    @classmethod
    def _drawable(cls, rates: dict[str, float] | None) -> dict[str, float] | None:
        if rates is None:
            return None
        unknown = sorted(set(rates) - set(IMAGE_ATTRIBUTES))
        if unknown:
            raise ValueError(
                f"the renderer cannot draw {', '.join(unknown)}; use only "
                f"{', '.join(IMAGE_ATTRIBUTES)}"
            )
        if any(not 0 <= v <= 1 for v in rates.values()):
            raise ValueError("each rate must be between 0 and 1")
        return rates


class Scenario(_Strict):
    name: str = Field(min_length=1, max_length=80, description="Shown in reports and run ids.")
    description: str = Field("", description="What the scenario simulates, for the dataset card.")
    seed: int = Field(
        0,
        ge=0,
        le=SEED_MAX,
        description="Fixes personas, activation, and model sampling (31 bits, like every seed "
        "derived from it).",
    )
    world: WorldConfig = Field(default_factory=WorldConfig)
    personas: PersonaSelection = Field(default_factory=PersonaSelection)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    critic: CriticConfig = Field(default_factory=CriticConfig)
    labels: LabelMix = Field(default_factory=LabelMix)
    concurrency: int = Field(4, ge=1, le=256, description="Agent tasks in flight at once.")
    slogans: list[Slogan] = Field(
        default_factory=list,
        description="What protesters' signs say in the pictures of every phase without "
        "`slogans` of its own; unset: the local model writes each sign (blind readers found "
        "2 of 14 such signs plausible).",
    )
    phases: list[Phase] = Field(min_length=1, description="Run in order; see phases[].")

    @model_validator(mode="after")
    def _unique_phase_ids(self) -> "Scenario":
        seen: set[str] = set()
        for phase in self.phases:
            if phase.id in seen:
                raise ValueError(f"phase id '{phase.id}' is used twice")
            seen.add(phase.id)
        return self

    @property
    def slug(self) -> str:
        return slug(self.name, "scenario")


def _describe(error: ValidationError, loaded: Loaded) -> str:
    first = error.errors()[0]
    loc = tuple(first["loc"])
    key = key_name(loc)
    line = loaded.line_of(loc)
    where = f"{loaded.source}, line {line}" if line else loaded.source
    if first["type"] == "extra_forbidden":
        return (
            f"{where}: unknown key '{key}'. Remove it or check its spelling (see docs/scenario.md)."
        )
    if first["type"].startswith("date"):
        return f"{where}: '{key}': {first['msg']}. Dates are YYYY-MM-DD and must exist."
    return f"{where}: '{key}': {first['msg']}. Fix the value (see docs/scenario.md)."


def check_seed(value: int, option: str = "--seed") -> int:
    """A seed from anywhere (a command-line option, say) judged by the scenario's rule."""
    try:
        return TypeAdapter(Annotated[int, *Scenario.model_fields["seed"].metadata]).validate_python(
            value
        )
    except ValidationError as e:
        raise ConfigError(
            f"{option} {value}: {e.errors()[0]['msg']}; the scenario's 'seed' has the same rule "
            "(see docs/scenario.md)"
        ) from None


def scenario_from_yaml(loaded: Loaded, at: tuple[Any, ...] = ()) -> Scenario:
    """The Scenario in a loaded YAML document (or its part at `at`); a ConfigError naming the
    file, line and key otherwise. Strings keep the text the author wrote (`id: 0123`)."""
    data = loaded.data
    for part in at:
        data = data.get(part) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        where = f"'{key_name(at)}' in {loaded.source}" if at else loaded.source
        raise ConfigError(
            f"{where}: a scenario is a YAML mapping with at least 'name' and 'phases'."
        )
    try:
        return validate_authored(Scenario, loaded, at)
    except ValidationError as e:
        shifted = Loaded(
            loaded.data,
            loaded.source,
            {k[len(at) :]: v for k, v in loaded.lines.items() if k[: len(at)] == at},
        )
        raise ConfigError(_describe(e, shifted)) from None


def parse_scenario(text: str, source: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """Parse YAML text into a Scenario; relative paths are taken from `base_dir`."""
    try:
        loaded = load_yaml(text, source)
    except YamlError as e:
        raise ConfigError(str(e)) from None
    scenario = scenario_from_yaml(loaded)
    return _resolve_paths(scenario, base_dir) if base_dir else scenario


def _resolve_paths(scenario: Scenario, base_dir: Path) -> Scenario:
    def resolve(p: Path | None) -> Path | None:
        return p if p is None or p.is_absolute() else (base_dir / p).resolve()

    world = scenario.world.model_copy(
        update={
            "corpus": resolve(scenario.world.corpus),
            "gazetteer": resolve(scenario.world.gazetteer),
            "references": resolve(scenario.world.references),
        }
    )
    personas = scenario.personas.model_copy(update={"census": resolve(scenario.personas.census)})
    return scenario.model_copy(update={"world": world, "personas": personas})


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; every problem is one `ConfigError` naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"scenario file not found: {path}. Check the path (examples: scenarios/)."
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({e}).") from None
    return parse_scenario(text, source=str(path), base_dir=path.parent)


def reference_markdown() -> str:
    """The scenario file reference (docs/scenario.md), generated from the models above."""
    sections = [
        ("Scenario (top level)", Scenario),
        ("world", WorldConfig),
        ("personas", PersonaSelection),
        ("personas.filters", PersonaFilter),
        ("retrieval", RetrievalConfig),
        ("models", ModelsConfig),
        ("critic", CriticConfig),
        ("phases[]", Phase),
        ("phases[].filters", PhaseFilters),
    ]
    out = [
        "# Scenario file reference",
        "",
        "Generated from `scenariosim/scenario.py` by `make docs`; a test keeps it in step.",
        "Unknown keys are errors. Examples: `scenarios/*.yaml`.",
        "",
    ]
    for title, model in sections:
        out += [
            f"## {title}",
            "",
            "| key | type | default | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for name, field in model.model_fields.items():
            annotation = getattr(field.annotation, "__name__", None) or str(field.annotation)
            for prefix in ("typing.", "datetime.", "pathlib."):
                annotation = annotation.replace(prefix, "")
            annotation = annotation.replace("|", "or")
            if field.is_required():
                default = "required"
            elif field.default_factory is not None:
                made = field.default_factory
                default = (
                    "see section"
                    if isinstance(made, type) and issubclass(made, BaseModel)
                    else "[]"
                )
            else:
                default = f"`{field.default}`"
            bounds = [
                f"{label} {getattr(m, attr)}"
                for m in field.metadata
                for attr, label in (
                    ("ge", ">="),
                    ("le", "<="),
                    ("min_length", "min length"),
                    ("max_length", "max length"),
                )
                if getattr(m, attr, None) is not None
            ]
            meaning = table_cell(field.description)
            if bounds:
                meaning = f"{meaning} ({', '.join(bounds)})".strip()
            out.append(f"| `{name}` | {annotation} | {default} | {meaning} |")
        out.append("")
    return "\n".join(out)
