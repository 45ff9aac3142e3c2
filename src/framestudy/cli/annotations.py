"""``framestudy annotations``: Label Studio JSON exports -> the tidy annotation table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from framestudy.annotations import read_export, read_users, tidy_from_export, write_tidy
from framestudy.cli._common import console, study
from framestudy.errors import UserError

annotations_app = typer.Typer(
    help="Label Studio exports -> the tidy annotation table (annotations/annotations.csv).",
    no_args_is_help=True,
)


@annotations_app.command("import")
def import_exports(
    exports: Annotated[
        list[Path],
        typer.Argument(help="Label Studio JSON export file(s), read together.", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the table (default: the study's annotations/annotations.csv).",
            dir_okay=False,
        ),
    ] = None,
    no_schema: Annotated[
        bool,
        typer.Option(
            "--no-schema",
            help="Infer the variables from the export even if the study has a schema.",
        ),
    ] = False,
    users: Annotated[
        Path | None,
        typer.Option(
            "--users",
            help="JSON user list (GET /api/users, or {id: e-mail}) to name coders by e-mail.",
            dir_okay=False,
        ),
    ] = None,
    show: Annotated[
        int, typer.Option("--show", min=1, help="How many affected ids to list per anomaly.")
    ] = 5,
) -> None:
    """Turn Label Studio JSON exports (any team's; Community or Enterprise) into the tidy table.

    Uses the study's schema (schemas/framing.yaml) to validate variables and values if there is
    one, else infers the variables from the results (choices, labels, rating, textarea,
    taxonomy). Prints what was set aside and why; the export files are only read.

    Example: framestudy annotations import annotations/raw/project-3.json -o annotations/annotations.csv
    """
    st = study()
    target = output if output is not None else st.annotations_csv
    for path in exports:
        if path.exists() and target.exists() and path.resolve() == target.resolve():
            raise UserError(
                f"{target}: is also an input export -- choose another --output; exports are "
                "never overwritten"
            )
    schema = None
    if not no_schema and st.schema_source.is_file():
        from framestudy.schema import load_schema

        schema = load_schema(st.schema_source)
    user_map = read_users(users) if users is not None else None

    tasks: list[dict] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        step = progress.add_task("reading exports", total=len(exports) + 1)
        for path in exports:
            progress.update(step, description=f"reading {path.name}")
            tasks.extend(read_export(path))
            progress.advance(step)
        progress.update(step, description=f"building the table from {len(tasks)} tasks")
        table, report = tidy_from_export(tasks, schema=schema, users=user_map)
        progress.advance(step)
    console.print(report.table(max_ids=show))
    write_tidy(table, target)
    source = (
        f"schema {schema.name} {schema.version} ({schema.hash})"
        if schema is not None
        else "variables inferred from the export"
    )
    console.print(report.summary(), highlight=False, soft_wrap=True)
    console.print(
        f"wrote {len(table)} rows to {target} ({source})", highlight=False, soft_wrap=True
    )


def register(app: typer.Typer) -> None:
    """Add the ``annotations`` command group to the root app."""
    app.add_typer(annotations_app, name="annotations")
