"""``framestudy reproduce``: recompute the committed results offline and compare them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framestudy.cli._common import console, err_console, one_blas_thread, study


def reproduce(
    show: Annotated[
        int, typer.Option("--show", min=0, help="How many differences to list (the rest are counted).")
    ] = 20,
    lock: Annotated[
        Path | None,
        typer.Option(
            "--lock", dir_okay=False, exists=True,
            help="Compare installed package versions with this lock file (default: the "
            "requirements.lock of the repository framestudy runs from).",
        ),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep", file_okay=False,
            help="Recompute in this folder and keep it (default: a temporary folder).",
        ),
    ] = None,
) -> None:
    """Recompute the study's results from its raw exports and compare them with analysis/.

    Needs no server: checks the raw exports against their SHA-256 (annotations/raw/
    manifest.json, annotations/annotations.sources.json), rebuilds annotations/annotations.csv
    from them, recomputes agreement and the outlet comparison with the seeds and settings of
    analysis/agreement.json and analysis/outlets.json, and compares every result value by
    value (numbers within a relative 1e-6, text exactly). Prints "reproduced" (exit 0) or
    what differs: file, row, column, committed and recomputed value (exit 1). Installed
    package versions that differ from requirements.lock are a warning (docs/reproduce.md).

    Example: framestudy reproduce
    Example: framestudy --study path/to/study reproduce --show 50
    """
    one_blas_thread()  # as `framestudy outlets` runs its models, before numpy loads
    from framestudy.reproduce import ATOL, RTOL, diff_lines
    from framestudy.reproduce import reproduce as run

    options = {} if lock is None else {"lock": lock}
    with console.status("reproducing...") as status:
        result = run(study(), step=lambda text: status.update(text + "..."), workdir=keep,
                     **options)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True,
                          markup=True)
    checked = f"{len(result.exports)} raw export(s)"
    if result.export_problems:
        console.print(f"[bold red]not reproduced:[/] the raw exports are not those recorded "
                      f"({len(result.export_problems)} problem(s)):", highlight=False)
        for line in result.export_problems[:show] if show else []:
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        if len(result.export_problems) > show:
            console.print(f"... and {len(result.export_problems) - show} more", highlight=False)
        console.print("nothing was recomputed: restore the exports (git checkout "
                      "annotations/raw) and run it again", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"raw exports: {checked} match their recorded SHA-256", highlight=False)
    console.print(
        "annotations/annotations.csv: "
        + ("rebuilt from them, identical" if result.table_identical
           else "rebuilt from them, [bold]differs[/] (below)"),
        highlight=False,
    )
    console.print("recomputed " + " and ".join(result.runs), highlight=False, soft_wrap=True)
    console.print(
        f"compared {len(result.compared)} file(s), {result.rows} row(s), with analysis/ "
        f"(numbers within relative {RTOL:g} or absolute {ATOL:g}, text exactly)",
        highlight=False, soft_wrap=True,
    )
    for note in result.report:
        console.print(f"report: {note}", highlight=False, soft_wrap=True)
    if result.reproduced:
        console.print("[bold green]reproduced[/]")
        return
    console.print(f"[bold red]not reproduced:[/] {len(result.differences)} difference(s)",
                  highlight=False)
    for line in diff_lines(result.differences, show):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``reproduce`` command to the root app."""
    app.command("reproduce")(reproduce)
