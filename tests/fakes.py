"""Test doubles for unit tests of wiring only: a chat model that answers any schema."""

import json
import threading
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from scenariosim.models.structured import StructuredOutputMixin

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
    """Replies with a canned valid object for whatever schema it is asked for."""

    replies: dict[str, dict[str, Any]] = CANNED
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
        with self._lock:
            self._calls.append(title)
        usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
        message = AIMessage(content=json.dumps(self.replies[title]), usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])
