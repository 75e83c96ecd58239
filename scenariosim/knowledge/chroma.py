"""Chroma glue shared by the corpus store and the reference library: clients, collection
names, and the embedding function Chroma calls.

Chroma's own default embedding function would download a model, so every collection gets a
`ChromaEmbeddingAdapter` over one of the project's LangChain `Embeddings` (from the models
registry; the offline MiniLM by default) instead.
"""

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from langchain_core.embeddings import Embeddings

from scenariosim.errors import ConfigError, ModelError
from scenariosim.models import make_embeddings
from scenariosim.slugs import ascii_slug


def chroma_name(*parts: str) -> str:
    """A Chroma collection name: the parts as ASCII slugs joined by `--`, within Chroma's
    3-63 character limit (a longer name is cut and given a hash of the whole)."""
    name = "--".join(ascii_slug(part, "x") for part in parts)
    if len(name) <= 63:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:54].rstrip('-')}-{digest}"


def connect(location: Path | str) -> Any:
    """A Chroma client: a server for `http(s)://host:port`, else a folder on disk."""
    settings = chromadb.Settings(anonymized_telemetry=False)
    text = str(location)
    if text.startswith(("http://", "https://")):
        url = urlparse(text)
        if not url.hostname:
            raise ConfigError(f"Chroma server URL '{text}' has no host; use http://HOST:PORT")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            return chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=settings
            )
        except Exception as e:  # the client raises plain exceptions for connection failures
            raise ConfigError(
                f"cannot reach the Chroma server at {text} ({type(e).__name__}); start one with "
                "`chroma run --path DIR --host 127.0.0.1 --port PORT` or fix the URL"
            ) from e
    path = Path(text)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChromaEmbeddingAdapter(EmbeddingFunction[Documents]):
    """Lets a Chroma collection embed with any LangChain `Embeddings` of ours."""

    def __init__(self, embeddings: Embeddings, model_name: str) -> None:
        self.embeddings = embeddings
        self.model_name = model_name

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        encode = getattr(self.embeddings, "encode", None)
        if callable(encode):  # the local MiniLM: an array at once, no lists in between
            return list(np.asarray(encode(list(input)), dtype=np.float32))
        vectors = self.embeddings.embed_documents(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    def embed_query(self, input: Documents) -> ChromaEmbeddings:
        """Search texts, embedded as queries: some models (Gemini's) embed a query
        differently from the documents it should find; MiniLM embeds both alike."""
        if callable(getattr(self.embeddings, "encode", None)):
            return self(input)
        return [np.asarray(self.embeddings.embed_query(text), dtype=np.float32) for text in input]

    @staticmethod
    def name() -> str:
        return "scenariosim"

    def default_space(self) -> str:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ChromaEmbeddingAdapter":
        """Only the offline default (`local`) can be rebuilt from a stored config; other
        embeddings are passed in."""
        local = make_embeddings("local")
        name = getattr(local, "model_name", None)
        if config.get("model_name") != name:
            raise ModelError(f"cannot rebuild embeddings {config!r}; pass the embedding function")
        return ChromaEmbeddingAdapter(local, str(name))
