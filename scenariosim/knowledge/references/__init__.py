"""Visual references: the pictures (or descriptions of pictures) image prompts are grounded in.

    library = open_library(settings)                     # <cache_dir>/references
    report = add_folder(library, Path("my-images"))      # sidecar: references.csv/.jsonl/.json
    add_shipped(library)                                 # the project's own synthetic catalogue
    library.search("riot police at the junction", k=3)   # [(Reference, cosine), ...]
    reference_stats(library.references())                # label rates vs UCLA, licenses

One job per module: `catalogue` (what a reference is), `sidecar` (reading a folder's
descriptions), `imaging` (hash, thumbnail, palette of one picture), `ingest` (adding a
folder), `store` (catalogue, thumbnails and the Chroma collection), `stats`, `shipped`.
See docs/references.md.
"""

from scenariosim.knowledge.references.catalogue import Problem, Reference, SidecarRow, Swatch
from scenariosim.knowledge.references.ingest import AddReport, Duplicate, add_folder
from scenariosim.knowledge.references.shipped import SHIPPED_REFERENCES, add_shipped
from scenariosim.knowledge.references.stats import ReferenceStats, label_rates, reference_stats
from scenariosim.knowledge.references.store import ReferenceLibrary, default_root, open_library

__all__ = [
    "SHIPPED_REFERENCES",
    "AddReport",
    "Duplicate",
    "Problem",
    "Reference",
    "ReferenceLibrary",
    "ReferenceStats",
    "SidecarRow",
    "Swatch",
    "add_folder",
    "add_shipped",
    "default_root",
    "label_rates",
    "open_library",
    "reference_stats",
]
