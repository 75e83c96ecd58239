"""`with_structured_output` for backends that constrain decoding with a JSON schema.

The backend receives the schema as the `response_schema` call option and must return JSON
text; this module validates it into the pydantic model. The result shape matches
LangChain's convention, so agents treat every backend alike.
"""

from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, ValidationError


def parse_structured(schema: type[BaseModel], message: AIMessage) -> BaseModel:
    return schema.model_validate_json(message.text)


class StructuredOutputMixin:
    """Adds `with_structured_output(Model, include_raw=...)` to a chat model."""

    def with_structured_output(
        self, schema: type[BaseModel], *, include_raw: bool = False, **_: Any
    ) -> Runnable:
        bound = self.bind(response_schema=schema.model_json_schema())  # type: ignore[attr-defined]
        if not include_raw:
            return bound | RunnableLambda(lambda m: parse_structured(schema, m))

        def with_raw(message: AIMessage) -> dict[str, Any]:
            try:
                return {
                    "raw": message,
                    "parsed": parse_structured(schema, message),
                    "parsing_error": None,
                }
            except ValidationError as e:
                return {"raw": message, "parsed": None, "parsing_error": e}

        return bound | RunnableLambda(with_raw)
