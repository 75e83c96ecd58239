"""The image-backend interface: an image prompt in, a picture and the labels it shows out.

A backend is anything with a `spec` and `generate(request)`. The offline renderer
(`local`) draws every attribute it is asked for and nothing else, so its labels are exact
and it returns a layout record of where it drew what; a generative model (`gemini:`) is
only asked to, so its labels are the requested ones (`labels_exact=False`).
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from PIL import Image

from scenariosim.labels import IMAGE_ATTRIBUTES

ATTRIBUTE_WORDS = {
    "sign": "protesters holding placards",
    "photo": "someone holding up a framed photograph of a person",
    "fire": "a burning barricade with flames",
    "police": "a line of riot police",
    "children": "children in the crowd",
    "group_20": "a crowd of more than 20 people",
    "group_100": "a large crowd of more than 100 people",
    "flag": "a waved flag with teal, white and crimson stripes",
    "night": "at night",
    "shouting": "people shouting",
}


@dataclass(frozen=True)
class ReferenceHint:
    """A visual reference behind a prompt, as a backend can use it.

    `image_path` is set only for references the user allowed as image-model inputs.
    """

    id: str
    labels: tuple[str, ...] = ()
    palette: tuple[str, ...] = ()  # "#rrggbb", largest share first
    labelled: bool = True
    image_path: str = ""


@dataclass(frozen=True)
class ImageRequest:
    """What to draw: the image prompt's scene, sign text and requested labels, and the
    visual references the prompt was grounded in."""

    id: str
    scene: str
    sign_text: str
    labels: Mapping[str, bool]
    violence: float
    seed: int
    width: int = 640
    height: int = 480
    references: tuple[ReferenceHint, ...] = ()

    def fingerprint(self) -> str:
        """Stable hash of everything that decides the picture (backend spec added by callers)."""
        payload = {
            "scene": self.scene,
            "sign_text": self.sign_text,
            "labels": {k: bool(self.labels.get(k, False)) for k in IMAGE_ATTRIBUTES},
            "violence": round(float(self.violence), 4),
            "seed": self.seed,
            "size": [self.width, self.height],
        }
        if self.references:  # absent when there are none, so older hashes still match
            payload["references"] = [
                [r.id, list(r.palette), bool(r.image_path)] for r in self.references
            ]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class GeneratedImage:
    image: Image.Image
    labels: dict[str, bool]
    labels_exact: bool
    backend: str
    layout: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


class ImageBackend(Protocol):
    spec: str

    def generate(self, request: ImageRequest) -> GeneratedImage: ...


def attribute_frequencies(references: tuple[ReferenceHint, ...]) -> dict[str, float] | None:
    """Share of the labelled references showing each attribute; None without any."""
    labelled = [r for r in references if r.labelled]
    if not labelled:
        return None
    return {a: sum(a in r.labels for r in labelled) / len(labelled) for a in IMAGE_ATTRIBUTES}


def describe_request(request: ImageRequest) -> str:
    """The request as one prompt for a generative image model."""
    shown = [ATTRIBUTE_WORDS[k] for k in IMAGE_ATTRIBUTES if request.labels.get(k)]
    absent = [ATTRIBUTE_WORDS[k] for k in IMAGE_ATTRIBUTES if not request.labels.get(k)]
    parts = [
        "A realistic documentary photograph of a street protest in Atropia, a fictional "
        f"country. Scene: {request.scene.strip()}",
    ]
    if request.sign_text.strip() and request.labels.get("sign"):
        parts.append(f'Placards read exactly: "{request.sign_text.strip()}".')
    if shown:
        parts.append("The picture shows: " + "; ".join(shown) + ".")
    if absent:
        parts.append("The picture does not show: " + "; ".join(absent) + ".")
    parts.append(
        "No real people, no real places, no logos, no text other than the placards; "
        "no gore. All people are invented."
    )
    return " ".join(parts)
