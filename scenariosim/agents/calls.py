"""One structured model call with bounded retries, and the record of how it went.

Every agent goes through `call_structured`, so retries, the call cache and the figures the
traces report (latency, tokens, attempts, errors) are handled in one place.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from pydantic import BaseModel, ValidationError

from scenariosim.errors import ModelError
from scenariosim.models.backoff import backoff_wait_s

T = TypeVar("T", bound=BaseModel)


class CallCache(Protocol):
    def get(self, key: dict[str, Any]) -> dict[str, Any] | None: ...
    def put(self, key: dict[str, Any], value: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class AgentModel:
    """A chat model as agents use it: its spec (for provenance and cache keys) and the model."""

    spec: str
    chat: BaseChatModel
    cache: CallCache | None = None
    max_attempts: int = 3
    backoff_s: float = 0.5
    max_wait_s: float = 60.0  # no single wait is longer, whatever a server asks for
    max_tokens: int = 320  # the run's output budget per call (a chat backend's thinking counts)


def _recoverable_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying: timeouts, connection trouble, and the backends' API errors."""
    errors: list[type[BaseException]] = [TimeoutError, ConnectionError, ModelError]
    try:
        from langchain_google_genai.chat_models import ChatGoogleGenerativeAIError

        errors.append(ChatGoogleGenerativeAIError)
    except ImportError:
        pass
    try:
        import openai

        errors.append(openai.APIError)
    except ImportError:
        pass
    return tuple(errors)


RECOVERABLE = _recoverable_errors()


@dataclass
class CallRecord:
    """What the traces keep of one structured call (all attempts)."""

    spec: str
    schema: str
    seed: int
    messages: list[dict[str, str]]
    raw: str = ""
    error: str | None = None
    attempts: int = 0
    latency_s: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cached: bool = False
    retries: list[str] = field(default_factory=list)
    waits_s: list[float] = field(default_factory=list)  # backoff slept before each retry
    finish_reasons: list[str] = field(default_factory=list)  # per answer: "stop" or "length"
    requests: int = 0  # requests sent to the backend (a chat backend gets one per candidate)

    def as_trace(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _invoke(
    model: AgentModel,
    record: CallRecord,
    attempt: int,
    invoke: Callable[[], Any],
    sleep: Callable[[float], None],
) -> tuple[bool, Any]:
    """Run one attempt; a recoverable error is recorded and waited out. (ok, result)."""
    try:
        return True, invoke()
    except RECOVERABLE as e:
        record.retries.append(f"{type(e).__name__}: {e}"[:300])
        record.error = record.retries[-1]
        if attempt + 1 < model.max_attempts:
            wait = backoff_wait_s(model.backoff_s, model.max_wait_s, attempt, e)
            record.waits_s.append(round(wait, 4))
            sleep(wait)
        return False, None


def call_structured(
    model: AgentModel,
    messages: list[tuple[str, str]],
    schema: type[T],
    seed: int,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T | None, CallRecord]:
    """Ask for `schema`; retry bad output at once with a new seed, errors after a backoff.

    Backoff doubles from `model.backoff_s`, honours a server's retry-after, and is bounded
    by `model.max_wait_s`.

    Returns the parsed object (None when every attempt failed) and the call's record.
    """
    record = CallRecord(
        spec=model.spec,
        schema=schema.__name__,
        seed=seed,
        messages=[{"role": role, "content": text} for role, text in messages],
    )
    runnable = model.chat.with_structured_output(schema, include_raw=True)
    started = time.perf_counter()
    for attempt in range(model.max_attempts):
        record.attempts = attempt + 1
        attempt_seed = seed + 7919 * attempt
        key = {
            "spec": model.spec,
            "messages": record.messages,
            "schema": schema.__name__,
            "json_schema": schema.model_json_schema(),
            "seed": attempt_seed,
        }
        cached = model.cache.get(key) if model.cache else None
        if cached is not None:
            record.cached = True
            raw_text, usage = cached["raw"], cached["usage"]
        else:

            def ask(seed: int = attempt_seed) -> Any:
                record.requests += 1
                return runnable.invoke(messages, seed=seed)

            ok, result = _invoke(model, record, attempt, ask, sleep)
            if not ok:
                continue
            raw: AIMessage = result["raw"]
            raw_text, usage = raw.text, dict(raw.usage_metadata or {})
            if model.cache:
                model.cache.put(key, {"raw": raw_text, "usage": usage})
        record.raw = raw_text
        record.input_tokens += int(usage.get("input_tokens", 0))
        record.output_tokens += int(usage.get("output_tokens", 0))
        try:
            parsed = schema.model_validate_json(raw_text)
        except ValidationError as e:
            record.retries.append(f"invalid output: {e.errors()[0]['msg']}"[:300])
            record.error = record.retries[-1]
            continue
        record.error = None
        record.latency_s = time.perf_counter() - started
        return parsed, record
    record.latency_s = time.perf_counter() - started
    return None, record


# How a chat-only backend (Gemini, Ollama, OpenAI-compatible) is asked to continue a
# few-shot text: the same prompt the local model continues, with one line of instruction.
CONTINUE_SYSTEM = (
    "Continue the text the user gives you. Write only what comes next after its last line: "
    "one or two sentences in the voice of the person named there, on one line, nothing else."
)


def _chat_candidates(
    model: AgentModel, prompt: str, seeds: list[int], record: CallRecord
) -> list[dict[str, Any]]:
    out = []
    for seed in seeds:
        record.requests += 1
        # The backend was built with the run's budget (`model.max_tokens`): a thinking model
        # needs its room, so the line budget of the local model does not apply here.
        message: AIMessage = model.chat.invoke(
            [("system", CONTINUE_SYSTEM), ("human", prompt)], seed=seed
        )
        usage = dict(message.usage_metadata or {})
        out.append(
            {
                "text": message.text,
                "finish_reason": str(message.response_metadata.get("finish_reason", "stop")),
                "prompt_tokens": int(usage.get("input_tokens", 0)),
                "completion_tokens": int(usage.get("output_tokens", 0)),
            }
        )
    return out


def draw_candidates(
    model: AgentModel,
    prompt: str,
    n: int,
    seed: int,
    max_tokens: int,
    grammar: str | None = None,
    stop: tuple[str, ...] = ("\n",),
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[str], CallRecord]:
    """`n` continuations of a few-shot `prompt`, for best-of-n drafting.

    A backend with `complete` (the local llama.cpp model) evaluates the prompt once and
    samples every candidate from it; other chat backends get one call per candidate with
    `CONTINUE_SYSTEM`. Candidate i uses seed `seed + i`. Answers are cached like structured
    calls. Returns the candidate texts (first line, stripped; [] when every attempt failed)
    and the call's record, whose `finish_reasons` say which were cut by `max_tokens`.
    """
    record = CallRecord(
        spec=model.spec, schema="text", seed=seed, messages=[{"role": "prompt", "content": prompt}]
    )
    seeds = [seed + i for i in range(n)]
    key = {
        "spec": model.spec,
        "prompt": prompt,
        "seeds": seeds,
        "max_tokens": max_tokens,
        "grammar": grammar or "",
        "stop": list(stop),
    }
    started = time.perf_counter()
    answers = model.cache.get(key) if model.cache else None
    record.cached = answers is not None
    complete = getattr(model.chat, "complete", None)

    def ask() -> list[dict[str, Any]]:
        if complete is not None:
            record.requests += 1
            return complete(prompt, seeds, max_tokens, stop, grammar)
        return _chat_candidates(model, prompt, seeds, record)

    for attempt in range(0 if answers is not None else model.max_attempts):
        record.attempts = attempt + 1
        ok, result = _invoke(model, record, attempt, ask, sleep)
        if ok:
            record.error = None
            answers = {"answers": result}
            if model.cache:
                model.cache.put(key, answers)
            break
    record.latency_s = time.perf_counter() - started
    if answers is None:
        return [], record
    texts = []
    for answer in answers["answers"]:
        record.input_tokens += int(answer["prompt_tokens"])
        record.output_tokens += int(answer["completion_tokens"])
        record.finish_reasons.append(answer["finish_reason"])
        lines = answer["text"].strip().splitlines()
        texts.append(lines[0].strip() if lines else "")
    record.raw = "\n".join(texts)
    return texts, record
