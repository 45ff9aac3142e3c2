"""The environment framestudy runs in: the installed distributions and the lock they were
installed from. The report's provenance and ``framestudy reproduce``'s lock check both read
it from here.
"""

from __future__ import annotations

import re
from pathlib import Path

#: the packages that compute framestudy's numbers (named first wherever versions are shown)
COMPUTING = ("numpy", "pandas", "scipy", "statsmodels", "prince", "matplotlib")
LOCK = "requirements.lock"


def normalized(name: str) -> str:
    """A distribution name as the packaging standard compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions() -> dict[str, str]:
    """``{normalized name: version}`` of every distribution installed in this environment."""
    from importlib import metadata

    out = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name:
            out[normalized(name)] = dist.version
    return out


def lock_file() -> Path | None:
    """The lock of the repository framestudy runs from (an editable install of a clone,
    which ``make install`` installs from exactly that lock), if any."""
    import framestudy

    for folder in Path(framestudy.__file__).resolve().parents[1:4]:
        candidate = folder / LOCK
        if candidate.is_file() and (folder / "pyproject.toml").is_file():
            return candidate
    return None
