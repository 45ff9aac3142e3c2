"""Label Studio export (list of task dicts) -> the tidy annotation table + a :class:`PullReport`.

The table is the one in docs/CONTRACTS.md: one row per (article, coder, variable, value), in
the columns of :data:`COLUMNS`. How each result type becomes rows:

- ``choices`` -> one row per chosen value (a multi-select gives several rows);
- ``labels`` (a text span) -> one row per label, ``variable`` = the control's name (``span``
  in framestudy's config), ``span_id`` = the region id, ``span_start``/``span_end`` in Python
  characters (Label Studio's code-point offsets; older exports' UTF-16 offsets recognised,
  see :mod:`.spans`), ``span_text`` =
  the article's text at those offsets;
- a per-region result (same ``id`` as a span region) -> a span-attribute row carrying that
  span's ``span_*`` fields;
- ``taxonomy`` -> one row per chosen path, its levels joined with " / ";
- ``rating`` -> the number as text ("4"); ``textarea`` -> one row per text entry.

With a schema (``schema.registry()``), a result's ``from_name`` must be a registry variable
and its values must be among the variable's ``values`` + ``missing_values``; without one, the
variables are inferred from ``from_name`` and ``type`` and every value is accepted.

Decisions (each counted in the report, never silent):
- cancelled/skipped annotations are kept out, even when they carry results;
- annotations of a deleted user (``completed_by`` null) are kept out: a coder who cannot be
  named cannot be paired for agreement, and two deleted users would merge into one;
- one coder, one article, several annotations (re-annotation, the same task twice, the same
  export read twice): the latest ``updated_at`` wins (ties: the higher annotation id);
- values a schema does not allow, several values for a single-choice variable, span
  attributes on a label they do not apply to: those values are kept out;
- an annotation last saved (``updated_at``) before its task's text was replaced
  (``data.text_replaced_at``, written by ``push --force``) was made on an older text: its
  rows are kept with ``stale_text`` True and it is listed under ``stale_text`` in the
  report, for its coder to re-check (saving it again in Label Studio clears the mark);
- a span whose text differs from the article at its offsets keeps its row (offsets are
  authoritative, issue #3078) and ``span_text`` is the article's text; a span whose offsets
  do not fit the text (beyond its end, or between the halves of a surrogate pair) keeps its
  row with ``span_start``/``span_end`` empty and Label Studio's ``text``; a span whose task
  has no text keeps Label Studio's offsets unconverted (reported as unverified).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

try:  # optional: faster string columns (see _strings)
    import pyarrow as _pa
    import pyarrow.compute as _pc
except ImportError:  # pragma: no cover - depends on the environment
    _pa = _pc = None

from framestudy.annotations._gc import gc_paused
from framestudy.annotations.report import PullReport, Ref
from framestudy.annotations.spans import POINTS, TextIndex, offsets_unit, same_text
from framestudy.errors import UserError

COLUMNS: tuple[str, ...] = (
    "article_id",
    "outlet",
    "coder",
    "variable",
    "value",
    "span_id",
    "span_start",
    "span_end",
    "span_text",
    "project_id",
    "task_id",
    "annotation_id",
    "created_at",
    "updated_at",
    "lead_time",
    "schema_hash",
    "stale_text",
)
INT_COLUMNS = ("span_start", "span_end", "project_id", "task_id", "annotation_id")
FLOAT_COLUMNS = ("lead_time",)
BOOL_COLUMNS = ("stale_text",)
STR_COLUMNS = tuple(c for c in COLUMNS if c not in INT_COLUMNS + FLOAT_COLUMNS + BOOL_COLUMNS)
#: task data key: when the task's text was replaced by ``push --force`` (server time)
REPLACED_AT = "text_replaced_at"

SUPPORTED_TYPES = frozenset({"choices", "labels", "rating", "textarea", "taxonomy"})
DOCUMENT, SPAN_LABEL, SPAN_ATTRIBUTE = "document", "span_label", "span_attribute"


@dataclass(frozen=True, slots=True)
class RegistryVariable:
    """What the parser needs to know about one control (one registry row)."""

    name: str
    kind: str  # document | span_label | span_attribute
    allowed: frozenset[str] | None  # None: any value
    multiple: bool
    labels: frozenset[str] | None = None  # span attribute: the span labels it applies to


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, float) and value != value:  # NaN from a DataFrame
        return []
    try:
        return list(value)
    except TypeError:
        return [value]


def variables_from_registry(registry: pd.DataFrame) -> dict[str, RegistryVariable]:
    """Registry rows (docs/CONTRACTS.md) -> {control name: RegistryVariable}."""
    out: dict[str, RegistryVariable] = {}
    for rec in registry.to_dict("records"):
        values = [str(v) for v in _as_list(rec.get("values"))]
        values += [str(v) for v in _as_list(rec.get("missing_values"))]
        labels = [str(v) for v in _as_list(rec.get("labels"))]
        kind = str(rec.get("kind"))
        out[str(rec["variable"])] = RegistryVariable(
            name=str(rec["variable"]),
            kind=kind,
            allowed=frozenset(values) if values else None,
            multiple=bool(rec.get("multiple")),
            labels=frozenset(labels) if labels and kind == SPAN_ATTRIBUTE else None,
        )
    return out


# --------------------------------------------------------------------------------------------
# small readers: each returns None (or an error string) instead of raising on odd input


# the table's integer columns are Int64: an integer outside it is no Label Studio id or offset
# (and would stop the table being built), so it is read as unreadable
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and _INT64_MIN <= value <= _INT64_MAX:
        return value
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _values(rtype: str, value: dict) -> list[str] | str:
    """The values of one result as strings, or an error message."""
    if rtype == "choices" or rtype == "labels":
        items = value.get(rtype)
        if not isinstance(items, list) or not items:
            return f"value.{rtype} is not a non-empty list"
        if not all(isinstance(v, str) for v in items):
            return f"value.{rtype} holds a non-string"
        return items
    if rtype == "rating":
        text = _number_text(value.get("rating"))
        return [text] if text is not None else "value.rating is not a number"
    if rtype == "textarea":
        items = value.get("text")
        if isinstance(items, str):
            return [items]
        if not isinstance(items, list) or not items:
            return "value.text is not a non-empty list"
        if not all(isinstance(v, str) for v in items):
            return "value.text holds a non-string"
        return items
    if rtype == "taxonomy":
        paths = value.get("taxonomy")
        if not isinstance(paths, list) or not paths:
            return "value.taxonomy is not a non-empty list"
        out = []
        for path in paths:
            if not isinstance(path, list) or not path or not all(isinstance(p, str) for p in path):
                return "value.taxonomy holds a path that is not a list of strings"
            out.append(" / ".join(path))
        return out
    return f"unsupported type {rtype!r}"  # pragma: no cover - callers check SUPPORTED_TYPES


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values)) if len(values) > 1 else values


_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)


def _stale(updated_at: Any, replaced_at: datetime | None) -> bool:
    """True if an annotation last saved at ``updated_at`` predates the text replacement."""
    if replaced_at is None:
        return False
    saved = _timestamp(updated_at)
    return saved is None or saved < replaced_at


def _recency(updated_at: Any, annotation_id: int | None) -> tuple:
    ts = _timestamp(updated_at)
    return (ts is not None, ts or _EPOCH, annotation_id if annotation_id is not None else -1)


# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Annotation:
    rows: list[tuple]  # (variable, value, span_id, span_start, span_end, span_text)
    meta: tuple  # COLUMNS minus the six row columns, in _META order
    ref: tuple  # (project_id, task_id, annotation_id)
    recency: tuple | None = None


# the columns an annotation gives each of its rows: COLUMNS less the six a row has its own
_ROW_OWN = ("variable", "value", "span_id", "span_start", "span_end", "span_text")
_META = tuple(c for c in COLUMNS if c not in _ROW_OWN)


class _TaskTexts:
    """The text a span refers to: ``data[to_name]``, else ``data["text"]`` (cached)."""

    __slots__ = ("data", "cache")

    def __init__(self, data: dict):
        self.data = data
        self.cache: dict[Any, TextIndex | None] = {}

    def get(self, to_name: Any) -> TextIndex | None:
        try:
            return self.cache[to_name]
        except (KeyError, TypeError):
            pass
        text = self.data.get(to_name) if isinstance(to_name, str) else None
        if not isinstance(text, str):
            text = self.data.get("text")
        index = TextIndex(text) if isinstance(text, str) else None
        if isinstance(to_name, str):
            self.cache[to_name] = index
        return index


def _offsets_unit(results: list, texts: _TaskTexts) -> str:
    """The unit of one annotation's span offsets (:func:`framestudy.annotations.spans.offsets_unit`),
    from its ``labels`` results on texts with characters outside the Basic Multilingual Plane
    (on the others both units are the same)."""
    spans = []
    for item in results:
        if type(item) is not dict or item.get("type") != "labels":
            continue
        value = item.get("value")
        index = texts.get(item.get("to_name"))
        if type(value) is not dict or index is None or index.bmp_only:
            continue
        start, end, given = _int(value.get("start")), _int(value.get("end")), value.get("text")
        if start is not None and end is not None:
            spans.append((index, start, end, given if isinstance(given, str) else None))
    return offsets_unit(spans) if spans else POINTS


class _Parser:
    def __init__(
        self,
        variables: dict[str, RegistryVariable] | None,
        report: PullReport,
    ):
        self.variables = variables
        self.report = report
        self._values_memo: dict[tuple, list[str] | str] = {}
        self._check_memo: dict[tuple, tuple[list[str], list[str], bool]] = {}
        self._unit = POINTS  # the unit of the current annotation's span offsets

    # One annotation's results -> rows. Per-result faults are reported and skipped.
    # (The hot loop of a pull: plain type checks and memoised validation keep it fast.)
    def results(self, results: list, texts: _TaskTexts, ref: tuple) -> list[tuple]:
        """Rows of one annotation, in three passes: span regions and the values of known
        document variables first; then the results that may belong to a region (known only
        once every region is read); then the collected values, checked, as rows."""
        regions: dict[str, tuple] = {}  # id -> (labels, start, end, text)
        rows: list[tuple] = []
        doc_values: dict[str, list[str]] = {}
        attr_values: dict[tuple[str, str], list[str]] = {}
        self._unit = _offsets_unit(results, texts)
        later = self._first_pass(results, texts, ref, regions, rows, doc_values)
        self._assign_later(later, ref, regions, doc_values, attr_values)
        self._document_rows(doc_values, ref, rows)
        self._attribute_rows(attr_values, regions, ref, rows)
        return rows

    def _first_pass(self, results: list, texts: _TaskTexts, ref: tuple, regions: dict,
                    rows: list[tuple], doc_values: dict) -> list[tuple]:
        """Read the span regions (their rows go to ``rows``) and the values of variables the
        schema calls document-level; return the other results for the second pass."""
        rep = self.report
        variables = self.variables
        later: list[tuple] = []
        for item in results:
            try:
                rtype = item["type"]
                from_name = item["from_name"]
                value = item["value"]
            except (KeyError, TypeError, IndexError):
                self._odd_result(item, ref)
                continue
            if type(from_name) is not str or type(rtype) is not str or type(value) is not dict:
                self._odd_result(item, ref)
                continue
            var = None
            if variables is not None:
                var = variables.get(from_name)
                if var is None:
                    rep.unknown_variable.append(
                        _at(ref, f"from_name {from_name!r} (type {rtype}) is not in the schema")
                    )
                    continue
            if rtype not in SUPPORTED_TYPES:
                if rtype == "relation":
                    self._odd_result(item, ref)
                else:
                    rep.unsupported_type.append(_at(ref, f"{from_name}: type {rtype!r}"))
                continue
            if var is not None and (rtype == "labels") != (var.kind == SPAN_LABEL):
                rep.malformed_results.append(
                    _at(ref, f"{from_name}: a {rtype} result for a {var.kind} variable")
                )
                continue
            if rtype == "labels":
                self._region(item, from_name, value, texts, ref, regions, rows)
            elif var is not None and var.kind == DOCUMENT:
                # the schema says document-level: no region to wait for
                values = self._values(rtype, value)
                if type(values) is str:
                    rep.malformed_results.append(_at(ref, f"{from_name}: {values}"))
                    continue
                _collect(doc_values, from_name, values)
            else:
                later.append((item, rtype, from_name, value, var))
        return later

    def _assign_later(self, later: list[tuple], ref: tuple, regions: dict, doc_values: dict,
                      attr_values: dict) -> None:
        """Each remaining result is a span attribute (its id names a region) or a document
        value; without a registry, a result with offsets but no region is an orphan."""
        rep = self.report
        for item, rtype, from_name, value, var in later:
            region_id = item.get("id")
            if type(region_id) is int:
                region_id = str(region_id)
            per_region = type(region_id) is str and region_id in regions
            if var is not None:
                kind = var.kind
                if kind == SPAN_ATTRIBUTE and not per_region:
                    rep.orphan_attribute.append(
                        _at(ref, f"{from_name}: region {region_id!r} has no span label")
                    )
                    continue
                if kind != DOCUMENT and kind != SPAN_ATTRIBUTE:
                    rep.malformed_results.append(
                        _at(ref, f"{from_name}: the schema gives it kind {kind!r}")
                    )
                    continue
            elif per_region:
                kind = SPAN_ATTRIBUTE
            elif "start" in value or "end" in value:
                rep.orphan_attribute.append(
                    _at(ref, f"{from_name}: region {region_id!r} has no span label")
                )
                continue
            else:
                kind = DOCUMENT
            values = self._values(rtype, value)
            if type(values) is str:
                rep.malformed_results.append(_at(ref, f"{from_name}: {values}"))
                continue
            if kind == DOCUMENT:
                _collect(doc_values, from_name, values)
            else:
                _collect(attr_values, (from_name, region_id), values)

    def _document_rows(self, doc_values: dict, ref: tuple, rows: list[tuple]) -> None:
        for name, values in doc_values.items():
            values = self._check(name, values, ref)
            if len(values) == 1:
                rows.append((name, -1, values[0], -1, "", None))
            else:
                rows.extend((name, -1, v, -1, "", None) for v in values)

    def _attribute_rows(self, attr_values: dict, regions: dict, ref: tuple, rows: list[tuple]) -> None:
        """Span attributes as rows on their region's offsets, if the region has a label they
        apply to."""
        rep = self.report
        variables = self.variables
        for (name, region_id), values in attr_values.items():
            labels, start, end, text = regions[region_id]
            if not labels:
                rep.orphan_attribute.append(
                    _at(ref, f"{name}: region {region_id} has no valid span label")
                )
                continue
            var = variables.get(name) if variables is not None else None
            if var is not None and var.labels is not None and var.labels.isdisjoint(labels):
                rep.misplaced_attribute.append(
                    _at(
                        ref,
                        f"{name} on region {region_id} labelled {'/'.join(labels)} "
                        f"(applies to {'/'.join(sorted(var.labels))})",
                    )
                )
                continue
            values = self._check(name, values, ref, region_id)
            rows.extend((name, start, v, end, region_id, text) for v in values)

    def _odd_result(self, item: Any, ref: tuple) -> None:
        """Report a result item that is not a readable control result."""
        rep = self.report
        if not isinstance(item, dict):
            rep.malformed_results.append(_at(ref, "a result item is not an object"))
        elif item.get("type") == "relation":
            rep.relations.append(
                _at(ref, f"relation {item.get('from_id')!r} -> {item.get('to_id')!r}")
            )
        elif not isinstance(item.get("from_name"), str) or not isinstance(item.get("type"), str):
            rep.malformed_results.append(_at(ref, "a result has no from_name or type"))
        else:
            rep.malformed_results.append(_at(ref, f"{item['from_name']}: value is not an object"))

    def _values(self, rtype: str, value: dict) -> list[str] | str:
        """:func:`_values`, memoised for choices and labels (a study repeats few combinations).

        The returned list is shared: callers must not change it.
        """
        items = value.get(rtype) if rtype == "choices" or rtype == "labels" else None
        if type(items) is list:
            try:
                key = (rtype, *items)
                return self._values_memo[key]
            except KeyError:
                out = self._values_memo[key] = _values(rtype, value)
                return out
            except TypeError:  # unhashable items: not strings anyway
                pass
        return _values(rtype, value)

    def _region(self, item, from_name, value, texts, ref, regions, region_rows) -> None:
        rep = self.report
        region_id = item.get("id")
        if isinstance(region_id, int) and not isinstance(region_id, bool):
            region_id = str(region_id)
        start, end = _int(value.get("start")), _int(value.get("end"))
        if not isinstance(region_id, str) or not region_id or start is None or end is None:
            rep.malformed_results.append(
                _at(ref, f"{from_name}: a span needs a string id and integer start and end")
            )
            return
        labels = self._values("labels", value)
        if type(labels) is str:
            rep.malformed_results.append(_at(ref, f"{from_name} region {region_id}: {labels}"))
            return
        if region_id in regions:
            rep.malformed_results.append(
                _at(ref, f"{from_name}: region id {region_id} is used twice")
            )
            return
        given = value.get("text")
        index = texts.get(item.get("to_name"))
        where = f"{from_name} region {region_id}"  # (only used in messages)
        span_text = given if isinstance(given, str) else None
        if index is None:
            rep.span_unverified.append(_at(ref, f"{where}: the task has no text"))
            s, e = (start, end) if 0 <= start <= end else (None, None)
        else:
            found = index.locate(start, end, self._unit)
            s, e = found if found is not None else (None, None)
            if s is None or e is None:
                rep.span_mismatch.append(
                    _at(
                        ref,
                        f"{where}: offsets {start}-{end} do not fit the article text "
                        "(span_start/span_end left empty)",
                    )
                )
                s = e = None
            else:
                article = index.text[s:e]
                if span_text is not None and not same_text(article, span_text):
                    rep.span_mismatch.append(
                        _at(
                            ref,
                            f"{where} [{s}:{e}]: span text {_short(span_text)} but the article "
                            f"has {_short(article)}",
                        )
                    )
                span_text = article
        labels = self._check(from_name, labels, ref, region_id)
        s = -1 if s is None else s  # -1: no offset (the sort key of an empty cell)
        e = -1 if e is None else e
        regions[region_id] = (labels, s, e, span_text)
        region_rows.extend((from_name, s, v, e, region_id, span_text) for v in labels)

    def _check(
        self, name: str, values: list[str], ref: tuple, region: str | None = None
    ) -> list[str]:
        """Schema validation of one variable's values in one annotation (and region).

        Repeated values count once; values the schema does not allow are reported and
        dropped; several values for a single-choice variable are reported and all dropped.
        """
        key = (name, *values)
        verdict = self._check_memo.get(key)
        if verdict is None:
            verdict = self._check_memo[key] = self._verdict(name, values)
        kept, bad, too_many = verdict
        if bad or too_many:
            where = name if region is None else f"{name} on region {region}"
            for v in bad:
                self.report.unknown_value.append(_at(ref, f"{where} = {v!r}"))
            if too_many:
                self.report.too_many_values.append(
                    _at(ref, f"{where}: {', '.join(map(repr, kept))} for a single-choice variable")
                )
                return []
        return kept

    def _verdict(self, name: str, values: list[str]) -> tuple[list[str], list[str], bool]:
        values = _unique(values)
        var = self.variables.get(name) if self.variables is not None else None
        if var is None:
            return values, [], False
        bad: list[str] = []
        if var.allowed is not None:
            bad = [v for v in values if v not in var.allowed]
            values = [v for v in values if v in var.allowed]
        return values, bad, (not var.multiple and len(values) > 1)


def _collect(mapping: dict, key: Any, values: list[str]) -> None:
    """Add ``values`` to those already collected under ``key`` (a new list: memoised value
    lists are shared and must not change)."""
    before = mapping.get(key)
    mapping[key] = values if before is None else before + values


def _at(ref: tuple, detail: str) -> Ref:
    """A report entry at ``ref`` = (project_id, task_id, annotation_id)."""
    return Ref(*ref, detail)


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[: n - 3] + "...")


def _coder(completed_by: Any, users: Mapping[int, str]) -> str | None:
    """E-mail for ``completed_by`` (int id or user object); None when unreadable."""
    uid = _int(completed_by)
    if uid is not None:
        return users.get(uid) or f"user:{uid}"
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email:
            return email
        uid = _int(completed_by.get("id"))
        if uid is not None:
            return users.get(uid) or f"user:{uid}"
        return None
    if isinstance(completed_by, str) and completed_by:
        return completed_by
    return None


def tidy_from_export(
    tasks: Sequence[Any],
    *,
    schema: Any = None,
    users: Mapping[int, str] | None = None,
    project_coder: Mapping[int, str] | None = None,
    include_foreign: bool = False,
) -> tuple[pd.DataFrame, PullReport]:
    """The tidy annotation table of a Label Studio JSON export, and the report of anomalies.

    ``tasks``: the parsed export (a list of task dicts, e.g. from :func:`read_export`; several
    exports may be concatenated). ``schema``: a :class:`framestudy.schema.Schema` (its
    ``hash`` and ``registry()`` are used) or None to infer variables. ``users``: Label Studio
    user id -> e-mail (unknown ids become ``"user:<id>"``). ``project_coder``: project id ->
    the coder who owns it (blind design); annotations by anyone else there are ``foreign``,
    kept out unless ``include_foreign``.

    Pure: no I/O; the same input gives the same table (rows sorted by article_id, coder,
    variable, span_start, value, then span_end, span_id). Never raises on a fault inside the
    export: faults are counted in the :class:`PullReport` with their ids.
    """
    if not isinstance(tasks, list | tuple):
        raise UserError(
            f"expected a list of Label Studio tasks, got {type(tasks).__name__} -- pass the "
            "parsed JSON export"
        )
    with gc_paused():
        return _tidy(tasks, schema, users, project_coder, include_foreign)


def _tidy(
    tasks: Sequence[Any],
    schema: Any,
    users: Mapping[int, str] | None,
    project_coder: Mapping[int, str] | None,
    include_foreign: bool,
) -> tuple[pd.DataFrame, PullReport]:
    report = PullReport(foreign_included=include_foreign)
    variables = variables_from_registry(schema.registry()) if schema is not None else None
    expected_hash = getattr(schema, "hash", None) if schema is not None else None
    reader = _AnnotationReader(
        parser=_Parser(variables, report),
        users=users or {},
        owners={int(k): str(v).lower() for k, v in (project_coder or {}).items()},
        include_foreign=include_foreign,
        report=report,
    )
    kept: dict[tuple[str, str], _Annotation] = {}
    seen: dict[tuple, tuple[str, str]] = {}  # (project, task, annotation id) -> its key
    replaced_times: dict[int | None, str] = {}  # task id -> its text_replaced_at, as written

    for position, task in enumerate(tasks):
        report.tasks += 1
        info = _task_info(task, position, schema is not None, expected_hash, report)
        if info is None:
            continue
        if info.replaced_raw is not None:
            replaced_times[info.ref[1]] = str(info.replaced_raw)
        for ann in info.annotations:
            report.annotations += 1
            entry = reader.read(ann, info)
            if entry is not None:
                _keep_latest(entry, (info.article_id, entry.meta[2]), kept, seen, report)

    report.used = len(kept)
    _report_stale_text(kept, replaced_times, report)
    table = _frame(kept)
    report.rows = len(table)
    return table, report


@dataclass(slots=True)
class _TaskInfo:
    """What the annotations of one task share."""

    ref: tuple  # (project_id, task_id, None)
    annotations: list
    article_id: str
    outlet: str
    schema_hash: str | None
    texts: _TaskTexts
    replaced_raw: Any  # text_replaced_at as written, or None
    replaced_at: datetime | None


def _task_info(
    task: Any, position: int, check_hash: bool, expected_hash: str | None, report: PullReport
) -> _TaskInfo | None:
    """One task's shared fields, its faults reported; None for a task whose annotations cannot
    be read (they are counted and reported here)."""
    if not isinstance(task, dict):
        report.malformed_tasks.append(Ref(detail=f"item {position} is not a task object"))
        return None
    task_id = _int(task.get("id"))
    task_project = _int(task.get("project"))
    task_ref = (task_project, task_id, None)
    annotations = task.get("annotations", [])
    data = task.get("data")
    if not isinstance(annotations, list):
        report.malformed_tasks.append(_at(task_ref, "'annotations' is not a list"))
        return None
    if not isinstance(data, dict):
        report.malformed_tasks.append(_at(task_ref, "'data' is not an object"))
        for ann in annotations:
            report.annotations += 1
            aid = _int(ann.get("id")) if isinstance(ann, dict) else None
            report.malformed_annotations.append(
                Ref(task_project, task_id, aid, "its task has no 'data' object")
            )
        return None
    _count_drafts_and_predictions(task, task_ref, report)

    article_id = data.get("article_id")
    if isinstance(article_id, int) and not isinstance(article_id, bool):
        article_id = str(article_id)
    if not isinstance(article_id, str) or not article_id:
        article_id = f"task:{task_id}" if task_id is not None else f"item:{position}"
        report.no_article_id.append(_at(task_ref, f"article_id set to {article_id}"))
    outlet = data.get("outlet")
    outlet = outlet if isinstance(outlet, str) and outlet else "unknown"
    task_hash = _str(data.get("schema_hash"))
    if check_hash and task_hash != expected_hash:
        report.stale_schema.append(
            _at(
                task_ref,
                f"task schema_hash {task_hash} != current {expected_hash}"
                if task_hash
                else "the task has no schema_hash",
            )
        )
    replaced_raw = data.get(REPLACED_AT)
    replaced_at = _timestamp(replaced_raw) if replaced_raw is not None else None
    if replaced_raw is not None and replaced_at is None:
        replaced_at = _FUTURE  # unreadable: every annotation counts as made before it
    return _TaskInfo(task_ref, annotations, article_id, outlet, task_hash, _TaskTexts(data),
                     replaced_raw, replaced_at)


@dataclass(slots=True)
class _AnnotationReader:
    """Reads one annotation of a task into an :class:`_Annotation`, reporting why one is not
    used (skipped, no coder, another coder's project, malformed)."""

    parser: _Parser
    users: Mapping[int, str]
    owners: dict[int, str]  # project id -> its coder's email, lower case
    include_foreign: bool
    report: PullReport

    def read(self, ann: Any, info: _TaskInfo) -> _Annotation | None:
        report = self.report
        if not isinstance(ann, dict):
            report.malformed_annotations.append(_at(info.ref, "an annotation is not an object"))
            return None
        aid = _int(ann.get("id"))
        project = _int(ann.get("project"))
        if project is None:
            project = info.ref[0]
        ref = (project, info.ref[1], aid)
        if ann.get("was_cancelled"):
            result = ann.get("result")
            n = len(result) if isinstance(result, list) else 0
            report.cancelled.append(
                _at(ref, f"skipped, with {n} result(s)" if n else "skipped")
            )
            return None
        coder = self._coder(ann, ref)
        if coder is None:
            return None
        result = ann.get("result")
        if result is None:
            result = []
        if not isinstance(result, list):
            report.malformed_annotations.append(_at(ref, "'result' is not a list"))
            return None
        owner = self.owners.get(project) if project is not None else None
        if owner is not None and coder.lower() != owner:
            report.foreign.append(_at(ref, f"{coder} annotated in the project of {owner}"))
            if not self.include_foreign:
                return None
        if not result:
            report.empty.append(_at(ref, f"{coder} submitted no result"))
        rows = self.parser.results(result, info.texts, ref)
        lead_time = ann.get("lead_time")
        if isinstance(lead_time, bool) or not isinstance(lead_time, int | float):
            lead_time = None
        return _Annotation(
            rows=rows,
            meta=(
                info.article_id,
                info.outlet,
                coder,
                project,
                info.ref[1],
                aid,
                _str(ann.get("created_at")),
                _str(ann.get("updated_at")),
                float(lead_time) if lead_time is not None else None,
                info.schema_hash,
                _stale(ann.get("updated_at"), info.replaced_at),
            ),
            ref=ref,
        )

    def _coder(self, ann: dict, ref: tuple) -> str | None:
        """The coder's email (see :func:`_coder`), or None with the fault reported."""
        report = self.report
        if "completed_by" not in ann:
            report.malformed_annotations.append(_at(ref, "no completed_by"))
            return None
        completed_by = ann["completed_by"]
        if completed_by is None:
            report.deleted_user.append(_at(ref, "completed_by is null (user deleted)"))
            return None
        coder = _coder(completed_by, self.users)
        if coder is None:
            report.malformed_annotations.append(
                _at(ref, f"completed_by {_short(repr(completed_by))} names no user")
            )
        return coder


def _report_stale_text(
    kept: dict[tuple[str, str], _Annotation], replaced_times: dict[int | None, str], report: PullReport
) -> None:
    """List the kept annotations saved before their task's text was replaced."""
    for key in sorted(kept):
        entry = kept[key]
        if entry.meta[-1]:
            report.stale_text.append(
                _at(
                    entry.ref,
                    f"{entry.meta[2]} saved it at {entry.meta[7] or '(no updated_at)'}, before "
                    f"the text was replaced ({replaced_times.get(entry.ref[1], '?')}); open "
                    "the task in Label Studio, re-check the answers and spans against the new "
                    "text, and Update",
                )
            )


def _count_drafts_and_predictions(task: dict, ref: tuple, report: PullReport) -> None:
    """Count a task's drafts and predictions (neither goes into the table)."""
    for name, bucket in (("drafts", report.drafts), ("predictions", report.predictions)):
        items = task.get(name)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict):
                who = item.get("user") or item.get("created_username") or item.get("model_version")
                item_id = _int(item.get("id"))
                detail = f"{name[:-1]} {item_id}" + (f" by {who}" if who else "")
            else:
                item_id = _int(item)
                detail = f"{name[:-1]} {item_id}" if item_id is not None else f"{name[:-1]}"
            bucket.append(_at(ref, detail))


def _keep_latest(
    entry: _Annotation,
    key: tuple[str, str],
    kept: dict[tuple[str, str], _Annotation],
    seen: dict[tuple, tuple[str, str]],
    report: PullReport,
) -> None:
    """Keep ``entry`` unless a newer annotation by the same coder on the same article is kept.

    Every annotation that loses is listed in ``report.duplicates``.
    """
    ref = entry.ref  # (project_id, task_id, annotation_id)
    if ref[2] is not None and ref in seen:
        # the same annotation read twice (e.g. two exports of one project): keep one copy
        prev_key = seen[ref]
        prev = kept.get(prev_key)
        if prev is not None and prev.ref == ref:
            if not _newer(entry, prev):
                report.duplicates.append(_at(ref, "the same annotation appears twice (kept once)"))
                return
            del kept[prev_key]
            report.duplicates.append(_at(prev.ref, "the same annotation appears twice (kept once)"))
    other = kept.get(key)
    if other is not None:
        if not _newer(entry, other):
            report.duplicates.append(
                _at(ref, f"superseded by annotation {other.ref[2]} (task {other.ref[1]})")
            )
            return
        report.duplicates.append(
            _at(other.ref, f"superseded by annotation {ref[2]} (task {ref[1]})")
        )
    kept[key] = entry
    if ref[2] is not None:
        seen[ref] = key


def _newer(a: _Annotation, b: _Annotation) -> bool:
    if a.recency is None:
        a.recency = _recency(a.meta[7], a.ref[2])
    if b.recency is None:
        b.recency = _recency(b.meta[7], b.ref[2])
    return a.recency > b.recency


def empty_table() -> pd.DataFrame:
    """A table with the contract's columns and dtypes and no rows."""
    return _typed({c: [] for c in COLUMNS}, 0)


def _typed(columns: dict[str, Any], n: int) -> pd.DataFrame:
    out = {}
    for name in COLUMNS:
        values = columns[name]
        if name in INT_COLUMNS:
            out[name] = pd.array(values, dtype="Int64")
        elif name in FLOAT_COLUMNS:
            out[name] = np.asarray([np.nan if v is None else v for v in values], dtype="float64")
        elif name in BOOL_COLUMNS:
            out[name] = pd.array(values, dtype="boolean")
        else:
            out[name] = pd.array(values, dtype="str")
    return pd.DataFrame(out, columns=list(COLUMNS), index=pd.RangeIndex(n))


def _frame(kept: dict[tuple[str, str], _Annotation]) -> pd.DataFrame:
    """The DataFrame of the kept annotations' rows, in the table's order.

    (article_id, coder) is unique per kept annotation, so sorting the annotations by it and
    each annotation's rows by the rest gives the total order without a DataFrame-wide sort.
    Rows are held as (variable, start, value, end, span_id, span_text) with -1 / "" for an
    empty offset / span id, so plain tuple order is the documented order.
    """
    ordered = [kept[k] for k in sorted(kept)]
    rows: list[tuple] = []
    counts = np.empty(len(ordered), dtype=np.int64)
    for i, ann in enumerate(ordered):
        ann_rows = ann.rows
        if len(ann_rows) > 1:
            try:
                ann_rows.sort()
            except TypeError:  # only a span_text None vs text decides: keep it total
                ann_rows.sort(key=lambda r: (*r[:5], r[5] or ""))
        rows.extend(ann_rows)
        counts[i] = len(ann_rows)
    n = len(rows)
    if n == 0:
        return empty_table()
    variable, start, value, end, span_id, span_text = zip(*rows, strict=True)
    take = np.repeat(np.arange(len(ordered)), counts)
    meta = dict(zip(_META, zip(*(ann.meta for ann in ordered), strict=True), strict=True))

    def offsets(values: tuple) -> pd.arrays.IntegerArray:
        data = np.array(values, dtype=np.int64)
        return pd.arrays.IntegerArray(data, data < 0)

    out: dict[str, Any] = {}
    for name in COLUMNS:
        if name == "variable":
            out[name] = _strings(variable)
        elif name == "value":
            out[name] = _strings(value)
        elif name == "span_id":
            out[name] = _strings(span_id, empty_is_missing=True)
        elif name == "span_text":
            out[name] = _strings(span_text)
        elif name == "span_start":
            out[name] = offsets(start)
        elif name == "span_end":
            out[name] = offsets(end)
        elif name in INT_COLUMNS:
            out[name] = pd.array(meta[name], dtype="Int64").take(take)
        elif name in FLOAT_COLUMNS:
            column = np.array([np.nan if v is None else v for v in meta[name]], dtype="float64")
            out[name] = column[take]
        elif name in BOOL_COLUMNS:
            out[name] = pd.array(np.array(meta[name], dtype=bool)[take], dtype="boolean")
        else:
            out[name] = _strings(meta[name]).take(take)
    return pd.DataFrame(out, columns=list(COLUMNS), index=pd.RangeIndex(n))


def _strings(values: Sequence[str | None], *, empty_is_missing: bool = False) -> Any:
    """A pandas "str" array of ``values`` (None -> missing; "" too if ``empty_is_missing``).

    Built through pyarrow when it is installed (it comes with the Label Studio server; about
    ten times faster on a large table), else through pandas alone. Same result either way.
    """
    if _pa is not None:
        array = _pa.array(values, type=_pa.large_string())
        if empty_is_missing:
            array = _pc.if_else(_pc.equal(array, ""), _pa.scalar(None, array.type), array)
        return pd.array(array, dtype="str")
    if empty_is_missing:
        values = [v or None for v in values]
    return pd.array(values, dtype="str")
