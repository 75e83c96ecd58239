"""Model backends behind one small interface each: chat, embeddings and images.

Backends register themselves by spec prefix (`local`, `gemini:`, `ollama:`, `openai:`);
`make_chat_model("gemini:gemini-2.5-flash")` looks the prefix up in the registry.
"""

from scenariosim.models.registry import (
    ChatOptions,
    ModelSpec,
    make_chat_model,
    make_embeddings,
    make_image_backend,
    parse_spec,
)

__all__ = [
    "ChatOptions",
    "ModelSpec",
    "make_chat_model",
    "make_embeddings",
    "make_image_backend",
    "parse_spec",
]
