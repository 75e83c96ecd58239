"""Slugs: short lowercase names made from titles, for run ids, folders and collection names.

Letters of every script are kept as letters ("Bakı protest" -> "bakı-protest", not
"bak-protest"); everything that is not a letter, mark or digit becomes one "-". Text is
NFKC-normalised first, so the same name typed with composed or combining accents gives the
same slug. `ascii_slug` is for names that must be ASCII (Chroma collections): ASCII text
gives the same slug as before, other text keeps its ASCII letters plus a short hash of the
full slug, so two different names never share one.
"""

import hashlib
import re
import unicodedata

_KEPT = frozenset("LMN")  # Unicode categories: letters, marks, numbers
_NOT_ASCII_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item") -> str:
    """`text` as lowercase words joined by "-", letters of any script kept; `fallback` if empty."""
    normal = unicodedata.normalize("NFKC", text).lower()
    chars = (c if unicodedata.category(c)[0] in _KEPT else " " for c in normal)
    return "-".join("".join(chars).split()) or fallback


def ascii_slug(text: str, fallback: str = "item") -> str:
    """A slug of `[a-z0-9-]` only; non-ASCII text adds a hash so distinct names stay distinct."""
    full = slug(text, fallback)
    plain = _NOT_ASCII_SLUG.sub("-", full).strip("-")
    if plain == full:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{plain}-{digest}" if plain else digest
