"""Reading Label Studio export files, with one clear error for a file that is not one.

:func:`read_export` accepts the JSON export (a list of task objects; Community "easy" export,
snapshot export, Enterprise export). Faults inside a task or annotation are not errors here:
:func:`framestudy.annotations.tidy_from_export` counts them. What is rejected is a file that
is not an export at all: missing, empty, not UTF-8, not JSON (often a truncated download),
not a list of objects, or an export in another format (JSON-MIN, CSV, an API error page).

:func:`read_users` reads a user list (``GET /api/users`` saved as JSON, or an ``{id: email}``
object) to turn ``completed_by`` ids into e-mails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from framestudy.annotations._gc import gc_paused
from framestudy.errors import UserError

_REEXPORT = "re-export the project from Label Studio as JSON"


def _load_json(path: Path, what: str) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a {what} file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise UserError(f"{path}: the file is empty -- {_REEXPORT}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text (bad byte at position {exc.start}); a Label Studio JSON "
            f"export is UTF-8 -- {_REEXPORT}"
        ) from None
    try:
        with gc_paused():
            return json.loads(text)
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deeply to be a {what}") from None
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip())
        hint = " (the file ends early: truncated download?)" if at_end else ""
        raise UserError(
            f"{path}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}"
            f" -- {_REEXPORT}"
        ) from None


def read_export(path: str | os.PathLike) -> list[dict]:
    """The tasks of a Label Studio JSON export file.

    Raises :class:`UserError` naming the file and the fault when the file is missing, empty,
    not UTF-8, not valid JSON (with line and column; a truncated download is called so), or
    not a JSON list of task objects.
    """
    path = Path(path)
    data = _load_json(path, "Label Studio export")
    if isinstance(data, dict):
        if "detail" in data or "error" in data or "status_code" in data:
            msg = data.get("detail") or data.get("error") or data.get("status_code")
            raise UserError(
                f"{path}: holds a Label Studio error response ({str(msg)[:120]!r}), not an "
                f"export -- check the URL and token, then {_REEXPORT}"
            )
        if "data" in data and "annotations" in data:
            raise UserError(
                f"{path}: holds a single task object, not an export (a JSON list of tasks) -- "
                f"{_REEXPORT}"
            )
        raise UserError(
            f"{path}: expected a JSON list of tasks (a Label Studio JSON export), found an "
            f"object with keys {sorted(data)[:6]} -- {_REEXPORT}"
        )
    if not isinstance(data, list):
        raise UserError(
            f"{path}: expected a JSON list of tasks (a Label Studio JSON export), found "
            f"{_json_kind(data)} -- {_REEXPORT}"
        )
    for i, task in enumerate(data):
        if not isinstance(task, dict):
            raise UserError(
                f"{path}: item {i} of the list is {_json_kind(task)}, not a task object -- "
                f"{_REEXPORT}"
            )
    if data and not any("annotations" in t or "drafts" in t for t in data):
        if any("annotator" in t or "annotation_id" in t for t in data):
            fmt = "a JSON-MIN export"
        else:
            fmt = "a task list without annotations (an import file, not an export)"
        raise UserError(
            f"{path}: no task has an 'annotations' list: this looks like {fmt} -- export the "
            "project in Label Studio's JSON format"
        )
    return data


def read_users(path: str | os.PathLike) -> dict[int, str]:
    """Label Studio user id -> e-mail, from a JSON file.

    Accepts the user list as ``GET /api/users`` returns it (``[{"id": 2, "email": ...}]``)
    or a plain object ``{"2": "coder@example.org"}``.
    """
    path = Path(path)
    data = _load_json(path, "user list")
    users: dict[int, str] = {}
    if isinstance(data, dict):
        items = data.items()
        for key, email in items:
            try:
                uid = int(key)
            except ValueError:
                raise UserError(f"{path}: key {key!r} is not a Label Studio user id") from None
            if not isinstance(email, str):
                raise UserError(f"{path}: the e-mail of user {key} is not a string")
            users[uid] = email
        return users
    if isinstance(data, list):
        for i, user in enumerate(data):
            if not (
                isinstance(user, dict)
                and isinstance(user.get("id"), int)
                and isinstance(user.get("email"), str)
            ):
                raise UserError(f"{path}: item {i} is not a user object with 'id' and 'email'")
            users[user["id"]] = user["email"]
        return users
    raise UserError(
        f"{path}: expected a list of users (GET /api/users) or an object id -> e-mail, found "
        f"{_json_kind(data)}"
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
