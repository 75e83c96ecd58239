"""What agents take and return. Lengths and enums are bounded so that grammar-constrained
decoding on a small model still yields objects the dataset can use."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scenariosim.labels import Emotion, Relation, Stance


class PersonaCard(BaseModel):
    """The persona as agents see it: a description in words plus the facts checks need."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    age: int
    sex: Literal["male", "female"]
    province: str
    occupation: str
    description: str


class ContextChunk(BaseModel):
    """One retrieved news chunk, numbered for the agent by its position."""

    chunk_id: str
    doc_id: str
    title: str
    outlet: str
    date: str
    text: str
    score: float | None = None  # retrieval similarity, for traces; never shown to the agent


class ReferenceCard(BaseModel):
    """One visual reference as an image-prompt author sees it: what such a picture shows."""

    model_config = ConfigDict(frozen=True)

    id: str
    caption: str
    labels: list[str] = Field(description="UCLA attributes the picture shows.")
    labelled: bool = True
    palette: list[str] = Field(default_factory=list, description="Dominant colours, #rrggbb.")
    post_kind: str = ""
    sign_text: str = ""
    score: float | None = None  # retrieval similarity, for traces; never shown to the agent


class PhaseBrief(BaseModel):
    id: str
    date: str
    title: str
    event: str


class ThreadItem(BaseModel):
    author: str
    text: str


class DraftLabels(BaseModel):
    """The labels the planner assigned a task; the text must carry them (checked)."""

    model_config = ConfigDict(frozen=True)

    stance: Stance | None = None
    emotion: Emotion | None = None
    relation: Relation | None = None


class Fact(BaseModel):
    """A sentence chosen from a retrieved chunk for the writer: `text == chunk.text[start:end]`."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    score: float = 0.0  # relevance used to choose it, for traces


class PostDraft(BaseModel):
    """A post: the model wrote the text; the labels were assigned before it wrote."""

    text: str = Field(min_length=1, max_length=280)
    hashtags: list[str] = Field(default_factory=list, max_length=3)
    stance: Stance
    emotion: Emotion


class CommentDraft(BaseModel):
    text: str = Field(min_length=1, max_length=240)
    stance: Stance
    emotion: Emotion
    relation: Relation


class ImagePromptDraft(BaseModel):
    scene: str = Field(min_length=1, max_length=300)
    sign_text: str = Field("", max_length=40)
    sign: bool
    photo: bool
    fire: bool
    police: bool
    children: bool
    group_20: bool
    group_100: bool
    flag: bool
    night: bool
    shouting: bool
    violence: float = Field(ge=0, le=1)


Draft = PostDraft | CommentDraft | ImagePromptDraft


class RubricScores(BaseModel):
    """The LLM judge's scores, 1 (bad) to 5 (good) each."""

    coherence: int = Field(ge=1, le=5)
    groundedness: int = Field(ge=1, le=5)
    persona_fit: int = Field(ge=1, le=5)
    labels_carried: int = Field(ge=1, le=5)
    safety: int = Field(ge=1, le=5)
    reasons: str = Field("", max_length=300)

    def dimensions(self) -> dict[str, int]:
        return self.model_dump(exclude={"reasons"})

    def mean(self) -> float:
        values = list(self.dimensions().values())
        return sum(values) / len(values)


class CheckResults(BaseModel):
    """The deterministic half of the critic: what the text says that nothing supports."""

    unsupported_entities: list[str] = Field(default_factory=list)
    unsupported_numbers: list[str] = Field(default_factory=list)
    unreported_violence: list[str] = Field(
        default_factory=list, description="Killing, war or weapons nothing it was given says."
    )
    real_world_names: list[str] = Field(default_factory=list)
    persona_contradictions: list[str] = Field(default_factory=list)
    label_mismatches: list[str] = Field(default_factory=list)
    sentence_support: list[float] = Field(
        default_factory=list, description="Per sentence: max cosine similarity to a fact."
    )
    meta_text: list[str] = Field(default_factory=list)
    placeholders: list[str] = Field(default_factory=list)
    persona_readback: str = ""
    copied: str = Field("", description="'<source>: <six words>' shared with a source.")
    cut_off: bool = False
    repeated: list[str] = Field(default_factory=list)
    too_short: bool = False
    too_long: bool = False
    off_topic: bool = False
    labels_missing: list[str] = Field(default_factory=list)

    @property
    def grounding(self) -> float:
        return min(self.sentence_support) if self.sentence_support else 0.0


Verdict = Literal["accept", "reject"]


class CandidateVerdict(BaseModel):
    """One drawn candidate as the checks saw it (`reasons` empty: it passed)."""

    index: int
    text: str
    checks: CheckResults
    score: float = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list)


class Critique(BaseModel):
    """The verdict on one task's candidates: the chosen one, or why none was kept."""

    verdict: Verdict
    score: float = Field(ge=1, le=5)
    reasons: list[str]
    checks: CheckResults
    chosen: int | None = None
    candidates: list[CandidateVerdict] = Field(default_factory=list)
    rubric: RubricScores | None = None
    rubric_error: str | None = None
    rubric_note: str = ""
