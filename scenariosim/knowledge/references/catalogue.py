"""What the reference library holds: one `Reference` per image or text-only description.

A reference is visual grounding for image prompts, the way a news chunk is grounding for
posts: a caption describing a social-movement picture's composition, its labels in the UCLA
protest-image vocabulary (`scenariosim.labels.IMAGE_ATTRIBUTES`), a dominant colour
palette, and where it came from (source, license, synthetic or not). Image references also
carry their content hash, original size and a stored thumbnail; `allowed_as_input` says the
user may pass the picture itself to an image model.
"""

import hashlib
import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenariosim.labels import IMAGE_ATTRIBUTES

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
ReferenceKind = Literal["image", "text"]


def check_labels(labels: list[str]) -> list[str]:
    """Labels must come from the UCLA vocabulary; returned sorted in vocabulary order."""
    unknown = sorted({label for label in labels if label not in IMAGE_ATTRIBUTES})
    if unknown:
        raise ValueError(
            f"unknown label(s) {', '.join(unknown)}; use only {', '.join(IMAGE_ATTRIBUTES)}"
        )
    return [a for a in IMAGE_ATTRIBUTES if a in set(labels)]


def check_palette(colours: list[str]) -> list[str]:
    """Colours as lowercase `#rrggbb`."""
    out = []
    for colour in colours:
        value = colour.strip().lower()
        if not HEX_COLOUR.match(value):
            raise ValueError(f"palette colour {colour!r} is not #rrggbb")
        out.append(value)
    return out


class Swatch(BaseModel):
    """One dominant colour and the share of the picture it covers."""

    model_config = ConfigDict(frozen=True)

    colour: str = Field(description="#rrggbb")
    share: float = Field(ge=0, le=1)


class Reference(BaseModel):
    """One entry of the library, as stored in its catalogue."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="`ref-` + 12 hex digits of the content hash.")
    kind: ReferenceKind
    sha256: str = Field(description="Image bytes (image) or caption and labels (text).")
    caption: str
    labels: list[str] = Field(description="UCLA attributes the picture shows; others it lacks.")
    labelled: bool = Field(
        True, description="False when nobody labelled it (no sidecar row): not a 0 rate."
    )
    violence: float | None = Field(None, ge=0, le=1)
    post_kind: str = Field("", description="Kind of post the picture would accompany.")
    sign_text: str = ""
    palette: list[Swatch] = Field(default_factory=list)
    width: int = 0
    height: int = 0
    thumbnail: str = Field("", description="File name in the library's thumbnails folder.")
    source: str = ""
    license: str = ""
    allowed_as_input: bool = False
    synthetic: bool = False
    origin: str = Field("", description="File the reference was read from.")

    def has(self, label: str) -> bool:
        return label in self.labels

    @property
    def colours(self) -> list[str]:
        return [s.colour for s in self.palette]


def reference_id(sha256: str) -> str:
    return f"ref-{sha256[:12]}"


def text_hash(caption: str, labels: list[str], post_kind: str) -> str:
    """Identity of a text-only reference: its caption, labels and post kind."""
    payload = json.dumps([" ".join(caption.split()), labels, post_kind], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def search_text(ref: Reference) -> str:
    """What the reference's embedding is made of: caption, labels as words, post kind."""
    words = ", ".join(label.replace("_", " ") for label in ref.labels) or "none"
    parts = [ref.caption.strip(), f"Shows: {words}."]
    if ref.post_kind:
        parts.append(f"Accompanies: {ref.post_kind}.")
    if ref.sign_text:
        parts.append(f"Sign: {ref.sign_text}.")
    return " ".join(parts)


class SidecarRow(BaseModel):
    """One row of a sidecar (CSV, JSONL or JSON) describing a file, or a text-only entry."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    file: str = Field("", description="Image path relative to the folder; empty: text-only.")
    caption: str = Field("", max_length=2000)
    source: str = ""
    license: str = ""
    labels: list[str] = Field(default_factory=list)
    allowed_as_input: bool = False
    post_kind: str = Field("", max_length=200)
    sign_text: str = Field("", max_length=80)
    violence: float | None = Field(None, ge=0, le=1)
    palette: list[str] = Field(default_factory=list, max_length=8)
    synthetic: bool = False

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        return check_labels([v.strip() for v in value if v.strip()])

    @field_validator("palette")
    @classmethod
    def _palette(cls, value: list[str]) -> list[str]:
        return check_palette(value)


class Problem(BaseModel):
    """Something not ingested, named so the user can find it, and why."""

    name: str = Field(description="The file, or `sidecar:line` for a sidecar row.")
    reason: str
