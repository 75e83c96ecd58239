"""A chat backend that fails on purpose, for the fault-injection tests and benchmarks.

`FaultyChatModel` answers like `SchemaAnsweringChatModel` but, at chosen rates, times out,
raises a connection error, returns invalid JSON or nothing, is rate limited (with a
retry-after), or is slow. For a structured call, invalid JSON and an empty answer are
answers the client must retry; for a plain-text call (a writer's candidate) they are a
garbage candidate and an empty one, which the critic's checks must refuse. Which fault a
request gets is a pure function of its messages, its seed and how many times that same
request was received before (a retry of a request is sent again with the same seed, and
must be able to succeed), so a run gets the same faults whatever order concurrent calls
arrive in, and a resumed run gets the same faults as an uninterrupted one. `injected`
counts what was done, so tests can compare it with what the traces say.
"""

import hashlib
import json
import time
from collections import Counter
from typing import Any, Literal

from fake_chat import SchemaAnsweringChatModel
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel, Field, PrivateAttr, model_validator

from scenariosim.errors import ModelError

Fault = Literal["timeout", "exception", "invalid_json", "empty", "rate_limit", "slow"]
FAULTS: tuple[Fault, ...] = ("timeout", "exception", "invalid_json", "empty", "rate_limit", "slow")
# Faults that make an attempt fail (a slow call still answers).
FAILING: tuple[Fault, ...] = ("timeout", "exception", "invalid_json", "empty", "rate_limit")


class InjectedRateLimit(ModelError):
    """A 429 as backends report it: `retry_after` seconds before the next request."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited (injected): retry after {retry_after:g}s")
        self.retry_after = retry_after


class FaultRates(BaseModel):
    """Probability of each fault per call; the rest of the calls answer normally."""

    timeout: float = Field(0.0, ge=0, le=1)
    exception: float = Field(0.0, ge=0, le=1)
    invalid_json: float = Field(0.0, ge=0, le=1)
    empty: float = Field(0.0, ge=0, le=1)
    rate_limit: float = Field(0.0, ge=0, le=1)
    slow: float = Field(0.0, ge=0, le=1)

    def total(self) -> float:
        return sum(getattr(self, name) for name in FAULTS)


# Faults that raise: the attempt fails whatever kind of call it was.
RAISING: tuple[Fault, ...] = ("timeout", "exception", "rate_limit")


def _request_key(messages: list[BaseMessage], seed: int) -> str:
    digest = hashlib.sha256(str(seed).encode())
    for message in messages:
        digest.update(message.type.encode())
        digest.update(message.text.encode())
    return digest.hexdigest()


def _unit(key: str, seen: int) -> float:
    """A number in [0, 1) fixed by the request and how often it was received before."""
    digest = hashlib.sha256(f"{key}:{seen}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FaultyChatModel(SchemaAnsweringChatModel):
    """A schema-answering model that injects faults at `rates` (see module docstring)."""

    rates: FaultRates = Field(default_factory=FaultRates)
    timeout_s: float = 0.005  # how long a timing-out call hangs before it raises
    slow_s: float = 0.02  # how long a slow call takes
    retry_after_s: float = 0.01  # what a rate-limit error asks the client to wait
    _injected: Counter[str] = PrivateAttr(default_factory=Counter)
    _received: int = PrivateAttr(default=0)
    _seen: Counter[str] = PrivateAttr(default_factory=Counter)

    @model_validator(mode="after")
    def _rates_fit(self) -> "FaultyChatModel":
        if self.rates.total() > 1:
            raise ValueError(f"fault rates add up to {self.rates.total():g}, more than 1")
        return self

    @property
    def _llm_type(self) -> str:
        return "faulty"

    @property
    def injected(self) -> Counter[str]:
        """Faults injected so far, by kind."""
        return self._injected

    @property
    def received(self) -> int:
        """Every call the backend received, failed or not."""
        return self._received

    def choose_fault(self, key: str, seen: int) -> Fault | None:
        u, edge = _unit(key, seen), 0.0
        for name in FAULTS:
            edge += getattr(self.rates, name)
            if u < edge:
                return name
        return None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        key = _request_key(messages, int(kwargs.get("seed", 0)))
        with self._lock:
            seen = self._seen[key]
            self._seen[key] += 1
            fault = self.choose_fault(key, seen)
            self._received += 1
            if fault:
                self._injected[fault] += 1
        if fault == "timeout":
            time.sleep(self.timeout_s)
            raise TimeoutError(f"no answer within {self.timeout_s:g}s (injected)")
        if fault == "exception":
            raise ConnectionError("connection reset by peer (injected)")
        if fault == "rate_limit":
            raise InjectedRateLimit(self.retry_after_s)
        if fault in ("invalid_json", "empty"):
            schema = kwargs.get("response_schema")
            reply = self.replies[schema["title"]] if schema else self.replies["PostDraft"]
            text = json.dumps(reply)[:25] if fault == "invalid_json" else ""
            usage = {"input_tokens": 100, "output_tokens": 5 if text else 0, "total_tokens": 105}
            message = AIMessage(content=text, usage_metadata=usage)
            return ChatResult(generations=[ChatGeneration(message=message)])
        if fault == "slow":
            time.sleep(self.slow_s)
        return super()._generate(messages, stop, run_manager, **kwargs)
