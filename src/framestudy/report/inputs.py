"""What the report is made from: the analysis stage's files, checked to be current.

:func:`read_inputs` reads a study's ``analysis/`` results (written by ``framestudy
agreement`` and ``framestudy outlets``), their run records, and the facts of the study
they describe (registry, tasks, outlets, the annotation table's sources). It refuses, with
one line saying what to run, results that are missing or whose inputs changed after they
were computed (:func:`framestudy.run_record.changed_inputs`): the report never puts numbers
from an older annotation table in front of a reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from framestudy.analysis.runs import ADJUDICATION_FILES, AGREEMENT_RUN, OUTLETS_RUN
from framestudy.analysis.runs import OUTLET_FILES as RUN_FILES
from framestudy.errors import UserError
from framestudy.run_record import changed_inputs, input_digests, read_run_record

if TYPE_CHECKING:
    from framestudy.annotations.table import TableSources
    from framestudy.study import Study

#: the outlet stage's tables the report reads: attribute -> file under analysis/ (missing
#: files read empty); the consensus table is read apart (only its disagreements)
OUTLET_FILES = {k: v for k, v in RUN_FILES.items() if k != "consensus"}

#: consensus.csv columns the report reads (the disagreement list)
CONSENSUS_USED = ["article_id", "outlet", "variable", "category", "span_label", "value",
                  "provenance", "n_coders", "n_agreeing", "values"]


@dataclass
class ReportInputs:
    """Everything the report shows, as read from the study (see :func:`read_inputs`)."""

    root: Path
    name: str
    schema: dict[str, str] | None  # name, version, hash of schemas/framing.yaml
    registry: list[dict]
    tasks: list[dict]  # each task's data (empty when tasks/tasks.json is missing)
    outlets: dict[str, dict]  # outlet id -> its registry entry (name, type, country...)
    coders: pd.DataFrame  # article_id, outlet, coder: who coded which article
    schema_hashes: list[str]  # the schema hashes the annotations were made under
    agreement: pd.DataFrame
    agreement_run: dict | None
    outlets_run: dict
    tables: dict[str, pd.DataFrame]  # OUTLET_FILES' tables
    disagreements: pd.DataFrame  # consensus rows that are not unanimous
    n_consensus: int
    sources: TableSources | None
    manifest: list[dict]
    #: ADJUDICATION_FILES' tables (empty when nothing was adjudicated)
    adjudication: dict[str, pd.DataFrame] = field(default_factory=dict)


def read_csv(path: str | Path) -> pd.DataFrame:
    """One of the ``analysis/`` CSVs as text: every cell as written (a category ``NA`` and a
    scale value ``+1`` stay so; an empty cell is ``""``); the report's formatting and the
    figure functions convert numbers. A missing file is an empty table."""
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame()
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path}: unreadable ({exc}) -- run `framestudy outlets` again to rewrite it"
        ) from None


def _current(record: dict, root: Path, file: Path, rerun: str) -> None:
    changed = changed_inputs(record, root)
    if changed:
        raise UserError(
            f"{file}: the results were computed before {', '.join(changed)} changed -- run "
            f"{rerun} again, then `framestudy report`"
        )


def _adjudication(study: Study, record: dict, file: Path) -> dict[str, pd.DataFrame]:
    """The adjudication tables the outlet comparison wrote (none when it wrote none);
    a decision table the comparison did not read is refused: its consensus values and
    tables would be missing or out of date."""
    adjudicated = study.adjudicated_csv
    name = next(iter(input_digests(study.root, [adjudicated])))
    if adjudicated.is_file() and name not in record.get("inputs", {}):
        raise UserError(
            f"{file}: the results were computed before {name} was written -- run "
            "`framestudy outlets` again, then `framestudy report`"
        )
    written = set(record.get("files", []))
    if not set(ADJUDICATION_FILES.values()) <= written:
        return {}
    return {key: read_csv(study.analysis_dir / name) for key, name in ADJUDICATION_FILES.items()}


def _schema(study: Study) -> dict[str, str] | None:
    if not study.schema_source.is_file():
        return None
    from framestudy.schema import load_schema

    schema = load_schema(study.schema_source)
    return {"name": str(schema.name), "version": str(schema.version), "hash": str(schema.hash)}


def _tasks(study: Study) -> list[dict]:
    if not study.tasks_json.is_file():
        return []
    from framestudy.tasks.tasks_file import read_tasks

    return [t.get("data", t) for t in read_tasks(study.tasks_json)]


def _outlets(study: Study) -> dict[str, dict]:
    if not study.outlets.is_file():
        return {}
    from framestudy.tasks.outlets import load_outlets

    return {o.id: o.model_dump() for o in load_outlets(study.outlets)}


def _annotation_facts(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Who coded which article, and the schema hashes the annotations carry (read from the
    table's columns only: the table of a large study is big)."""
    from framestudy.analysis.reliability_data import read_annotations

    rows = read_annotations(path, columns=["article_id", "outlet", "coder", "schema_hash"])
    hashes = sorted(set(rows["schema_hash"].dropna()) - {""})
    coders = rows[["article_id", "outlet", "coder"]].drop_duplicates().reset_index(drop=True)
    return coders, hashes


def _disagreements(path: Path) -> tuple[pd.DataFrame, int]:
    if not path.is_file():
        raise UserError(f"{path}: no such file -- run `framestudy outlets` first")
    try:
        frame = pd.read_csv(path, usecols=lambda c: c in CONSENSUS_USED, dtype=str,
                            keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path}: unreadable ({exc}) -- run `framestudy outlets` again to rewrite it"
        ) from None
    if "provenance" not in frame.columns:
        raise UserError(f"{path}: not a consensus table (no 'provenance' column) -- run "
                        "`framestudy outlets` again")
    kept = frame[frame["provenance"].isin(["unresolved", "majority"])]
    return kept.reset_index(drop=True), len(frame)


def read_inputs(study: Study) -> ReportInputs:
    """The report's inputs from ``study`` (a :class:`framestudy.study.Study`), or a
    :class:`UserError` saying which command to run first."""
    from framestudy.annotations.raw import read_manifest
    from framestudy.annotations.table import read_sources
    from framestudy.schema.registry_file import read_registry
    from framestudy.settings import study_name

    analysis = study.analysis_dir
    outlets_file = analysis / OUTLETS_RUN
    outlets_run = read_run_record(outlets_file, "framestudy outlets")
    if outlets_run is None:
        raise UserError(
            f"{outlets_file}: no outlet comparison yet -- run `framestudy agreement` and "
            "`framestudy outlets` first"
        )
    _current(outlets_run, study.root, outlets_file, "`framestudy agreement` and `framestudy outlets`")
    agreement_file = analysis / AGREEMENT_RUN
    agreement_run = read_run_record(agreement_file, "framestudy agreement")
    if agreement_run is not None:
        _current(agreement_run, study.root, agreement_file,
                 "`framestudy agreement` and `framestudy outlets`")
    agreement = read_csv(analysis / "agreement.csv")
    if agreement.empty:
        raise UserError(f"{analysis / 'agreement.csv'}: missing or empty -- run "
                        "`framestudy agreement` first")
    tables = {key: read_csv(analysis / file) for key, file in OUTLET_FILES.items()}
    adjudication = _adjudication(study, outlets_run, outlets_file)
    disagreements, n_consensus = _disagreements(analysis / "consensus.csv")
    coders, hashes = _annotation_facts(study.annotations_csv)
    name = study_name(study) if study.settings.is_file() else study.root.resolve().name
    return ReportInputs(
        root=study.root, name=name, schema=_schema(study),
        registry=[dict(r) for r in read_registry(study.registry)],
        tasks=_tasks(study), outlets=_outlets(study), coders=coders, schema_hashes=hashes,
        agreement=agreement, agreement_run=agreement_run, outlets_run=outlets_run,
        tables=tables, disagreements=disagreements, n_consensus=n_consensus,
        sources=read_sources(study.annotations_csv), manifest=read_manifest(study.raw_exports_dir),
        adjudication=adjudication,
    )


def json_text(value: Any) -> str:
    """A setting as compact JSON text (for the provenance list)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
