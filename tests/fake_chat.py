"""Fake chat models for unit tests of wiring and for benchmarks; no user-facing path uses them."""

import json
import threading
import time
import zlib
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from scenariosim.agents.examples import EMOTION_WORD, STANCE_WORDS
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
    },
    "CommentDraft": {
        "text": "Diesel at 1.30 ADH per litre hurts every driver I know.",
        "stance": "support_protest",
        "emotion": "sadness",
        "relation": "agrees",
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
    # The critic's rubric (asked only with `critic.rubric: always` or a trusted critic
    # model): mean 4.8 for one text in four, 4.4 for the rest (`rubric_reply`).
    "RubricScores": {
        "coherence": 5,
        "groundedness": 5,
        "persona_fit": 4,
        "labels_carried": 5,
        "safety": 5,
        "reasons": "fine",
    },
}


def rubric_reply(canned: dict[str, Any], prompt: str) -> dict[str, Any]:
    """The canned rubric (mean 4.8) for one text in four, chosen by a hash of the prompt;
    persona fit 2 (mean 4.4) for the others, so a stricter threshold keeps some and refuses
    some, the same in every run."""
    if zlib.crc32(prompt.encode()) % 4 == 0:
        return canned
    return {**canned, "persona_fit": 2}


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
        schema = kwargs.get("response_schema")
        title = schema["title"] if schema else "text"
        if self.latency_s:
            time.sleep(self.latency_s)
        with self._lock:
            self._calls.append(title)
        usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
        if title == "RubricScores" and title in self.replies:
            content = json.dumps(rubric_reply(self.replies[title], messages[-1].text))
        elif schema:
            content = json.dumps(self.replies[title])
        else:
            content = continuation(messages[-1].text, int(kwargs.get("seed", 0)))
        message = AIMessage(content=content, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])


# What the fake continuation says for each label, worded so the critic's checks find it.
# The prompt names labels in the writers' words (`agents.examples`); they are read back here.
_EMOTION_SENTENCE = {
    "anger": "I am angry",
    "fear": "I am afraid",
    "hope": "I hope things change",
    "sadness": "It is sad",
    "pride": "I am proud of us",
    "calm": "I stay calm",
}
_STANCE_SENTENCE = {
    "support_protest": "I stand with them.",
    "oppose_protest": "Blocking roads is wrong.",
    "neutral": "Not sure who is right.",
}
# Words a fake post varies with its seed, so two posts with the same labels about the same
# news do not share six words in a row (the critic refuses that as a copy).
_NOW = ("today", "again", "now", "still", "really", "honestly", "tonight", "truly", "so",
        "very", "quite", "deeply")  # fmt: skip
_EMOTION_OF = {word: label for label, word in EMOTION_WORD.items()}
_STANCE_OF = {words: label for label, words in STANCE_WORDS.items()}
_RELATION_SENTENCE = {
    "agrees": ("I agree, {s}, this {n} about the {w}.", "Same here, {s}, the {w} {n} worries me.", "Exactly, {s}, my {w} story {n} too."),
    "disagrees": ("No, {s}, that is {n} wrong about the {w}.", "Wrong, {s}, the {w} is {n} not the point.", "That's not how the {w} {n} works, {s}."),
    "asks": ("Is it {n} true about the {w}?", "What happens {n} to the {w} now?", "Who {n} decided the {w}?"),
    "adds": ("The news says {w} and {v} {n} matter here.", "Remember {w} and {v} {n} in this.", "Look at {w} and {v} {n} again."),
}  # fmt: skip
# What a reply that agrees or disagrees says of its side (the author line names it).
_REPLY_STANCE = {
    "support_protest": "I stand with them",
    "oppose_protest": "go home",
    "neutral": "not sure who is right",
}
_SCENE_WORDS = {
    "a sign": "signs",
    "a photo held up": "a photograph",
    "fire": "fire",
    "police": "police",
    "children": "children",
    "a crowd": "a crowd",
    "a huge crowd": "thousands",
    "a flag": "a flag",
    "night": "at night",
    "shouting": "shouting",
}


def _long_words(line: str, k: int) -> list[str]:
    found = sorted({w.strip(".,:;!?'\"").lower() for w in line.split()}, key=lambda w: (-len(w), w))
    return found[:k] or ["news"]


def continuation(prompt: str, seed: int = 0) -> str:
    """A plain-text answer to a few-shot prompt, carrying the labels its last line names."""
    lines = [line for line in prompt.splitlines() if line.strip()]
    last = lines[-1]
    news = next((line for line in reversed(lines) if line.startswith(("News:", "Post:"))), "")
    word, other = [*_long_words(news.split(":", 1)[-1], 2), "news"][:2]
    if last.startswith("Sign:") or last.startswith("About:"):
        return " fair prices now"  # the sign writer writes in lower case
    if last.startswith("Scene:"):
        wanted = lines[-2].removeprefix("Photo of:").strip()
        shown = [_SCENE_WORDS[a.strip()] for a in wanted.split(",") if a.strip() in _SCENE_WORDS]
        # Two seeded words apart, so scenes of different phases share no six words.
        pick = zlib.crc32(f"{seed}\n{prompt}".encode())
        first, then = _NOW[pick % len(_NOW)], _NOW[(pick >> 8) % len(_NOW)]
        return (
            f" A street {first} about the {word} {then} with"
            f" {', '.join(shown) or 'parked lorries'} today."
        )
    parts = [p.strip() for p in last.rstrip(":").split(",")]
    if last.startswith("Reply by"):
        relation, emotion = parts[-2], parts[-1]
        side = _REPLY_STANCE[_STANCE_OF.get(parts[-3], "neutral")]
        pick = zlib.crc32(f"{seed}\n{prompt}".encode())
        n = _NOW[(pick >> 4) % len(_NOW)]
        said = _RELATION_SENTENCE[relation][seed % 3].format(w=word, v=other, n=n, s=side)
        now = _NOW[(pick >> 12) % len(_NOW)].capitalize()
        return f"{said} {now}, {_EMOTION_SENTENCE[_EMOTION_OF[emotion]].lower()}.\n"
    emotion, stance = _EMOTION_OF[parts[-2]], _STANCE_OF[parts[-1]]
    pick = zlib.crc32(f"{seed}\n{prompt}".encode())
    now, then = _NOW[pick % len(_NOW)], _NOW[(pick >> 8) % len(_NOW)]
    said = f"{_EMOTION_SENTENCE[emotion]} {now} about the {word} news, {then}."
    return f"{said} {_STANCE_SENTENCE[stance]}\n"
