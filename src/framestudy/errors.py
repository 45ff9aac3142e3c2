"""The one exception type for mistakes a user can fix.

A :class:`UserError` is shown as a single line (``error: ...``) and the CLI exits with
code 2; ``--verbose`` adds the traceback. Its message names the file, row or field at
fault and says what to do about it. :func:`yaml_error` and :func:`describe_validation_error`
word the two commonest input errors, a YAML syntax error and a pydantic validation error,
the same way in every stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class UserError(Exception):
    """Bad input, configuration or environment that the user can correct."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# One wording for each kind of input error, used by every stage that reads such a file. The
# YAML and pydantic libraries are not imported here (this module is loaded at CLI start-up):
# the errors are read through the attributes both expose.

#: the wording of a YAML syntax error in a file framestudy reads; the fields are
#: ``{where}`` (the file), ``{line}`` (`` line N``, or empty when the parser gives no
#: position), ``{position}`` (``line N column M``, or ``(unknown position)``) and
#: ``{problem}`` (the parser's description of the mistake)
YAML_SYNTAX = "{where}: {position}: {problem} -- fix the YAML syntax"


def yaml_error(where: object, exc: Exception, template: str = YAML_SYNTAX, *,
               first_line: int = 1) -> UserError:
    """A :class:`UserError` for a YAML syntax error (PyYAML's ``YAMLError`` or ruamel.yaml's).

    ``template`` words it (see :data:`YAML_SYNTAX` for the fields); ``first_line`` is the
    number, in the file, of the first line of the text that was parsed (2 for front matter
    after its ``---`` line), so the line named is the file's.
    """
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line = mark.line + first_line
        at, position = f" line {line}", f"line {line} column {mark.column + 1}"
    else:
        at, position = "", "(unknown position)"
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["invalid YAML"])[0]
    return UserError(template.format(where=where, line=at, position=position, problem=problem))


def dotted_location(loc: tuple) -> str:
    """A pydantic error location as ``key.key[index].key`` (``(top level)`` when empty)."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (("." if out else "") + str(key))
    return out or "(top level)"


def explain_list_of_records(
    *,
    name: Callable[[tuple], str],
    whole: str,
    not_object: str,
    expected: dict[str, str],
    remedy: str,
    quote_field: bool = False,
) -> Callable[[dict], tuple[str, str]]:
    """The ``explain`` of :func:`describe_validation_error` for a JSON file that is a list
    of records (``registry.json``, ``tasks.json``): the record as ``name(loc)`` words it
    (its number and identifying field), the field, what is wrong, then ``remedy``.
    ``whole``: the wording when the file is not a list; ``not_object``: when a record is
    not an object; ``expected``: pydantic error kinds (``string``, ``bool``...) -> "must
    be ..."; ``quote_field``: show the field name quoted."""

    def explain(err: dict) -> tuple[str, str]:
        loc = tuple(err["loc"])
        if not loc:  # the file as a whole
            if err["type"] == "value_error":
                return err["msg"].removeprefix("Value error, "), remedy
            return whole, remedy
        record = name(loc)
        if len(loc) == 1:
            return f"{record} {not_object}", remedy
        field = dotted_location(loc[1:])
        shown_field = repr(field) if quote_field else field
        if err["type"] == "missing":
            return f"{record} has no {shown_field}", remedy
        if err["type"] == "string_too_short":
            return f"{record} has an empty {shown_field}", remedy
        if err["type"] == "literal_error":
            what = err["msg"].replace("Input should be", "must be")
        else:
            what = expected.get(err["type"].split("_")[0], err["msg"])
        shown = err.get("input")
        value = "" if isinstance(shown, dict | list) else f" = {shown!r}"
        return f"{record}: {field}{value} {what}", remedy

    return explain


def describe_validation_error(
    exc: Any,
    *,
    first: bool = False,
    locate: Callable[[tuple], str] = dotted_location,
    unknown_hint: str = "",
    show_input: bool = False,
    count_more: bool = False,
    explain: Callable[[dict], tuple[str, str] | None] | None = None,
) -> str:
    """One line naming the field(s) at fault in a pydantic ``ValidationError``.

    ``exc`` is the error, or a list of its error records (``exc.errors()``). Two wordings:

    - every problem (the default), for the fields of one record:
      ``unknown field 'x'; field 'y' is missing; field 'z': <pydantic's message>``;
    - ``first=True``, for a nested file (a schema, a scenario): only the most telling
      problem -- an unknown key before anything else, since a misspelt key shows up as both
      an unknown and a missing key -- as ``<where>: <what> -- <what to do>``, ``<where>``
      from ``locate(loc)``. ``unknown_hint`` ends the advice for an unknown key (e.g.
      `` (the keys: docs/schema.md)``); ``show_input`` adds the value given to pydantic's
      message; ``count_more`` adds ``(and N more problem(s))``; ``explain(error)`` may
      word a problem itself as ``(what, what to do)``.
    """
    errors = list(exc.errors()) if hasattr(exc, "errors") else list(exc)
    if not first:
        parts = []
        for err in errors:
            field = ".".join(str(key) for key in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                parts.append(f"unknown field {field!r}")
            elif err["type"] == "missing":
                parts.append(f"field {field!r} is missing")
            else:
                parts.append(f"field {field!r}: {err['msg'].removeprefix('Value error, ')}")
        return "; ".join(parts)
    err = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")[0]
    worded = explain(err) if explain is not None else None
    if worded is not None:
        what, todo = worded
    elif err["type"] == "extra_forbidden":
        what, todo = "unknown key", f"remove it or fix its spelling{unknown_hint}"
    elif err["type"] == "missing":
        what, todo = "required key is missing", "add it"
    else:
        got = f" (got {err.get('input')!r})" if show_input else ""
        what, todo = f"{err['msg']}{got}", "fix the value"
    if count_more and len(errors) > 1:
        what += f" (and {len(errors) - 1} more problem(s))"
    return f"{locate(tuple(err['loc']))}: {what} -- {todo}"


def validated(model: Any, data: Any, *, advice: str = "", **wording: Any) -> Any:
    """``model.model_validate(data)`` (a pydantic model describing a file), or a
    :class:`UserError` worded by :func:`describe_validation_error` (``first=True``; the
    keywords in ``wording`` are passed on) and ending with ``advice``."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        text = describe_validation_error(exc, first=True, **wording)
        raise UserError(text + advice) from None
