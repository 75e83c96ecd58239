"""A scripted chat model for unit tests of wiring only; never used by a user-facing path."""

import threading
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
