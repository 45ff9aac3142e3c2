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
            help="Where to write the table (default: the study's annotations/annotations.csv, "
            "which needs --replace if it exists). Never under annotations/raw/.",
            dir_okay=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Overwrite the study's existing annotations/annotations.csv (the table "
            "`framestudy pull` builds) with this import.",
        ),
    ] = False,
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
    taxonomy). Prints what was set aside and why; the export files are only read. The study's
    own table (annotations/annotations.csv, built by `framestudy pull`) is only replaced with
    --replace, and nothing is ever written under annotations/raw/.

    Example: framestudy annotations import exports/project-3.json -o team-b.csv
    """
    st = study()
    target = output if output is not None else st.annotations_csv
    _check_target(st, target, exports, replace)
    schema = None
    if not no_schema and st.schema_source.is_file():
        from framestudy.schema import load_schema

        schema = load_schema(st.schema_source)
    from framestudy.annotations import read_export, read_users, tidy_from_export, write_tidy
    from framestudy.annotations.table import TableBuild

    user_map = read_users(users) if users is not None else None

    tasks: list[dict] = []
    per_file: list[list[dict]] = []
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
            per_file.append(read_export(path))
            tasks.extend(per_file[-1])
            progress.advance(step)
        progress.update(step, description=f"building the table from {len(tasks)} tasks")
        if schema is not None:
            _check_controls(schema, st.schema_source, exports, per_file)
        build = TableBuild(users=user_map)
        table, report = tidy_from_export(tasks, schema=schema, **build.model_dump())
        progress.advance(step)
    console.print(report.table(max_ids=show))
    write_tidy(table, target, sources=exports, build=build)
    source = (
        f"schema {schema.name} {schema.version} ({schema.hash})"
        if schema is not None
        else "variables inferred from the export"
    )
    console.print(report.summary(), highlight=False, soft_wrap=True)
    console.print(
        f"wrote {len(table)} rows to {target} ({source})", highlight=False, soft_wrap=True
    )


def _check_target(st, target: Path, exports: list[Path], replace: bool) -> None:
    """Refuse an output that would overwrite an export, write under annotations/raw/, or
    replace the study's table without --replace."""
    for path in exports:
        if path.exists() and target.exists() and path.resolve() == target.resolve():
            raise UserError(
                f"{target}: is also an input export -- choose another --output; exports are "
                "never overwritten"
            )
    if target.resolve().is_relative_to(st.raw_exports_dir.resolve()):
        raise UserError(
            f"{target}: is inside {st.raw_exports_dir}, which holds only what `framestudy "
            "pull` saves -- write the table elsewhere with -o FILE"
        )
    if (
        not replace
        and target.exists()
        and target.resolve() == st.annotations_csv.resolve()
    ):
        raise UserError(
            f"{target}: the study's table already exists (`framestudy pull` builds it from "
            "annotations/raw/) -- write this import elsewhere with -o FILE, or pass --replace "
            "to overwrite it"
        )


def _controls(tasks: list[dict]) -> set[str]:
    """The ``from_name`` of every result in the tasks' annotations."""
    found: set[str] = set()
    for task in tasks:
        if not isinstance(task, dict):
            continue
        for key in ("annotations", "completions"):
            for annotation in task.get(key) or []:
                results = annotation.get("result") if isinstance(annotation, dict) else None
                for item in results or []:
                    name = item.get("from_name") if isinstance(item, dict) else None
                    if isinstance(name, str):
                        found.add(name)
    return found


def _names(names, limit: int = 8) -> str:
    names = sorted(names)
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _check_controls(schema, schema_path: Path, exports: list[Path], per_file) -> None:
    """An export none of whose controls the schema knows is another study's: say so."""
    known = {str(v) for v in schema.registry()["variable"]}
    for path, file_tasks in zip(exports, per_file, strict=True):
        found = _controls(file_tasks)
        if found and not found & known:
            raise UserError(
                f"{path}: none of its controls ({_names(found)}) is a variable of the study's "
                f"schema {schema_path} ({_names(known)}) -- is it another project's export? "
                "Import it with --no-schema to take the variables from the export"
            )


def register(app: typer.Typer) -> None:
    """Add the ``annotations`` command group to the root app."""
    app.add_typer(annotations_app, name="annotations")
