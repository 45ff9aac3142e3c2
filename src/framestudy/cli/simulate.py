"""``framestudy simulate`` and ``framestudy plan``: synthetic studies with known truth, and
the size of the reliability sample (thin wrappers over :mod:`framestudy.simulation`)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from framestudy.analysis.vocabulary import MIN_RAREST_VALUES, UNTRUSTED_MARK
from framestudy.cli._common import console, err_console, state, study, track_items
from framestudy.cli._common import number as _fmt
from framestudy.errors import UserError

PROGRESS_MIN = 200  # show a progress bar for jobs at least this long


def _progress(items, description: str):
    return track_items(items, f"{description:<18}", minimum=PROGRESS_MIN)


def _int_list(text: str, option: str, low: int) -> list[int]:
    try:
        values = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise UserError(f"{option} {text!r}: give whole numbers separated by commas, e.g. 50,100,200") from None
    if not values or any(v < low for v in values):
        raise UserError(f"{option} {text!r}: give whole numbers of at least {low}, separated by commas")
    return sorted(set(values))


def _float_list(text: str, option: str) -> list[float]:
    try:
        values = [float(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise UserError(f"{option} {text!r}: give numbers separated by commas, e.g. 0.667,0.8") from None
    if not values or any(not 0 < v < 1 for v in values):
        raise UserError(f"{option} {text!r}: every value must lie strictly between 0 and 1")
    return sorted(set(values))


def simulate(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder to write the study to (new or empty).", file_okay=False),
    ],
    outlets: Annotated[
        int | None, typer.Option("--outlets", help="Number of outlets (default 3, or the scenario's list).")
    ] = None,
    articles_per_outlet: Annotated[
        int | None, typer.Option("--articles-per-outlet", help="Articles per outlet (default 100).")
    ] = None,
    coders: Annotated[
        int | None, typer.Option("--coders", help="Number of coders (default 3, or the scenario's list).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed; the same seed gives byte-identical files (default 0).")
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="YAML scenario: outlets' propensities, coders' reliability.", dir_okay=False),
    ] = None,
    reliability_share: Annotated[
        float | None, typer.Option("--reliability-share", help="Share of articles coded by every coder (default 0.2).")
    ] = None,
    schema: Annotated[
        Path | None,
        typer.Option("--schema", help="Schema to use (default: the current study's schemas/framing.yaml; outside a study, the bundled framing schema).", dir_okay=False),
    ] = None,
    truth_units: Annotated[
        int,
        typer.Option("--truth-units", min=0, help="Sample size for the span variables' simulated true alpha (0: skip)."),
    ] = 3000,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a non-empty folder that simulate wrote (a real study, or any other "
            "folder, is refused).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Write a synthetic study with known truth (tasks, exports, tidy table, truth.json).

    Every file is what the real pipeline would hold after `framestudy pull`, so any command
    runs on it. truth.json holds what was planted: each outlet's propensities, each coder's
    reliability model, the reliability sample and the true alpha of every variable;
    truth_annotations.csv holds every article's true codes and spans. Outlet effects and
    coders are set in a YAML scenario (--scenario; see docs/planning.md).

    Outside a study, and without --schema, the bundled framing schema is used.

    Example: framestudy simulate --outlets 4 --articles-per-outlet 250 --coders 3 --seed 7 -o synthetic
    """
    with _schema_file(schema) as schema_path:
        _simulate(schema_path, output, outlets, articles_per_outlet, coders, seed, scenario,
                  reliability_share, truth_units, force, as_json)


@contextmanager
def _schema_file(given: Path | None):
    """The schema to simulate: --schema, else the study's, else (outside any study, and
    without --study) the bundled framing schema, which is said on stderr."""
    if given is not None:
        if not given.is_file():
            raise UserError(f"{given}: schema file not found -- pass --schema PATH/framing.yaml")
        yield given
        return
    own = study().schema_source
    if own.is_file():
        yield own
        return
    if state.study_root is not None:  # a study named with --study that has no schema
        raise UserError(
            f"{own}: no schema found -- run in a study folder or pass --schema PATH/framing.yaml"
        )
    from framestudy.templates import bundled_schema

    err_console.print(
        "no study here (no schemas/framing.yaml): simulating with the bundled framing schema "
        "(--schema FILE for another)",
        highlight=False,
        soft_wrap=True,
    )
    with bundled_schema() as path:
        yield path


def _simulate(schema_path: Path, output: Path, outlets, articles_per_outlet, coders, seed,
              scenario, reliability_share, truth_units: int, force: bool, as_json: bool) -> None:
    from framestudy.schema import load_schema
    from framestudy.simulation import read_scenario_file, resolve_scenario, simulate_study

    loaded = load_schema(schema_path)
    data = read_scenario_file(scenario) if scenario is not None else None
    resolved = resolve_scenario(
        loaded, data, outlets=outlets, articles_per_outlet=articles_per_outlet, coders=coders,
        seed=seed, reliability_share=reliability_share,
    )
    if resolved.n_articles == 0:
        raise UserError("the scenario has no articles -- give --articles-per-outlet 1 or more")
    result = simulate_study(output, resolved, schema_path, force=force, progress=_progress,
                            truth_units=truth_units)
    summary = {
        "folder": str(result.root),
        "seed": resolved.seed,
        "articles": result.n_articles,
        "reliability_sample": result.n_reliability,
        "coders": [c.email for c in resolved.coders],
        "annotations": result.n_annotations,
        "skipped": result.n_skipped,
        "rows": result.n_rows,
        "true_alpha": {
            var: entry.get("alpha") for var, entry in result.true_alpha.items() if "alpha" in entry
        },
    }
    if as_json:
        console.print_json(json.dumps(summary))
        return
    console.print(
        f"simulated study in [bold]{result.root}[/]: {result.n_articles} articles from "
        f"{len(resolved.outlets)} outlets, {len(resolved.coders)} coders, reliability sample "
        f"{result.n_reliability}; {result.n_annotations} annotations ({result.n_skipped} skipped), "
        f"{result.n_rows} rows in annotations/annotations.csv (seed {resolved.seed})",
        highlight=False,
    )
    table = Table(title="true alpha (truth.json)", title_justify="left")
    table.add_column("variable")
    table.add_column("metric")
    table.add_column("true α", justify="right")
    table.add_column("how")
    for var, entry in result.true_alpha.items():
        if "alpha" in entry:
            table.add_row(var, entry.get("metric") or "", _fmt(entry.get("alpha")), entry.get("method", ""))
        else:
            for est in entry.get("estimates", []):
                if est.get("category") is None and est["metric"] in ("unitizing_alpha", "alpha_nominal_matched_spans", "alpha_masi_matched_spans"):
                    table.add_row(var, est["metric"], _fmt(est.get("alpha")), f"simulated, {entry['n_units']} units")
    console.print(table)


#: ``plan`` marks a size where at least this share of simulated studies gets a ci_warning
FLAGGED_WARN = 0.05


def plan(
    alpha: Annotated[float, typer.Option("--alpha", help="The coders' true alpha (what you expect).")],
    prevalence: Annotated[
        float, typer.Option("--prevalence", help="Prevalence of the smallest category, e.g. 0.1.")
    ],
    units: Annotated[
        str, typer.Option("--units", help="Reliability-sample sizes to tabulate (comma-separated).")
    ] = "50,100,200,300,500",
    coders: Annotated[str, typer.Option("--coders", help="Numbers of coders (comma-separated).")] = "2,3",
    categories: Annotated[int, typer.Option("--categories", min=2, help="Number of categories.")] = 2,
    level: Annotated[str, typer.Option("--level", help="nominal or ordinal.")] = "nominal",
    alpha_min: Annotated[
        str, typer.Option("--alpha-min", help="Thresholds the CI's lower end must clear.")
    ] = "0.667,0.8",
    target_power: Annotated[
        float, typer.Option("--target-power", help="Power wanted; the smallest n reaching it is searched.")
    ] = 0.8,
    sims: Annotated[int, typer.Option("--sims", min=10, help="Simulated studies per cell.")] = 200,
    boot: Annotated[int, typer.Option("--boot", min=100, help="Bootstrap replicates per study.")] = 1000,
    method: Annotated[str, typer.Option("--method", help="Bootstrap method: units or krippendorff.")] = "units",
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    search: Annotated[
        bool, typer.Option("--search/--no-search", help="Search the smallest n between the tabulated sizes.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """How many articles to double-code: power of the reliability test, by simulation.

    The chance that the lower end of alpha's 95% CI clears .800 / .667, for each
    reliability-sample size and number of coders, if the coders' true alpha is --alpha and
    the smallest category has prevalence --prevalence; and the smallest sample reaching
    --target-power. A simulated study whose interval `framestudy agreement` would flag
    (ci_warning: it cannot be trusted) does not pass; the share flagged is shown per size.

    Example: framestudy plan --alpha 0.85 --prevalence 0.1 --coders 2,3 --units 100,200,400
    """
    import pandas as pd

    from framestudy.simulation.planning import (
        PlanSettings,
        krippendorff_minimum_units,
        power_table,
        refine_smallest_n,
        smallest_n_from_table,
    )

    _check_plan_options(alpha, prevalence, categories, level, method, target_power)
    n_grid = _int_list(units, "--units", 5)
    k_grid = _int_list(coders, "--coders", 2)
    thresholds = _float_list(alpha_min, "--alpha-min")
    settings = PlanSettings(
        true_alpha=alpha, smallest=prevalence, n_categories=categories, level=level,
        n_sims=sims, n_boot=boot, method=method, seed=seed, alpha_min=tuple(thresholds),
    )
    table = power_table(settings, n_grid, k_grid, progress=_progress)
    best = smallest_n_from_table(table, target_power)
    if search:
        best = refine_smallest_n(settings, best, n_grid, target_power)
    reference = {}
    if categories == 2 or level == "nominal":
        reference = {
            f"{a:.3f}": krippendorff_minimum_units(prevalence, a, 0.05) for a in thresholds
        }
    if as_json:
        console.print_json(json.dumps({
            "settings": {"alpha": alpha, "prevalence": prevalence, "categories": categories,
                         "level": level, "sims": sims, "boot": boot, "method": method, "seed": seed,
                         "target_power": target_power},
            "power": table.to_dict("records"),
            "smallest_n": [
                {**r, "smallest_n": None if pd.isna(r["smallest_n"]) else int(r["smallest_n"])}
                for r in best.to_dict("records")
            ],
            "krippendorff_minimum_units_p05_two_coders": reference,
        }))
        return
    _print_power_table(table, n_grid, k_grid, thresholds,
                       f"true α {alpha}, smallest category {prevalence}, {categories} categories, "
                       f"{level}; {sims} simulated studies per cell")
    _print_smallest_n(best, table, n_grid, target_power, reference, prevalence)


def _check_plan_options(alpha: float, prevalence: float, categories: int, level: str, method: str,
                        target_power: float) -> None:
    if not 0 < alpha <= 1:
        raise UserError(f"--alpha {alpha}: give the expected true alpha, between 0 and 1 (e.g. 0.85)")
    if not 0 < prevalence <= 1 / categories:
        raise UserError(
            f"--prevalence {prevalence}: the smallest of {categories} categories has a prevalence "
            f"above 0 and at most {1 / categories:.3g}"
        )
    if level not in ("nominal", "ordinal"):
        raise UserError(f"--level {level!r}: choose nominal or ordinal")
    if method not in ("units", "krippendorff"):
        raise UserError(f"--method {method!r}: choose units or krippendorff")
    if not 0 < target_power < 1:
        raise UserError(f"--target-power {target_power}: give a probability, e.g. 0.8")


def _print_power_table(table, n_grid: list[int], k_grid: list[int], thresholds: list[float],
                       about: str) -> None:
    """The power of each (n, coders, alpha_min) cell, one row per n, and per coder count the
    share of simulated studies whose interval carried a ci_warning (marked where it is
    :data:`FLAGGED_WARN` or more)."""
    out = Table(title=f"P(lower end of the 95% CI ≥ α_min, CI trusted) — {about}",
                title_justify="left")
    out.add_column("n", justify="right")
    for k in k_grid:
        for a in thresholds:
            out.add_column(f"{k} coders\nα_min {a:.3f}", justify="right")
        out.add_column(f"{k} coders\nci_warning", justify="right")
    for n in n_grid:
        cells = []
        for k in k_grid:
            cell = table[(table["n_units"] == n) & (table["n_coders"] == k)]
            for a in thresholds:
                cells.append(f"{cell[cell['alpha_min'] == a]['power'].iloc[0]:.2f}")
            flagged = float(cell["flagged"].iloc[0])
            cells.append(f"{flagged:.0%}" + (UNTRUSTED_MARK if flagged >= FLAGGED_WARN else ""))
        out.add_row(str(n), *cells)
    console.print(out)
    mc = max(table["mc_se"]) if len(table) else 0.0
    console.print(f"Monte Carlo standard error of each power ≤ {mc:.3f}", highlight=False)
    if len(table) and (table["flagged"] >= FLAGGED_WARN).any():
        console.print(
            f"{UNTRUSTED_MARK} at these sizes {FLAGGED_WARN:.0%} or more of the simulated studies "
            "get a ci_warning (all pairable values agree, or a value has fewer than "
            f"{MIN_RAREST_VALUES} pairable values): there the interval covers the true α less "
            "often than it says, and a study cannot show its coders' reliability even when they "
            "are reliable. Such studies count as not passing; plan more units "
            "(docs/ci_coverage.md).",
            highlight=False,
        )


def _print_smallest_n(best, table, n_grid: list[int], target_power: float,
                      reference: dict[str, int], prevalence: float) -> None:
    """The smallest n per (coders, alpha_min), and Krippendorff's closed-form reference.
    An n at or below a tabulated size where ci_warnings are common is marked."""
    import pandas as pd

    for row in best.itertuples():
        where = (f"n = {int(row.smallest_n)}" if not pd.isna(row.smallest_n)
                 else f"more than {max(n_grid)} (extend --units)")
        if not pd.isna(row.smallest_n):
            at = table[(table["n_coders"] == row.n_coders)
                       & (table["n_units"] >= int(row.smallest_n))].sort_values("n_units")
            if len(at) and float(at["flagged"].iloc[0]) >= FLAGGED_WARN:
                where += (f" {UNTRUSTED_MARK} ({float(at['flagged'].iloc[0]):.0%} of the "
                          f"studies of {int(at['n_units'].iloc[0])} units get a ci_warning)")
        console.print(
            f"{row.n_coders} coders, α_min {row.alpha_min:.3f}: power {target_power:.0%} at {where}",
            highlight=False,
        )
    if reference:
        ref = ", ".join(f"α_min {k}: {v}" for k, v in reference.items())
        console.print(
            f"Krippendorff's minimum number of units (2 coders, significance .05, "
            f"p = {prevalence}): {ref}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.command("simulate")(simulate)
    app.command("plan")(plan)
