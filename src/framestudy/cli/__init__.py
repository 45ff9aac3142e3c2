"""The ``framestudy`` command line: thin wrappers over the library, in pipeline order.

Each stage's commands live in a module of their own (``cli/schema.py``, ``cli/tasks.py`` ...)
and are registered here in the order a study runs them. Errors a user can fix
(:class:`framestudy.errors.UserError`) print one line and exit with code 2; ``--verbose``
shows the traceback.
"""


import re
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.markup import escape

from framestudy.cli import _common
from framestudy.errors import UserError

# The order a study runs them; `framestudy --help` lists commands in this order.
PIPELINE_ORDER = (
    "init", "schema", "tasks", "server", "coders", "push", "status", "pull", "annotations",
    "agreement", "adjudicate", "outlets", "report", "model", "reproduce", "simulate", "plan",
)


class _PipelineGroup(typer.core.TyperGroup):
    """Lists commands in pipeline order (typer would put single commands before groups)."""

    def list_commands(self, ctx):
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(PIPELINE_ORDER)}
        return sorted(names, key=lambda n: rank.get(n, len(rank)))


app = typer.Typer(
    name="framestudy",
    cls=_PipelineGroup,
    help=(
        "Media-framing annotation studies: schema -> tasks -> Label Studio -> annotations -> "
        "analysis.\n\nCommands are listed in the order a study runs them."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show tracebacks and debugging detail.")
    ] = False,
    study: Annotated[
        Path | None,
        typer.Option(
            "--study",
            help="The study folder (default: the one containing the working directory).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    _common.state.verbose = verbose
    _common.state.study_root = study


def _register() -> None:
    # Pipeline order: schemas -> tasks -> Label Studio -> annotations -> analysis.
    import importlib

    for name in (
        "init", "schema", "tasks", "labelstudio", "annotations", "agreement", "adjudicate",
        "outlets", "report",
        "model", "reproduce", "simulate",
    ):
        importlib.import_module(f"framestudy.cli.{name}").register(app)
    _paragraph_examples(app)


_EXAMPLE = re.compile(r"\n([ \t]*)Example:")


def _paragraph_examples(group: typer.Typer) -> None:
    """Help texts are Markdown (a paragraph's lines re-flow to the terminal's width): each
    docstring line ``Example: ...`` becomes a paragraph of its own, so that examples written
    one under the other are shown so."""
    for info in group.registered_commands:
        doc = info.callback.__doc__ if info.callback else None
        if doc:
            info.callback.__doc__ = _EXAMPLE.sub(r"\n\n\1Example:", doc)
    for sub in group.registered_groups:
        _paragraph_examples(sub.typer_instance)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI, turning user errors into one line and exit code 2.

    Usage errors (an unknown option, a missing argument, ``--bootstrap -5``) are user errors
    too: one line naming the option and pointing at the command's ``--help``, exit 2.
    """
    try:
        result = app(args=argv, prog_name="framestudy", standalone_mode=False)
    except typer.Abort:
        _common.err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:
        if not _is_usage_error(exc):
            _fail(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `framestudy` or a group on its own
            _common.console.print(exc.format_message(), highlight=False, markup=False)
            sys.exit(0)
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "framestudy"
        hint = f" (see '{where} --help')" if type(exc).__name__ != "FileError" else ""
        _error_line(exc.format_message() + hint)
        sys.exit(2)
    except KeyboardInterrupt:
        _common.err_console.print("interrupted")
        sys.exit(130)
    # Without standalone mode click returns a command's exit code (typer.Exit) instead of exiting.
    sys.exit(result if isinstance(result, int) else 0)


def _is_usage_error(exc: BaseException) -> bool:
    """A command-line parsing error raised by click (which typer vendors as ``typer._click``).

    Recognised by shape rather than class so that it holds whichever click typer ships.
    """
    module = type(exc).__module__
    return module.startswith(("click", "typer")) and hasattr(exc, "format_message")


def _fail(exc: Exception) -> None:
    """Exit for an error raised while a command ran: a user error, or a bug."""
    if _common.state.verbose:
        traceback.print_exception(exc)
    if isinstance(exc, UserError):
        _error_line(str(exc))
        sys.exit(exc.exit_code)
    _common.err_console.print(  # a bug, not a user error: say so, keep the trace behind --verbose
        f"[bold red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')} "
        "(re-run with --verbose for the traceback and please report it)",
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(1)


def _error_line(message: str) -> None:
    """The one line a user error prints (the message is plain text, never rich markup)."""
    _common.err_console.print(
        f"[bold red]error:[/] {escape(' '.join(message.split()))}", highlight=False,
        soft_wrap=True,
    )
