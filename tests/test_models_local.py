"""The real offline default: SmolLM2-135M on llama.cpp and MiniLM embeddings."""

from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np
import pytest
from pydantic import BaseModel, Field

from scenariosim.knowledge.chroma import ChromaEmbeddingAdapter
from scenariosim.models import ChatOptions, make_chat_model, make_embeddings

pytestmark = pytest.mark.slow


class Post(BaseModel):
    text: str = Field(min_length=1, max_length=280)
    hashtags: list[str] = Field(max_length=3)
    stance: Literal["support", "oppose", "neutral"]


PROMPT = [
    ("system", "You write short social media posts. Answer in JSON."),
    (
        "human",
        "Write a short social media post about rising bread prices. Reply as JSON with "
        "text, hashtags (at most 3) and stance (support, oppose or neutral).",
    ),
]


def _post(seed: int) -> Post:
    model = make_chat_model("local", options=ChatOptions(seed=seed, max_tokens=256))
    return model.with_structured_output(Post).invoke(PROMPT)


def test_structured_output_from_the_local_model_validates() -> None:
    post = _post(seed=1)
    assert isinstance(post, Post)
    assert 1 <= len(post.text) <= 280
    assert post.stance in ("support", "oppose", "neutral")


def test_same_seed_gives_the_same_output_even_after_other_calls() -> None:
    first = _post(seed=7)
    _post(seed=8)
    assert _post(seed=7) == first


def test_different_seeds_give_different_outputs() -> None:
    assert len({_post(seed=s).model_dump_json() for s in range(4)}) > 1


def test_four_threads_calling_at_once_all_get_their_sequential_answer() -> None:
    sequential = [_post(seed=s) for s in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(_post, range(4)))
    assert concurrent == sequential


def test_usage_metadata_counts_tokens() -> None:
    model = make_chat_model("local", options=ChatOptions(seed=0, max_tokens=20))
    message = model.invoke("Say hello.")
    assert message.usage_metadata["input_tokens"] > 0
    assert 0 < message.usage_metadata["output_tokens"] <= 20


def test_local_embeddings_are_normalised_384_dimension_vectors() -> None:
    vectors = np.array(make_embeddings("local").embed_documents(["fuel prices", "a cat"]))
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_local_embeddings_place_related_texts_closer() -> None:
    emb = make_embeddings("local")
    q, near, far = (
        np.array(v)
        for v in emb.embed_documents(
            ["diesel price rise", "the cost of fuel went up", "a recipe for apple cake"]
        )
    )
    assert q @ near > q @ far


def test_chroma_adapter_returns_float32_vectors() -> None:
    adapter = ChromaEmbeddingAdapter(make_embeddings("local"), "all-MiniLM-L6-v2")
    out = adapter(["one", "two"])
    assert len(out) == 2
    assert out[0].dtype == np.float32 and out[0].shape == (384,)


CONCURRENT_FIRST_CALLS = """
from concurrent.futures import ThreadPoolExecutor
from scenariosim.models import ChatOptions, make_chat_model

model = make_chat_model("local", options=ChatOptions(seed=0, max_tokens=4))
with ThreadPoolExecutor(max_workers=4) as pool:
    list(pool.map(lambda _: model.invoke("Say hello."), range(4)))
print("still printing")
"""


def test_concurrent_first_calls_leave_the_process_able_to_print() -> None:
    """llama.cpp mutes stdout while it loads; two loads at once used to leave it muted."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_FIRST_CALLS], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "still printing" in done.stdout
