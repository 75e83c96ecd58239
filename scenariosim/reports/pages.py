"""HTML pages rendered from the Jinja2 templates in `templates/`, with autoescape on.

Every value a template prints is HTML-escaped, so text from the model, the corpus, the
census or a scenario file shows as text and can never become markup; nothing is marked
safe. The pages have no script and a Content-Security-Policy that loads nothing but
`data:` images, so they open offline and a stray URL in generated text cannot fetch.
"""

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def fmt(value: Any, digits: int = 3) -> str:
    """A figure for a page: None is "n/a", floats get `digits` places."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def data_url(data: bytes, mime: str) -> str:
    """`data` embedded as a `data:` URL (the only kind of source the pages' CSP allows)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def json_text(value: Any, indent: int | None = None) -> str:
    """`value` as JSON text to show (non-ASCII readable); the template escapes it."""
    return json.dumps(value, ensure_ascii=False, indent=indent)


def without(mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`mapping` less `key`."""
    return {k: v for k, v in mapping.items() if k != key}


_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=lambda value: "" if value is None else value,  # a missing value prints as nothing
)
_ENVIRONMENT.filters.update(fmt=fmt, json_text=json_text, without=without)


def render(template: str, **values: Any) -> str:
    """The template `templates/<template>` filled with `values` (and the CSP)."""
    return _ENVIRONMENT.get_template(template).render(csp=CSP, **values)
