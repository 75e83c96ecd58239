"""Fake chat models for unit tests of wiring and for benchmarks; no user-facing path uses them."""

import json
import threading
import time
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from scenariosim.models.structured import StructuredOutputMixin


class ScriptedChatModel(StructuredOutputMixin, BaseChatModel):
    """Answers with queued replies in order; an `Exception` in the queue is raised instead.

    `history` holds the messages of every call, for assertions about what was sent.
    """

    model_name: str = "scripted"
    _queue: list[str | Exception] = PrivateAttr(default_factory=list)
    _history: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def history(self) -> list[list[BaseMessage]]:
        return self._history

    def enqueue(self, *replies: str | Exception) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            self._history.append(list(messages))
            if not self._queue:
                raise AssertionError("ScriptedChatModel: no reply queued for this call")
            reply = self._queue.pop(0)
        if isinstance(reply, Exception):
            raise reply
        usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
        message = AIMessage(content=reply, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])


CANNED: dict[str, dict[str, Any]] = {
    "PostDraft": {
        "text": "Diesel went from 0.90 to 1.30 ADH per litre today. Drivers cannot pay this.",
        "hashtags": ["#fuel"],
        "stance": "support_protest",
        "emotion": "anger",
        "sources": [1],
    },
    "CommentDraft": {
        "text": "Diesel at 1.30 ADH per litre hurts every driver I know.",
        "stance": "support_protest",
        "emotion": "sadness",
        "sources": [1],
    },
    "ImagePromptDraft": {
        "scene": "Drivers stand by their lorries holding a sign at the junction.",
        "sign_text": "Diesel 0.90",
        "sign": True,
        "photo": False,
        "fire": False,
        "police": False,
        "children": False,
        "group_20": True,
        "group_100": False,
        "flag": False,
        "night": False,
        "shouting": False,
        "violence": 0.1,
    },
    "RubricScores": {
        "groundedness": 5,
        "persona_fit": 4,
        "world_consistency": 5,
        "safety": 5,
        "reasons": "fine",
    },
}


class SchemaAnsweringChatModel(StructuredOutputMixin, BaseChatModel):
    """Replies with a canned valid object for whatever schema it is asked for.

    `latency_s` makes every call take that long (the fan-out benchmark uses 0.2 s).
    """

    replies: dict[str, dict[str, Any]] = CANNED
    latency_s: float = 0.0
    _calls: list[str] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "schema-answering"

    @property
    def calls(self) -> list[str]:
        return self._calls

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        title = kwargs["response_schema"]["title"]
        if self.latency_s:
            time.sleep(self.latency_s)
        with self._lock:
            self._calls.append(title)
        usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
        message = AIMessage(content=json.dumps(self.replies[title]), usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])
