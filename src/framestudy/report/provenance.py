"""The environment a report was made in: framestudy's version, Python, the packages that
compute its numbers, and the lock they were installed from.

A number in a paper should be traceable to the code that made it. The report lists the
versions of the packages that compute (numpy, pandas, scipy, statsmodels, prince,
matplotlib), a SHA-256 over every installed distribution's ``name==version`` (two
environments with the same digest have the same packages), and the SHA-256 of the
``requirements.lock`` framestudy was installed from when it runs from a clone of its
repository (``make install`` installs exactly that lock).
"""

from __future__ import annotations

import hashlib
import platform
import sys
from importlib import metadata

from framestudy.environment import COMPUTING, LOCK, installed_versions, lock_file
from framestudy.io import sha256_file


def environment() -> list[tuple[str, str]]:
    """(term, value) pairs describing the running environment."""
    from framestudy import __version__

    versions = []
    for name in COMPUTING:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    installed = sorted(f"{name}=={version}" for name, version in installed_versions().items())
    digest = hashlib.sha256("\n".join(installed).encode("utf-8")).hexdigest()
    lock = lock_file()
    return [
        ("framestudy", __version__),
        ("Python", f"{platform.python_version()} ({sys.implementation.name}, "
                   f"{platform.system()} {platform.machine()})"),
        ("packages", ", ".join(versions)),
        ("environment", f"{len(installed)} distributions, SHA-256 of their name==version list "
                        f"{digest}"),
        ("lock", f"{LOCK} SHA-256 {sha256_file(lock)}" if lock else
         "none found (framestudy installed as a package, not from its repository's lock)"),
    ]
