"""Coding sheets: one coder's codings of a study's articles written as YAML, turned into a
Label Studio JSON export (docs/sheets.md).

A sheet is what a coder would have entered in Label Studio, written down instead: the
document variables of each article and its evidence spans, each span given by the exact
words it covers (``quote``, and ``occurrence`` when those words occur more than once)
rather than by offsets::

    coder: coder1@framestudy.example
    articles:
      art-737d0a8a9c30:
        relevant: "yes"
        genre: OPINION
        blame_actors: [NATO, US]          # a multi-select: a list (may be empty)
        spans:
          - label: BLAME
            quote: "exact words copied from the article"
            occurrence: 2                 # only if the words occur more than once
            blame_target: [NATO]          # the label's attributes
            voice: AUTHORIAL

:func:`read_sheet` reads the file against :class:`Sheet` (unknown keys refused: a key of an
article is a document variable of ``schemas/registry.json``, a key of a span besides
``label``, ``quote`` and ``occurrence`` is a span attribute that applies to the span's label).
:func:`check_sheet` checks every value against the registry and every quote against the
article's text in ``tasks/tasks.json``. Every problem is one line naming the sheet, the
article and the field; :class:`SheetProblems` carries them all.

:func:`sheet_export` turns checked sheets into tasks in Label Studio's JSON export shape
(the task's ``data`` from ``tasks/tasks.json``; one annotation per sheet, ``completed_by``
``{"email": <coder>}``), with ``result`` items as the labeling interface that
``framestudy schema build`` generates creates them: a ``choices`` result per answered
document variable, a ``labels`` region per span with ``start``/``end`` in code points, as
Label Studio stores them (:mod:`framestudy.annotations.spans`), and its ``text``, and each span attribute
as a per-region ``choices`` result sharing the region's ``id``. Region ids are derived from
the coder, the article and the span's position, so the same sheets give the same bytes.
:func:`framestudy.annotations.tidy_from_export` reads such a file back to exactly the
sheet's codings; ``framestudy annotations upload`` enters it into Label Studio through each
coder's own account.

Like the analysis stage, this module reads the files of the earlier stages only through
their own readers (:func:`framestudy.schema.registry_file.read_registry`,
:func:`framestudy.tasks.tasks_file.read_tasks`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from framestudy.errors import UserError, yaml_error

#: the keys of a span that are not attributes
SPAN_KEYS = ("label", "quote", "occurrence")
#: the control that holds the article text, and the span control, in the generated config
TEXT_NAME = "text"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


class SheetProblems(UserError):
    """One or more problems in coding sheets, each one line (``.problems``)."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        super().__init__(self.problems[0] + more)


class SheetSpan(BaseModel):
    """One evidence span: its label, the words it covers, and the label's attributes (the
    keys besides ``label``, ``quote`` and ``occurrence``; checked by :func:`check_sheet`)."""

    model_config = ConfigDict(extra="allow")

    label: StrictStr
    quote: StrictStr = Field(min_length=1)
    occurrence: StrictInt | None = Field(default=None, ge=1)

    def attributes(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class SheetArticle(BaseModel):
    """One article's coding: document variables (the keys besides ``spans``; checked by
    :func:`check_sheet`) and its spans."""

    model_config = ConfigDict(extra="allow")

    spans: list[SheetSpan] = []

    def variables(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Sheet(BaseModel):
    """A coding sheet: the coder's e-mail and the codings, by article id."""

    model_config = ConfigDict(extra="forbid")

    coder: StrictStr
    articles: dict[str, SheetArticle]


# -- reading ---------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (an article coded
    twice would otherwise silently keep the second coding)."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    out: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _where(loc: tuple, data: Any) -> str:
    """``article X: span N (LABEL): field`` for a pydantic error location in a sheet."""
    parts: list[str] = []
    rest = list(loc)
    if rest[:1] == ["articles"] and len(rest) > 1:
        article = rest[1]
        parts.append(f"{article}")
        rest = rest[2:]
        if rest[:1] == ["spans"] and len(rest) > 1 and isinstance(rest[1], int):
            index = rest[1]
            label = None
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                label = data["articles"][article]["spans"][index].get("label")
            parts.append(f"span {index + 1}" + (f" ({label})" if isinstance(label, str) else ""))
            rest = rest[2:]
    field = ".".join(str(k) for k in rest)
    if field:
        parts.append(field)
    return ": ".join(parts) or "(top level)"


_WHAT = {
    "missing": "is missing -- add it",
    "extra_forbidden": "is not a key of a coding sheet (coder, articles) -- remove it",
    "string_type": "must be text -- quote it",
    "int_type": "must be a whole number",
    "greater_than_equal": "must be 1 or more (1 = the first occurrence)",
    "string_too_short": "is empty -- copy the words from the article",
    "dict_type": "must be a mapping (key: value)",
    "model_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
}


def read_sheet(path: str | os.PathLike) -> Sheet:
    """The sheet at ``path``; :class:`SheetProblems` (one line per problem, naming the
    sheet, the article and the field) if it is not one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (bad byte at position {exc.start})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
    if not isinstance(data, dict):
        raise SheetProblems(
            [f"{path}: a coding sheet is a mapping with the keys coder and articles"]
        )
    try:
        return Sheet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            what = _WHAT.get(err["type"], err["msg"])
            shown = err.get("input")
            value = "" if isinstance(shown, dict | list) or err["type"] == "missing" else (
                f" = {shown!r}"
            )
            problems.append(f"{path}: {_where(tuple(err['loc']), data)}{value} {what}")
        raise SheetProblems(problems) from None


# -- checking --------------------------------------------------------------------------------


def _by_variable(registry: Iterable[dict]) -> dict[str, dict]:
    return {str(r["variable"]): r for r in registry}


def _allowed(record: dict) -> list[str]:
    return [str(v) for v in record.get("values") or []] + [
        str(v) for v in record.get("missing_values") or []
    ]


def _value_problems(record: dict, value: Any) -> list[str]:
    """What is wrong with ``value`` for the registry variable ``record`` (empty: nothing)."""
    multiple = bool(record.get("multiple"))
    if multiple and not isinstance(value, list):
        return [f"= {value!r} must be a list (several values may be chosen), e.g. [{value}]"]
    if not multiple and isinstance(value, list):
        return [f"= {value!r} must be one value, not a list"]
    allowed = _allowed(record)
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, bool):
            out.append(
                f"= {item!r}: YAML reads an unquoted yes/no/true/false as a truth value -- "
                'quote the value (e.g. "yes")'
            )
        elif not isinstance(item, str):
            out.append(
                f"= {item!r}: YAML reads an unquoted number (+1, -2) as a number -- quote "
                'the value (e.g. "+1")'
            )
        elif item not in allowed:
            out.append(f"= {item!r} is not one of {', '.join(allowed)}")
    if isinstance(value, list) and len(set(map(str, value))) != len(value):
        out.append(f"= {value!r} names a value twice")
    return out


def find_quote(text: str, quote: str, occurrence: int | None) -> tuple[int, int] | str:
    """(start, end) in Python characters of the ``occurrence``-th (1 = first; counted
    without overlaps) place where ``quote`` stands in ``text``, or what is wrong."""
    places = []
    at = text.find(quote)
    while at >= 0:
        places.append(at)
        at = text.find(quote, at + len(quote))
    if not places:
        return "not found in the article text -- copy the words exactly (punctuation, quotes)"
    if occurrence is None:
        if len(places) > 1:
            return (
                f"occurs {len(places)} times in the article -- add occurrence: N "
                "(1 = the first)"
            )
        occurrence = 1
    if occurrence > len(places):
        return f"occurrence {occurrence}, but the words occur {len(places)} time(s)"
    start = places[occurrence - 1]
    return start, start + len(quote)


def check_sheet(
    sheet: Sheet, where: str | os.PathLike, registry: Sequence[dict], texts: dict[str, str]
) -> list[str]:
    """Every problem of ``sheet`` (read from ``where``), one line each: the coder's e-mail,
    article ids (``texts``: article id -> text, from ``tasks/tasks.json``), variables and
    values (``registry``: the records of ``schemas/registry.json``), span labels, attributes
    and quotes."""
    from framestudy.settings import normalise_email

    problems: list[str] = []
    variables = _by_variable(registry)
    labels_record = next((r for r in registry if r.get("kind") == "span_label"), None)
    span_labels = [str(v) for v in (labels_record or {}).get("values") or []]
    try:
        normalise_email(sheet.coder)
    except UserError:
        problems.append(
            f"{where}: coder = {sheet.coder!r} is not an e-mail address -- write the coder's "
            "Label Studio e-mail (e.g. coder1@framestudy.example)"
        )
    for article_id, coding in sheet.articles.items():
        at = f"{where}: {article_id}"
        text = texts.get(article_id)
        if text is None:
            problems.append(
                f"{at}: not an article of tasks/tasks.json -- check the article id"
            )
        for name, value in coding.variables().items():
            record = variables.get(name)
            if record is None or record.get("kind") != "document":
                kind = "a span attribute (it belongs under a span)" if record else "unknown"
                problems.append(
                    f"{at}: {name}: {kind} -- an article's keys are the document variables "
                    f"of schemas/registry.json and spans"
                )
                continue
            problems += [f"{at}: {name} {p}" for p in _value_problems(record, value)]
        for index, span in enumerate(coding.spans, start=1):
            here = f"{at}: span {index} ({span.label})"
            if span.label not in span_labels:
                problems.append(
                    f"{here}: label = {span.label!r} is not one of {', '.join(span_labels)}"
                )
            if text is not None:
                found = find_quote(text, span.quote, span.occurrence)
                if isinstance(found, str):
                    problems.append(f"{here}: quote {_short(span.quote)} {found}")
            for name, value in span.attributes().items():
                record = variables.get(name)
                if record is None or record.get("kind") != "span_attribute":
                    problems.append(
                        f"{here}: {name}: not a span attribute -- a span's keys are label, "
                        "quote, occurrence and the label's attributes"
                    )
                    continue
                applies = [str(v) for v in record.get("labels") or []]
                if applies and span.label not in applies:
                    problems.append(
                        f"{here}: {name} is not an attribute of {span.label} (it applies to "
                        f"{', '.join(applies)})"
                    )
                    continue
                problems += [f"{here}: {name} {p}" for p in _value_problems(record, value)]
    return problems


def _short(text: str, n: int = 50) -> str:
    return repr(text if len(text) <= n else text[: n - 3] + "...")


# -- the export ------------------------------------------------------------------------------


def region_id(*parts: object) -> str:
    """A 10-character id in the editor's alphabet, derived from ``parts`` (deterministic)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:10])


def _as_choices(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def annotation_result(
    coder: str, article_id: str, coding: SheetArticle, text: str, registry: Sequence[dict],
    span_name: str = "span",
) -> list[dict]:
    """The ``result`` list Label Studio's editor would save for ``coding`` of the article
    ``text`` (a checked coding: see :func:`check_sheet`): the spans in the sheet's order,
    each a ``labels`` region followed by its attributes as per-region ``choices`` with the
    region's id, then the document variables in the registry's order (an empty
    multi-select saves no result, as in the editor)."""
    out: list[dict] = []
    for index, span in enumerate(coding.spans, start=1):
        found = find_quote(text, span.quote, span.occurrence)
        if isinstance(found, str):
            raise UserError(f"{article_id}: span {index}: quote {found}")
        start, end = found
        where = {"start": start, "end": end, "text": text[start:end]}
        rid = region_id(coder, article_id, "span", index)
        out.append({
            "value": {**where, "labels": [span.label]},
            "id": rid,
            "from_name": span_name,
            "to_name": TEXT_NAME,
            "type": "labels",
            "origin": "manual",
        })
        for name, value in span.attributes().items():
            out.append({
                "value": {**where, "choices": _as_choices(value)},
                "id": rid,
                "from_name": name,
                "to_name": TEXT_NAME,
                "type": "choices",
                "origin": "manual",
            })
    answers = coding.variables()
    for record in registry:
        name = str(record["variable"])
        if record.get("kind") != "document" or name not in answers:
            continue
        chosen = _as_choices(answers[name])
        if not chosen:
            continue
        out.append({
            "value": {"choices": chosen},
            "id": region_id(coder, article_id, "document", name),
            "from_name": name,
            "to_name": TEXT_NAME,
            "type": "choices",
            "origin": "manual",
        })
    return out


def sheet_export(
    sheets: Sequence[tuple[str, Sheet]], registry: Sequence[dict], tasks: Sequence[dict]
) -> list[dict]:
    """Checked sheets (``(where, sheet)``) -> tasks in Label Studio's JSON export shape, one
    per coded article in ``tasks`` order, each with one annotation per sheet that codes it.

    Raises :class:`SheetProblems` with every problem of every sheet (:func:`check_sheet`;
    two sheets of one coder are a problem too). Pure: no I/O.
    """
    from framestudy.settings import normalise_email

    texts = {str(t["data"]["article_id"]): str(t["data"].get("text", "")) for t in tasks}
    problems: list[str] = []
    coders: dict[str, str] = {}
    for where, sheet in sheets:
        problems += check_sheet(sheet, where, registry, texts)
        email = sheet.coder.strip().lower()
        if email in coders:
            problems.append(
                f"{where}: coder = {sheet.coder!r} also codes {coders[email]} -- one sheet "
                "per coder"
            )
        coders.setdefault(email, str(where))
    if problems:
        raise SheetProblems(problems)
    span_record = next((r for r in registry if r.get("kind") == "span_label"), None)
    span_name = str(span_record["variable"]) if span_record else "span"
    out: list[dict] = []
    for task in tasks:
        data = task["data"]
        article_id = str(data["article_id"])
        annotations = []
        for _where, sheet in sheets:
            coding = sheet.articles.get(article_id)
            if coding is None:
                continue
            coder = normalise_email(sheet.coder)
            result = annotation_result(
                coder, article_id, coding, str(data.get("text", "")), registry, span_name
            )
            annotations.append({
                "id": None,
                "completed_by": {"email": coder},
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": None,
                "updated_at": None,
                "lead_time": None,
                "result_count": len(result),
            })
        if annotations:
            out.append({
                "id": None, "data": data, "annotations": annotations, "drafts": [],
                "predictions": [], "meta": {}, "project": None,
            })
    return out


def sheets_to_export(
    paths: Sequence[str | os.PathLike], registry_path: str | os.PathLike,
    tasks_path: str | os.PathLike,
) -> list[dict]:
    """Read the sheets at ``paths``, check them against the registry and the tasks, and
    return the export-shaped tasks (:func:`sheet_export`). Every problem of every sheet is
    collected before :class:`SheetProblems` is raised."""
    from framestudy.schema.registry_file import read_registry
    from framestudy.tasks.tasks_file import read_tasks

    if not paths:
        raise UserError("name at least one coding sheet (a YAML file)")
    registry = read_registry(registry_path)
    tasks = read_tasks(tasks_path)
    sheets: list[tuple[str, Sheet]] = []
    problems: list[str] = []
    for path in paths:
        try:
            sheets.append((str(path), read_sheet(path)))
        except SheetProblems as exc:
            problems += exc.problems
    if problems:
        raise SheetProblems(problems)
    return sheet_export(sheets, registry, tasks)


def export_text(tasks: list[dict]) -> str:
    """The export file's text: UTF-8 JSON, indented, keys in a fixed order (the same sheets
    give the same bytes)."""
    return json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
