"""`scenariosim models ...`: see which model backends work on this machine."""

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scenariosim.errors import ModelError
from scenariosim.models.check import (
    check_chat_model,
    check_embeddings,
    check_llama_build,
    uses_llama_cpp,
)
from scenariosim.models.llama_probe import Verdict
from scenariosim.settings import Settings, load_settings

app = typer.Typer(no_args_is_help=True, help="Check the configured model backends.")


@app.command("check")
def check(
    model: list[str] = typer.Option(
        None, "--model", "-m", help="Chat model spec to check (repeatable); default: configured."
    ),
) -> None:
    """Load each configured backend and run one structured call, with latency and tokens/s."""
    settings = load_settings()
    specs = model or list(dict.fromkeys([settings.agent_model, settings.critic_model]))
    console = Console()
    if any(uses_llama_cpp(spec) for spec in specs):
        _report_llama_build(console, settings, force=False)
    # Model output is untrusted: escape() keeps any rich markup in it literal.
    table = Table("chat model", "load s", "call s", "tokens", "tokens/s", "reply")
    for spec in specs:
        with console.status(f"checking {spec}"):
            result = check_chat_model(spec, settings)
        table.add_row(
            result.spec,
            f"{result.load_s:.2f}",
            f"{result.call_s:.2f}",
            str(result.output_tokens),
            f"{result.tokens_per_s:.1f}",
            escape(f"[{result.reply.mood}] {result.reply.summary}"),
        )
    console.print(table)
    emb = check_embeddings(settings.embedding_model, settings)
    console.print(
        f"embeddings {emb.spec}: {emb.dimensions} dimensions, loaded in {emb.load_s:.2f} s"
    )


@app.command("probe")
def probe(
    force: bool = typer.Option(
        False, "--force", help="Probe again even if a verdict for this build is cached."
    ),
) -> None:
    """Check in a subprocess that the installed llama.cpp runs on this CPU (a tiny decode).

    Exit code 2 with the cause and the rebuild command when it cannot; `make install` ends
    with this. The verdict is cached per build and CPU."""
    _report_llama_build(Console(), load_settings(), force=force)


def _report_llama_build(console: Console, settings: Settings, *, force: bool) -> Verdict:
    with console.status("checking that llama.cpp runs on this CPU"):
        verdict = check_llama_build(settings, force=force)
    if not verdict.ok:
        raise ModelError(verdict.message)
    how = "verdict cached for this build" if verdict.cached else f"{verdict.seconds:.1f} s"
    console.print(f"llama.cpp: ok, {escape(verdict.message)} ({how})")
    return verdict
