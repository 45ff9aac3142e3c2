"""A new study folder: the layout of :mod:`framestudy.study`, a schema to start from, and
templates that say what goes where (``framestudy init``).

What is written::

    schemas/framing.yaml   the bundled framing schema, or the schema given (validated first)
    tasks/articles/        empty: `framestudy tasks add` fills it
    tasks/outlets.yaml     a commented template with an empty outlet list
    annotations/           empty: `framestudy pull` fills it
    analysis/              empty: agreement, outlets and report write here
    study.yaml             the study's name (pinned, so renaming the folder does not rename
                           the Label Studio projects) and the gate settings, commented
    .gitignore             .labelstudio/ (the local server's data and secrets) and .env
    README.md              the layout and the next steps

A user's file is never overwritten: if any file init would write already exists, nothing
is written and the error names them. The one exception is an existing ``.gitignore`` (a
folder that is already a git repository often has one): the lines framestudy needs are
appended to it when missing, and nothing in it is changed or removed. Existing folders
(``tasks/articles/`` with articles in it, say) are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from framestudy import templates
from framestudy.errors import UserError
from framestudy.io import atomic_write_text
from framestudy.study import Study

FOLDERS = ("schemas", "tasks/articles", "annotations", "analysis")
GITIGNORE = ".gitignore"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")


@dataclass
class InitResult:
    """What :func:`init_study` did: the study, the files written (relative paths), the
    lines appended to an existing ``.gitignore`` and where the schema came from."""

    study: Study
    written: list[str] = field(default_factory=list)
    gitignore_added: list[str] = field(default_factory=list)
    schema_from: str = "the bundled framing schema"


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML value: plain when that reads back as the same string, else
    double-quoted (JSON's string syntax is YAML's)."""
    import json

    if _PLAIN_NAME.match(text) and not re.fullmatch(r"[\d.eE+-]+|true|false|null|yes|no|on|off", text, re.I):
        return text
    return json.dumps(text, ensure_ascii=False)


def _schema_text(schema: Path | None) -> tuple[str, str]:
    """The schema's text and where it came from; a given schema is validated first."""
    from framestudy.schema import load_schema

    if schema is None:
        return templates.read("framing.yaml"), "the bundled framing schema"
    load_schema(schema)  # a UserError naming the file and field if it is not a valid schema
    return schema.read_text(encoding="utf-8"), str(schema)


def planned_files(name: str, schema_text: str) -> dict[str, str]:
    """Every file init writes, by its path in the study, with its content."""
    files = {}
    for target, source in templates.STUDY_FILES.items():
        text = schema_text if target == "schemas/framing.yaml" else templates.read(source)
        files[target] = text.replace("{{name}}", _yaml_scalar(name) if target == "study.yaml" else name)
    return files


def init_study(root: str | Path, schema: str | Path | None = None) -> InitResult:
    """Create the study folder ``root`` (see the module docstring).

    ``schema``: a schema file to start from instead of the bundled one; it is validated
    and copied byte for byte (comments kept) to ``schemas/framing.yaml``. Raises
    :class:`UserError` when ``root`` is a file, when the schema is not valid, or when a file
    init would write exists (all of them named; nothing is written then).
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise UserError(f"{root}: is a file, not a folder -- give a new or existing folder")
    text, origin = _schema_text(Path(schema) if schema is not None else None)
    name = root.resolve().name or "study"
    files = planned_files(name, text)

    existing = [rel for rel in files if rel != GITIGNORE and (root / rel).exists()]
    existing += [d for d in FOLDERS if (root / d).exists() and not (root / d).is_dir()]
    if existing:
        already = " (it is already a study)" if (root / "schemas/framing.yaml").exists() else ""
        raise UserError(
            f"{root}: {', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}"
            f"{already} -- init never overwrites a file: choose a new folder, or move "
            "those files away first"
        )

    result = InitResult(study=Study(root.resolve()), schema_from=origin)
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        if rel == GITIGNORE and target.exists():
            result.gitignore_added = _extend_gitignore(target, content)
            continue
        atomic_write_text(target, content)
        result.written.append(rel)
    return result


def _extend_gitignore(path: Path, template: str) -> list[str]:
    """Append to an existing ``.gitignore`` the template's patterns it lacks; the lines
    added (none: the file is not touched)."""
    current = path.read_text(encoding="utf-8")
    have = {line.strip() for line in current.splitlines()}
    missing = [
        line for line in template.splitlines()
        if line.strip() and not line.startswith("#") and line.strip() not in have
    ]
    if missing:
        comments = [line for line in template.splitlines() if line.startswith("#")]
        prefix = "" if current.endswith("\n") or not current else "\n"
        atomic_write_text(path, current + prefix + "\n".join(["", *comments, *missing]) + "\n")
    return missing
