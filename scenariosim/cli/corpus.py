"""`scenariosim corpus ...`: ingest a corpus, query it, describe it, evaluate retrieval.

Every command works on one collection: the corpus (default: the shipped Atropia news),
the embedding model from the settings and the chunk settings. Stores live in
`<cache_dir>/chroma` unless `--store` or `--server` says otherwise. Document text is
printed with rich markup escaped: it is data, never formatting or instructions.
"""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from scenariosim.errors import InputFileError
from scenariosim.knowledge.chroma import connect
from scenariosim.knowledge.chunking import ChunkSettings
from scenariosim.knowledge.documents import ReadOptions, read_documents
from scenariosim.knowledge.retrieve import RetrievalFilter, RetrievalSettings
from scenariosim.knowledge.store import SHIPPED_CORPUS, CorpusStore, IngestReport
from scenariosim.settings import load_settings

app = typer.Typer(
    no_args_is_help=True,
    help="Ingest, query, describe and evaluate the news corpus agents retrieve from.",
)

_CORPUS = typer.Option(None, "--corpus", "-c", help="Corpus folder or file (default: shipped).")
_STORE = typer.Option(None, "--store", help="Chroma folder (default: <cache_dir>/chroma).")
_SERVER = typer.Option(None, "--server", help="Chroma server URL, e.g. http://127.0.0.1:8000.")
_NAME = typer.Option(None, "--name", help="Collection's corpus name (share one on a server).")
_CHUNKS = ChunkSettings()
_RETRIEVAL = RetrievalSettings()
_SIZE = typer.Option(
    _CHUNKS.size, "--chunk-size", help="Most characters per chunk (whole sentences)."
)
_OVERLAP = typer.Option(
    _CHUNKS.overlap, "--chunk-overlap", help="Characters of sentences repeated."
)
_TITLE = typer.Option(
    _CHUNKS.embed_title, "--title/--no-title", help="Embed chunks with their title."
)
_K = typer.Option(_RETRIEVAL.k, "--k", "-k", help="Chunks an agent gets.")
_MMR = typer.Option(_RETRIEVAL.mmr, "--mmr/--no-mmr", help="Diversify with MMR.")
_FETCH_K = typer.Option(_RETRIEVAL.fetch_k, "--fetch-k", help="Candidates MMR chooses from.")
_LAMBDA = typer.Option(
    _RETRIEVAL.lambda_mult, "--lambda", help="MMR: 1 = relevance, 0 = diversity."
)
_JSON = typer.Option(False, "--json", help="Print JSON instead of tables.")


def _open(
    corpus: Path | None,
    store: Path | None,
    server: str | None,
    name: str | None,
    chunk_size: int,
    chunk_overlap: int,
    title: bool,
    read_options: ReadOptions | None = None,
) -> CorpusStore:
    from pydantic import ValidationError

    from scenariosim.errors import ConfigError
    from scenariosim.knowledge.store import open_store

    try:
        chunking = ChunkSettings(size=chunk_size, overlap=chunk_overlap, embed_title=title)
    except ValidationError as e:
        raise ConfigError(f"chunk settings: {e.errors()[0]['msg']}") from None
    with Console(stderr=True).status("loading the embedding model"):
        return open_store(
            corpus or SHIPPED_CORPUS,
            load_settings(),
            chunking=chunking,
            server=server,
            store_dir=store,
            name=name,
            read_options=read_options,
        )


def _sync(store: CorpusStore, quiet: bool = False, replace: bool = False) -> IngestReport:
    """Ingest with a progress bar and problems on stderr; embeds only what changed.

    `quiet` (for --json) leaves stderr silent; the JSON carries the problems."""
    console = Console(stderr=True)
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task("embed", total=None)
        report = store.ingest(
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            replace=replace,
        )
    if quiet:
        return report
    for problem in report.problems:
        console.print(f"[yellow]skipped[/] {escape(problem.path)}: {escape(problem.problem)}")
    for note in report.repaired:
        console.print(f"[yellow]repaired[/] {escape(note.path)}: {escape(note.problem)}")
    if report.embedded_chunks:
        console.print(
            f"embedded {report.embedded_chunks} chunks of "
            f"{len(report.added_docs) + len(report.updated_docs)} new or changed documents"
        )
    return report


@app.command("ingest")
def ingest(
    path: Path = typer.Argument(
        help="Folder or file of documents (.md .txt .html .jsonl .csv .pdf)."
    ),
    store: Path | None = _STORE,
    server: str | None = _SERVER,
    name: str | None = _NAME,
    chunk_size: int = _SIZE,
    chunk_overlap: int = _OVERLAP,
    title: bool = _TITLE,
    text_field: str = typer.Option("text", help="JSONL key / CSV column holding the text."),
    outlet: str = typer.Option("", help="Outlet for documents that name none."),
    strict: bool = typer.Option(False, help="Exit with an error if any file had a problem."),
    replace: bool = typer.Option(
        False,
        help="Make PATH the collection's whole corpus, removing documents another folder's "
        "ingest added (without it, that is an error).",
    ),
    as_json: bool = _JSON,
) -> None:
    """Ingest a corpus incrementally: only new or changed documents are embedded."""
    options = ReadOptions(text_field=text_field, default_outlet=outlet)
    if strict:  # fail before loading a model or touching the store
        problems = read_documents(path, options).problems
        if problems:
            first = problems[0]
            raise InputFileError(
                f"{len(problems)} file problem(s) in {path}, first {first.path}: {first.problem}"
            )
    corpus = _open(path, store, server, name, chunk_size, chunk_overlap, title, options)
    report = _sync(corpus, quiet=as_json, replace=replace)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        table = Table("ingest", "value", show_header=False)
        table.add_row("collection", report.collection)
        table.add_row("documents / chunks", f"{report.documents} / {report.chunks}")
        table.add_row(
            "added / updated / removed",
            " / ".join(
                str(len(x)) for x in (report.added_docs, report.updated_docs, report.removed_docs)
            ),
        )
        table.add_row("unchanged", str(report.unchanged_docs))
        if report.kept_docs:
            table.add_row("kept (file unreadable now)", ", ".join(report.kept_docs))
        table.add_row("chunks embedded", str(report.embedded_chunks))
        table.add_row("fingerprint", report.fingerprint)
        table.add_row("seconds", f"{report.seconds:.1f}")
        if report.skipped:
            table.add_row("other files skipped", escape(", ".join(report.skipped[:8])))
        Console().print(table)
    if strict and report.problems:
        raise InputFileError(f"{len(report.problems)} file problem(s) in {path}; see above")


@app.command("query")
def query(
    text: str = typer.Argument(help="What to search for."),
    corpus: Path | None = _CORPUS,
    k: int = _K,
    mmr: bool = _MMR,
    fetch_k: int = _FETCH_K,
    lambda_mult: float = _LAMBDA,
    where: list[str] = typer.Option(
        None,
        "--where",
        "-w",
        help="Filter, repeatable: outlet=NAME[,NAME] region=... topic=... language=... "
        "date>=YYYY-MM-DD date<=YYYY-MM-DD",
    ),
    store: Path | None = _STORE,
    server: str | None = _SERVER,
    name: str | None = _NAME,
    chunk_size: int = _SIZE,
    chunk_overlap: int = _OVERLAP,
    title: bool = _TITLE,
    as_json: bool = _JSON,
) -> None:
    """Show the chunks an agent would get for TEXT, with scores and sources.

    With --store or --server but no --corpus or --name, it searches the one corpus that
    store holds (an error if it holds several); it always says which corpus it searched.
    """
    filters = RetrievalFilter.parse(where or [])
    if corpus is None and name is None and (store is not None or server is not None):
        from scenariosim.knowledge.store import open_stored

        with Console(stderr=True).status("loading the embedding model"):
            corpus_store = open_stored(load_settings(), server=server, store_dir=store)
    else:
        corpus_store = _open(corpus, store, server, name, chunk_size, chunk_overlap, title)
        _sync(corpus_store, quiet=as_json)
    searched = (corpus_store.collection.metadata or {}).get("corpus") or "?"
    Console(stderr=True).print(
        f"searched collection {escape(corpus_store.name)} (corpus: {escape(str(searched))})",
        soft_wrap=True,
    )
    found = corpus_store.retrieve(
        text, k=k, mmr=mmr, fetch_k=fetch_k, lambda_mult=lambda_mult, where=filters
    )
    if as_json:
        typer.echo(json.dumps([c.model_dump(exclude={"metadata"}) for c in found], indent=2))
        return
    console = Console()
    if not found:
        console.print("no chunks match" + (" these filters" if not filters.empty else ""))
        if not filters.empty:
            stats = corpus_store.stats()
            console.print(f"outlets: {escape(', '.join(stats.outlets))}")
            console.print(f"regions: {escape(', '.join(stats.regions))}")
            console.print(f"dates: {stats.date_from} to {stats.date_to}")
        return
    for rank, chunk in enumerate(found, start=1):
        console.print(
            f"[bold]{rank}.[/] {chunk.score:.3f}  [cyan]{escape(chunk.chunk_id)}[/]  "
            f"{escape(chunk.outlet)}, {chunk.date}  [dim]{escape(chunk.region)}[/]"
        )
        console.print(f"   [bold]{escape(chunk.title)}[/]")
        console.print(escape(chunk.text), highlight=False)
        console.print()


@app.command("stats")
def stats(
    corpus: Path | None = _CORPUS,
    store: Path | None = _STORE,
    server: str | None = _SERVER,
    name: str | None = _NAME,
    chunk_size: int = _SIZE,
    chunk_overlap: int = _OVERLAP,
    title: bool = _TITLE,
    tokens: bool = typer.Option(True, "--tokens/--no-tokens", help="Count model tokens."),
    as_json: bool = _JSON,
) -> None:
    """Documents, chunks, outlets, regions, date range and tokens of the ingested corpus."""
    from scenariosim.knowledge.stats import token_counter_for

    corpus_store = _open(corpus, store, server, name, chunk_size, chunk_overlap, title)
    _sync(corpus_store, quiet=as_json)
    figures = corpus_store.stats(token_counter_for(corpus_store.embeddings) if tokens else None)
    if as_json:
        typer.echo(figures.model_dump_json(indent=2))
        return
    table = Table("corpus", "value", show_header=False)
    table.add_row("collection", figures.collection)
    table.add_row("embedding model", figures.embedding_model)
    table.add_row("chunks of", f"{figures.chunk_size} characters, {figures.chunk_overlap} overlap")
    table.add_row("documents / chunks", f"{figures.documents} / {figures.chunks}")
    table.add_row(
        "dates",
        f"{figures.date_from} to {figures.date_to}"
        + (f" ({figures.undated_documents} undated)" if figures.undated_documents else ""),
    )
    table.add_row("words", f"{figures.words:,}")
    if figures.tokens is not None:
        over = figures.chunks_over_model_limit
        table.add_row(
            "tokens",
            f"{figures.tokens:,} (largest chunk {figures.max_chunk_tokens}, model reads "
            f"{figures.model_max_tokens}; {over} chunk(s) cut)",
        )
    for label, counts in (
        ("outlets", figures.outlets),
        ("regions", figures.regions),
        ("languages", figures.languages),
    ):
        table.add_row(label, escape(", ".join(f"{k} {v}" for k, v in counts.items())))
    top = list(figures.topics.items())[:12]
    table.add_row("top topics", escape(", ".join(f"{k} {v}" for k, v in top)))
    table.add_row("fingerprint", figures.fingerprint)
    Console().print(table)


@app.command("eval")
def eval_command(
    corpus: Path | None = _CORPUS,
    queries: list[Path] = typer.Option(
        None, "--queries", "-q", help="Labelled query YAML (repeatable; default: beside corpus)."
    ),
    k: int = _K,
    mmr: bool = _MMR,
    fetch_k: int = _FETCH_K,
    lambda_mult: float = _LAMBDA,
    store: Path | None = _STORE,
    server: str | None = _SERVER,
    name: str | None = _NAME,
    chunk_size: int = _SIZE,
    chunk_overlap: int = _OVERLAP,
    title: bool = _TITLE,
    misses: bool = typer.Option(False, "--misses", help="List queries with no hit within k."),
    as_json: bool = _JSON,
) -> None:
    """Score retrieval on labelled queries: hit@1/3/5/10/k, MRR and recall."""
    from scenariosim.knowledge.retrieval_eval import evaluate, load_queries, query_files_for

    settings = RetrievalSettings.checked(k=k, mmr=mmr, fetch_k=fetch_k, lambda_mult=lambda_mult)
    labelled = load_queries(queries or query_files_for(corpus or SHIPPED_CORPUS))
    corpus_store = _open(corpus, store, server, name, chunk_size, chunk_overlap, title)
    _sync(corpus_store, quiet=as_json)
    report = evaluate(corpus_store, labelled, settings)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    console = Console()
    mode = f"MMR fetch_k={settings.fetch_k} lambda={settings.lambda_mult}" if mmr else "similarity"
    console.print(
        f"{report.queries} queries, {report.collection} ({report.chunking}), k={k}, {escape(mode)}"
    )
    table = Table("k", "hit@k", "recall@k")
    for cut in sorted(report.hit_at):
        table.add_row(str(cut), f"{report.hit_at[cut]:.3f}", f"{report.recall_at[cut]:.3f}")
    console.print(table)
    console.print(f"MRR@{report.depth}: {report.mrr:.3f}")
    if misses:
        for miss in report.misses:
            console.print(
                f"[yellow]miss[/] {escape(miss.query)}: wanted {escape(', '.join(miss.relevant))}; "
                f"got {escape(', '.join(miss.retrieved[:k]))}"
            )


@app.command("coverage")
def coverage(
    corpus: Path | None = _CORPUS,
    gazetteer: Path | None = typer.Option(None, help="Gazetteer YAML (default: shipped)."),
    as_json: bool = _JSON,
) -> None:
    """Check that the gazetteer names every proper noun the corpus uses."""
    from scenariosim.knowledge.coverage import check_coverage
    from scenariosim.knowledge.documents import read_corpus
    from scenariosim.knowledge.gazetteer import load_gazetteer

    docs, problems = read_corpus(corpus or SHIPPED_CORPUS)
    report = check_coverage(docs, load_gazetteer(gazetteer))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        console = Console()
        console.print(
            f"{report.documents} documents, {report.names_checked} distinct name phrases checked"
        )
        for item in report.metadata_missing + report.missing:
            console.print(
                f"[yellow]missing[/] {escape(item.name)} in {escape(', '.join(item.documents))}: "
                f"[dim]{escape(item.example)}[/]"
            )
        for problem in problems:
            console.print(f"[yellow]skipped[/] {escape(problem.path)}: {escape(problem.problem)}")
        if report.ok:
            console.print("every name is in the gazetteer")
    if not report.ok:
        raise typer.Exit(1)


@app.command("list")
def list_collections(
    store: Path | None = _STORE,
    server: str | None = _SERVER,
    as_json: bool = _JSON,
) -> None:
    """List the corpus collections in a store, with what they hold."""
    client = connect(server or store or load_settings().cache_dir / "chroma")
    rows = [
        {
            "collection": c.name,
            "documents": (c.metadata or {}).get("documents"),
            "chunks": c.count(),
            "corpus": (c.metadata or {}).get("corpus", ""),
            "ingested_at": (c.metadata or {}).get("ingested_at", ""),
        }
        for c in client.list_collections()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(
        Column("collection", overflow="fold"),
        "documents",
        "chunks",
        Column("corpus", overflow="fold"),
        "ingested",
    )
    for row in rows:
        table.add_row(
            row["collection"],
            str(row["documents"]),
            str(row["chunks"]),
            escape(str(row["corpus"])),
            str(row["ingested_at"]),
        )
    Console().print(table)


@app.command("drop")
def drop(
    collection: str = typer.Argument(help="Collection name, as `corpus list` shows it."),
    store: Path | None = _STORE,
    server: str | None = _SERVER,
) -> None:
    """Delete one collection from a store (documents on disk are untouched)."""
    from scenariosim.errors import ConfigError

    client = connect(server or store or load_settings().cache_dir / "chroma")
    names = [c.name for c in client.list_collections()]
    if collection not in names:
        raise ConfigError(
            f"no collection '{collection}' in the store; have: {', '.join(names) or 'none'}"
        )
    client.delete_collection(collection)
    Console().print(f"dropped {collection}")


@app.command("tune")
def tune_command(
    corpus: Path | None = _CORPUS,
    queries: list[Path] = typer.Option(
        None, "--queries", "-q", help="Labelled query YAML (repeatable; default: beside corpus)."
    ),
    chunk_size: list[int] = typer.Option(
        None, "--chunk-size", help="Chunk sizes to try (repeatable; default 400 and 700)."
    ),
    chunk_overlap: list[int] = typer.Option(
        None, "--chunk-overlap", help="Overlaps to try (repeatable; default 0 and 150)."
    ),
    k: list[int] = typer.Option(None, "--k", "-k", help="k values to try (default 3 and 5)."),
    lambda_mult: list[float] = typer.Option(
        None, "--lambda", help="MMR lambdas to try (default 0.5 and 1.0)."
    ),
    fetch_k: int = _FETCH_K,
    store: Path | None = _STORE,
    server: str | None = _SERVER,
    name: str | None = _NAME,
    title: bool = _TITLE,
    apply: Path | None = typer.Option(
        None, "--apply", help="Write the best settings into this scenario file's retrieval:."
    ),
    as_json: bool = _JSON,
) -> None:
    """Score retrieval over a grid of chunking, k and MMR lambda; optionally apply the best."""
    from scenariosim.knowledge.retrieval_eval import load_queries, query_files_for
    from scenariosim.knowledge.tune import (
        TuneGrid,
        apply_to_scenario,
        best_row,
        retrieval_values,
        tune,
    )

    defaults = TuneGrid()
    grid = TuneGrid(
        chunk_sizes=chunk_size or defaults.chunk_sizes,
        overlaps=chunk_overlap or defaults.overlaps,
        ks=k or defaults.ks,
        lambdas=lambda_mult or defaults.lambdas,
        fetch_k=fetch_k,
    )
    for value in grid.ks:
        RetrievalSettings.checked(k=value)
    for value in grid.lambdas:
        RetrievalSettings.checked(lambda_mult=value)
    labelled = load_queries(queries or query_files_for(corpus or SHIPPED_CORPUS))
    console = Console(stderr=True)

    def open_for(chunking: ChunkSettings) -> CorpusStore:
        return _open(corpus, store, server, name, chunking.size, chunking.overlap, title)

    rows = tune(
        open_for,
        labelled,
        grid,
        progress=lambda text: None if as_json else console.print(f"[dim]{escape(text)}[/]"),
    )
    best = best_row(rows)
    if as_json:
        typer.echo(json.dumps({"rows": [r.model_dump() for r in rows], "best": best.model_dump()}))
    else:
        table = Table(
            "chunk size",
            "overlap",
            "chunks",
            "lambda",
            "k",
            "hit@k",
            "MRR",
            "ms/query",
            title=f"{len(labelled)} labelled queries",
        )
        for r in rows:
            style = "bold green" if r == best else None
            table.add_row(
                str(r.chunk_size),
                str(r.chunk_overlap),
                str(r.chunks),
                f"{r.lambda_mult:.2f}",
                str(r.k),
                f"{r.hit_at_k:.3f}",
                f"{r.mrr:.3f}",
                f"{r.ms_per_query:.1f}",
                style=style,
            )
        Console(width=120).print(table)
        Console().print(
            f"best: chunk size {best.chunk_size}, overlap {best.chunk_overlap}, k {best.k}, "
            f"lambda {best.lambda_mult} (hit@k {best.hit_at_k:.3f}, MRR {best.mrr:.3f})"
        )
    if apply is not None:
        apply_to_scenario(apply, retrieval_values(best))
        Console(stderr=as_json).print(f"wrote the best retrieval settings to {apply}")
