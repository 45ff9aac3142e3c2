"""The raw-export store ``annotations/raw/``: file names and ``manifest.json``.

Every Label Studio export a study keeps is saved here unchanged, as
``<UTC time>_project-<id>_<sha256[:12]>.json`` (time ``YYYYMMDDTHHMMSSZ``), and listed in
``manifest.json``: ``{"exports": [entry, ...]}``, each entry with ``file``, ``exported_at``
(ISO 8601, seconds), ``server``, ``project_id``, ``project_title``, ``coder`` (the e-mail of
the project's owner, or null for a shared project), ``sha256`` and ``bytes``
(:class:`Manifest`, which :func:`read_manifest` checks: a damaged manifest is one line
naming the file and the field). An earlier
file is never overwritten, and an export identical to one already saved for the same project
is not saved again.

This module is the one place that knows those names; ``framestudy pull``
(:func:`framestudy.labelstudio.pull.save_raw`) and the simulator
(:func:`framestudy.simulation.synthetic_study.simulate_study`) both write through
:func:`save_raw_export`. :func:`save_raw_export` reads, extends and rewrites the manifest, so
a caller that may run concurrently with another writer must serialise the calls (``pull``
holds its pull lock).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from framestudy.errors import UserError, dotted_location, validated
from framestudy.io import atomic_write_bytes, atomic_write_json

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RawExport:
    """One export in the store."""

    path: Path
    sha256: str
    size: int
    new: bool  # False: identical to an export saved earlier (that file is used)


class ManifestEntry(BaseModel):
    """One saved export, as listed in ``manifest.json``."""

    model_config = ConfigDict(extra="forbid")

    file: StrictStr = Field(min_length=1)
    exported_at: StrictStr
    server: StrictStr
    project_id: StrictInt
    project_title: StrictStr
    coder: StrictStr | None
    sha256: StrictStr = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: StrictInt = Field(ge=0)


class Manifest(BaseModel):
    """``annotations/raw/manifest.json``."""

    model_config = ConfigDict(extra="forbid")

    exports: list[ManifestEntry]


def manifest_path(raw_dir: Path) -> Path:
    return Path(raw_dir) / MANIFEST


def export_file_name(when: datetime, project_id: int, sha256: str) -> str:
    """``<UTC time>_project-<id>_<sha256[:12]>.json``."""
    return f"{when.strftime('%Y%m%dT%H%M%SZ')}_project-{project_id}_{sha256[:12]}.json"


def read_manifest(raw_dir: Path) -> list[dict]:
    """The manifest's entries ([] when there is no manifest yet)."""
    path = manifest_path(raw_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{path}: unreadable manifest ({exc}) -- restore it from git; the raw exports "
            "next to it are intact"
        ) from None
    validated(
        Manifest, data, count_more=True, locate=lambda loc: f"{path}: {dotted_location(loc)}",
        advice=", or restore the file from git (the raw exports next to it are intact)",
    )
    return data["exports"]


def save_raw_export(
    raw_dir: Path,
    content: bytes,
    *,
    when: datetime,
    server: str,
    project_id: int,
    project_title: str,
    coder: str | None,
) -> RawExport:
    """Save one export's bytes unless the same bytes were saved before for this project,
    and list it in the manifest (see the module doc; serialise concurrent callers)."""
    raw_dir = Path(raw_dir)
    digest = hashlib.sha256(content).hexdigest()
    entries = read_manifest(raw_dir)
    for entry in entries:
        if entry.get("project_id") == project_id and entry.get("sha256") == digest:
            earlier = raw_dir / str(entry.get("file"))
            if earlier.is_file() and hashlib.sha256(earlier.read_bytes()).hexdigest() == digest:
                return RawExport(earlier, digest, len(content), new=False)
    name = export_file_name(when, project_id, digest)
    path = raw_dir / name
    if path.exists():  # same second, same project, same digest: it is this very export
        return RawExport(path, digest, len(content), new=False)
    atomic_write_bytes(path, content)
    entries.append(
        {
            "file": name,
            "exported_at": when.isoformat(timespec="seconds"),
            "server": server,
            "project_id": project_id,
            "project_title": project_title,
            "coder": coder,
            "sha256": digest,
            "bytes": len(content),
        }
    )
    atomic_write_json(manifest_path(raw_dir), {"exports": entries})
    return RawExport(path, digest, len(content), new=True)
