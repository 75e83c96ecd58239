"""The dataset's record schemas. Every record carries its provenance and `synthetic: true`."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scenariosim.labels import ArtifactKind, Emotion, Relation, Stance


class FactUse(BaseModel):
    """A sentence an artifact is about: characters [start, end) of a chunk's text."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    start: int
    end: int


class Provenance(BaseModel):
    """Where a record came from: enough to trace it back to every input."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    scenario: str
    phase_id: str
    persona_id: str
    hid: str
    idno: int
    chunk_ids: list[str]
    facts: list[FactUse] = Field(
        default_factory=list, description="The chosen sentences the writer was given."
    )
    model: str
    critic_model: str
    prompt_name: str
    prompt_hash: str
    seed: int
    critic_score: float
    critic_scores: dict[str, float] = Field(default_factory=dict)
    revisions: int = Field(0, description="Further rounds of candidates before one passed.")
    candidates: int = Field(0, description="Candidates drawn in the round that was kept.")
    chosen: int = Field(-1, description="Which candidate of that round was kept.")
    rubric_note: str = Field("", description="Whether an LLM rubric voted, and why (not).")
    labels_assigned: bool = Field(
        True, description="Labels were assigned by the planner before writing, not guessed."
    )
    reference_ids: list[str] = Field(
        default_factory=list, description="Visual references that shaped an image prompt."
    )
    synthetic: Literal[True] = True


class ReferenceUse(BaseModel):
    """A visual reference as an image prompt used it: enough to render with it and to show
    it beside the picture, without opening the reference library again."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: Literal["image", "text"]
    caption: str
    labels: list[str]
    labelled: bool = True
    palette: list[str] = Field(default_factory=list, description="#rrggbb, largest first.")
    score: float | None = None
    license: str = ""
    source: str = ""
    synthetic: bool = False
    allowed_as_input: bool = False
    thumbnail_path: str = Field(
        "", description="The library's thumbnail (local path; never copied into the dataset)."
    )


class PostRecord(BaseModel):
    kind: Literal["post"] = "post"
    id: str
    phase_date: str
    author_name: str
    text: str
    hashtags: list[str]
    stance: Stance
    emotion: Emotion
    provenance: Provenance


class CommentRecord(BaseModel):
    kind: Literal["comment"] = "comment"
    id: str
    phase_date: str
    author_name: str
    reply_to: str
    thread_root: str
    text: str
    stance: Stance
    emotion: Emotion
    relation: Relation | None = Field(
        None,
        description="What the reply does to the post it answers (agrees, disagrees, asks, adds).",
    )
    provenance: Provenance


class ImagePromptRecord(BaseModel):
    kind: Literal["image_prompt"] = "image_prompt"
    id: str
    phase_date: str
    post_id: str
    scene: str
    sign_text: str
    labels: dict[str, bool]
    violence: float
    provenance: Provenance
    references: list[ReferenceUse] = Field(default_factory=list)


Record = PostRecord | CommentRecord | ImagePromptRecord


class FailedArtifact(BaseModel):
    """A task that produced nothing publishable, kept with why (rejected or failed)."""

    id: str
    kind: ArtifactKind
    phase_id: str
    persona_id: str
    status: Literal["rejected", "failed"]
    reasons: list[str]
    drafts: list[dict]
    critiques: list[dict]


class ImageRecord(BaseModel):
    """A rendered picture of an image prompt, with the labels the picture shows.

    `labels_exact` is True when the backend drew exactly these attributes (the offline
    renderer); a generative model's labels are the requested ones. `prompt_labels` are the
    image prompt's own labels, so a researcher sees any difference.
    """

    kind: Literal["image"] = "image"
    id: str
    post_id: str
    phase_date: str
    file_name: str
    width: int
    height: int
    sha256: str
    backend: str
    labels_exact: bool
    labels: dict[str, bool]
    prompt_labels: dict[str, bool]
    violence: float
    scene: str
    sign_text: str
    request_hash: str
    provenance: Provenance


class CritiqueRecord(BaseModel):
    """One critic verdict on one draft attempt, accepted or not."""

    kind: Literal["critique"] = "critique"
    id: str
    artifact_id: str
    artifact_kind: str
    attempt: int
    phase_id: str
    persona_id: str
    verdict: Literal["accept", "revise", "reject"]
    score: float
    reasons: list[str]
    unsupported_entities: list[str]
    unsupported_numbers: list[str]
    real_world_names: list[str]
    persona_contradictions: list[str]
    label_mismatches: list[str]
    sentence_support: list[float]
    rubric: dict[str, float] = Field(default_factory=dict)
    final_status: Literal["accepted", "rejected", "failed", "unknown"]
    synthetic: Literal[True] = True


class ContextChunkRecord(BaseModel):
    """A corpus chunk that grounded at least one artifact (fictional news, not real)."""

    kind: Literal["chunk"] = "chunk"
    id: str
    doc_id: str
    title: str
    outlet: str
    date: str
    text: str
    used_by: int
    synthetic: Literal[True] = True


class PersonaRecord(BaseModel):
    """A persona sampled from the (synthetic) census, with ids pointing back to it.

    Fields added by the personas package later pass through unchanged.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    hid: str
    idno: int
    name: str
    sex: str
    age: int
    region: str = ""
    province: str = ""
    description: str = ""
    synthetic: Literal[True] = True
