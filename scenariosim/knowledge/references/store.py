"""The reference library on disk: a catalogue, thumbnails, and a Chroma collection of captions.

    <root>/catalogue.jsonl      one `Reference` per line (rewritten atomically on change)
    <root>/thumbnails/<id>.jpg  metadata-free thumbnails of image references
    <root>/chroma/              captions + labels as text, embedded with the project's model

The default root is `<cache_dir>/references`. The collection is named for the embedding
model, and is brought in step with the catalogue whenever the library opens, so switching
models or a crash between the two writes costs one re-embedding, never a wrong answer.
Embeddings always come from the project's models layer (the offline MiniLM by default).
"""

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from scenariosim.errors import ConfigError, InputFileError
from scenariosim.files import atomic_write_bytes, atomic_write_text
from scenariosim.knowledge.chroma import ChromaEmbeddingAdapter, chroma_name, connect
from scenariosim.knowledge.references.catalogue import Reference, search_text
from scenariosim.settings import Settings

CATALOGUE_FILE = "catalogue.jsonl"
THUMBNAILS_DIR = "thumbnails"


def default_root(settings: Settings) -> Path:
    return settings.cache_dir / "references"


class ReferenceLibrary:
    """The references a run can ground its image prompts in."""

    def __init__(self, root: Path, embeddings: Embeddings, model_name: str) -> None:
        if root.exists() and not root.is_dir():
            raise ConfigError(f"reference library {root} is a file; pass a folder")
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.model_name = model_name
        self.embedding_function = ChromaEmbeddingAdapter(embeddings, model_name)
        self.collection = connect(root / "chroma").get_or_create_collection(
            chroma_name("references", model_name),
            embedding_function=self.embedding_function,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": model_name},
        )
        self._refs: dict[str, Reference] = self._read()
        self._sync_index()

    # ---- the catalogue ------------------------------------------------------------------

    @property
    def catalogue_path(self) -> Path:
        return self.root / CATALOGUE_FILE

    @property
    def thumbnails_dir(self) -> Path:
        return self.root / THUMBNAILS_DIR

    def _read(self) -> dict[str, Reference]:
        if not self.catalogue_path.exists():
            return {}
        refs: dict[str, Reference] = {}
        # JSONL lines end at \n only (splitlines() would split at U+2028 inside a caption).
        lines = self.catalogue_path.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                ref = Reference.model_validate_json(line)
            except ValueError as e:
                raise InputFileError(
                    f"{self.catalogue_path} line {number} is damaged ({str(e).splitlines()[0]}); "
                    f"delete {self.root} and add the folders again"
                ) from None
            refs[ref.id] = ref
        return refs

    def _write(self) -> None:
        text = "".join(r.model_dump_json() + "\n" for r in self._refs.values())
        atomic_write_text(self.catalogue_path, text)

    def references(self) -> list[Reference]:
        """Every reference, in the order they were added."""
        return list(self._refs.values())

    def __len__(self) -> int:
        return len(self._refs)

    def get(self, ref_id: str) -> Reference:
        """A reference by id (or a unique id prefix)."""
        if ref_id in self._refs:
            return self._refs[ref_id]
        found = [r for i, r in self._refs.items() if i.startswith(ref_id)]
        if len(found) == 1:
            return found[0]
        hint = (
            "several match; give more of the id" if found else "see `scenariosim references list`"
        )
        raise ConfigError(f"no single reference '{ref_id}' in {self.root}: {hint}")

    def by_hash(self) -> dict[str, Reference]:
        return {r.sha256: r for r in self._refs.values()}

    def thumbnail_path(self, ref: Reference) -> Path | None:
        if not ref.thumbnail:
            return None
        path = self.thumbnails_dir / ref.thumbnail
        return path if path.exists() else None

    def fingerprint(self) -> str:
        """Hash of the ids and hashes held: equal fingerprints, equal retrieval."""
        items = sorted(f"{r.id}:{r.sha256}:{','.join(r.labels)}" for r in self._refs.values())
        return hashlib.sha256("\n".join([self.model_name, *items]).encode()).hexdigest()[:16]

    # ---- changes ------------------------------------------------------------------------

    def add(self, items: Sequence[tuple[Reference, bytes | None]]) -> list[Reference]:
        """Store new references (with their thumbnails); ids already held are skipped."""
        new = [(r, t) for r, t in items if r.id not in self._refs]
        if not new:
            return []
        self.thumbnails_dir.mkdir(exist_ok=True)
        for ref, thumbnail in new:
            if thumbnail is not None and ref.thumbnail:
                atomic_write_bytes(self.thumbnails_dir / ref.thumbnail, thumbnail)
            self._refs[ref.id] = ref
        self._write()
        self._index([r for r, _ in new])
        return [r for r, _ in new]

    def remove(self, ref_ids: Sequence[str]) -> list[Reference]:
        gone = [self.get(i) for i in ref_ids]
        for ref in gone:
            self._refs.pop(ref.id, None)
            path = self.thumbnail_path(ref)
            if path is not None:
                path.unlink()
        self._write()
        if gone:
            self.collection.delete(ids=[r.id for r in gone])
        return gone

    # ---- the index ----------------------------------------------------------------------

    def _index(self, refs: Sequence[Reference]) -> None:
        step = 256
        for start in range(0, len(refs), step):
            batch = refs[start : start + step]
            texts = [search_text(r) for r in batch]
            self.collection.upsert(
                ids=[r.id for r in batch],
                embeddings=self.embedding_function(texts),
                documents=texts,
                metadatas=[_metadata(r) for r in batch],
            )

    def _sync_index(self) -> None:
        indexed: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=1000, offset=offset)
            if not got["ids"]:
                break
            indexed.update(got["ids"])
            offset += len(got["ids"])
        stale = sorted(indexed - set(self._refs))
        if stale:
            self.collection.delete(ids=stale)
        missing = [r for i, r in self._refs.items() if i not in indexed]
        if missing:
            self._index(missing)

    def search(self, query: str, k: int = 3) -> list[tuple[Reference, float]]:
        """The `k` references whose caption and labels are most like `query`, with cosine."""
        if not query.strip():
            raise ConfigError("the reference query is empty; give the post or scene text")
        if k <= 0 or not self._refs:
            return []
        vector = self.embedding_function.embed_query([query])[0]
        got = self.collection.query(
            query_embeddings=[vector], n_results=min(k, len(self._refs)), include=["distances"]
        )
        found = []
        for ref_id, distance in zip(got["ids"][0], got["distances"][0], strict=True):
            if ref_id in self._refs:
                found.append((self._refs[ref_id], round(1.0 - float(distance), 4)))
        return found


def _metadata(ref: Reference) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "kind": ref.kind,
        "synthetic": ref.synthetic,
        "allowed_as_input": ref.allowed_as_input,
        "labelled": ref.labelled,
        "license": ref.license,
    }
    if ref.labels:
        meta["labels"] = list(ref.labels)
    return meta


def open_library(
    settings: Settings | None = None,
    *,
    root: Path | None = None,
    embeddings: Embeddings | None = None,
    model_name: str | None = None,
) -> ReferenceLibrary:
    """The library at `root` (default `<cache_dir>/references`), embeddings from settings."""
    from scenariosim.models import make_embeddings, parse_spec

    settings = settings or Settings()
    if embeddings is None:
        embeddings = make_embeddings(settings.embedding_model, settings)
    model_name = model_name or getattr(embeddings, "model_name", None)
    if not model_name:
        model_name = str(parse_spec(settings.embedding_model))
    return ReferenceLibrary(root or default_root(settings), embeddings, model_name)
