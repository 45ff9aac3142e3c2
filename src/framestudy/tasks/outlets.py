"""The outlet registry, ``tasks/outlets.yaml``: who published each article.

::

    outlets:
      - id: rt
        name: RT
        country: Russia
        language: en
        type: state-funded broadcaster
        domains: [rt.com]
        notes: ...

Every article's ``outlet`` (and ``original_source``, for syndicated articles) must be an
id listed here. Facts not known are written ``unknown``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import yaml
from pydantic import ValidationError

from framestudy.errors import UserError, describe_validation_error, yaml_error
from framestudy.tasks.models import Outlet


class OutletRegistry:
    """The outlets of a study, by id."""

    def __init__(self, outlets: list[Outlet], path: Path | None = None):
        self.path = path
        self.by_id: dict[str, Outlet] = {o.id: o for o in outlets}

    def __contains__(self, outlet_id: object) -> bool:
        return outlet_id in self.by_id

    def __getitem__(self, outlet_id: str) -> Outlet:
        return self.by_id[outlet_id]

    def __iter__(self):
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def ids(self) -> list[str]:
        return list(self.by_id)

    def for_url(self, url: str | None) -> str | None:
        """The id of the outlet whose ``domains`` contain ``url``'s host, if exactly one."""
        if not url:
            return None
        host = (urlparse(url).hostname or "").lower().removeprefix("www.")
        if not host:
            return None
        matches = [
            o.id for o in self if any(host == d or host.endswith("." + d) for d in o.domains)
        ]
        return matches[0] if len(matches) == 1 else None


def load_outlets(path: str | Path) -> OutletRegistry:
    """Read and validate ``tasks/outlets.yaml``; :class:`UserError` names the bad entry/field."""
    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"{path}: outlet registry not found; create it with an 'outlets:' list "
            "(id, name, country, language, type, notes for each outlet)"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc, "{where}:{line}: not valid YAML ({problem})") from None
    if not isinstance(data, dict) or not isinstance(data.get("outlets"), list):
        raise UserError(f"{path}: expected a top-level 'outlets:' list of outlet entries")
    unknown_keys = sorted(set(data) - {"outlets"})
    if unknown_keys:
        raise UserError(f"{path}: unknown top-level key(s) {', '.join(unknown_keys)}")
    outlets: list[Outlet] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["outlets"], start=1):
        label = entry.get("id", f"#{index}") if isinstance(entry, dict) else f"#{index}"
        if not isinstance(entry, dict):
            raise UserError(f"{path}: outlet {label} must be a mapping of fields")
        try:
            outlet = Outlet.model_validate(entry)
        except ValidationError as exc:
            raise UserError(f"{path}: outlet {label}: {describe_validation_error(exc)}") from None
        if outlet.id in seen:
            raise UserError(f"{path}: outlet id {outlet.id!r} is listed twice; ids must be unique")
        seen.add(outlet.id)
        outlets.append(outlet)
    return OutletRegistry(outlets, path)
