"""``framestudy tasks``: articles -> Label Studio tasks (thin wrappers over framestudy.tasks)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from framestudy.cli._common import console, err_console, study, track_items
from framestudy.cli._common import shown_path as _where

if TYPE_CHECKING:  # the tasks stage (trafilatura, pydantic, yaml) is imported by the commands
    from framestudy.tasks.articles import Article, Duplicate
    from framestudy.tasks.clean import Removal

tasks_app = typer.Typer(
    help=(
        "The corpus as tasks: tasks/articles/ + tasks/outlets.yaml -> tasks/tasks.json.\n\n"
        "Example: framestudy tasks add new_articles.csv && framestudy tasks build"
    ),
    no_args_is_help=True,
)

_MAX_SHOWN = 160
_DUPLICATES_SHOWN = 10
_ROWS_SHOWN = 30  # of the summary table


def _short(text: str, limit: int = _MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _report_duplicates(duplicates: list[Duplicate], verb: str) -> None:
    for dup in duplicates[:_DUPLICATES_SHOWN]:
        if dup.same == "id":
            what = (
                f"has the id {dup.first.article_id} of {escape(str(dup.first.origin))}, "
                "already in the study; to correct that article's text, edit that file"
            )
        else:
            what = (
                f"has the same text as {escape(str(dup.first.origin))} "
                f"({dup.first.article_id})"
            )
        err_console.print(
            f"[yellow]duplicate:[/] {escape(str(dup.article.origin))} {what}; {verb}",
            highlight=False,
            soft_wrap=True,
        )
    if len(duplicates) > _DUPLICATES_SHOWN:
        err_console.print(
            f"[yellow]duplicate:[/] ... and {len(duplicates) - _DUPLICATES_SHOWN} more",
            highlight=False,
        )


def _show_removed(article: Article) -> None:
    removals = article.cleaned.removals
    lines = len(article.cleaned.removed_lines)
    console.print(
        f"[bold]{escape(article.origin.path.name)}[/] ({article.article_id}): "
        f"{lines} line(s) and {len(removals) - lines} inline fragment(s) removed",
        highlight=False,
    )
    if removals:
        console.print(_removed_table(article))


def _removed_table(article: Article) -> Table:
    table = Table(show_lines=False)
    table.add_column("line", justify="right", style="dim")
    table.add_column("rule", style="cyan", no_wrap=True)
    table.add_column("removed", overflow="fold")
    for removal in article.cleaned.removals:
        table.add_row(str(removal.line), removal.rule, escape(_describe(removal)))
    return table


def _describe(removal: Removal) -> str:
    if removal.kind == "inline":
        kept = removal.replacement or "(nothing)"
        return f"{_short(removal.text, 70)} → {_short(kept, 70)}"
    return _short(removal.text)


@tasks_app.command("build")
def build(
    show_removed: Annotated[
        bool,
        typer.Option(
            "--show-removed",
            help="List every line (and inline fragment) the cleaner removed, with its rule.",
        ),
    ] = False,
) -> None:
    """Build tasks/tasks.json: cleaned article text + metadata + schema hash, one task each.

    Reads tasks/articles/*.txt (YAML front matter + text as scraped) and tasks/outlets.yaml, removes site boilerplate and writes Label Studio's task format. An article's id is the article_id in its front matter (written there at the first build if missing), so correcting its text never changes it; the text's hash is its text_version.

    Example: framestudy tasks build --show-removed
    """
    from framestudy.tasks import build_tasks

    result = build_tasks(study(), progress=track_items)
    _report_duplicates(result.duplicates, "built once")
    if show_removed:
        for article in result.articles:
            _show_removed(article)
    table = Table(title=f"{len(result.tasks)} tasks", title_justify="left")
    table.add_column("article_id", no_wrap=True)
    table.add_column("outlet", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("words", justify="right", no_wrap=True)
    table.add_column("removed", justify="right", no_wrap=True)
    table.add_column("title", no_wrap=True)
    rows = [
        [
            task["data"]["article_id"],
            task["data"]["outlet"],
            task["data"]["date"],
            str(task["data"]["word_count"]),
            str(len(article.cleaned.removed_lines)),
        ]
        for article, task in zip(result.articles, result.tasks, strict=True)
    ]
    headers = ("article_id", "outlet", "date", "words", "removed")
    used = sum(max(len(h), *(len(r[i]) for r in rows)) + 3 for i, h in enumerate(headers))
    room = max(12, console.width - used - 4)  # the title column's own padding and borders
    for row, task in list(zip(rows, result.tasks, strict=True))[:_ROWS_SHOWN]:
        table.add_row(*row, escape(_short(task["data"]["title"], room)))
    if len(rows) > _ROWS_SHOWN:
        table.add_row("…", f"and {len(rows) - _ROWS_SHOWN} more", "", "", "", "")
    console.print(table)
    stamp = result.tasks[0]["data"]
    console.print(
        f"wrote {_where(result.path)} (schema {stamp['schema_version']}, "
        f"hash {stamp['schema_hash']})",
        highlight=False,
    )


@tasks_app.command("add")
def add(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Article files (.txt with or without YAML front matter, .html, .csv, .jsonl) "
            "or folders of them.",
            show_default=False,
        ),
    ],
    outlet: Annotated[
        str | None,
        typer.Option(
            "--outlet",
            help="Outlet id (from tasks/outlets.yaml) for inputs whose metadata names none; "
            "without it, web pages are matched to an outlet by their URL's domain.",
        ),
    ] = None,
) -> None:
    """Add articles to tasks/articles/, normalised to .txt with YAML front matter.

    Every input needs an outlet listed in tasks/outlets.yaml (in its metadata, or via --outlet). If any input is faulty, nothing is imported and one line names every faulty input. Each stored file gets an article_id (an 'id'/'article_id' column, else derived from outlet and URL or file name). A text, or an id, already in the study is reported as a duplicate and not added again.

    Example: framestudy tasks add new/*.html --outlet rt
    """
    from framestudy.tasks import add_articles

    result = add_articles(
        study(),
        paths,
        default_outlet=outlet,
        progress=track_items,
    )
    _report_duplicates(result.duplicates, "not added again")
    for article, path in result.added:
        console.print(
            f"added {escape(str(article.origin))} -> {escape(_where(path))} "
            f"({article.article_id}, {article.word_count} words)",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"{len(result.added)} added, {len(result.duplicates)} duplicate(s) skipped; "
        "run `framestudy tasks build` to update tasks/tasks.json",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(tasks_app, name="tasks")
