"""Bigger local or hosted models over the OpenAI-compatible chat API.

`ollama:<model>` talks to Ollama's endpoint (`settings.ollama_base_url`, no key needed);
`openai:<model>` to `settings.openai_base_url` (vLLM, llama.cpp server, a hosted API) with
`OPENAI_API_KEY` when the server wants one.
"""

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from scenariosim.errors import ConfigError
from scenariosim.models.registry import ChatOptions, ModelSpec, register_chat_backend
from scenariosim.settings import Settings


def _chat(
    spec: ModelSpec, base_url: str | None, key: SecretStr, settings: Settings, options: ChatOptions
) -> BaseChatModel:
    if not spec.name:
        raise ConfigError(f"'{spec.backend}:' needs a model name, e.g. '{spec.backend}:llama3.2'")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=spec.name,
        base_url=base_url,
        api_key=key,
        temperature=options.temperature,
        max_completion_tokens=options.max_tokens,
        seed=options.seed,
        max_retries=4,
        timeout=settings.request_timeout_s,
    )


@register_chat_backend("ollama")
def make_ollama_chat(spec: ModelSpec, settings: Settings, options: ChatOptions) -> BaseChatModel:
    return _chat(spec, settings.ollama_base_url, SecretStr("ollama"), settings, options)


@register_chat_backend("openai")
def make_openai_chat(spec: ModelSpec, settings: Settings, options: ChatOptions) -> BaseChatModel:
    if settings.openai_base_url is None and settings.openai_api_key is None:
        raise ConfigError(
            "'openai:' needs SCENARIOSIM_OPENAI_BASE_URL (an OpenAI-compatible server) "
            "or OPENAI_API_KEY"
        )
    key = settings.openai_api_key or SecretStr("none")
    return _chat(spec, settings.openai_base_url, key, settings, options)
