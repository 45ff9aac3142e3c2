"""``framestudy model``: suggestions from a text classifier trained on the study's codes,
measured like a coder, pushed to Label Studio as pre-annotations (docs/model.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from framestudy.cli._common import console, err_console, one_blas_thread, shown_path, study
from framestudy.cli._common import number as _fmt

model_app = typer.Typer(
    help="Model suggestions: train a classifier per variable on the coded articles, measure "
    "it like a coder, push its answers to Label Studio as pre-annotations.",
    no_args_is_help=True,
)


@model_app.command("train")
def train(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the folds and the bootstrap.")] = 0,
    folds: Annotated[
        int, typer.Option("--folds", min=2, help="Folds of the stratified cross-validation.")
    ] = 5,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Bootstrap replicates for the CIs.")
    ] = 1000,
    adjudicated: Annotated[
        Path | None,
        typer.Option("--adjudicated", dir_okay=False,
                     help="CSV of adjudicated values (article_id, variable, value, ...) that "
                     "override the consensus."),
    ] = None,
) -> None:
    """Train a suggester per article-level variable and span label on the consensus values.

    Reads annotations/annotations.csv, schemas/registry.json, schemas/framing.yaml and
    tasks/tasks.json. Each model is a TF-IDF + class-balanced logistic regression pipeline;
    its quality is measured by stratified k-fold cross-validation as one more coder against
    the consensus: Krippendorff's alpha with its CI, the majority-class baseline's alpha,
    Cohen's kappa and per-class F1 with CIs. Writes models/model.joblib (with the schema
    hash, the training data's SHA-256 and library versions), models/model.json and
    models/cross_validation.csv. With too few coded articles it says how many are needed
    and trains nothing.

    Example: framestudy model train
    Example: framestudy model train --seed 3 --folds 10
    """
    one_blas_thread()  # before numpy loads
    from framestudy.model.run import run_train

    paths = study()
    with console.status("training...") as status:
        done = run_train(paths, seed=seed, n_folds=folds, n_boot=bootstrap,
                         adjudicated=adjudicated,
                         progress=lambda name: status.update(f"trained {name}"))
    result = done.result
    console.print(_summary_table(result.report))
    for row in result.skipped.itertuples(index=False):
        console.print(f"[yellow]not trained:[/] {row.target}: {row.reason}", soft_wrap=True)
    console.print(
        f"{len(result.models)} models from {result.n_articles} coded articles; model version "
        f"{done.meta['model_version']}; wrote "
        + ", ".join(shown_path(p) for p in done.files), soft_wrap=True)


def _summary_table(report) -> Table:
    """One row per target: units, alpha [CI], the baseline's alpha, kappa, macro F1."""
    table = Table(title="Cross-validated agreement with the consensus (model as a coder)",
                  box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    for name, justify in (("target", "left"), ("units", "right"), ("α [95% CI]", "right"),
                          ("baseline α", "right"), ("κ", "right"), ("macro F1", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    for target, rows in report.groupby("target", sort=False):
        by = {s: r for s, r in zip(rows["statistic"], rows.itertuples(index=False), strict=True)
              if s != "f1"}
        alpha = by["alpha"]
        table.add_row(
            str(target), str(int(alpha.n_units)),
            f"{_fmt(alpha.estimate)} [{_fmt(alpha.ci_low, 2)}, {_fmt(alpha.ci_high, 2)}]",
            _fmt(by["baseline_alpha"].estimate), _fmt(by["kappa"].estimate),
            _fmt(by["macro_f1"].estimate),
        )
    return table


@model_app.command("push")
def push(
    include_reliability: Annotated[
        bool,
        typer.Option("--include-reliability",
                     help="Suggest on the reliability sample too (by default it gets no "
                     "suggestion, so that coders' agreement stays independent of the model)."),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Predictions per import request.")
    ] = 2000,
) -> None:
    """Push the saved model's suggestions to Label Studio as predictions (pre-annotations).

    Every task nobody has annotated or skipped yet gets the model's answers as a
    prediction with the model's version (model_version), which the project then shows as
    the pre-filled annotation. A task that already holds a prediction of this version is
    skipped: a second push duplicates nothing. Records what was suggested in
    models/predictions.csv and models/pushed.csv (for `framestudy model agreement`). A
    model trained under another schema is refused.

    Example: framestudy model push
    Example: framestudy model push --include-reliability
    """
    one_blas_thread()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from framestudy.labelstudio import client
    from framestudy.model.run import run_push

    paths = study()
    connected = []

    def connect():
        connected.append(client.connect(paths))
        return connected[0]

    with Progress(TextColumn("importing predictions"), BarColumn(), MofNCompleteColumn(),
                  console=err_console, transient=True) as bar:
        job = bar.add_task("import", total=None)
        done = run_push(paths, connect, include_reliability=include_reliability,
                        batch_size=batch_size,
                        progress=lambda n, total: bar.update(job, completed=n, total=total))
    table = Table(title=f"model push ({done.push.model_version}) -> {connected[0].url}",
                  title_justify="left")
    for col in ("project", "tasks", "pushed", "already there", "annotated", "held back",
                "no answer"):
        table.add_column(col, justify="left" if col == "project" else "right")
    for p in done.push.projects:
        table.add_row(p.title, str(p.tasks), str(p.pushed), str(p.existing), str(p.annotated),
                      str(p.held_back), str(p.no_suggestion))
    console.print(table)
    console.print(
        f"{done.push.n_pushed} predictions pushed, {done.push.n_existing} already there "
        f"(skipped); {done.held_back} reliability-sample articles held back"
        + (" (--include-reliability to suggest there too)" if done.held_back else "")
        + "; wrote " + ", ".join(shown_path(p) for p in done.files), soft_wrap=True)


@model_app.command("agreement")
def agreement(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Bootstrap replicates for the CIs.")
    ] = 1000,
) -> None:
    """Coders' agreement with the model's suggestions, beside their agreement with each other.

    Reads annotations/annotations.csv (pull first), models/predictions.csv and
    models/pushed.csv (model push) and models/cross_validation.csv (model train); writes
    models/anchoring.csv. Per variable: alpha of the coders' answers against the
    suggestion they were shown, the model's cross-validated alpha on articles coded without
    suggestions, and the coders' alpha with each other on articles coded without (and with)
    suggestions. Coders agreeing with the model far more than the model agrees with
    unassisted coders is the sign of anchoring.

    Example: framestudy model agreement
    """
    one_blas_thread()
    from framestudy.model.run import run_anchoring

    paths = study()
    table, out = run_anchoring(paths, n_boot=bootstrap, seed=seed)
    view = Table(title="Anchoring: coders vs the model's suggestion, and vs each other",
                 box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    for name in ("target", "coders vs model", "n", "model (CV)", "coders unassisted",
                 "coders assisted"):
        view.add_column(name, justify="left" if name == "target" else "right", no_wrap=True)
    for row in table.itertuples(index=False):
        view.add_row(
            str(row.target),
            f"{_fmt(row.coders_vs_model)} [{_fmt(row.coders_vs_model_low, 2)}, "
            f"{_fmt(row.coders_vs_model_high, 2)}]",
            str(row.n_coder_answers), _fmt(row.model_cv), _fmt(row.coders_unassisted),
            _fmt(row.coders_assisted),
        )
    console.print(view)
    console.print(f"wrote {shown_path(out)}")


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group to the root app."""
    app.add_typer(model_app, name="model")
