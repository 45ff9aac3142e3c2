"""``framestudy annotations``: Label Studio JSON exports -> the tidy annotation table
(``import``); coding sheets -> an export (``sheet``); exports -> the study's Label Studio
(``upload``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from framestudy.cli._common import console, err_console, shown_path, study
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


@annotations_app.command("sheet")
def sheet_command(
    sheets: Annotated[
        list[Path],
        typer.Argument(help="Coding sheet(s) (YAML, one per coder; docs/sheets.md).",
                       show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The Label Studio JSON export to write (never under "
            "annotations/raw/).", dir_okay=False,
        ),
    ],
) -> None:
    """Turn coding sheets into a Label Studio JSON export (to upload, or to import).

    Every value is checked against schemas/registry.json and every quote against the
    article's text in tasks/tasks.json; each problem is one line naming the sheet, the
    article and the field (exit 2, nothing written). The export holds one task per coded
    article and one annotation per sheet, attributed to the sheet's coder by e-mail, with
    results as Label Studio's editor makes them (span offsets in code points).

    Example: framestudy annotations sheet annotations/sheets/*.yaml -o sheets-export.json
    """
    from framestudy.annotations.sheets import SheetProblems, export_text, sheets_to_export
    from framestudy.io import atomic_write_text

    st = study()
    for path in sheets:
        if path.exists() and output.exists() and path.resolve() == output.resolve():
            raise UserError(f"{output}: is also an input sheet -- choose another --output")
    if output.resolve().is_relative_to(st.raw_exports_dir.resolve()):
        raise UserError(
            f"{output}: is inside {st.raw_exports_dir}, which holds only what `framestudy "
            "pull` saves -- write the export elsewhere with -o FILE"
        )
    try:
        tasks = sheets_to_export(sheets, st.registry, st.tasks_json)
    except SheetProblems as exc:
        for line in exc.problems:
            err_console.print(
                f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
            )
        raise typer.Exit(2) from None
    atomic_write_text(output, export_text(tasks))
    annotations = sum(len(t["annotations"]) for t in tasks)
    console.print(
        f"wrote {shown_path(output)}: {len(tasks)} article(s), {annotations} annotation(s) "
        f"from {len(sheets)} sheet(s)",
        highlight=False, soft_wrap=True,
    )


@annotations_app.command("upload")
def upload_command(
    exports: Annotated[
        list[Path],
        typer.Argument(
            help="Label Studio JSON export(s): raw exports of this or another server, or "
            "files made by `framestudy annotations sheet`.", show_default=False,
        ),
    ],
    users: Annotated[
        Path | None,
        typer.Option(
            "--users",
            help="JSON user list of the server the exports come from (GET /api/users, or "
            "{id: e-mail}), to name the coder of each completed_by id.",
            dir_okay=False,
        ),
    ] = None,
    show: Annotated[
        int, typer.Option("--show", min=1, help="How many annotations to list per reason.")
    ] = 10,
) -> None:
    """Put the annotations of Label Studio exports into the study's Label Studio.

    Each annotation is created by its coder's own account (framestudy logs in with the
    password it stored at `framestudy coders add`), on the task of its article (matched by
    article_id) in the coder's project (blind design) or the shared project. Running it again
    creates nothing: an annotation the coder already has with the same result is "already
    there"; one with another result is reported and left as it is (nothing is overwritten or
    deleted). Coders are named by the e-mail in the export, else by --users, else (the
    study's own raw exports) by annotations/annotations.sources.json and the manifest.
    Exit 1 if some annotation could not be uploaded (each is listed).

    Example: framestudy annotations upload sheets-export.json
    """
    from rich.table import Table

    from framestudy.annotations import read_users
    from framestudy.labelstudio import client
    from framestudy.labelstudio.upload import NOTES, PROBLEMS, collect, upload

    st = study()
    user_map = read_users(users) if users is not None else None
    collected = collect(exports, study=st, users=user_map)
    conn = client.connect(st)
    with Progress(
        TextColumn("uploading annotations"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console, transient=True,
    ) as progress:
        job = progress.add_task("upload", total=len(collected.pending))
        result = upload(
            st, conn, collected.pending,
            progress=lambda done, total: progress.update(job, completed=done, total=total),
        )
    outcomes = collected.outcomes + result.outcomes
    table = Table(title=f"upload -> {conn.url}", title_justify="left")
    table.add_column("outcome")
    table.add_column("annotations", justify="right")
    for kind in ("created", "already there", *PROBLEMS, *NOTES):
        count = sum(o.kind == kind for o in outcomes)
        if count:
            table.add_row(kind if kind in ("created", "already there") else f"skipped: {kind}",
                          str(count))
    console.print(table)
    problems = [o for o in outcomes if o.kind in PROBLEMS]
    for kind in (*PROBLEMS, *NOTES):
        groups: dict[str, list] = {}
        for o in outcomes:
            if o.kind == kind:
                groups.setdefault(o.detail, []).append(o)
        for detail, listed in groups.items():
            shown = "; ".join(
                o.where + (f" by {o.coder}" if o.coder and o.coder not in detail else "")
                for o in listed[:show]
            )
            more = f"; ... {len(listed) - show} more (--show N)" if len(listed) > show else ""
            console.print(
                f"skipped ({kind}): {escape(detail)} [{len(listed)}: {escape(shown + more)}]",
                highlight=False, soft_wrap=True,
            )
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``annotations`` command group to the root app."""
    app.add_typer(annotations_app, name="annotations")
