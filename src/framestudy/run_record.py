"""Run records: what an analysis command computed its files from, and with which settings.

Every analysis command that writes results under ``analysis/`` also writes one small JSON
file beside them (``analysis/agreement.json``, ``analysis/outlets.json``) holding:

- ``command``: the command that wrote it;
- ``framestudy_version`` and ``created`` (UTC, ISO 8601, seconds);
- ``inputs``: ``{path relative to the study root: SHA-256 of its bytes, or null when the
  file did not exist}`` for every input the command read;
- ``files``: the files it wrote (names under ``analysis/``);
- the command's settings (seeds, replicates, gate...), as further keys.

The report reads these records to state its provenance and to refuse results whose inputs
have changed since (:func:`changed_inputs`): numbers from an older annotation table must not
be published beside a newer one's. Only the standard library is imported here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framestudy.errors import UserError
from framestudy.io import atomic_write_json, read_json, sha256_file


def input_digests(root: str | os.PathLike, paths: Iterable[str | os.PathLike]) -> dict:
    """``{path relative to root: SHA-256 or None}`` for each input file (None: absent)."""
    root = Path(root).resolve()
    out: dict[str, str | None] = {}
    for path in paths:
        path = Path(path).resolve()
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = str(path)
        out[name] = sha256_file(path) if path.is_file() else None
    return out


def write_run_record(
    path: str | os.PathLike,
    *,
    command: str,
    root: str | os.PathLike,
    inputs: Iterable[str | os.PathLike],
    files: Iterable[str],
    settings: Mapping[str, Any],
) -> Path:
    """Write the run record of ``command`` to ``path`` (atomically); see the module doc.

    A record that would differ from the one on disk only in ``created`` is left as it is:
    re-running a command on unchanged inputs with unchanged settings changes no file, so a
    study's committed results stay clean in git (``created`` says when these results were
    first computed)."""
    from framestudy import __version__

    path = Path(path)
    record = {
        "command": command,
        "framestudy_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": input_digests(root, inputs),
        "files": list(files),
        **json.loads(json.dumps(dict(settings))),  # as JSON would read it back
    }
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = None
    if isinstance(earlier, dict) and "created" in earlier and (
        {**earlier, "created": None} == {**record, "created": None}
    ):
        return path
    return atomic_write_json(path, record)


def read_run_record(path: str | os.PathLike, rerun: str) -> dict | None:
    """The run record at ``path`` (None when there is none); ``rerun`` is the command that
    makes it again, named in the error when the file is damaged."""
    path = Path(path)
    record = read_json(path, "run record")
    if record is None:
        return None
    for key, kind in (("command", str), ("inputs", dict), ("files", list)):
        if not isinstance(record.get(key), kind):
            raise UserError(
                f"{path}: not a framestudy run record ('{key}' is missing or of the wrong "
                f"kind) -- run `{rerun}` again to write it"
            )
    return record


def changed_inputs(record: Mapping[str, Any], root: str | os.PathLike) -> list[str]:
    """The inputs of a run record whose content is not what the command read (changed,
    created or deleted since), as paths relative to ``root``."""
    root = Path(root)
    now = input_digests(root, [root / name for name in record.get("inputs", {})])
    return [name for name, digest in record.get("inputs", {}).items() if now.get(name) != digest]
