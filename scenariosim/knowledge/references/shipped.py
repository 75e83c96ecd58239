"""The reference catalogue the project ships, and the script that renders its pictures.

The project cannot ship real social-media photos, so it ships references it wrote itself,
all `synthetic: true`: text-only descriptions of typical social-movement picture
compositions set in Atropia (names from the gazetteer only), and a handful of pictures
drawn by the offline renderer from their sidecar rows (labels and sign text), so anyone
can make them again:

    python -m scenariosim.knowledge.references.shipped        # rewrites data/references/images
"""

import hashlib
import sys
from pathlib import Path

from PIL import Image

from scenariosim.knowledge.references.catalogue import SidecarRow
from scenariosim.knowledge.references.ingest import AddReport, add_folder
from scenariosim.knowledge.references.sidecar import read_sidecar
from scenariosim.knowledge.references.store import ReferenceLibrary
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models.image_backend import ImageRequest
from scenariosim.models.image_local import render_scene

SHIPPED_REFERENCES = Path(__file__).parents[2] / "data" / "references"
SHIPPED_SIDECAR = SHIPPED_REFERENCES / "references.jsonl"
RENDER_SIZE = (640, 480)


def render_seed(file: str) -> int:
    """A picture's seed comes from its file name, so the set renders the same every time."""
    return int.from_bytes(hashlib.sha256(file.encode()).digest()[:4], "big") & 0x7FFFFFFF


def render_row(row: SidecarRow) -> Image.Image:
    """Draw a shipped image row with the offline renderer (its labels hold exactly)."""
    request = ImageRequest(
        id=row.file,
        scene=row.caption,
        sign_text=row.sign_text,
        labels={a: a in row.labels for a in IMAGE_ATTRIBUTES},
        violence=row.violence or 0.0,
        seed=render_seed(row.file),
        width=RENDER_SIZE[0],
        height=RENDER_SIZE[1],
    )
    return render_scene(request).image


def render_shipped(folder: Path = SHIPPED_REFERENCES) -> list[Path]:
    """(Re)draw every image row of the folder's sidecar; PNGs carry no metadata."""
    rows, problems = read_sidecar(folder / SHIPPED_SIDECAR.name)
    if problems:
        raise SystemExit("; ".join(f"{p.name}: {p.reason}" for p in problems))
    written = []
    for row in rows:
        if not row.file:
            continue
        path = folder / row.file
        path.parent.mkdir(parents=True, exist_ok=True)
        render_row(row).save(path, format="PNG", optimize=True)
        written.append(path)
    return written


def add_shipped(library: ReferenceLibrary) -> AddReport:
    """Make sure the shipped catalogue is in `library` (cheap when it already is)."""
    return add_folder(library, SHIPPED_REFERENCES, SHIPPED_SIDECAR)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED_REFERENCES
    for written in render_shipped(target):
        print(written)
