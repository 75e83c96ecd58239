"""Prompt templates live as prose in `prompts/*.md`; one function renders them.

Templates use `$name` placeholders; a missing value is an error, never an empty hole.
Untrusted text (news chunks, other people's posts) is escaped so it cannot close the
tagged section it sits in.
"""

import hashlib
import re
from functools import cache
from pathlib import Path
from string import Template

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


def prompt_hash(name: str) -> str:
    """Short hash of a template's text, recorded with every artifact it produced."""
    return hashlib.sha256(_template(name).template.encode()).hexdigest()[:12]


def as_data(text: str) -> str:
    """Neutralise tags in untrusted text so it stays inside its delimited section."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "(").replace(">", ")"), text)
