"""``framestudy adjudicate push|pull``: the coders' disagreements to the adjudicator's review
project in Label Studio, and the decisions back into the study (docs/adjudication.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from framestudy.cli._common import console, err_console, shown_path, study

adjudicate_app = typer.Typer(
    help="Adjudication: the articles where coders disagree go to the adjudicator's review "
    "project in Label Studio; the adjudicator's codings come back as consensus values "
    "(provenance adjudicated).",
    no_args_is_help=True,
)


@adjudicate_app.command("push")
def push(
    all_articles: Annotated[
        bool,
        typer.Option("--all", help="Every article coded by two or more coders, not only the "
                     "reliability sample."),
    ] = False,
) -> None:
    """Put the articles where coders disagree into the adjudicator's review project.

    Reads annotations/annotations.csv (pull first) and the raw exports it was built from, tasks/tasks.json, tasks/assignment.csv (the reliability sample) and the adjudicator in study.yaml (framestudy coders add --adjudicator EMAIL). The review project, in the adjudicator's own organisation on the server framestudy starts, gets the articles with a disagreement on any article-level variable, most disagreement first, each coder's annotation as a prediction named by the coder's pseudonym ("coder 1", ...), so the adjudicator sees every version side by side and saves the final one. Running it again adds only new articles and new versions; nothing is duplicated.

    Example: framestudy adjudicate push

    Example: framestudy adjudicate push --all
    """
    from framestudy import settings
    from framestudy.labelstudio import client
    from framestudy.labelstudio.adjudicate import push_review

    st = study()
    settings.review_owner(st)  # no adjudicator: say so before anything else
    with err_console.status("pushing the disagreements..."):
        done = push_review(st, lambda: client.connect(st), all_articles=all_articles)
    if done.project is None:
        console.print(f"no disagreement to adjudicate in {done.scope}: every coder agrees "
                      "on every article-level variable -- no review project created"
                      + ("" if all_articles else " (--all looks at every multi-coded article)"),
                      highlight=False, soft_wrap=True)
        return
    top = done.ranking.head(10)
    for row in top.itertuples(index=False):
        console.print(f"{row.rank:>3}. {row.article_id}  disagreement {row.disagreement:.2f} "
                      f"on {row.n_variables}: {escape(row.variables)}", highlight=False,
                      soft_wrap=True)
    if len(done.ranking) > len(top):
        console.print(f"     ... and {len(done.ranking) - len(top)} more", highlight=False)
    where = ("the adjudicator's own organisation" if done.own_organization
             else "the connection's organisation")
    console.print(
        f"review project {done.project.id} ({escape(done.project.title)}, "
        f"{'created' if done.created else 'existing'}, in {where}) for {done.adjudicator}: "
        f"{done.imported} articles added, {done.already} already there; "
        f"{done.predictions} coders' versions added, {done.predictions_already} already there "
        f"({len(done.ranking)} articles with a disagreement in {done.scope}; versions "
        "named " + ", ".join(sorted(set(done.versions.values()))) + ")",
        highlight=False, soft_wrap=True)


@adjudicate_app.command("pull")
def pull(
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the review project's export.")
    ] = 1800.0,
) -> None:
    """Export the review project and write the adjudicator's decisions to annotations/adjudicated.csv.

    The export is kept unchanged in annotations/raw/ (listed in its manifest). Each adjudicated article's article-level variables (for a multiple-choice variable and the span labels: each value present or absent) become decisions that `framestudy outlets` and `framestudy model train` use as consensus values with provenance adjudicated. Span attributes are not adjudicated. An article adjudicated more than once keeps the latest annotation and is listed. Running it again with nothing new changes nothing.

    Example: framestudy adjudicate pull
    """
    from framestudy import settings
    from framestudy.labelstudio import client
    from framestudy.labelstudio.adjudicate import pull_review

    st = study()
    settings.review_owner(st)  # no adjudicator: say so before anything else
    conn = client.connect(st)
    with err_console.status("exporting the review project..."):
        done = pull_review(st, conn, export_timeout=timeout)
    state = "saved" if done.new_export else "unchanged, kept"
    console.print(f"review project {done.project.id} ({escape(done.project.title)}): {state} "
                  f"{shown_path(done.export)}", highlight=False, soft_wrap=True)
    for article, times in sorted(done.again.items()):
        console.print(f"{article}: adjudicated {times} times -- the latest annotation is kept",
                      highlight=False, soft_wrap=True)
    if done.others:
        console.print(f"{done.others} annotations by someone other than the adjudicator were "
                      "ignored", highlight=False, soft_wrap=True)
    verb = "wrote" if done.written else "up to date, left as it was:"
    console.print(f"{verb} {shown_path(done.path)} ({len(done.decisions)} decisions on "
                  f"{done.articles} articles by {done.adjudicator}); `framestudy outlets` uses "
                  "them", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``adjudicate`` command group to the root app."""
    app.add_typer(adjudicate_app, name="adjudicate")
