"""The study's Label Studio settings in ``study.yaml`` (tracked in git: no secrets here).

framestudy reads and writes only these keys and keeps every other key of the file as it is::

    name: nato-framing            # optional; used in project titles (default: folder name)
    coders:                       # `framestudy coders add`
      - email: ana@uni.example
        added: 2026-11-25
    labelstudio:                  # `framestudy push`
      design: blind               # or: shared
      reliability_share: 0.2
      seed: 1
      server: http://127.0.0.1:8080
      projects:                   # the study's projects on that server
        - {coder: ana@uni.example, id: 3, title: "nato-framing · ana@uni.example"}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from framestudy.errors import UserError
from framestudy.io import atomic_write_text
from framestudy.study import Study

DESIGNS = ("blind", "shared")
DEFAULT_DESIGN = "blind"
DEFAULT_SHARE = 0.2
DEFAULT_SEED = 1
SHARED = "*"  # the `coder` of the shared design's single project

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def read(study: Study) -> dict[str, Any]:
    """The parsed ``study.yaml`` (empty dict if there is none)."""
    path = study.settings
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise UserError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: must be a mapping of settings (key: value)")
    return data


def update(study: Study, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Read ``study.yaml``, apply ``change`` in place, write it back atomically."""
    data = read(study)
    before = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    change(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    if text != before or not study.settings.exists():
        atomic_write_text(study.settings, text)
    return data


def normalise_email(email: str, where: str = "") -> str:
    """Lower-cased, stripped e-mail; UserError naming it if it does not look like one."""
    clean = str(email).strip().lower()
    if not _EMAIL.match(clean) or len(clean) > 254:
        place = f"{where}: " if where else ""
        raise UserError(f"{place}{email!r} is not an e-mail address (name@example.org)")
    return clean


def study_name(study: Study) -> str:
    name = read(study).get("name") or study.root.name
    return str(name)


def coders(study: Study) -> list[str]:
    """The study's coders' e-mails, in the order they were added."""
    data = read(study)
    entries = data.get("coders") or []
    if not isinstance(entries, list):
        raise UserError(f"{study.settings}: 'coders' must be a list")
    out: list[str] = []
    for i, entry in enumerate(entries):
        email = entry.get("email") if isinstance(entry, dict) else entry
        if not isinstance(email, str):
            raise UserError(f"{study.settings}: coders[{i}] has no e-mail")
        email = normalise_email(email, f"{study.settings}: coders[{i}]")
        if email not in out:
            out.append(email)
    return out


def add_coders(study: Study, emails: list[str]) -> list[str]:
    """Record coders (idempotent); return the e-mails that were new."""
    added: list[str] = []

    def change(data: dict[str, Any]) -> None:
        entries = data.get("coders") or []
        known = {
            (e.get("email") if isinstance(e, dict) else str(e)).strip().lower() for e in entries
        }
        for email in emails:
            if email not in known:
                entries.append({"email": email, "added": date.today().isoformat()})
                known.add(email)
                added.append(email)
        data["coders"] = entries

    if emails:
        update(study, change)
    return added


@dataclass(frozen=True)
class DesignSettings:
    design: str | None
    reliability_share: float | None
    seed: int | None


def design(study: Study) -> DesignSettings:
    """The recorded design options (None where nothing is recorded)."""
    section = _section(read(study), study)

    def typed(key: str, kind: type):
        value = section.get(key)
        if value is None:
            return None
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise UserError(
                f"{study.settings}: labelstudio.{key} = {value!r} is not a "
                + ("whole number" if kind is int else "number")
            ) from None

    chosen = section.get("design")
    if chosen is not None and chosen not in DESIGNS:
        raise UserError(f"{study.settings}: labelstudio.design = {chosen!r}: blind or shared")
    return DesignSettings(
        design=chosen,
        reliability_share=typed("reliability_share", float),
        seed=typed("seed", int),
    )


def _section(data: dict[str, Any], study: Study) -> dict[str, Any]:
    section = data.get("labelstudio") or {}
    if not isinstance(section, dict):
        raise UserError(f"{study.settings}: 'labelstudio' must be a mapping")
    return section


def save_design(study: Study, design_name: str, share: float, seed: int) -> None:
    def change(data: dict[str, Any]) -> None:
        section = _section(data, study)
        section["design"] = design_name
        section["reliability_share"] = float(share)
        section["seed"] = int(seed)
        data["labelstudio"] = section

    update(study, change)


@dataclass(frozen=True)
class ProjectRecord:
    coder: str  # a coder's e-mail, or SHARED
    id: int
    title: str


def projects(study: Study, server_url: str | None = None) -> list[ProjectRecord]:
    """The recorded projects (none if they were recorded for another server)."""
    section = _section(read(study), study)
    if server_url is not None and section.get("server") not in (None, server_url):
        return []
    out = []
    for i, entry in enumerate(section.get("projects") or []):
        try:
            out.append(
                ProjectRecord(
                    coder=str(entry["coder"]), id=int(entry["id"]), title=str(entry["title"])
                )
            )
        except (KeyError, TypeError, ValueError):
            raise UserError(
                f"{study.settings}: labelstudio.projects[{i}] needs coder, id and title"
            ) from None
    return out


def save_projects(study: Study, server_url: str, records: list[ProjectRecord]) -> None:
    def change(data: dict[str, Any]) -> None:
        section = _section(data, study)
        if section.get("server") != server_url:
            section["projects"] = []
        section["server"] = server_url
        kept = {r["coder"]: r for r in section.get("projects") or [] if isinstance(r, dict)}
        for record in records:
            kept[record.coder] = {"coder": record.coder, "id": record.id, "title": record.title}
        section["projects"] = list(kept.values())
        data["labelstudio"] = section

    update(study, change)
