"""Prompt templates live as prose in `prompts/*.md`; one function renders them.

Templates use `$name` placeholders; a missing value is an error, never an empty hole.
Untrusted text (news chunks, other people's posts) is escaped so it cannot close the
tagged section it sits in.
"""

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from string import Template

from pydantic import BaseModel

PROMPTS_DIR = Path(__file__).parent / "prompts"

# The prompts' own section tags, and role tags a model may take for a turn boundary.
_TAG = re.compile(
    r"</?\s*(context|persona|thread|post|draft|checks|references|system|user|assistant"
    r"|instructions?)\b[^>]*>",
    re.IGNORECASE,
)


@cache
def _template(name: str) -> Template:
    return Template((PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8"))


def render_prompt(template: str, /, **values: str) -> str:
    """Fill `template`; raises KeyError naming the first missing placeholder."""
    return _template(template).substitute(values)


def prompt_file_hash(names: list[str], schema: type[BaseModel] | None = None) -> str:
    """Short hash of templates' text and the answer schema: everything fixed that a model is
    sent besides the case, so equal hashes mean equal instructions."""
    parts = [_template(n).template for n in names]
    if schema is not None:
        parts.append(json.dumps(schema.model_json_schema(), sort_keys=True))
    return hashlib.sha256("\n\0".join(parts).encode()).hexdigest()[:12]


def as_data(text: str) -> str:
    """Neutralise tags in untrusted text so it stays inside its delimited section."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "(").replace(">", ")"), text)
