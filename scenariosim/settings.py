"""Settings loaded once per process: model specs, paths, keys, concurrency.

Precedence, highest first: keyword arguments, environment (`SCENARIOSIM_*`, plus
`GOOGLE_API_KEY`/`GEMINI_API_KEY` for the key), a `scenariosim.toml` in the working
directory, defaults. Nodes never read the environment; they get a frozen copy through
the run context.
"""

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

TOML_FILE = "scenariosim.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SCENARIOSIM_",
        toml_file=TOML_FILE,
        extra="forbid",
        frozen=True,
        populate_by_name=True,
    )

    agent_model: str = Field("local", description="Chat model spec for persona agents.")
    critic_model: str = Field("local", description="Chat model spec for the critic.")
    embedding_model: str = Field("local", description="Embedding model spec for retrieval.")
    image_model: str = Field("local", description="Image backend spec.")
    backend_modules: list[str] = Field(
        default_factory=list,
        description="Modules whose marked factories are added to the built-in backends "
        "(models/registry.py); JSON in the environment, e.g. '[\"my_backends\"]'.",
    )
    output_dir: Path = Field(Path("outputs"), description="Where run folders are written.")
    cache_dir: Path = Field(Path(".cache/scenariosim"), description="LLM-call cache, Chroma.")
    concurrency: int = Field(4, ge=1, le=256, description="Agent tasks in flight at once.")
    local_n_ctx: int = Field(4096, ge=512, description="Context window of the local model.")
    local_threads: int = Field(2, ge=1, description="CPU threads for the local model.")
    request_timeout_s: float = Field(120.0, gt=0, description="Per-call timeout for remote models.")
    gemini_requests_per_second: float = Field(
        0.2, gt=0, description="Client-side rate limit for Gemini (free tier is ~10-15/min)."
    )
    gemini_embedding_requests_per_second: float = Field(
        1.0, gt=0, description="Client-side rate limit for Gemini embeddings (free tier ~100/min)."
    )
    gemini_base_url: str | None = Field(
        None, description="Override the Gemini API endpoint (a proxy or a local stand-in)."
    )
    ollama_base_url: str = Field(
        "http://127.0.0.1:11434/v1", description="OpenAI-compatible endpoint of Ollama."
    )
    openai_base_url: str | None = Field(None, description="Base URL for `openai:` specs.")
    google_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices(
            "google_api_key", "GOOGLE_API_KEY", "GEMINI_API_KEY", "SCENARIOSIM_GOOGLE_API_KEY"
        ),
        description="Gemini API key; never printed or written.",
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("openai_api_key", "OPENAI_API_KEY"),
        description="Key for `openai:` specs.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one `ConfigError` naming the key."""
    from pydantic import ValidationError

    from scenariosim.errors import ConfigError

    try:
        return Settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(settings)"
        raise ConfigError(
            f"setting '{key}': {first['msg']}. Fix it in {TOML_FILE}, the SCENARIOSIM_"
            f"{key.upper()} environment variable, or the command-line option."
        ) from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"{TOML_FILE} could not be read: {e}. Fix or remove the file.") from e
