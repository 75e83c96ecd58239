"""What a set of references says: label rates beside the UCLA protest-image rates, licenses.

Rates are over labelled references only: a picture nobody described has unknown labels,
not absent ones. The UCLA rates (Won et al. 2017, among protest images) are the yardstick
researchers already use, so a library far from them is visible before it shapes a run.
"""

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel

from scenariosim.knowledge.references.catalogue import Reference
from scenariosim.labels import IMAGE_ATTRIBUTES, UCLA_ATTRIBUTE_RATES


class LabelRate(BaseModel):
    attribute: str
    count: int
    rate: float | None
    ucla_rate: float
    difference: float | None


class ReferenceStats(BaseModel):
    references: int
    images: int
    text_only: int
    labelled: int
    synthetic: int
    allowed_as_input: int
    rates: list[LabelRate]
    licenses: dict[str, int]
    sources: dict[str, int]
    post_kinds: dict[str, int]


def label_rates(refs: Sequence[Reference]) -> list[LabelRate]:
    """Per UCLA attribute: how many labelled references show it, and the share."""
    labelled = [r for r in refs if r.labelled]
    rows = []
    for attr in IMAGE_ATTRIBUTES:
        count = sum(r.has(attr) for r in labelled)
        rate = round(count / len(labelled), 4) if labelled else None
        ucla = UCLA_ATTRIBUTE_RATES[attr]
        rows.append(
            LabelRate(
                attribute=attr,
                count=count,
                rate=rate,
                ucla_rate=ucla,
                difference=None if rate is None else round(rate - ucla, 4),
            )
        )
    return rows


def reference_stats(refs: Sequence[Reference]) -> ReferenceStats:
    def tally(values: list[str]) -> dict[str, int]:
        return dict(sorted(Counter(v or "(not given)" for v in values).items()))

    return ReferenceStats(
        references=len(refs),
        images=sum(r.kind == "image" for r in refs),
        text_only=sum(r.kind == "text" for r in refs),
        labelled=sum(r.labelled for r in refs),
        synthetic=sum(r.synthetic for r in refs),
        allowed_as_input=sum(r.allowed_as_input for r in refs),
        rates=label_rates(refs),
        licenses=tally([r.license for r in refs]),
        sources=tally([r.source for r in refs]),
        post_kinds=tally([r.post_kind for r in refs]),
    )
