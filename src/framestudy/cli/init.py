"""``framestudy init DIR``: a new study folder to start from (a thin wrapper over
:mod:`framestudy.study_init`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from framestudy.cli._common import console
from framestudy.cli._common import shown_path as _where


def init(
    directory: Annotated[
        Path,
        typer.Argument(
            help="The study folder to create (new, or an existing folder without study files).",
            file_okay=False,
            show_default=False,
        ),
    ],
    schema: Annotated[
        Path | None,
        typer.Option(
            "--schema",
            help="A schema to start from instead of the bundled framing schema (validated, "
            "copied to schemas/framing.yaml).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Create a study folder: schemas/, tasks/articles/, tasks/outlets.yaml, annotations/, analysis/, study.yaml, .gitignore and a README of next steps.

    The schema to start from is the bundled framing schema, or --schema FILE. Nothing is overwritten: if a file init would write exists, it writes nothing and names it. Every framestudy command then works inside the folder.

    Example: framestudy init my-study && cd my-study && framestudy schema build
    """
    from framestudy.study_init import init_study

    result = init_study(directory, schema)
    root = _where(result.study.root)
    console.print(
        f"new study in [bold]{escape(root)}[/] (schema: {escape(result.schema_from)})",
        highlight=False,
        soft_wrap=True,
    )
    for rel in result.written:
        console.print(f"  wrote {escape(rel)}", highlight=False)
    if result.gitignore_added:
        console.print(
            f"  added {', '.join(result.gitignore_added)} to the existing .gitignore",
            highlight=False,
        )
    console.print(
        f"next: cd {escape(root)} ; edit schemas/framing.yaml and tasks/outlets.yaml ; "
        "framestudy schema build ; framestudy tasks add FILES... ; framestudy tasks build "
        "(README.md lists every step)",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add this command to the root app."""
    app.command("init")(init)
