"""The `scenariosim` command line: each command is a thin call into a subpackage.

Errors the user can fix (`ScenarioSimError`) print one line and exit with code 2;
`-v` adds the traceback. Anything else is a bug and raises.
"""

import logging
import traceback

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from scenariosim.cli import corpus as corpus_cli
from scenariosim.cli import critic as critic_cli
from scenariosim.cli import models as models_cli
from scenariosim.cli import outputs as outputs_cli
from scenariosim.cli import personas as personas_cli
from scenariosim.cli import references as references_cli
from scenariosim.cli.graph import graph as graph_command
from scenariosim.cli.replay import replay as replay_command
from scenariosim.cli.run import run as run_command
from scenariosim.cli.sweep import sweep as sweep_command
from scenariosim.cli.trace import trace as trace_command
from scenariosim.errors import ScenarioSimError

USER_ERROR_EXIT = 2


class _ErrorReportingGroup(TyperGroup):
    """Turns a ScenarioSimError raised anywhere below into one message and exit code 2."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except ScenarioSimError as e:
            if ctx.meta.get("scenariosim.verbose"):
                traceback.print_exc()
            Console(stderr=True).print(f"[bold red]Error:[/] {escape(str(e))}")
            raise typer.Exit(USER_ERROR_EXIT) from e


app = typer.Typer(
    cls=_ErrorReportingGroup,
    no_args_is_help=True,
    add_completion=False,
    help="Generate grounded synthetic social-media datasets for the fictional country Atropia.",
    pretty_exceptions_enable=False,
)
app.add_typer(models_cli.app, name="models")
app.add_typer(personas_cli.app, name="personas")
app.add_typer(corpus_cli.app, name="corpus")
app.add_typer(references_cli.app, name="references")
app.add_typer(critic_cli.app, name="critic")
app.command("run")(run_command)
app.command("trace")(trace_command)
app.command("graph")(graph_command)
app.command("replay")(replay_command)
app.command("sweep")(sweep_command)
app.command("eval")(outputs_cli.evaluate)
app.command("export")(outputs_cli.export)
app.command("review")(outputs_cli.review)


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Log details and tracebacks."),
) -> None:
    ctx.meta["scenariosim.verbose"] = verbose
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


def main() -> None:
    app()
