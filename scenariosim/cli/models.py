"""`scenariosim models ...`: see which model backends work on this machine."""

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scenariosim.models.check import check_chat_model, check_embeddings
from scenariosim.settings import load_settings

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
