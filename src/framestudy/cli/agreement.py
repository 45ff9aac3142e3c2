"""``framestudy agreement``: inter-coder agreement for a data file or for the whole study."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from framestudy.analysis.runs import input_errors
from framestudy.analysis.vocabulary import (
    BOOTSTRAP_METHODS,
    LEVELS,
    UNTRUSTED_LEGEND,
    UNTRUSTED_MARK,
)
from framestudy.analysis.vocabulary import KAPPA_WEIGHTS as WEIGHTS
from framestudy.cli._common import console, study
from framestudy.cli._common import number as _fmt
from framestudy.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

# The engine (numpy, pandas, scipy) is imported by the command when it runs, not here:
# `framestudy --help` must not pay for it.


def _ci(entry: dict) -> str:
    if entry.get("ci_low") is None or entry.get("ci_high") is None:
        return ""
    mark = UNTRUSTED_MARK if entry.get("ci_warning") else ""
    return f"[{_fmt(entry['ci_low'])}, {_fmt(entry['ci_high'])}]{mark}"


def _note(name: str, entry: dict) -> str:
    if entry.get("reason"):
        return entry["reason"]
    notes = []
    if entry.get("ci_warning"):
        notes.append(f"{UNTRUSTED_MARK} {entry['ci_warning']}")
    if "p_below_0_667" in entry:
        mark = UNTRUSTED_MARK if entry.get("ci_warning") else ""
        notes.append(
            f"P(α<.667)={_fmt(entry['p_below_0_667'])}{mark}  "
            f"P(α<.800)={_fmt(entry['p_below_0_800'])}{mark}"
        )
    if entry.get("method"):
        notes.append(entry["method"])
    if entry.get("weights") and entry["weights"] != "identity":
        notes.append(f"{entry['weights']} weights")
    if entry.get("pairs") and name in ("cohen_kappa", "scott_pi"):
        notes.append(f"{len(entry['pairs'])} pair(s)")
    return "; ".join(notes)


def _show_report(report: dict, title: str) -> None:
    console.print(
        f"[bold]{title}[/]: {report['n_units']} units, {report['n_coders']} coders, "
        f"{report['n_pairable_values']} pairable values, level {report['level']}"
    )
    table = Table(show_lines=False)
    table.add_column("coefficient")
    table.add_column("estimate", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("note", overflow="fold")
    for name, entry in report["coefficients"].items():
        table.add_row(name, _fmt(entry.get("estimate")), _ci(entry), _note(name, entry))
        if name == "unitizing_alpha":
            for cat, sub in entry.get("by_category", {}).items():
                table.add_row(f"  {cat}", _fmt(sub.get("estimate")), "", sub.get("reason") or "")
            for mode, f1 in entry.get("span_f1", {}).items():
                table.add_row(
                    f"span F1 ({mode})", _fmt(f1.get("estimate")), "", "mean over coder pairs"
                )
            for cat, sub in entry.get("presence_alpha", {}).items():
                table.add_row(
                    f"presence α {cat}", _fmt(sub.get("estimate")), "", sub.get("reason") or ""
                )
    console.print(table)
    if any(entry.get("ci_warning") for entry in report["coefficients"].values()):
        console.print(UNTRUSTED_LEGEND)


def _cells(series: pd.Series) -> list[str]:
    """A column as text: integer columns as they are, other numbers with 3 decimals."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(series):
        return [str(v) for v in series.tolist()]
    return [
        _fmt(v) if isinstance(v, float) else ("" if v is None else str(v)) for v in series.tolist()
    ]


def _frame_tables(frame: pd.DataFrame, title: str, limit: int | None = None) -> list[Table]:
    """``frame`` as rich tables that fit the terminal: numbers and labels are never
    shortened, text columns wrap, and a table wider than the terminal (a coincidence or
    kappa matrix with many categories or long coder names) is split into column blocks."""
    import pandas as pd

    shown = frame if limit is None else frame.head(limit)
    label = frame.index.name
    labels = [str(i) for i in shown.index] if label else []
    columns = {str(c): _cells(shown[c]) for c in frame.columns}
    text = {c for c in map(str, frame.columns) if not pd.api.types.is_numeric_dtype(frame[c])} - {
        str(label)
    }
    width = console.width

    def size(name: str, cells: list[str]) -> int:
        return max([len(name), *map(len, cells)])

    fixed = [c for c in columns if c not in text]
    room = width - (size(label, labels) + 1 if label else 0)
    blocks: list[list[str]] = [[]]
    used = 0
    for c in fixed:
        need = size(c, columns[c]) + 1
        if blocks[-1] and used + need > room:
            blocks.append([])
            used = 0
        blocks[-1].append(c)
        used += need
    blocks[-1] += [c for c in columns if c in text]
    tables = []
    for i, block in enumerate(blocks):
        part = f" ({i + 1}/{len(blocks)})" if len(blocks) > 1 else ""
        table = Table(
            title=title + part, box=None, padding=(0, 1, 0, 0), show_edge=False,
            header_style="bold", min_width=min(len(title + part), width),
        )  # fmt: skip
        if label:
            table.add_column(label, no_wrap=True)
        order = [c for c in columns if c in block]
        for c in order:
            if c in text:
                table.add_column(c, overflow="fold", ratio=1, min_width=min(len(c), 12))
            else:
                table.add_column(c, justify="right", no_wrap=True)
        for r in range(len(shown)):
            table.add_row(*([labels[r]] if label else []), *(columns[c][r] for c in order))
        tables.append(table)
    return tables


# rows that are not a variable's own alpha say what they are in the "variable" cell
_METRIC_TAGS = {
    "unitizing_alpha": "α_U",
    "alpha_nominal_presence": "presence",
    "span_f1_exact": "F1 exact",
    "span_f1_overlap": "F1 overlap",
}
_NOT_ALPHA = ("span_f1_exact", "span_f1_overlap")


def _row_label(variable: str, metric: str, category: str) -> str:
    tag = _METRIC_TAGS.get(metric)
    name = f"{variable} {tag}" if tag else variable
    return f"{name}: {category}" if category else name


def _short_reason(reason: str) -> str:
    """The headline of each part of a reason ("no pairable values: no unit has ..." ->
    "no pairable values"); the whole text is in the CSV."""
    return "; ".join(part.split(": ", 1)[0] for part in reason.split("; ") if part)


def _warning(value) -> str:
    """A ci_warning cell as text ("" for none: empty, NaN or missing)."""
    return value if isinstance(value, str) else ""


def _study_table(results: pd.DataFrame) -> Table:
    """The study-mode summary: what a reader needs first, narrow enough for an 80-column
    terminal (the label, α and its CI never wrap or shrink; the reason wraps). Everything
    else (metric, AC1, counts, P(α<...), the reasons in full) is in analysis/agreement.csv."""
    import pandas as pd

    from framestudy.analysis.json_report import verdict

    by_outlet = (results["outlet"] != "all").any()
    table = Table(
        title="Agreement by variable",
        box=None,
        padding=(0, 1, 0, 0),
        show_edge=False,
        header_style="bold",
    )
    table.add_column("variable", no_wrap=True)
    if by_outlet:
        table.add_column("outlet", overflow="fold", max_width=16)
    table.add_column("α", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("reason", overflow="fold", ratio=1)
    for row in results.itertuples():
        warning = _warning(getattr(row, "ci_warning", ""))
        ci = "" if pd.isna(row.ci_low) else (
            f"[{_fmt(row.ci_low, 2)}, {_fmt(row.ci_high, 2)}]{UNTRUSTED_MARK if warning else ''}"
        )
        reason = _short_reason(str(row.reason))
        if warning:
            reason = "; ".join(filter(None, [reason, f"CI: {_short_reason(warning)}"]))
        cells = [_row_label(str(row.variable), str(row.metric), str(row.category))]
        if by_outlet:
            cells.append(str(row.outlet))
        cells += [
            _fmt(row.estimate),
            ci,
            "" if row.metric in _NOT_ALPHA else verdict(row.estimate, row.ci_low, warning),
            reason,
        ]
        table.add_row(*cells)
    return table


def _check_choice(value: str, choices, option: str) -> None:
    if value not in choices:
        raise UserError(f"{option} {value!r} is not one of {', '.join(choices)}")


def agreement(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Reliability data CSV (wide: unit, coder1, coder2, ...; long: unit, coder, value) "
            "or, with --unitizing, a spans CSV. Without FILE: the whole study.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        str, typer.Option("--level", help="nominal, ordinal, interval or ratio (for alpha).")
    ] = "nominal",
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="identity, linear or quadratic (weighted kappa, AC2, ...); equal or squared: "
            "R irr's kappa2 weights, over the ranks of the values observed.",
        ),
    ] = "identity",
    categories: Annotated[
        str | None,
        typer.Option(
            "--categories", help="The values in order, comma-separated, e.g. low,mid,high."
        ),
    ] = None,
    bootstrap: Annotated[
        int,
        typer.Option("--bootstrap", min=0, help="Bootstrap replicates for alpha's CI (0 = none)."),
    ] = 1000,
    bootstrap_method: Annotated[
        str,
        typer.Option("--bootstrap-method", help="units (resample units) or krippendorff (KALPHA)."),
    ] = "units",
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same CI.")
    ] = 0,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON (see README).")
    ] = False,
    unitizing: Annotated[
        bool,
        typer.Option(
            "--unitizing",
            help="FILE holds spans: document (optional), coder, category, start, end.",
        ),
    ] = False,
    length: Annotated[
        int | None,
        typer.Option("--length", min=1, help="Continuum length for --unitizing (characters)."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Study mode: also alpha per 'outlet'.")
    ] = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Also show the coincidence matrix and per-category/per-coder tables."
        ),
    ] = False,
    disagreements: Annotated[
        Path | None,
        typer.Option(
            "--disagreements",
            help="Write the ranked list of disagreeing units to this CSV.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Inter-coder agreement: Krippendorff's alpha with a bootstrap CI, kappas, Gwet's AC1/AC2.

    With FILE, every coefficient for that reliability data; with --unitizing, Krippendorff's
    unitizing alpha, span F1 and presence alpha for spans. Without FILE, every schema
    variable of the study (annotations/annotations.csv, schemas/registry.json), each with
    the metric its level calls for, written to analysis/agreement.csv (and the run's seed
    and inputs to analysis/agreement.json).

    Example: framestudy agreement codes.csv --level ordinal --categories low,mid,high --json
    Example: framestudy agreement --by outlet
    """
    _check_choice(level, LEVELS, "--level")
    _check_choice(weights, WEIGHTS, "--weights")
    _check_choice(bootstrap_method, BOOTSTRAP_METHODS, "--bootstrap-method")
    if by is not None:
        _check_choice(by, ("outlet",), "--by")
    from framestudy.analysis.reliability_data import parse_categories

    cats = parse_categories(categories)
    if file is None:
        if unitizing:
            raise UserError("--unitizing needs a spans FILE (study mode finds spans by itself)")
        if bootstrap_method != "units":
            raise UserError(
                "study mode uses the units bootstrap; --bootstrap-method works with a FILE"
            )
        _study_mode(by, bootstrap, seed, json_output, disagreements)
        return
    if by is not None:
        raise UserError(
            "--by works in study mode only (run `framestudy agreement --by outlet` without FILE)"
        )
    if unitizing:
        _unitizing_mode(file, length, bootstrap, seed, json_output)
        return
    _file_mode(file, level, weights, cats, bootstrap, bootstrap_method, seed, json_output,
               details, disagreements)


def _unitizing_mode(file: Path, length: int | None, n_boot: int, seed: int, json_output: bool) -> None:
    """Unitizing alpha, span F1 and presence alpha for a spans CSV."""
    from framestudy.analysis.json_report import unitizing_report
    from framestudy.analysis.reliability_data import read_spans_csv

    spans, lengths = read_spans_csv(file, length)
    with input_errors(str(file)):
        report = unitizing_report(spans, lengths, n_boot=n_boot, seed=seed)
    if json_output:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _show_report(report, str(file))


def _file_mode(
    file: Path, level: str, weights: str, cats: list | None, n_boot: int, bootstrap_method: str,
    seed: int, json_output: bool, details: bool, disagreements: Path | None,
) -> None:
    """Every coefficient for one reliability-data CSV, with the diagnostics on request."""
    from framestudy.analysis.data import AgreementInputError, CategoryOrderError
    from framestudy.analysis.json_report import agreement_diagnostics, agreement_report
    from framestudy.analysis.reliability_data import read_reliability_csv
    from framestudy.io import atomic_write_csv

    data = read_reliability_csv(file, level, cats)
    with input_errors(str(file)):
        try:
            report = agreement_report(
                data,
                level,
                weights,
                cats,
                n_boot=n_boot,
                seed=seed,
                bootstrap_method=bootstrap_method,
            )
        except CategoryOrderError as exc:
            raise UserError(
                f"{file}: --weights {weights} needs the values in order, and text values "
                f"({exc.shown}) have none -- pass --categories listing them lowest first"
            ) from None
    diag = None
    if details or disagreements:
        try:
            diag = agreement_diagnostics(data, level, weights, cats)
        except AgreementInputError as exc:
            raise UserError(f"{file}: {exc} -- drop --details/--disagreements") from None
    if disagreements is not None:
        atomic_write_csv(disagreements, diag["disagreements"])
    if json_output:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    _show_report(report, str(file))
    if details:
        _show_details(diag)
    if disagreements is not None:
        console.print(f"wrote {disagreements}", soft_wrap=True)


def _show_details(diag: dict) -> None:
    """The diagnostics (``--details``) as tables that fit the terminal (the per-coder
    columns of the ranked units are left out: ``values`` says who said what)."""
    from framestudy.analysis.diagnostics import RANKING_COLUMNS

    pk = diag["pairwise_kappa"].copy()
    pk.index.name = "coder"
    ranked = diag["disagreements"][list(RANKING_COLUMNS)]
    for frame, title, limit in (
        (diag["coincidence"], "Coincidence matrix", None),
        (diag["per_category"], "Per category", None),
        (diag["leave_one_coder_out"], "Alpha without each coder", None),
        (pk, "Pairwise Cohen's kappa", None),
        (ranked, "Most disagreeing units", 10),
    ):
        for table in _frame_tables(frame, title, limit):
            console.print(table)


def _study_mode(
    by: str | None, n_boot: int, seed: int, json_output: bool, disagreements: Path | None
) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from framestudy.analysis.reliability_data import read_annotations
    from framestudy.analysis.runs import AGREEMENT_FILE, run_agreement
    from framestudy.analysis.variable_agreement import study_disagreements
    from framestudy.io import atomic_write_csv
    from framestudy.schema.registry_file import read_registry

    paths = study()
    registry = read_registry(paths.registry)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=json_output,
    ) as progress:
        task = progress.add_task("agreement", total=len(registry))

        def advance(variable: str) -> None:
            progress.update(task, advance=1, description=f"agreement: {variable}")

        results = run_agreement(paths, seed=seed, n_boot=n_boot, by=by, progress=advance)
    out = paths.analysis_dir / AGREEMENT_FILE
    if disagreements is not None:
        annotations = read_annotations(paths.annotations_csv)
        with input_errors(f"{paths.annotations_csv} with {paths.registry}"):
            ranked = study_disagreements(annotations, registry)
        atomic_write_csv(disagreements, ranked)
    if json_output:
        records = json.loads(results.to_json(orient="records"))
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    console.print(_study_table(results))
    if "ci_warning" in results and results["ci_warning"].map(_warning).ne("").any():
        console.print(UNTRUSTED_LEGEND)
    console.print(
        f"wrote {out}"
        + (f" and {disagreements}" if disagreements else "")
        + " (every column, reasons in full)",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the ``agreement`` command to the root app."""
    app.command("agreement")(agreement)
