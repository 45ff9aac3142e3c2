"""``tasks/tasks.json``: the model of the file this stage writes, and its one reader.

The file is a JSON list in Label Studio's task-import format, ``[{"data": {...}}, ...]``
(docs/CONTRACTS.md, "Tasks"). :class:`TaskData` says what ``data`` holds: ``article_id``
and ``text`` are required (that is all a reader needs: push imports them, agreement measures
the text's length); the other fields ``framestudy tasks build`` writes are typed where
present, and fields of the user's own are kept. :class:`TasksFile` adds the rule across
tasks: each ``article_id`` occurs once.

:func:`read_tasks` is how a later stage reads the file; every problem is one line naming the
file, the task (by position and ``article_id``) and the field, and saying what to do, e.g.::

    tasks/tasks.json: task 3 (art-737d0a8a9c30): data.text = 5 must be text -- run `framestudy tasks build`

Only pydantic and the standard library are imported here, so a reader of ``tasks.json``
(e.g. the analysis stage) loads nothing of the article cleaning.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from framestudy.errors import UserError, explain_list_of_records, validated
from framestudy.io import read_input_text

#: what to do about a faulty ``tasks.json``
REBUILD = "run `framestudy tasks build`"


class TaskData(BaseModel):
    """The ``data`` of one task (docs/CONTRACTS.md lists each field)."""

    model_config = ConfigDict(extra="allow")

    article_id: str = Field(min_length=1)
    text: str
    text_version: str = ""
    outlet: str | None = None
    outlet_name: str | None = None
    original_source: str | None = None
    title: str | None = None
    date: str | None = None
    author: str | None = None
    language: str | None = None
    word_count: int | None = None
    schema_version: str | None = None
    schema_hash: str | None = None
    original_date: str | None = None
    date_note: str | None = None
    kind: str | None = None
    translated_from: str | None = None
    source_file: str | None = None


class Task(BaseModel):
    """One Label Studio task; fields beside ``data`` (e.g. ``meta``) are kept as they are."""

    model_config = ConfigDict(extra="allow")

    data: TaskData


class TasksFile(RootModel[list[Task]]):
    """The whole file: a list of tasks, each ``data.article_id`` once."""

    @model_validator(mode="after")
    def _each_article_once(self) -> TasksFile:
        seen: dict[str, int] = {}
        for i, task in enumerate(self.root):
            article_id = task.data.article_id
            if article_id in seen:
                raise ValueError(
                    f"data.article_id {article_id!r} occurs in tasks {seen[article_id]} and "
                    f"{i}: each article must appear once"
                )
            seen[article_id] = i
        return self


_EXPECTED = {
    "string": "must be text",
    "int": "must be a whole number",
    "model": "must be an object",
}


def _explain(tasks: Any) -> Any:
    """The wording of a validation error of ``tasks`` (the parsed file): the task by its
    position (and ``article_id`` where it has one), the field, what is wrong."""

    def name(loc: tuple) -> str:
        task = f"task {loc[0]}"
        data = tasks[loc[0]].get("data") if isinstance(tasks[loc[0]], dict) else None
        named = data.get("article_id") if isinstance(data, dict) else None
        if isinstance(named, str) and named and loc[1:] != ("data", "article_id"):
            task += f" ({named})"
        return task

    return explain_list_of_records(
        name=name, whole="expected a JSON list of tasks",
        not_object="must be an object with a 'data' object", expected=_EXPECTED,
        remedy=REBUILD,
    )


def check_tasks(tasks: Any, where: object) -> TasksFile:
    """``tasks`` (a parsed ``tasks.json``) checked against :class:`TasksFile`; a
    :class:`~framestudy.errors.UserError` starting with ``where`` names the first problem."""
    return validated(TasksFile, tasks, locate=lambda loc: str(where), explain=_explain(tasks))


def read_tasks(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The tasks of ``path`` (``tasks/tasks.json``), as parsed, once :func:`check_tasks`
    has accepted them. A missing, empty or unparsable file is a
    :class:`~framestudy.errors.UserError` too."""
    path = Path(path)
    text = read_input_text(path, "task file", REBUILD)
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}) -- "
            f"{REBUILD}"
        ) from None
    check_tasks(tasks, path)
    return tasks
