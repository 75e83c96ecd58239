"""The retrieval query for one agent: the event, where the person lives, what they care about.

Plain inputs only (the knowledge package knows nothing of personas). The event comes first
because it decides what is relevant; the place and concerns tilt the ranking towards local
coverage and the person's grievances. The event is shortened to whole sentences first, so
the place and concerns are never cut off by the embedding model's input limit.
"""

import re
from collections.abc import Sequence

from scenariosim.errors import ConfigError
from scenariosim.knowledge.chunking import split_sentences
from scenariosim.knowledge.gazetteer import Gazetteer

_REGION_CODE = re.compile(r"geo_\d{2}")


def _shorten(text: str, max_words: int) -> str:
    """Whole sentences up to `max_words`; the first sentence is cut if it alone is longer."""
    kept: list[str] = []
    words = 0
    for sentence in split_sentences(" ".join(text.split())):
        n = len(sentence.split())
        if kept and words + n > max_words:
            break
        kept.append(sentence)
        words += n
    joined = " ".join(kept)
    if len(joined.split()) > max_words:
        joined = " ".join(joined.split()[:max_words])
    return joined


def build_agent_query(
    event: str,
    place: str | None = None,
    concerns: Sequence[str] = (),
    *,
    gazetteer: Gazetteer | None = None,
    max_event_words: int = 60,
    max_concerns: int = 3,
) -> str:
    """One query string, e.g. "Police cleared the blockade. Arzuli Province. Concerns: fuel
    prices, jobs." `place` may be a province or town name, or a census region code
    (`geo_05`) that `gazetteer` turns into its province."""
    event_text = _shorten(event, max_event_words)
    if not event_text:
        raise ConfigError("the agent's event text is empty; give the phase an event or query")
    parts = [event_text.rstrip(".") + "."]
    if place:
        name = place
        if _REGION_CODE.fullmatch(place):
            province = gazetteer.province_for(place) if gazetteer else None
            name = province or ""
        if name:
            parts.append(f"{name}.")
    picked = [c.strip() for c in concerns if c and c.strip()][:max_concerns]
    if picked:
        parts.append(f"Concerns: {', '.join(picked)}.")
    return " ".join(parts)
