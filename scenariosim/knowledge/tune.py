"""Tuning retrieval: the labelled queries over a grid of chunking and retrieval settings.

Each chunking (size, overlap) is its own collection, ingested once (incrementally, so a
second tune re-embeds nothing). For each MMR lambda, one evaluation to the deepest k gives
hit@k for every k of the grid: MMR picks greedily, so the first k of a deeper list are
the k-list. MRR is measured to that common depth, so it does not change with k; latency
is the mean wall time per query of that evaluation (embedding the query and searching),
so it does not change with k either.

`apply_to_scenario` writes the best row into a scenario file's `retrieval:` section,
editing only those lines so comments and the rest of the file stay as they were.
"""

import itertools
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from scenariosim.errors import ConfigError
from scenariosim.knowledge.chunking import ChunkSettings
from scenariosim.knowledge.retrieval_eval import LabelledQuery, evaluate
from scenariosim.knowledge.retrieve import RetrievalSettings
from scenariosim.knowledge.store import CorpusStore


class TuneGrid(BaseModel):
    chunk_sizes: list[int] = Field(default_factory=lambda: [400, 700])
    overlaps: list[int] = Field(default_factory=lambda: [0, 150])
    ks: list[int] = Field(default_factory=lambda: [3, 5])
    lambdas: list[float] = Field(default_factory=lambda: [0.5, 1.0])
    fetch_k: int = 16


class TuneRow(BaseModel):
    chunk_size: int
    chunk_overlap: int
    k: int
    lambda_mult: float
    hit_at_k: float
    mrr: float
    ms_per_query: float
    chunks: int


OpenStore = Callable[[ChunkSettings], CorpusStore]


def chunkings(grid: TuneGrid) -> list[ChunkSettings]:
    """The grid's valid chunkings; an overlap above half a size is an error naming both."""
    out = []
    for size, overlap in itertools.product(grid.chunk_sizes, grid.overlaps):
        if overlap > size // 2:
            raise ConfigError(
                f"--overlap {overlap} is more than half of --chunk-size {size}; "
                "drop it or use bigger chunks"
            )
        out.append(ChunkSettings(size=size, overlap=overlap))
    return out


def tune(
    open_store: OpenStore,
    queries: Sequence[LabelledQuery],
    grid: TuneGrid,
    progress: Callable[[str], None] = lambda _: None,
) -> list[TuneRow]:
    """One row per (chunk size, overlap, lambda, k), in grid order."""
    rows: list[TuneRow] = []
    ks = sorted(set(grid.ks))
    for chunking in chunkings(grid):
        progress(f"chunks of {chunking.size}, overlap {chunking.overlap}")
        store = open_store(chunking)
        store.ingest()
        chunks = store.collection.count()
        store.embed_queries([queries[0].query])  # warm up, so the first row's latency is fair
        for lambda_mult in grid.lambdas:
            settings = RetrievalSettings(
                k=max(ks), mmr=True, fetch_k=max(grid.fetch_k, max(ks)), lambda_mult=lambda_mult
            )
            started = time.perf_counter()
            report = evaluate(store, queries, settings, ks=ks)
            ms = 1000 * (time.perf_counter() - started) / max(1, len(queries))
            for k in ks:
                rows.append(
                    TuneRow(
                        chunk_size=chunking.size,
                        chunk_overlap=chunking.overlap,
                        k=k,
                        lambda_mult=lambda_mult,
                        hit_at_k=report.hit_at[k],
                        mrr=report.mrr,
                        ms_per_query=round(ms, 2),
                        chunks=chunks,
                    )
                )
    return rows


def best_row(rows: Sequence[TuneRow]) -> TuneRow:
    """Highest hit@k, then MRR, then the smaller k (less context to read), then faster."""
    if not rows:
        raise ConfigError("the tuning grid is empty")
    return max(rows, key=lambda r: (r.hit_at_k, r.mrr, -r.k, -r.ms_per_query))


def retrieval_values(row: TuneRow) -> dict[str, object]:
    """The scenario `retrieval:` keys a row sets."""
    return {
        "k": row.k,
        "mmr": True,
        "lambda_mult": row.lambda_mult,
        "chunk_size": row.chunk_size,
        "chunk_overlap": row.chunk_overlap,
    }


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")


def apply_to_scenario(path: Path, values: dict[str, object]) -> str:
    """Set `retrieval.<key>` for each value in the scenario file; returns the new text.

    Existing `retrieval:` lines are replaced in place (keeping their comments), missing
    keys are added at the end of the section, and a missing section is added before
    `phases:`. The result is checked by loading it as a scenario before it is written.
    """
    from scenariosim.scenario import parse_scenario

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"--apply {path}: no such scenario file") from None
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if _TOP_KEY.match(line) and line.startswith("retrieval")
        ),
        None,
    )
    if start is not None and _TOP_KEY.match(lines[start]).group(2).split("#")[0].strip():
        raise ConfigError(
            f"--apply {path}: line {start + 1} writes 'retrieval:' on one line; "
            "write it as a block (one key per line) and apply again"
        )
    if start is None:
        at = next((i for i, line in enumerate(lines) if line.startswith("phases:")), len(lines))
        lines[at:at] = ["retrieval:"]
        start = at
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    body = lines[start + 1 : end]
    indent = next(
        (
            re.match(r"\s*", b).group(0)
            for b in body
            if b.strip() and not b.lstrip().startswith("#")
        ),
        "  ",
    )
    for key, value in values.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        pattern = re.compile(rf"^(\s+){re.escape(key)}\s*:\s*[^#]*?(\s*#.*)?$")
        for i, line in enumerate(body):
            found = pattern.match(line)
            if found:
                body[i] = f"{found.group(1)}{key}: {text}{found.group(2) or ''}"
                break
        else:
            body.append(f"{indent}{key}: {text}")
    lines[start + 1 : end] = body
    new_text = "\n".join(lines) + "\n"
    scenario = parse_scenario(new_text, source=str(path))
    for key, value in values.items():
        if getattr(scenario.retrieval, key) != value:
            raise ConfigError(f"--apply {path}: could not set retrieval.{key}; edit it by hand")
    path.write_text(new_text, encoding="utf-8")
    return new_text
