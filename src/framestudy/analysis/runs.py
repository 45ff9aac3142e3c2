"""The study's analysis runs, as ``framestudy agreement`` (study mode) and ``framestudy
outlets`` make them: read the study's inputs, compute, write the results under
``analysis/`` and the run record beside them (:mod:`framestudy.run_record`).

One home for what the commands compute, so that ``framestudy reproduce`` recomputes the
committed results through exactly the code that made them: the commands call
:func:`run_agreement` and :func:`run_outlets` and only print; ``reproduce`` calls them on a
temporary copy of the study's inputs with the settings the run records hold. The
statistics themselves are the pure functions of
:func:`framestudy.analysis.variable_agreement.study_agreement` and
:func:`framestudy.analysis.outlets.outlet_analysis` (their docstrings cite the methods);
this module only reads the inputs, passes the settings on and writes the files.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING

from framestudy.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from framestudy.analysis.outlets import OutletAnalysis
    from framestudy.settings import GateSettings
    from framestudy.study import Study

#: the study-mode agreement table and its run record, under analysis/
AGREEMENT_FILE = "agreement.csv"
AGREEMENT_RUN = "agreement.json"

#: what ``framestudy outlets`` writes under analysis/: result attribute -> file
#: (docs/outlets.md, "Files")
OUTLET_FILES = {
    "consensus": "consensus.csv",
    "gate": "gate.csv",
    "prevalence": "outlet_prevalence.csv",
    "tests": "outlet_tests.csv",
    "pairs": "outlet_pairs.csv",
    "models": "outlet_models.csv",
    "ca": "outlet_ca.csv",
    "ordinal": "outlet_ordinal.csv",
    "density": "outlet_density.csv",
    "density_tests": "outlet_density_tests.csv",
}

#: the columns of annotations/annotations.csv the outlet comparison reads (the others are
#: not read: a third of the time on a large table)
OUTLET_ANNOTATION_COLUMNS = ("article_id", "outlet", "coder", "variable", "value", "span_id",
                             "span_start", "span_end")

#: the outlet comparison's run record, under analysis/
OUTLETS_RUN = "outlets.json"

#: what ``framestudy outlets`` writes under analysis/ when the study has adjudicated
#: decisions (``annotations/adjudicated.csv``): table -> file (docs/report.md, "Adjudication")
ADJUDICATION_FILES = {
    "articles": "adjudication_articles.csv",
    "coders": "adjudication_coders.csv",
    "variables": "adjudication_variables.csv",
    "schemas": "adjudication_schemas.csv",
}

#: the Monte Carlo tests' resamples (the library's default; not an option of the command)
N_RESAMPLES = 9999


def run_agreement(
    paths: Study,
    *,
    seed: int = 0,
    n_boot: int = 1000,
    by: str | None = None,
    progress: Callable[[str], None] | None = None,
    where: str | None = None,
) -> pd.DataFrame:
    """Every schema variable's agreement for the study at ``paths`` (a
    :class:`framestudy.study.Study`): reads ``annotations/annotations.csv``,
    ``schemas/registry.json`` and ``tasks/tasks.json`` (text lengths, when present), writes
    ``analysis/agreement.csv`` and its run record ``analysis/agreement.json`` (seed,
    bootstrap, by, the inputs' SHA-256) and returns the table.

    ``progress(variable)`` is called as each variable is done. The engine's input errors
    become a one-line :class:`UserError` naming ``where`` (default: the table and the
    registry).
    """
    from framestudy.analysis.reliability_data import read_annotations, read_document_lengths
    from framestudy.analysis.variable_agreement import study_agreement
    from framestudy.io import atomic_write_csv
    from framestudy.run_record import write_run_record
    from framestudy.schema.registry_file import read_registry

    registry = read_registry(paths.registry)
    annotations = read_annotations(paths.annotations_csv)
    lengths = read_document_lengths(paths.tasks_json)
    with input_errors(where or f"{paths.annotations_csv} with {paths.registry}"):
        results = study_agreement(
            annotations, registry, lengths, by=by, n_boot=n_boot, seed=seed, progress=progress
        )
    out = paths.analysis_dir / AGREEMENT_FILE
    atomic_write_csv(out, results)
    write_run_record(
        paths.analysis_dir / AGREEMENT_RUN, command="framestudy agreement", root=paths.root,
        inputs=[paths.annotations_csv, paths.registry, paths.tasks_json], files=[out.name],
        settings={"seed": seed, "bootstrap": n_boot, "by": by},
    )
    return results


def run_outlets(
    paths: Study,
    *,
    settings: GateSettings,
    override: bool = False,
    seed: int = 0,
    n_boot: int = 1000,
    n_resamples: int = N_RESAMPLES,
    models: bool = True,
    where: str | None = None,
) -> OutletAnalysis:
    """The study's outlet comparison at ``paths``: reads ``annotations/annotations.csv``,
    ``schemas/registry.json``, ``analysis/agreement.csv`` and, when present,
    ``tasks/tasks.json``, ``tasks/outlets.yaml`` and the adjudicator's decisions
    ``annotations/adjudicated.csv`` (``framestudy adjudicate pull``); writes :data:`OUTLET_FILES` under
    ``analysis/`` and the run record ``analysis/outlets.json`` (seed, bootstrap,
    resamples, models, the gate's ``settings`` and whether they were overridden, the
    inputs' SHA-256); returns the result. ``where`` names the inputs in an input error
    (default: the table and the registry).
    """
    from framestudy.analysis.consensus import write_consensus
    from framestudy.analysis.outlets import WordCountError, outlet_analysis
    from framestudy.analysis.reliability_data import read_agreement, read_annotations
    from framestudy.annotations.adjudicated import read_adjudicated
    from framestudy.io import atomic_write_csv
    from framestudy.run_record import write_run_record
    from framestudy.schema.registry_file import read_registry
    from framestudy.tasks.outlets import load_outlets
    from framestudy.tasks.tasks_file import read_tasks

    registry = read_registry(paths.registry)
    decisions = read_adjudicated(paths.adjudicated_csv) if paths.adjudicated_csv.is_file() else None
    columns = (OUTLET_ANNOTATION_COLUMNS if decisions is None  # the tables need schema_hash
               else (*OUTLET_ANNOTATION_COLUMNS, "schema_hash"))
    annotations = read_annotations(paths.annotations_csv, columns=columns)
    agreement = read_agreement(paths.analysis_dir / AGREEMENT_FILE)
    tasks = read_tasks(paths.tasks_json) if paths.tasks_json.is_file() else None
    registry_of_outlets = load_outlets(paths.outlets) if paths.outlets.is_file() else None
    where = where or f"{paths.annotations_csv} with {paths.registry}"
    if decisions is not None:  # its rows must address the consensus rows: name it too
        where = f"{where} and {paths.adjudicated_csv.relative_to(paths.root)}"
    with input_errors(where):
        try:
            result = outlet_analysis(
                annotations, registry, agreement, settings=settings, override=override,
                seed=seed, n_boot=n_boot, n_resamples=n_resamples, models=models,
                tasks=tasks, outlets=registry_of_outlets, adjudicated=decisions,
            )
        except WordCountError as exc:
            raise UserError(f"{paths.tasks_json}: {exc}") from None
    written = []
    for name, file in OUTLET_FILES.items():
        target = paths.analysis_dir / file
        if name == "consensus":  # (44 MB on 10 x 1,000 x 3: its own, faster writer)
            write_consensus(result.consensus, target)
        else:
            atomic_write_csv(target, getattr(result, name))
        written.append(target)
    adjudication_inputs, adjudication_files = run_adjudication(
        paths, registry, annotations, decisions, tasks)
    written += adjudication_files
    write_run_record(
        paths.analysis_dir / OUTLETS_RUN, command="framestudy outlets", root=paths.root,
        inputs=[paths.annotations_csv, paths.registry, paths.analysis_dir / AGREEMENT_FILE,
                paths.tasks_json, paths.outlets, paths.adjudicated_csv,
                *[p for p in adjudication_inputs if p != paths.adjudicated_csv]],
        files=[p.name for p in written],
        settings={
            "seed": seed, "bootstrap": n_boot, "n_resamples": n_resamples,
            "models": bool(models), "gate": settings.model_dump(), "gate_overridden": override,
            "articles_needed": result.articles_needed,
        },
    )
    return result


def run_adjudication(paths: Study, registry, annotations, decisions, tasks) -> tuple[list, list]:
    """The adjudication tables of the study at ``paths``
    (:mod:`framestudy.analysis.adjudication`), written under ``analysis/`` as
    :data:`ADJUDICATION_FILES` when ``annotations/adjudicated.csv`` has decisions (and
    removed when it has none, so that no table outlives its decisions). Returns the
    inputs read (the decision table and the schema, when the decision table exists: a run
    record then notices the table changing, appearing or going) and the files written.
    ``registry``, ``annotations`` (with ``schema_hash``), ``decisions`` (None without the
    file) and ``tasks`` (None without ``tasks/tasks.json``): as ``run_outlets`` read them."""
    from framestudy.analysis import adjudication
    from framestudy.analysis.consensus import coder_votes
    from framestudy.io import atomic_write_csv

    inputs = [] if decisions is None else [paths.adjudicated_csv, paths.schema_source]
    targets = {k: paths.analysis_dir / f for k, f in ADJUDICATION_FILES.items()}
    if decisions is None or decisions.empty:
        for target in targets.values():
            target.unlink(missing_ok=True)
        return inputs, []
    records = [dict(r) for r in registry]
    rules, versions = {}, {}
    if paths.schema_source.is_file():
        from framestudy.schema import load_schema

        schema = load_schema(paths.schema_source)
        rules, versions = schema.decision_rules(), {schema.hash: schema.version}
    for task in tasks or []:
        data = task.get("data", task)
        if data.get("schema_hash") and data.get("schema_version"):
            versions.setdefault(str(data["schema_hash"]), str(data["schema_version"]))
    decided = set(decisions["article_id"])
    with input_errors(f"{paths.annotations_csv} with {paths.adjudicated_csv}"):
        votes = coder_votes(annotations[annotations["article_id"].isin(decided)], records)
        units = adjudication.decision_units(votes, decisions)
        tables = {
            "articles": adjudication.adjudicated_articles(decisions),
            "coders": adjudication.sided_with(units, [r["variable"] for r in records]),
            "variables": adjudication.variable_disagreement(units, records, rules),
            "schemas": adjudication.schema_versions(annotations, decisions, versions),
        }
    for name, target in targets.items():
        atomic_write_csv(target, tables[name])
    return inputs, list(targets.values())


@contextmanager
def input_errors(where: str):
    """The analysis engine's input errors (``AgreementInputError``, a ValueError) as the
    one-line :class:`UserError` of the command line, prefixed with the file (or data) they
    concern."""
    from framestudy.analysis.data import AgreementInputError

    try:
        yield
    except AgreementInputError as exc:
        raise UserError(f"{where}: {exc}") from None
