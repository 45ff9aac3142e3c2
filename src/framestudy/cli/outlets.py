"""``framestudy outlets``: how framing differs by outlet (consensus, gate, outlet tests)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from framestudy.cli._common import console, shown_path, study
from framestudy.cli._common import number as _fmt

#: what the command writes under analysis/ (docs/outlets.md, "Files")
FILES = {
    "consensus": "consensus.csv",
    "gate": "gate.csv",
    "prevalence": "outlet_prevalence.csv",
    "tests": "outlet_tests.csv",
    "pairs": "outlet_pairs.csv",
    "models": "outlet_models.csv",
    "ca": "outlet_ca.csv",
}


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
            "--models",
            help="Also fit the regressions on outlet and their coder sensitivity runs "
            "(outlet_models.csv; slow on large studies).",
        ),
    ] = False,
) -> None:
    """How framing differs by outlet: consensus values, the reliability gate, outlet tests.

    Reads annotations/annotations.csv, schemas/registry.json and analysis/agreement.csv (run
    `framestudy agreement` first); the gate's settings come from study.yaml (analysis.gate).
    Writes analysis/consensus.csv, gate.csv, outlet_prevalence.csv, outlet_tests.csv,
    outlet_pairs.csv, outlet_models.csv (regressions on outlet, beside the coder
    sensitivity run; with --models, else a row per question saying so) and outlet_ca.csv
    (correspondence analyses) (docs/outlets.md).

    Example: framestudy outlets
    Example: framestudy outlets --no-gate --seed 3
    Example: framestudy outlets --models
    """
    from framestudy.analysis.outlets import outlet_analysis
    from framestudy.analysis.reliability_data import read_agreement, read_annotations
    from framestudy.io import atomic_write_csv
    from framestudy.schema.registry_file import read_registry
    from framestudy.settings import gate_settings

    paths = study()
    registry = read_registry(paths.registry)
    annotations = read_annotations(paths.annotations_csv)
    agreement = read_agreement(paths.analysis_dir / "agreement.csv")
    with console.status("comparing outlets..."):
        result = outlet_analysis(
            annotations, registry, agreement, settings=gate_settings(paths),
            override=no_gate, seed=seed, n_boot=bootstrap, models=models,
        )
    written = []
    for name, file in FILES.items():
        target = paths.analysis_dir / file
        atomic_write_csv(target, getattr(result, name))
        written.append(shown_path(target))
    console.print(_tests_table(result.tests))
    if no_gate:
        console.print("[yellow]gate overridden (--no-gate):[/] every variable was compared")
    if result.tests["test"].isna().all():
        console.print(
            "no outlet test ran: "
            + _why_none(result.tests)
            + " -- the CSVs hold the descriptives (shares per outlet with Wilson intervals)",
            soft_wrap=True,
        )
    console.print("wrote " + ", ".join(written), soft_wrap=True)


def _why_none(tests) -> str:
    """The commonest reason no comparison was tested, in short."""
    reasons = tests["reason"].dropna().astype(str)
    gated = reasons.str.startswith("not tested: the reliability gate")
    if gated.all():
        return "the reliability gate excluded every variable (see gate.csv; --no-gate overrides)"
    short = reasons[~gated].str.split(" -- ").str[0].str.split(" [(]").str[0]
    return str(short.value_counts().index[0])


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
        reason = str(row.reason)
        note = "not tested" if reason.startswith("not tested: the reliability gate") else (
            reason.split(" -- ")[0].split(" (")[0]
        )
        table.add_row(label, str(row.decision), "", "", note)
    return table


def register(app: typer.Typer) -> None:
    """Add the ``outlets`` command to the root app."""
    app.command("outlets")(outlets)
