"""`scenariosim models check` and `probe`: does each backend load and answer on this machine?"""

import time
from typing import Literal

from pydantic import BaseModel, Field

from scenariosim.errors import ModelError
from scenariosim.models.chat_local import default_gguf_path
from scenariosim.models.llama_probe import Verdict, probe
from scenariosim.models.registry import ChatOptions, make_chat_model, make_embeddings, parse_spec
from scenariosim.settings import Settings


class CheckReply(BaseModel):
    """A tiny schema with a bounded string and an enum, like the agents' schemas."""

    summary: str = Field(max_length=200, description="One sentence about the topic.")
    mood: Literal["calm", "angry", "hopeful", "worried"]


class ChatCheck(BaseModel):
    spec: str
    load_s: float
    call_s: float
    output_tokens: int
    tokens_per_s: float
    reply: CheckReply


class EmbeddingCheck(BaseModel):
    spec: str
    load_s: float
    dimensions: int


CHECK_PROMPT = "In one sentence, how do people in a small town feel about a fuel price rise?"


def check_chat_model(spec: str, settings: Settings) -> ChatCheck:
    started = time.perf_counter()
    # Room for thinking: Gemini 2.5 and later count thoughts against the output budget, and
    # 96 tokens left flash with none for the answer. The schema bounds the answer itself.
    model = make_chat_model(spec, settings, ChatOptions(seed=0, max_tokens=1024))
    loaded = time.perf_counter()
    result = model.with_structured_output(CheckReply, include_raw=True).invoke(CHECK_PROMPT)
    done = time.perf_counter()
    if result["parsed"] is None:
        raise ModelError(
            f"{spec} did not return valid structured output: {result['parsing_error']}"
        )
    usage = result["raw"].usage_metadata or {}
    tokens = int(usage.get("output_tokens", 0))
    return ChatCheck(
        spec=spec,
        load_s=loaded - started,
        call_s=done - loaded,
        output_tokens=tokens,
        tokens_per_s=tokens / (done - loaded) if done > loaded else 0.0,
        reply=result["parsed"],
    )


def check_embeddings(spec: str, settings: Settings) -> EmbeddingCheck:
    started = time.perf_counter()
    vector = make_embeddings(spec, settings).embed_query(CHECK_PROMPT)
    return EmbeddingCheck(spec=spec, load_s=time.perf_counter() - started, dimensions=len(vector))


def uses_llama_cpp(spec: str) -> bool:
    """Whether the chat model `spec` runs on the local llama.cpp backend."""
    return parse_spec(spec).backend == "local"


def check_llama_build(settings: Settings, *, force: bool = False) -> Verdict:
    """Whether the installed llama.cpp runs on this CPU: a tiny decode of the shipped model
    in a subprocess, or the verdict cached for this build (see `llama_probe`). Nothing here
    imports llama_cpp, so a build that cannot run here cannot take this process down."""
    return probe(default_gguf_path(), settings.cache_dir, force=force)
