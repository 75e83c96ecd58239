"""The dataset's record schemas. Every record carries its provenance and `synthetic: true`."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scenariosim.labels import ArtifactKind, Emotion, Stance


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
    model: str
    critic_model: str
    prompt_name: str
    prompt_hash: str
    seed: int
    critic_score: float
    critic_scores: dict[str, float] = Field(default_factory=dict)
    revisions: int = 0
    synthetic: Literal[True] = True


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
