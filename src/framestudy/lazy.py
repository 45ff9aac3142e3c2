"""Package exports loaded on first use (PEP 562).

A package whose public names live in heavy modules (numpy, pandas, scipy) lists them and
gets a module ``__getattr__`` that imports the right module only when a name is first used:
importing one light module of the package, or the CLI's ``--help``, then loads none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose name ``n`` lives in the module
    ``package + "." + exports[n]``."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
