"""``framestudy outlets``: how framing differs by outlet (consensus, gate, outlet tests,
outlet attributes, ordinal distributions, span densities, models), and its run record."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
from rich.table import Table

# What the command writes under analysis/ (docs/outlets.md, "Files": FILES), its run record
# and the Monte Carlo tests' resamples are defined with the computation, which
# `framestudy reproduce` runs too (framestudy.analysis.runs: light, no numpy at import).
from framestudy.analysis.runs import ADJUDICATION_FILES, N_RESAMPLES
from framestudy.analysis.runs import OUTLET_FILES as FILES
from framestudy.analysis.runs import OUTLETS_RUN as RUN_RECORD
from framestudy.cli._common import console, one_blas_thread, shown_path, study
from framestudy.cli._common import number as _fmt


def outlets(
    no_gate: Annotated[
        bool,
        typer.Option(
            "--no-gate", help="Compare every variable, whatever its agreement (said in every output)."
        ),
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed of the Monte Carlo tests and intervals.")
    ] = 0,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Bootstrap replicates for Cramér's V's CI.")
    ] = 1000,
    models: Annotated[
        bool,
        typer.Option(
            "--models/--no-models",
            help="Fit the regressions on outlet and their coder sensitivity runs "
            "(outlet_models.csv); --no-models skips them.",
        ),
    ] = True,
) -> None:
    """How framing differs by outlet: consensus values, the reliability gate, outlet tests.

    Reads annotations/annotations.csv, schemas/registry.json and analysis/agreement.csv (run
    `framestudy agreement` first), and when present tasks/tasks.json (word counts, dates)
    and tasks/outlets.yaml (outlet type, country, language); the gate's settings come from
    study.yaml (analysis.gate). Writes under analysis/: consensus.csv, gate.csv,
    outlet_prevalence.csv and outlet_tests.csv, outlet_pairs.csv (per outlet and per
    outlet type, country, language: column `by`), outlet_ordinal.csv (ordinal
    distributions and medians), outlet_density.csv and outlet_density_tests.csv (span
    densities per 1,000 words), outlet_models.csv (regressions on outlet with genre and
    date controls, beside the coder sensitivity run), outlet_ca.csv (correspondence
    analyses) and outlets.json (the run record: settings, input hashes, files)
    (docs/outlets.md).

    Example: framestudy outlets
    Example: framestudy outlets --no-gate --seed 3
    Example: framestudy outlets --no-models
    """
    one_blas_thread()  # before numpy loads
    from framestudy.analysis.outlet_power import needed_sentence
    from framestudy.analysis.runs import run_outlets
    from framestudy.settings import gate_settings

    paths = study()
    settings = gate_settings(paths)
    # Fewer garbage collections while it runs: the analysis allocates millions of
    # short-lived objects and makes few reference cycles, and with Python's default (a
    # collection every 700 allocations) collecting took 0.5 s of the command on 10 x 1,000
    # x 3 (0.2 s so); the results do not depend on it
    thresholds = gc.get_threshold()
    gc.set_threshold(10_000, 50, 50)
    try:
        with console.status("comparing outlets..."):
            result = run_outlets(
                paths, settings=settings, override=no_gate, seed=seed, n_boot=bootstrap,
                n_resamples=N_RESAMPLES, models=models,
                where=f"{shown_path(paths.annotations_csv)} with {shown_path(paths.registry)}",
            )
    finally:
        gc.set_threshold(*thresholds)
    written = [paths.analysis_dir / file for file in FILES.values()]
    # the adjudication tables exist after the run exactly when there were decisions
    written += [p for p in (paths.analysis_dir / f for f in ADJUDICATION_FILES.values())
                if p.is_file()]
    outlet_tests = result.tests[result.tests["by"] == "outlet"]
    console.print(_tests_table(outlet_tests))
    if no_gate:
        console.print("[yellow]gate overridden (--no-gate):[/] every variable was compared")
    if outlet_tests["test"].isna().all():
        console.print(
            "no outlet test ran: "
            + _why_none(outlet_tests)
            + " -- the CSVs hold the descriptives (shares per outlet with Wilson intervals)",
            soft_wrap=True,
        )
    if result.articles_needed:
        console.print(needed_sentence(result.articles_needed))
    others = [by for by in result.groupings if by != "outlet"]
    if others:
        console.print(
            f"also grouped by outlet {', '.join(others)}: outlet_prevalence.csv, "
            "outlet_tests.csv, outlet_pairs.csv (column by)"
        )
    if result.density_note:
        console.print(f"span densities: {result.density_note}")
    elif len(result.density_tests):
        console.print(_density_table(result.density, result.density_tests))
    shown = [shown_path(p) for p in written] + [shown_path(paths.analysis_dir / RUN_RECORD)]
    console.print("wrote " + ", ".join(shown), soft_wrap=True)


def _why_none(tests) -> str:
    """The commonest reason no comparison was tested, in short."""
    reasons = tests["reason"].dropna().astype(str)
    gated = reasons.str.startswith("not tested: the reliability gate")
    if gated.all():
        return "the reliability gate excluded every variable (see gate.csv; --no-gate overrides)"
    short = reasons[~gated].str.split(" -- ").str[0].str.split(" [(]").str[0]
    return str(short.value_counts().index[0])


def _note(reason: str) -> str:
    return "not tested" if reason.startswith("not tested: the reliability gate") else (
        reason.split(" -- ")[0].split(" (")[0]
    )


def _tests_table(tests) -> Table:
    """The headline: per comparison, the gate's decision, the corrected p and Cramér's V
    with its CI, or why nothing was tested; narrow enough for 80 columns (the test used,
    the statistic and the reasons in full are in outlet_tests.csv)."""
    table = Table(title="Outlet differences", box=None, padding=(0, 1, 0, 0), show_edge=False,
                  header_style="bold")
    table.add_column("variable", no_wrap=True)
    table.add_column("gate", no_wrap=True)
    table.add_column("p (Holm)", justify="right", no_wrap=True)
    table.add_column("V [95% CI]", justify="right", no_wrap=True)
    table.add_column("note", overflow="fold", min_width=12, ratio=1)
    for row in tests.itertuples():
        label = f"{row.variable}: {row.category}" if row.category else str(row.variable)
        if isinstance(row.test, str) and row.test:
            v = f"{_fmt(row.cramers_v, 2)} [{_fmt(row.v_ci_low, 2)}, {_fmt(row.v_ci_high, 2)}]"
            table.add_row(label, str(row.decision), _fmt(row.p_adjusted), v, "")
            continue
        table.add_row(label, str(row.decision), "", "", _note(str(row.reason)))
    return table


def _density_table(density, tests) -> Table:
    """Span densities per label across outlets: the range of the outlets' means, the gate
    and the corrected Kruskal-Wallis p (or why none); per attribute value in the CSVs."""
    table = Table(title="Span densities per 1,000 words", box=None,
                  padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    table.add_column("span label", no_wrap=True)
    table.add_column("gate", no_wrap=True)
    table.add_column("outlet means", justify="right", no_wrap=True)
    table.add_column("p (Holm)", justify="right", no_wrap=True)
    table.add_column("note", overflow="fold", min_width=12, ratio=1)
    whole = density[(density["by"] == "outlet") & density["attribute"].isna()]
    rows = tests[(tests["by"] == "outlet") & tests["attribute"].isna()]
    for row in rows.itertuples():
        means = whole.loc[whole["label"] == row.label, "mean"]
        span = f"{_fmt(means.min(), 1)}-{_fmt(means.max(), 1)}" if len(means) else ""
        if isinstance(row.test, str) and row.test:
            table.add_row(str(row.label), str(row.decision), span, _fmt(row.p_adjusted), "")
        else:
            table.add_row(str(row.label), str(row.decision), span, "", _note(str(row.reason)))
    return table


def register(app: typer.Typer) -> None:
    """Add the ``outlets`` command to the root app."""
    app.command("outlets")(outlets)
