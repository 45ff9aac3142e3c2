"""The study's settings file ``study.yaml`` (tracked in git: no secrets here).

Stage-neutral: ``framestudy coders add`` and ``push`` record the study here, ``status`` and
``pull`` read it back, and ``framestudy simulate`` writes it for a synthetic study, so it
lives beside :mod:`framestudy.study` rather than inside the Label Studio package. It also
holds the rule that names the study's projects (:func:`project_title`), since the titles are
recorded here and a simulated export must carry the same ones.

framestudy reads and writes only these keys. The file is rewritten round-trip
(ruamel.yaml): the user's comments, key order, quoting, flow-style entries and indentation
stay as they were, and a change that changes nothing does not touch the file::

    name: nato-framing            # optional; used in project titles (default: folder name)
    coders:                       # `framestudy coders add`
      - email: ana@uni.example
        added: 2026-11-25
    adjudicators:                 # `framestudy coders add --adjudicator` (docs/adjudication.md)
      - email: ida@uni.example    # settles disagreements in the review project; codes nothing
        added: 2026-11-29
    labelstudio:                  # `framestudy push`
      design: blind               # or: shared
      reliability_share: 0.2
      seed: 1
      server: http://127.0.0.1:8080
      projects:                   # the study's projects on that server
        - {coder: ana@uni.example, id: 3, title: "nato-framing · ana@uni.example"}
    server:                       # written by hand; read by `framestudy server start`
      team: false                 # true: the team server (PostgreSQL + gunicorn workers)
      workers: 4                  # team server's worker processes (default: 2 per core, 2-8)
      public_url: https://labelstudio.uni.example   # the address coders open (a proxy)
    analysis:                     # written by hand; read by the outlet comparison
      gate:                       # the reliability gate (docs/outlets.md); defaults shown
        statistic: estimate       # or: ci_low (the lower end of alpha's CI)
        threshold: 0.667          # alpha below this: the variable is excluded
        tentative_below: 0.800    # alpha below this (and not below threshold): tentative

The file's shape is :class:`StudySettings` (pydantic), checked each time it is read: a
wrong value is one line naming the file and the key, e.g. ``study.yaml: labelstudio.seed =
'one' is not a whole number -- write a whole number, e.g. seed: 1``. Keys framestudy does not
know are left alone (a study may keep its own notes here). Writing never goes through the
model, so that the round trip keeps the user's text.

The ``server`` section (:class:`ServerSettings`, read with :func:`server_settings`) and the
``analysis.gate`` section (:class:`GateSettings`, read with :func:`gate_settings`) are
stricter than the rest of the file: a key it does not know is an error, since a misspelt
``treshold`` would otherwise leave the default threshold deciding, unnoticed, which
variables enter the outlet comparison (and a misspelt ``tem: true`` would start the study on
SQLite). The listening address is deliberately not a setting: opening the server to the
network takes ``--host ADDR --allow-remote`` on the command line each time.

Project titles: blind design, one project per coder, titled ``<study> · <coder e-mail>``;
shared design, one project titled ``<study> · shared``; the adjudicator's review project
(``framestudy adjudicate push``) ``<study> · review`` (:func:`review_title`). Label Studio allows 50 characters in
a title; longer study names are shortened (the coder's e-mail is kept whole when it fits).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from framestudy.errors import (
    UserError,
    dotted_location,
    validated,
    yaml_error,
)
from framestudy.io import atomic_write_text
from framestudy.study import Study

DESIGNS = ("blind", "shared")
DEFAULT_DESIGN = "blind"
DEFAULT_SHARE = 0.2
DEFAULT_SEED = 1
SHARED = "*"  # the `coder` of the shared design's single project
TITLE_MAX = 50  # characters Label Studio allows in a project title
_SEP = " · "

GATE_STATISTICS = ("estimate", "ci_low")  # what of alpha the reliability gate reads
DEFAULT_GATE_STATISTIC = "estimate"
DEFAULT_GATE_THRESHOLD = 0.667  # Krippendorff (2004), Content Analysis, 2nd ed., p. 241
DEFAULT_GATE_TENTATIVE = 0.800  # idem

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def _yaml(text: str = "") -> YAML:
    """A round-trip YAML that writes block structure indented the way ``text`` is."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long value
    mapping, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def _indentation(text: str) -> tuple[int, int]:
    """(indent of nested mappings, indent of a list's dash under its key) used in ``text``;
    PyYAML's (2, 0) -- what earlier framestudy versions wrote -- where the text does not say."""
    mapping = offset = None
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    for parent, child in zip(lines, lines[1:], strict=False):
        stripped = parent.split(" #")[0].rstrip()
        if not stripped.endswith(":") or stripped.lstrip().startswith("- "):
            continue  # only a bare `key:` opens a block (a `- key:` item is ambiguous)
        depth = len(parent) - len(parent.lstrip())
        inner = len(child) - len(child.lstrip())
        if child.lstrip().startswith("- "):
            if offset is None and inner >= depth:
                offset = inner - depth
        elif mapping is None and inner > depth:
            mapping = inner - depth
        if mapping is not None and offset is not None:
            break
    return mapping or 2, offset or 0


def _load(path, text: str) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise yaml_error(path, exc, "{where}{line}: not valid YAML ({problem})") from None


# -- the file's shape ----------------------------------------------------------------------


class CoderEntry(BaseModel):
    """One entry of ``coders``: ``{email: ..., added: YYYY-MM-DD}`` (or the bare e-mail)."""

    model_config = ConfigDict(extra="allow")

    email: str
    added: Any = None

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not _EMAIL.match(value.strip().lower()) or len(value.strip()) > 254:
            raise ValueError("is not an e-mail address (name@example.org)")
        return value


class ProjectEntry(BaseModel):
    """One entry of ``labelstudio.projects``: a project of the study on ``labelstudio.server``."""

    model_config = ConfigDict(extra="allow")

    coder: str  # a coder's e-mail, or SHARED
    id: int
    title: str


class LabelStudioSection(BaseModel):
    """The ``labelstudio`` section, written by ``framestudy push``."""

    model_config = ConfigDict(extra="allow")

    design: str | None = None
    reliability_share: float | None = None
    seed: int | None = None
    server: str | None = None
    projects: list[ProjectEntry] | None = None

    @field_validator("design")
    @classmethod
    def _known_design(cls, value: str | None) -> str | None:
        if value is not None and value not in DESIGNS:
            raise ValueError("is not a design")
        return value


class GateSettings(BaseModel):
    """The ``analysis.gate`` section: how the reliability gate of the outlet comparison
    decides (:func:`framestudy.analysis.gate.gate`; docs/outlets.md).

    - ``statistic``: ``estimate`` (alpha itself, the default) or ``ci_low`` (the lower end
      of alpha's bootstrap CI, a stricter gate);
    - ``threshold``: a variable whose statistic is below it is excluded (default .667);
    - ``tentative_below``: a variable that passes but is below it is tentative (default
      .800). Both in (0, 1], ``threshold`` <= ``tentative_below``; the defaults are
      Krippendorff's (2004, *Content Analysis*, 2nd ed., p. 241).

    Unknown keys are refused (see the module docstring). Frozen: one gate, recorded as made.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    statistic: str = DEFAULT_GATE_STATISTIC
    threshold: float = DEFAULT_GATE_THRESHOLD
    # validated even when left out: ``threshold: 0.9`` alone is above the default .800
    tentative_below: float = Field(DEFAULT_GATE_TENTATIVE, validate_default=True)

    @field_validator("statistic")
    @classmethod
    def _known_statistic(cls, value: str) -> str:
        if value not in GATE_STATISTICS:
            raise ValueError("is not a gate statistic")
        return value

    @field_validator("threshold", "tentative_below", mode="before")
    @classmethod
    def _not_a_truth_value(cls, value: Any) -> Any:
        if isinstance(value, bool):  # YAML's yes/true would otherwise be 1.0
            raise ValueError("is not a number")
        return value

    @field_validator("threshold", "tentative_below")
    @classmethod
    def _in_unit_interval(cls, value: float) -> float:
        if not 0 < value <= 1:  # NaN (.nan) fails too
            raise ValueError("is not in (0, 1]")
        return value

    @field_validator("tentative_below")
    @classmethod
    def _not_below_threshold(cls, value: float, info: ValidationInfo) -> float:
        threshold = info.data.get("threshold")
        if threshold is not None and value < threshold:
            raise ValueError(f"is below the threshold ({threshold:g})")
        return value


class ServerSettings(BaseModel):
    """The ``server`` section, written by hand: which Label Studio ``framestudy server
    start`` runs (docs/team-server.md). Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team: bool = False
    workers: int | None = None
    public_url: str | None = None

    @field_validator("team", mode="before")
    @classmethod
    def _a_truth_value(cls, value: Any) -> Any:
        if not isinstance(value, bool):
            raise ValueError("is not true or false")
        return value

    @field_validator("workers")
    @classmethod
    def _some_workers(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 32:
            raise ValueError("is not a number of workers from 1 to 32")
        return value

    @field_validator("public_url")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("is not an address starting with https:// (or http://)")
        return value


class AnalysisSection(BaseModel):
    """The ``analysis`` section, written by hand: settings of the analysis stage."""

    model_config = ConfigDict(extra="allow")

    gate: GateSettings | None = None


class StudySettings(BaseModel):
    """``study.yaml`` as framestudy reads it (see the module docstring)."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    coders: list[CoderEntry] | None = None
    adjudicators: list[CoderEntry] | None = None
    labelstudio: LabelStudioSection | None = None
    server: ServerSettings | None = None
    analysis: AnalysisSection | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @field_validator("coders", "adjudicators", mode="before")
    @classmethod
    def _bare_emails(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"email": e} if isinstance(e, str) else e for e in value]
        return value


#: what to write instead of a wrong value, per key
_FIX = {
    "design": "write blind or shared",
    "reliability_share": "write a number, e.g. reliability_share: 0.2",
    "seed": "write a whole number, e.g. seed: 1",
    "id": "write the project's id, a whole number (or delete the entry: push records it again)",
    "email": "write the coder's e-mail address (or add coders with `framestudy coders add`)",
    "statistic": "write estimate or ci_low",
    "team": "write true or false",
    "workers": "write a whole number of worker processes, e.g. workers: 4",
    "public_url": "write the address coders open, e.g. public_url: https://labelstudio.uni.example",
    "threshold": "write a number in (0, 1], e.g. threshold: 0.667",
    "tentative_below": (
        "write a number in (0, 1], at least the threshold (the default is 0.800)"
    ),
}
#: what a section that refuses unknown keys holds, per section
_KNOWN_KEYS = {
    "gate": "statistic, threshold and tentative_below",
    "server": "team, workers and public_url",
}
_EXPECTED = {
    "int": "is not a whole number",
    "float": "is not a number",
    "list": "must be a list",
    "model": "must be a mapping (key: value)",
    "dict": "must be a mapping (key: value)",
    "string": "must be text",
}


def _explain(err: dict) -> tuple[str, str]:
    """``study.yaml``'s wording of a validation error: the key, its value, what to do."""
    where = dotted_location(tuple(err["loc"]))
    key = next((k for k in reversed(err["loc"]) if isinstance(k, str)), "")
    if err["type"] == "missing":
        return f"{where} is missing", "add it"
    if err["type"] == "extra_forbidden":
        section = next((k for k in reversed(err["loc"][:-1]) if isinstance(k, str)), "")
        return (
            f"{where} is not a {section} setting",
            f"the {section} settings are {_KNOWN_KEYS.get(section, 'documented')}: fix the key",
        )
    if err["type"] == "value_error":
        what = err["msg"].removeprefix("Value error, ")
    else:
        kind = err["type"].split("_")[0]
        what = _EXPECTED.get(kind, err["msg"])
    todo = _FIX.get(key, "fix the value")
    shown = err.get("input")
    if isinstance(shown, dict | list):
        return f"{where} {what}", todo
    return f"{where} = {shown!r} {what}", todo


def _validate(path, data: Any) -> StudySettings:
    if not isinstance(data, dict):
        raise UserError(f"{path}: must be a mapping of settings (key: value)")
    return validated(
        StudySettings, _plain(data), locate=lambda loc: str(path), explain=_explain
    )


def _parsed(study: Study) -> Any:
    """``study.yaml`` parsed round-trip, unchecked (an empty mapping if there is none)."""
    try:
        text = study.settings.read_text(encoding="utf-8")
    except FileNotFoundError:
        return CommentedMap()
    data = _load(study.settings, text)
    return CommentedMap() if data is None else data


def read(study: Study) -> dict[str, Any]:
    """The parsed ``study.yaml`` (empty dict if there is none), checked against
    :class:`StudySettings`; round-trip data, to change and write back with :func:`update`."""
    data = _parsed(study)
    _validate(study.settings, data)
    return data


def load(study: Study) -> StudySettings:
    """``study.yaml`` as a :class:`StudySettings` (all defaults if there is none)."""
    return _validate(study.settings, _parsed(study))


def _plain(value: Any) -> Any:
    """``value`` as plain dicts and lists (for comparing before and after a change)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def update(study: Study, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Read ``study.yaml``, apply ``change`` in place, write it back atomically.

    Round-trip: everything ``change`` leaves alone -- comments, key order, quoting, styles
    -- is written back as it was; if ``change`` changes nothing, the file is not written.
    """
    path = study.settings
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = None
    data = read(study)
    before = _plain(data)
    change(data)
    if text is not None and _plain(data) == before:
        return data
    out = io.StringIO()
    _yaml(text or "").dump(data, out)
    atomic_write_text(path, out.getvalue())
    return data


def normalise_email(email: str, where: str = "") -> str:
    """Lower-cased, stripped e-mail; UserError naming it if it does not look like one."""
    clean = str(email).strip().lower()
    if not _EMAIL.match(clean) or len(clean) > 254:
        place = f"{where}: " if where else ""
        raise UserError(f"{place}{email!r} is not an e-mail address (name@example.org)")
    return clean


def study_name(study: Study) -> str:
    return load(study).name or study.root.name


def coders(study: Study) -> list[str]:
    """The study's coders' e-mails, in the order they were added."""
    out: list[str] = []
    for entry in load(study).coders or []:
        email = entry.email.strip().lower()
        if email not in out:
            out.append(email)
    return out


def adjudicators(study: Study) -> list[str]:
    """The study's adjudicators' e-mails (``adjudicators``), in the order they were added;
    the first one owns the review project (docs/adjudication.md)."""
    out: list[str] = []
    for entry in load(study).adjudicators or []:
        email = entry.email.strip().lower()
        if email not in out:
            out.append(email)
    return out


def review_owner(study: Study) -> str:
    """The adjudicator who owns the review project (the first of ``adjudicators``);
    UserError saying how to add one when ``study.yaml`` names none."""
    judges = adjudicators(study)
    if not judges:
        raise UserError(
            f"{study.settings.name} names no adjudicator -- add one: framestudy coders add "
            "--adjudicator EMAIL (docs/adjudication.md)"
        )
    return judges[0]


def add_coders(study: Study, emails: list[str], key: str = "coders") -> list[str]:
    """Record coders (idempotent) under ``key`` (``coders``, or ``adjudicators`` for the
    accounts that settle disagreements and code nothing); return the e-mails that were new."""
    added: list[str] = []

    def change(data: dict[str, Any]) -> None:
        entries = data.get(key) or []
        known = {
            (e.get("email") if isinstance(e, dict) else str(e)).strip().lower() for e in entries
        }
        for email in emails:
            if email not in known:
                entries.append({"email": email, "added": date.today().isoformat()})
                known.add(email)
                added.append(email)
        data[key] = entries

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
    section = load(study).labelstudio or LabelStudioSection()
    return DesignSettings(section.design, section.reliability_share, section.seed)


def gate_settings(study: Study) -> GateSettings:
    """The reliability gate's settings (``analysis.gate``), the defaults where
    ``study.yaml`` (or the section) is absent."""
    section = load(study).analysis
    return section.gate if section is not None and section.gate is not None else GateSettings()


def server_settings(study: Study) -> ServerSettings:
    """The ``server`` section (the defaults where ``study.yaml`` or the section is absent)."""
    section = load(study).server
    return section if section is not None else ServerSettings()


def _section(data: dict[str, Any]) -> dict[str, Any]:
    """The ``labelstudio`` section to change, a new one if there is none (:func:`read` has
    checked its shape)."""
    return data.get("labelstudio") or {}


def save_design(study: Study, design_name: str, share: float, seed: int) -> None:
    def change(data: dict[str, Any]) -> None:
        section = _section(data)
        wanted = {"design": design_name, "reliability_share": float(share), "seed": int(seed)}
        for key, value in wanted.items():
            if section.get(key) != value:  # an equal value keeps the user's spelling
                section[key] = value
        data["labelstudio"] = section

    update(study, change)


@dataclass(frozen=True)
class ProjectRecord:
    coder: str  # a coder's e-mail, or SHARED
    id: int
    title: str


def projects(study: Study, server_url: str | None = None) -> list[ProjectRecord]:
    """The recorded projects (none if they were recorded for another server)."""
    section = load(study).labelstudio or LabelStudioSection()
    if server_url is not None and section.server not in (None, server_url):
        return []
    return [ProjectRecord(p.coder, p.id, p.title) for p in section.projects or []]


def save_projects(study: Study, server_url: str, records: list[ProjectRecord]) -> None:
    def change(data: dict[str, Any]) -> None:
        section = _section(data)
        if section.get("server") != server_url:
            section["projects"] = []
            section["server"] = server_url
        # Update in place (an entry keeps its position, style and comments) or append.
        entries = section.get("projects") or []
        for record in records:
            fields = {"coder": record.coder, "id": record.id, "title": record.title}
            known = next((e for e in entries if e.get("coder") == record.coder), None)
            if known is None:
                entries.append(fields)
            else:
                for key, value in fields.items():
                    if known.get(key) != value:
                        known[key] = value
        section["projects"] = entries
        data["labelstudio"] = section

    update(study, change)


def project_title(study_name: str, coder: str) -> str:
    """The project title for ``coder`` (or :data:`SHARED`) in the study ``study_name``."""
    who = "shared" if coder == SHARED else coder
    title = f"{study_name}{_SEP}{who}"
    if len(title) <= TITLE_MAX:
        return title
    room = TITLE_MAX - len(_SEP) - len(who)
    if room >= 4:
        return f"{study_name[: room - 1]}…{_SEP}{who}"
    digest = hashlib.sha256(f"{study_name}\x1f{who}".encode()).hexdigest()[:6]
    return f"{who[: TITLE_MAX - 8]}…~{digest}"


REVIEW = "review"  # the ``who`` of the adjudicator's review project's title


def review_title(study_name: str) -> str:
    """The title of the study's review project, where the adjudicator settles the coders'
    disagreements (``framestudy adjudicate push``): ``<study> · review``, shortened by the
    rule of :func:`project_title`."""
    return project_title(study_name, REVIEW)


def pseudonyms(coders) -> dict[str, str]:
    """``{coder id: "coder k"}``, k in the order of the ids: how coders are named where
    their identity is not the point (the report; the review project's predictions, one
    ``model_version`` per coder)."""
    return {c: f"coder {i}" for i, c in enumerate(sorted(set(coders)), start=1)}
