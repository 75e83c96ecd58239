"""The Gemini chat client as scenariosim uses it: langchain-google-genai's
`ChatGoogleGenerativeAI`, with its answers and failures turned into things a run can act on.

Imported only when a Gemini chat model is built (the registry names this module without
importing it): langchain-google-genai takes about a second to import.

- A blocked answer (finish reason SAFETY, PROHIBITED_CONTENT, ..., or a blocked prompt)
  raises `ModelError` naming the reason. The library returns an empty message instead, and
  a run would record only "invalid JSON" for the failed artifact.
- Every failed call raises `ModelError` with Gemini's own message: API errors (429, 4xx,
  500, 503), transport errors (timeouts, refused connections) and a response body that is
  not JSON. The agents' call loop retries `ModelError` with backoff; for a 429 the error's
  `retry_after` holds the delay from Gemini's `google.rpc.RetryInfo`, which that loop
  honours.
- `with_structured_output` binds the JSON schema to the model itself (`responseMimeType`
  application/json and `responseJsonSchema`, as the library's `json_schema` method does), so
  per-call options such as each attempt's `seed` reach the request; the library's own
  version with `include_raw=True` starts with a `RunnableParallel`, which drops them.
"""

import json
from typing import Any

import httpx
import httpx2
from google.genai.errors import APIError
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_google_genai import ChatGoogleGenerativeAI
from langchain_google_genai.chat_models import ChatGoogleGenerativeAIError
from pydantic import BaseModel, ValidationError

from scenariosim.errors import ModelError
from scenariosim.models.gemini_shared import require_key, shared_rate_limiter
from scenariosim.models.registry import ChatOptions, ModelSpec, register_chat_backend
from scenariosim.models.structured import parse_structured
from scenariosim.settings import Settings

# Gemini finish reasons that mean the answer was withheld, not finished.
BLOCKED_FINISH_REASONS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    }
)


def retry_delay_s(error: BaseException) -> float | None:
    """The delay in a Gemini error's `google.rpc.RetryInfo` ("37s"), if it carries one."""
    while error is not None and not isinstance(error, APIError):
        error = error.__cause__  # type: ignore[assignment]
    details = getattr(error, "details", None) or {}
    body = details.get("error", details) if isinstance(details, dict) else {}
    for detail in body.get("details", []) if isinstance(body, dict) else []:
        delay = str(detail.get("retryDelay", "")) if isinstance(detail, dict) else ""
        if delay.endswith("s"):
            try:
                return float(delay[:-1])
            except ValueError:
                return None
    return None


def _name(value: Any) -> str:
    return str(getattr(value, "value", value))


def _blocked_categories(ratings: list[dict[str, Any]] | None) -> list[str]:
    return [_name(r.get("category")) for r in ratings or [] if r.get("blocked")]


def blocked_reason(result: ChatResult) -> str | None:
    """Why Gemini withheld the answer, or None when it answered."""
    for generation in result.generations:
        meta = {**(generation.generation_info or {}), **generation.message.response_metadata}
        finish = _name(meta.get("finish_reason") or "")
        if finish in BLOCKED_FINISH_REASONS:
            categories = _blocked_categories(meta.get("safety_ratings"))
            return f"finish reason {finish}" + (f" ({', '.join(categories)})" if categories else "")
    feedback = (result.llm_output or {}).get("prompt_feedback") or {}
    if not feedback and result.generations:
        feedback = result.generations[0].message.response_metadata.get("prompt_feedback") or {}
    block = feedback.get("block_reason")
    if block and _name(block) not in ("0", "BLOCKED_REASON_UNSPECIFIED"):
        categories = _blocked_categories(feedback.get("safety_ratings"))
        return f"prompt blocked: {_name(block)}" + (
            f" ({', '.join(categories)})" if categories else ""
        )
    return None


# google-genai 3 talks through httpx2; the stand-in tests and older clients through httpx.
TRANSPORT_ERRORS = (httpx.TransportError, httpx2.TransportError)


class GeminiChat(ChatGoogleGenerativeAI):
    """`ChatGoogleGenerativeAI` whose blocks and transient failures raise `ModelError`."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        try:
            result = super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        except (ChatGoogleGenerativeAIError, APIError) as e:
            error = ModelError(f"Gemini {self.model} failed: {e}")
            error.retry_after = retry_delay_s(e)  # type: ignore[attr-defined]
            raise error from e
        except TRANSPORT_ERRORS as e:
            raise ModelError(
                f"Gemini {self.model} could not be reached: {type(e).__name__}: {e}"
            ) from e
        except json.JSONDecodeError as e:
            raise ModelError(
                f"Gemini {self.model} answered with a body that is not JSON: {e}"
            ) from e
        reason = blocked_reason(result)
        if reason is not None:
            raise ModelError(f"Gemini {self.model} blocked the answer: {reason}")
        self._raise_if_out_of_budget(result)
        return result

    def _raise_if_out_of_budget(self, result: ChatResult) -> None:
        """An empty answer cut off at MAX_TOKENS: on Gemini 2.5 and later, thinking counts
        against `maxOutputTokens`, so a budget sized for the answer alone can leave none."""
        for generation in result.generations:
            meta = {**(generation.generation_info or {}), **generation.message.response_metadata}
            if _name(meta.get("finish_reason") or "") != "MAX_TOKENS" or generation.message.text:
                continue
            usage = getattr(generation.message, "usage_metadata", None) or {}
            thinking = (usage.get("output_token_details") or {}).get("reasoning", 0)
            raise ModelError(
                f"Gemini {self.model} spent its whole output budget of "
                f"{self.max_output_tokens} tokens before answering ({thinking} of them "
                "thinking): raise the scenario's models.max_tokens"
            )

    def with_structured_output(  # type: ignore[override]
        self,
        schema: type[BaseModel] | dict[str, Any],
        method: str | None = "json_schema",
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable:
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)) or method not in (
            "json_schema",
            "json_mode",
            None,
        ):
            return super().with_structured_output(
                schema, method=method, include_raw=include_raw, **kwargs
            )
        model: type[BaseModel] = schema
        bound = self.bind(
            response_mime_type="application/json",
            response_json_schema=model.model_json_schema(),
        )
        if not include_raw:
            return bound | RunnableLambda(lambda m: parse_structured(model, m))

        def with_raw(message: AIMessage) -> dict[str, Any]:
            try:
                parsed = parse_structured(model, message)
            except ValidationError as e:
                return {"raw": message, "parsed": None, "parsing_error": e}
            return {"raw": message, "parsed": parsed, "parsing_error": None}

        return bound | RunnableLambda(with_raw)


@register_chat_backend("gemini")
def make_gemini_chat(spec: ModelSpec, settings: Settings, options: ChatOptions) -> GeminiChat:
    require_key(settings, spec)
    return GeminiChat(
        model=spec.name,
        google_api_key=settings.google_api_key,
        base_url=settings.gemini_base_url,
        temperature=options.temperature,
        max_output_tokens=options.max_tokens,
        seed=options.seed,
        max_retries=1,
        timeout=settings.request_timeout_s,
        rate_limiter=shared_rate_limiter(spec.name, settings),
    )
