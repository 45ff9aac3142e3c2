"""``framestudy reproduce``: recompute a study's committed results from its raw exports,
offline, and say whether they are what the repository holds (docs/reproduce.md).

The steps, each a function of its own:

1. :func:`check_exports` -- every raw export the table was built from (the table's sources
   record, ``annotations/annotations.sources.json``) and every export the manifest
   (``annotations/raw/manifest.json``) lists is hashed and compared with the SHA-256 both
   record; one line per mismatch. A mismatch stops here: results recomputed from other
   exports say nothing about the committed ones.
2. :func:`rebuild_table` -- the tidy table is built again from those exports with the schema
   (``schemas/framing.yaml``) and the recorded ``build`` settings (users, project owners,
   foreign annotations), through the functions ``framestudy pull`` uses, and compared with the
   committed ``annotations/annotations.csv``.
3. :func:`recompute` -- a temporary study folder gets the inputs the run records name
   (registry, tasks, outlets) and the rebuilt table; ``framestudy agreement`` and
   ``framestudy outlets`` are run there through :mod:`framestudy.analysis.runs` (the code
   the commands run) with the seeds and settings of ``analysis/agreement.json`` and
   ``analysis/outlets.json``.
4. :func:`compare_tables` -- each recomputed CSV is compared with the committed one value
   by value: the same files, columns and rows (matched by their key columns,
   :data:`KEY_COLUMNS`), numbers equal within :data:`RTOL`/:data:`ATOL`, text exactly.
   The report (``report.html``/``.md``, figures) is presentation and names the machine it
   was drawn on (package versions, their digest), so its bytes are not compared: :func:`check_report` checks that it exists and that it was made
   from the committed runs.
5. :func:`lock_differences` -- installed package versions against the repository's
   ``requirements.lock``: a warning, never a failure by itself.

:func:`reproduce` runs them all and returns a :class:`Reproduction`; the command prints it
(:func:`diff_lines`). The comparisons are pure (DataFrames or text in, lines out).
"""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framestudy.environment import COMPUTING, installed_versions, lock_file, normalized
from framestudy.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from framestudy.annotations.table import TableSources
    from framestudy.study import Study

#: numbers are equal when ``|a - b| <= ATOL + RTOL * |b|`` (``math.isclose`` with both):
#: far above the error of a CSV round trip (17 significant digits, exact) and of BLAS or
#: optimiser noise between machines (~1e-12 to 1e-8 relative), far below the 3 decimals a
#: paper reports
RTOL = 1e-6
ATOL = 1e-9

#: the columns that name a row of each result file (docs/reproduce.md); a file not listed
#: is matched row by row
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "annotations.csv": ("article_id", "coder", "variable", "value", "span_id"),
    "agreement.csv": ("variable", "metric", "category", "outlet"),
    "consensus.csv": ("article_id", "variable", "category", "span_label", "span_start",
                      "span_end"),
    "gate.csv": ("variable", "category", "metric"),
    "outlet_prevalence.csv": ("by", "variable", "category", "group", "value"),
    "outlet_tests.csv": ("by", "variable", "category"),
    "outlet_pairs.csv": ("by", "variable", "category", "group_a", "group_b"),
    "outlet_models.csv": ("variable", "category", "model", "term", "group", "outcome"),
    "outlet_ca.csv": ("table", "part", "dimension", "side", "label"),
    "outlet_ordinal.csv": ("by", "variable", "group", "value"),
    "outlet_density.csv": ("by", "group", "label", "attribute", "attribute_value"),
    "outlet_density_tests.csv": ("by", "label", "attribute", "attribute_value"),
}

#: how many differing package versions the warning lists (the rest are counted)
LOCK_SHOWN = 10

#: the report's files under analysis/ (written by ``framestudy report``)
REPORT_FILES = ("report.html", "report.md")

#: keys of a run record that describe the run rather than its results
_RUN_FACTS = ("command", "framestudy_version", "created", "inputs", "files")

#: what is recomputed rather than copied into the temporary study
_RECOMPUTED_INPUTS = ("annotations/annotations.csv", "analysis/agreement.csv")


@dataclass(frozen=True)
class Difference:
    """One way a committed file differs from what was recomputed: ``file`` (relative to
    the study), the row's key (``None``: the file as a whole), the column, and the two
    values as written (``None`` where the line says something else, in ``note``)."""

    file: str
    row: str | None = None
    column: str | None = None
    committed: str | None = None
    recomputed: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        where = self.file + (f" [{self.row}]" if self.row else "")
        if self.note is not None:
            return f"{where}: {self.note}"
        return (f"{where} {self.column}: committed {_shown(self.committed)}, "
                f"recomputed {_shown(self.recomputed)}")


@dataclass
class Reproduction:
    """What :func:`reproduce` found."""

    exports: list[str] = field(default_factory=list)  # raw exports checked (study paths)
    export_problems: list[str] = field(default_factory=list)  # one line per mismatch
    table_identical: bool | None = None  # None: not rebuilt (the exports differ)
    runs: list[str] = field(default_factory=list)  # what was recomputed, with its settings
    compared: list[str] = field(default_factory=list)  # files compared value by value
    rows: int = 0  # committed rows compared
    differences: list[Difference] = field(default_factory=list)
    report: list[str] = field(default_factory=list)  # what the report check found (notes)
    warnings: list[str] = field(default_factory=list)  # worth knowing, not a failure

    @property
    def reproduced(self) -> bool:
        return not self.export_problems and not self.differences


# -- 1. the raw exports ------------------------------------------------------------------


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def check_exports(study: Study) -> tuple[TableSources, list[Path], list[str]]:
    """The table's sources record, the export files it names (in its order), and one line
    per export whose bytes are not those recorded (by the sources record or the manifest),
    or that the manifest lists but is missing. A missing sources record, manifest or named
    export is a :class:`UserError`."""
    from framestudy.annotations.raw import manifest_path, read_manifest
    from framestudy.annotations.table import read_sources, sources_path
    from framestudy.io import sha256_file

    root = study.root
    record = sources_path(study.annotations_csv)
    if not study.annotations_csv.is_file():
        raise UserError(f"{study.annotations_csv}: missing annotation table -- restore it "
                        "(git checkout annotations/) or run `framestudy pull`")
    sources = read_sources(study.annotations_csv)
    if sources is None:
        raise UserError(
            f"{record}: missing -- it names the raw exports the table was built from; "
            "rebuild the table with `framestudy pull` (or `framestudy annotations import`) "
            "and commit annotations/ with it"
        )
    manifest_file = manifest_path(study.raw_exports_dir)
    if not manifest_file.is_file():
        raise UserError(f"{manifest_file}: missing -- restore it from git (it lists each "
                        "raw export's SHA-256)")
    manifest = {e["file"]: e for e in read_manifest(study.raw_exports_dir)}
    folder = study.annotations_csv.parent
    paths: list[Path] = []
    recorded: dict[Path, dict[str, str]] = {}  # export -> {record name: SHA-256 it records}
    for source in sources.exports:
        path = Path(source.file) if os.path.isabs(source.file) else folder / source.file
        if not path.is_file():
            raise UserError(
                f"{_relative(path, root)}: missing raw export (named in {record.name}) -- "
                "restore it (git checkout annotations/raw)"
            )
        paths.append(path)
        recorded.setdefault(path.resolve(), {})[record.name] = source.sha256
    problems: list[str] = []
    for name, entry in manifest.items():
        path = study.raw_exports_dir / name
        if path.is_file():
            recorded.setdefault(path.resolve(), {})[manifest_file.name] = entry["sha256"]
        else:
            problems.append(f"{_relative(path, root)}: listed in {manifest_file.name} but "
                            "missing -- restore it (git checkout annotations/raw)")
    for path, records in recorded.items():
        shown = _relative(path, root)
        if path.parent == study.raw_exports_dir.resolve() and manifest_file.name not in records:
            problems.append(f"{shown}: not listed in {manifest_file.name}")
        digest = sha256_file(path)
        wrong = {who: sha for who, sha in records.items() if sha != digest}
        if not wrong:
            continue
        if len(set(wrong.values())) == 1:
            verb = "records" if len(wrong) == 1 else "record"
            said = f"{' and '.join(wrong)} {verb} {next(iter(wrong.values()))[:12]}…"
        else:
            said = ", ".join(f"{who} records {sha[:12]}…" for who, sha in wrong.items())
        problems.append(f"{shown}: SHA-256 {digest[:12]}… but {said} (changed since)")
    return sources, paths, problems


# -- 2. the tidy table -------------------------------------------------------------------


def rebuild_table(study: Study, sources: TableSources, exports: Sequence[Path],
                  target: Path) -> Path:
    """The tidy table rebuilt from ``exports`` with the schema and ``sources.build``, the
    way ``framestudy pull`` builds it, written to ``target`` (see
    :func:`framestudy.annotations.tidy.tidy_from_export`)."""
    from framestudy.annotations import read_export, tidy_from_export, write_tidy

    schema = None
    if study.schema_source.is_file():
        from framestudy.schema import load_schema

        schema = load_schema(study.schema_source)
    tasks: list = []
    for path in exports:
        tasks.extend(read_export(path))
    table, _report = tidy_from_export(tasks, schema=schema, **sources.build.model_dump())
    return write_tidy(table, target)


# -- 3. the analysis runs ----------------------------------------------------------------


def _setting(record: Mapping, key: str, kinds: tuple[type, ...], file: Path, rerun: str):
    value = record.get(key, ...)
    if value is ... or not isinstance(value, kinds) or (
        bool not in kinds and isinstance(value, bool)
    ):
        raise UserError(
            f"{file}: '{key}' is missing or of the wrong kind -- run `{rerun}` again with the "
            "settings you published, and commit analysis/"
        )
    return value


def _run_records(study: Study) -> tuple[dict, dict | None]:
    """The committed run records (agreement, outlets); outlets may be absent when there
    are no outlet results."""
    from framestudy.analysis.runs import AGREEMENT_RUN, OUTLET_FILES, OUTLETS_RUN
    from framestudy.run_record import read_run_record

    analysis = study.analysis_dir
    agreement = read_run_record(analysis / AGREEMENT_RUN, "framestudy agreement")
    if agreement is None:
        raise UserError(
            f"{analysis / AGREEMENT_RUN}: missing run record (the seed and settings the "
            "results were computed with) -- run `framestudy agreement` with the settings you "
            "published and commit analysis/"
        )
    outlets = read_run_record(analysis / OUTLETS_RUN, "framestudy outlets")
    if outlets is None and any((analysis / f).is_file() for f in OUTLET_FILES.values()):
        raise UserError(
            f"{analysis / OUTLETS_RUN}: missing run record of the outlet results beside it "
            "-- run `framestudy outlets` with the settings you published and commit analysis/"
        )
    return agreement, outlets


def _input_problems(study: Study, records: Iterable[tuple[str, dict]]) -> list[Difference]:
    """Inputs whose committed content is not what the run read."""
    from framestudy.run_record import input_digests

    out = []
    for name, record in records:
        recorded = record.get("inputs", {})
        now = input_digests(study.root, [study.root / p for p in recorded])
        for path, digest in recorded.items():
            if now.get(path) == digest:
                continue
            if digest is None:
                what = "did not exist when the results were computed; it does now"
            elif now.get(path) is None:
                what = "was read when the results were computed and is missing now"
            else:
                what = (f"is not the file the results were computed from (SHA-256 "
                        f"{now[path][:12]}…, the run read {digest[:12]}…)")
            out.append(Difference(f"analysis/{name}", note=f"input {path} {what}"))
    return out


def _prepare(study: Study, work: Path, records: Iterable[dict]) -> None:
    """Copy the inputs the runs read (as committed) into the temporary study ``work``."""
    for record in records:
        for name, digest in record.get("inputs", {}).items():
            source = study.root / name
            if digest is None or name in _RECOMPUTED_INPUTS or os.path.isabs(name):
                continue
            if not source.is_file():
                raise UserError(f"{source}: missing (the committed results were computed from "
                                "it) -- restore it from git")
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, work / name)


def recompute(study: Study, work: Path, agreement_run: dict, outlets_run: dict | None,
              step: Callable[[str], None] | None = None) -> list[str]:
    """Run agreement and outlets in the temporary study ``work`` (its table already
    rebuilt) with the recorded settings; returns what was run, with its settings."""
    from framestudy.analysis.runs import AGREEMENT_RUN, OUTLETS_RUN, run_agreement, run_outlets
    from framestudy.errors import validated
    from framestudy.settings import GateSettings
    from framestudy.study import Study as _Study

    say = step or (lambda text: None)
    place = _Study(work)
    a_file = study.analysis_dir / AGREEMENT_RUN
    seed = _setting(agreement_run, "seed", (int,), a_file, "framestudy agreement")
    n_boot = _setting(agreement_run, "bootstrap", (int,), a_file, "framestudy agreement")
    by = _setting(agreement_run, "by", (str, type(None)), a_file, "framestudy agreement")
    if by not in (None, "outlet") or n_boot < 0:
        raise UserError(f"{a_file}: 'by' or 'bootstrap' holds a value `framestudy agreement` "
                        "does not write -- run it again and commit analysis/")
    from framestudy.schema.registry_file import read_registry

    total = len(read_registry(place.registry))
    done = [0]

    def advance(variable: str) -> None:
        done[0] += 1
        say(f"recomputing agreement: {variable} ({done[0]}/{total})")

    say("recomputing agreement")
    where = "the rebuilt annotations table with schemas/registry.json"
    run_agreement(place, seed=seed, n_boot=n_boot, by=by, progress=advance, where=where)
    runs = [f"agreement (seed {seed}, {n_boot} bootstrap replicates"
            + (f", by {by})" if by else ")")]
    if outlets_run is None:
        return runs
    o_file = study.analysis_dir / OUTLETS_RUN
    rerun = "framestudy outlets"
    o_seed = _setting(outlets_run, "seed", (int,), o_file, rerun)
    o_boot = _setting(outlets_run, "bootstrap", (int,), o_file, rerun)
    resamples = _setting(outlets_run, "n_resamples", (int,), o_file, rerun)
    models = _setting(outlets_run, "models", (bool,), o_file, rerun)
    overridden = _setting(outlets_run, "gate_overridden", (bool,), o_file, rerun)
    gate = validated(
        GateSettings, _setting(outlets_run, "gate", (dict,), o_file, rerun),
        locate=lambda loc: f"{o_file}: gate.{'.'.join(map(str, loc))}",
        advice=" -- or run `framestudy outlets` again",
    )
    say("recomputing the outlet comparison")
    run_outlets(place, settings=gate, override=overridden, seed=o_seed, n_boot=o_boot,
                n_resamples=resamples, models=models, where=where)
    runs.append(
        f"outlets (seed {o_seed}, {o_boot} bootstrap replicates, {resamples} Monte Carlo "
        f"tables, models {'on' if models else 'off'}, gate {gate.statistic} ≥ "
        f"{gate.threshold:g}{', overridden' if overridden else ''})"
    )
    return runs


# -- 4. value by value -------------------------------------------------------------------


def _shown(text: str | None) -> str:
    return "(empty)" if text == "" else repr(text) if text and text != text.strip() else str(text)


def _number(text: str) -> float | None:
    if not text or text[0] in "+ " or text[-1] == " ":
        return None
    try:
        return float(text)
    except ValueError:
        return None


def same_value(committed: str, recomputed: str, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Two cells as written: equal text, or two numbers within the tolerance (two NaNs
    are equal; text that merely looks like a number with a sign, ``+1``, is text)."""
    if committed == recomputed:
        return True
    a, b = _number(committed), _number(recomputed)
    if a is None or b is None:
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def _row_keys(frame: pd.DataFrame, keys: Sequence[str]) -> list[str]:
    """Each row's name: its non-empty key columns as ``column=value`` (``row N`` when
    there are none), with ``#2``, ``#3`` for repeats."""
    seen: Counter = Counter()
    names = []
    columns = [k for k in keys if k in frame.columns]
    values = frame[columns].itertuples(index=False, name=None) if columns else None
    for i in range(len(frame)):
        parts = next(values) if values is not None else ()
        name = " ".join(f"{c}={v}" for c, v in zip(columns, parts, strict=True) if v != "")
        name = name or f"row {i + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return names


def compare_tables(committed: pd.DataFrame, recomputed: pd.DataFrame, file: str,
                   keys: Sequence[str] = (), rtol: float = RTOL,
                   atol: float = ATOL) -> list[Difference]:
    """The differences between two tables of text cells (read with ``dtype=str``,
    ``keep_default_na=False``): columns, rows (matched by ``keys``) and cells
    (:func:`same_value`); ``file`` names them."""
    out: list[Difference] = []
    a_cols, b_cols = list(committed.columns), list(recomputed.columns)
    only_a = [c for c in a_cols if c not in b_cols]
    only_b = [c for c in b_cols if c not in a_cols]
    if only_a or only_b:
        parts = ([f"only in the committed file: {', '.join(only_a)}"] if only_a else []) + (
            [f"only in the recomputed one: {', '.join(only_b)}"] if only_b else [])
        out.append(Difference(file, note="columns differ -- " + "; ".join(parts)))
    elif a_cols != b_cols:
        out.append(Difference(file, note="the columns are in a different order"))
    common = [c for c in a_cols if c in b_cols]
    a_keys, b_keys = _row_keys(committed, keys), _row_keys(recomputed, keys)
    b_at = {k: i for i, k in enumerate(b_keys)}
    a_set = set(a_keys)
    for k in a_keys:
        if k not in b_at:
            out.append(Difference(file, row=k, note="row only in the committed file"))
    for k in b_keys:
        if k not in a_set:
            out.append(Difference(file, row=k, note="row only in the recomputed file"))
    matched = [(i, b_at[k]) for i, k in enumerate(a_keys) if k in b_at]
    if [j for _, j in matched] != sorted(j for _, j in matched):
        out.append(Difference(file, note="the rows are in a different order"))
    if not matched:
        return out
    rows_a = [i for i, _ in matched]
    rows_b = [j for _, j in matched]
    for column in common:
        a_vals = committed[column].tolist()
        b_vals = recomputed[column].tolist()
        for i, j in zip(rows_a, rows_b, strict=True):
            if a_vals[i] != b_vals[j] and not same_value(a_vals[i], b_vals[j], rtol, atol):
                out.append(Difference(file, row=a_keys[i], column=column,
                                      committed=a_vals[i], recomputed=b_vals[j]))
    # cells are listed row by row, as a reader scans a table
    order = {k: n for n, k in enumerate(a_keys)}
    cells = sorted((d for d in out if d.column), key=lambda d: order[d.row])
    return [d for d in out if not d.column] + cells


def read_text_csv(path: Path) -> pd.DataFrame:
    """A CSV as text cells, exactly as written (empty cells are ``""``)."""
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a readable CSV ({exc}) -- restore it from git") from None


def compare_files(committed: Path, recomputed: Path, file: str) -> tuple[list[Difference], int]:
    """:func:`compare_tables` of two CSV files (identical bytes are equal at once); also
    the committed file's number of rows."""
    if committed.read_bytes() == recomputed.read_bytes():
        with committed.open(encoding="utf-8", errors="replace", newline="") as handle:
            return [], max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    b = read_text_csv(recomputed)
    try:
        a = read_text_csv(committed)
    except UserError as exc:  # a damaged committed file is a difference, not bad input
        return [Difference(file, note=str(exc).split(": ", 1)[-1])], 0
    return compare_tables(a, b, file, KEY_COLUMNS.get(Path(file).name, ())), len(a)


def _compare_records(name: str, committed: dict, recomputed: dict) -> list[Difference]:
    """What the runs recorded besides their facts (``articles_needed``, the settings)."""
    out = []
    for key in sorted(set(committed) | set(recomputed)):
        if key in _RUN_FACTS or committed.get(key) == recomputed.get(key):
            continue
        out.append(Difference(f"analysis/{name}", column=key,
                              committed=str(committed.get(key)),
                              recomputed=str(recomputed.get(key))))
    return out


# -- the report --------------------------------------------------------------------------


_FIGURE_LINK = re.compile(r"\]\((figures/[^)\s]+)\)")


def check_report(analysis: Path, runs: Mapping[str, dict]) -> tuple[list[Difference], list[str]]:
    """The report is presentation: it is not compared byte by byte (its provenance names
    the environment it was drawn in; its figures' bytes depend on matplotlib). It must exist whole (``report.html``, ``report.md`` and each figure the
    Markdown links) and have been made from the committed runs: the provenance of both
    files names each run record's ``created`` time. A study without any report is fine (a
    note says so)."""
    present = [f for f in REPORT_FILES if (analysis / f).is_file()]
    if not present:
        return [], ["no report under analysis/ (`framestudy report` writes one); nothing to check"]
    out: list[Difference] = []
    for name in REPORT_FILES:
        if name not in present:
            out.append(Difference(f"analysis/{name}", note="missing (the rest of the report is "
                                  "there) -- run `framestudy report`"))
    texts = {name: (analysis / name).read_text(encoding="utf-8", errors="replace")
             for name in present}
    for link in _FIGURE_LINK.findall(texts.get("report.md", "")):
        if not (analysis / link).is_file():
            out.append(Difference(f"analysis/{link}", note="linked from report.md but missing "
                                  "-- run `framestudy report`"))
    for name, text in texts.items():
        for record_name, record in runs.items():
            created = str(record.get("created"))
            if f"run {created}" not in text:
                out.append(Difference(
                    f"analysis/{name}", note=f"not made from the committed run of "
                    f"analysis/{record_name} ({created}): older than its inputs -- run "
                    "`framestudy report` again"))
    notes = [] if out else [f"{' and '.join('analysis/' + f for f in present)} made from the "
                            "committed runs (presentation: not compared byte by byte)"]
    return out, notes


# -- 5. the lock -------------------------------------------------------------------------


_LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;([^\\]*))?")


def parse_lock(text: str) -> dict[str, str]:
    """``{name: version}`` of a pip/uv requirements lock (``name==version`` lines; hashes,
    comments and packages whose environment marker does not hold here are left out)."""
    out = {}
    for line in text.splitlines():
        match = _LOCKED.match(line.strip())
        if not match:
            continue
        name, version, marker = match.groups()
        if marker and marker.strip():
            try:
                from packaging.markers import Marker

                if not Marker(marker.strip()).evaluate():
                    continue
            except Exception:  # an unreadable marker: compare the package anyway
                pass
        out[normalized(name)] = version
    return out


def lock_differences(locked: Mapping[str, str], installed: Mapping[str, str]) -> list[str]:
    """One phrase per locked package installed at another version or not at all, e.g.
    ``pandas 3.1.1 installed, 3.1.0 locked``."""
    out = []
    for name in sorted(locked):
        have = installed.get(name)
        if have is None:
            out.append(f"{name} not installed, {locked[name]} locked")
        elif have != locked[name]:
            out.append(f"{name} {have} installed, {locked[name]} locked")
    return out


def lock_warnings(lock: Path | None) -> list[str]:
    """The warnings of the version check against ``lock`` (None: none found)."""
    if lock is None:
        return ["no requirements.lock found (framestudy is not running from a clone of its "
                "repository): installed versions not compared"]
    try:
        locked = parse_lock(Path(lock).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{lock}: unreadable lock file ({exc}) -- pass a requirements.lock") from None
    if not locked:
        raise UserError(f"{lock}: no `name==version` lines -- not a requirements lock")

    differing = lock_differences(locked, installed_versions())
    if not differing:
        return []
    # the packages that compute the numbers first; a long list is cut at LOCK_SHOWN
    differing.sort(key=lambda phrase: phrase.split(" ")[0] not in COMPUTING)
    shown = "; ".join(differing[:LOCK_SHOWN]) + (
        f"; and {len(differing) - LOCK_SHOWN} more" if len(differing) > LOCK_SHOWN else "")
    return [f"installed packages differ from {Path(lock).name} ({len(differing)}): {shown} "
            "-- `make install` installs the locked versions"]


# -- all of it ---------------------------------------------------------------------------


_DEFAULT_LOCK: Any = object()


def reproduce(study: Study, *, lock: Path | None = _DEFAULT_LOCK,
              step: Callable[[str], None] | None = None,
              workdir: Path | None = None) -> Reproduction:
    """Check and recompute the study's committed results (see the module doc).

    ``lock``: the lock file to compare installed versions with (default: the repository's
    ``requirements.lock`` when framestudy runs from a clone; None: no comparison).
    ``step(text)`` is told what is being done, for a progress display. ``workdir``: an
    empty folder to recompute in, kept afterwards (default: a temporary folder, removed).
    """
    from framestudy import __version__
    from framestudy.analysis.runs import AGREEMENT_RUN, OUTLETS_RUN

    say = step or (lambda text: None)
    if lock is _DEFAULT_LOCK:
        lock = lock_file()
    result = Reproduction()
    agreement_run, outlets_run = _run_records(study)
    runs = {AGREEMENT_RUN: agreement_run, **({OUTLETS_RUN: outlets_run} if outlets_run else {})}
    result.warnings += lock_warnings(lock)
    versions = {str(r.get("framestudy_version")) for r in runs.values()} - {__version__}
    if versions:
        result.warnings.append(f"the results were computed with framestudy "
                               f"{', '.join(sorted(versions))}; this is {__version__}")

    say("checking the raw exports")
    sources, exports, problems = check_exports(study)
    result.exports = [_relative(p, study.root) for p in exports]
    result.export_problems = problems
    if problems:
        return result

    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        return _recompute_in(study, Path(workdir), result, sources, exports, runs, say)
    with tempfile.TemporaryDirectory(prefix="framestudy-reproduce-") as tmp:
        return _recompute_in(study, Path(tmp), result, sources, exports, runs, say)


def _recompute_in(study: Study, work: Path, result: Reproduction, sources: TableSources,
                  exports: list[Path], runs: dict[str, dict],
                  say: Callable[[str], None]) -> Reproduction:
    from framestudy.analysis.runs import AGREEMENT_RUN, OUTLETS_RUN
    from framestudy.run_record import read_run_record
    from framestudy.study import Study as _Study

    place = _Study(work)
    table = "annotations/annotations.csv"
    say("rebuilding the annotation table from the raw exports")
    rebuilt = rebuild_table(study, sources, exports, place.annotations_csv)
    differences, _ = compare_files(study.annotations_csv, rebuilt, table)
    result.table_identical = not differences
    result.differences += differences
    result.differences += _input_problems(study, runs.items())

    _prepare(study, work, runs.values())
    try:
        result.runs = recompute(study, work, runs[AGREEMENT_RUN], runs.get(OUTLETS_RUN), say)
    except UserError as exc:  # name the study's file, not its copy in the temporary folder
        raise UserError(str(exc).replace(str(work), str(study.root))) from None

    say("comparing with the committed results")
    written: list[str] = []
    for name, committed in runs.items():
        again = read_run_record(place.analysis_dir / name, "framestudy reproduce") or {}
        result.differences += _compare_records(name, committed, again)
        for file in [*committed.get("files", []), *again.get("files", [])]:
            if file not in written:
                written.append(file)
    for file in written:
        shown = f"analysis/{file}"
        ours, theirs = study.analysis_dir / file, place.analysis_dir / file
        if not theirs.is_file():
            result.differences.append(Difference(shown, note="recorded by the run, but the "
                                                 "commands no longer write it"))
        elif not ours.is_file():
            result.differences.append(Difference(shown, note="missing (the command writes it) "
                                                 "-- restore it from git"))
        else:
            found, rows = compare_files(ours, theirs, shown)
            result.differences += found
            result.compared.append(shown)
            result.rows += rows
    unchecked = sorted(p.name for p in study.analysis_dir.glob("*.csv") if p.name not in written)
    if unchecked:
        result.warnings.append(
            f"not written by `framestudy agreement` or `framestudy outlets`, not checked: "
            f"{', '.join('analysis/' + n for n in unchecked)}"
        )
    problems, notes = check_report(study.analysis_dir, runs)
    result.differences += problems
    result.report = notes
    return result


def diff_lines(differences: Sequence[Difference], show: int = 20) -> list[str]:
    """The differences as lines, at most ``show`` (shared fairly between the files, in
    the order found), then one line counting the rest per file."""
    by_file: dict[str, list[Difference]] = {}
    for d in differences:
        by_file.setdefault(d.file, []).append(d)
    quota = {f: 0 for f in by_file}
    left = max(show, 0)
    while left > 0 and any(quota[f] < len(ds) for f, ds in by_file.items()):
        for f, ds in by_file.items():
            if left and quota[f] < len(ds):
                quota[f] += 1
                left -= 1
    lines = [str(d) for f, ds in by_file.items() for d in ds[: quota[f]]]
    rest = {f: len(ds) - quota[f] for f, ds in by_file.items() if len(ds) > quota[f]}
    if rest:
        lines.append(f"... and {sum(rest.values())} more ("
                     + ", ".join(f"{f}: {n}" for f, n in rest.items())
                     + "); --show N lists more")
    return lines
