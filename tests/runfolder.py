"""A complete small run folder for output tests, made with the schema-answering fake model.

`make_run_folder(path)` runs the real graph (fake chat model, fixed retriever, fake
embeddings) into `path`, then adds what `run_scenario` writes around it: the resolved
scenario, the personas, and a one-document corpus holding the retrieved chunk, so chunk
texts resolve. `hostile=True` puts markup in a post, a comment, a scene and the corpus.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from fake_run import CHUNK, fake_actor, fake_run, fake_scenario
from langchain_core.embeddings import Embeddings

from scenariosim.scenario import Scenario

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
ACTORS = [(1, "h1"), (2, "h1"), (3, "h2")]


class BagOfWordsEmbeddings(Embeddings):
    """Deterministic, offline, and similar texts get similar vectors (unlike random fakes)."""

    size = 64

    def _one(self, text: str) -> list[float]:
        v = np.zeros(self.size)
        for word in text.lower().split():
            v[hash(word) % self.size] += 1.0  # str hash is salted per process; fine within one
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


def persona_rows() -> list[dict[str, Any]]:
    rows = []
    for i, hid in ACTORS:
        card = fake_actor(i, hid).card
        rows.append(
            {
                "id": card.id,
                "hid": hid,
                "idno": i,
                "name": card.name,
                "sex": card.sex.capitalize(),
                "age": card.age,
                "region": "geo_04",
                "province": card.province,
                "urban": i != 2,
                "education": "Secondary",
                "description": card.description,
            }
        )
    return rows


def write_corpus(folder: Path, hostile: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = CHUNK.text + (f" {HOSTILE}" if hostile else "")
    (folder / "fuel-001.md").write_text(
        f"---\nid: {CHUNK.doc_id}\ntitle: {CHUNK.title}\noutlet: {CHUNK.outlet}\n"
        f"date: {CHUNK.date}\n---\n{text}\n",
        encoding="utf-8",
    )
    return folder


def _rewrite_records(path: Path, hostile: bool) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if hostile:
        first = {kind: next(r for r in rows if r["kind"] == kind) for kind in ("post", "comment")}
        first["post"]["text"] = f"Prices up. {HOSTILE}"
        first["comment"]["text"] = f"Agreed {HOSTILE}"
        for r in rows:
            if r["kind"] == "image_prompt":
                r["scene"] = f"A crowd at night {HOSTILE}"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def make_run_folder(
    path: Path, scenario: Scenario | None = None, hostile: bool = False, phases: int = 2
) -> Path:
    """A finished run folder under `path` (created), with personas and a corpus beside it."""
    path.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(path.parent / f"{path.name}-corpus", hostile)
    scenario = scenario or fake_scenario(phases)
    data = scenario.model_dump(mode="json")
    data["world"]["corpus"] = str(corpus)
    fake_run(path, Scenario.model_validate(data))
    _rewrite_records(path / "records.jsonl", hostile)
    resolved = {
        "run_id": "run-1",
        "created": "2026-11-25T08:00:00+00:00",
        "scenario": data,
        "resolved": {
            "corpus_fingerprint": "test",
            "embedding_model": "fake",
            "agent_model": "fake",
            "critic_model": "fake",
            "persona_ids": sorted(f"p{i}" for i, _ in ACTORS),
        },
    }
    (path / "scenario.resolved.yaml").write_text(yaml.safe_dump(resolved), encoding="utf-8")
    with (path / "personas.jsonl").open("w", encoding="utf-8") as f:
        for row in persona_rows():
            f.write(json.dumps(row) + "\n")
    return path


def finalize_small(path: Path, hostile: bool = False, **kwargs: Any) -> Any:
    """`make_run_folder` then `finalize_run` with offline bag-of-words embeddings."""
    from scenariosim.graph.finalize import finalize_run
    from scenariosim.settings import load_settings

    run_dir = make_run_folder(path, hostile=hostile)
    return finalize_run(run_dir, load_settings(), embeddings=BagOfWordsEmbeddings(), **kwargs)
