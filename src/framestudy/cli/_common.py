"""State and output helpers shared by the CLI modules."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from framestudy.study import Study

console = Console()
err_console = Console(stderr=True)


@dataclass
class _State:
    verbose: bool = False
    study_root: Path | None = None


state = _State()


def study() -> Study:
    """The study the command works on (``--study`` or found from the working directory)."""
    return Study(state.study_root.resolve()) if state.study_root else Study.find()


def shown_path(path: Path) -> str:
    """``path`` as a user typed it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def number(value, digits: int = 3) -> str:
    """A coefficient for a terminal table: fixed decimals, "–" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def track_items(items: Sequence, description: str, minimum: int = 50) -> Iterable:
    """Iterate ``items`` with a transient progress bar on stderr, for jobs of at least
    ``minimum`` items (shorter ones finish before a bar would be seen)."""
    from rich.progress import track

    return track(
        items, description=description, console=err_console, transient=True,
        disable=len(items) < minimum,
    )


def one_blas_thread() -> None:
    """One BLAS thread for the regressions: their matrices are small (articles x a dozen
    terms), and on a shared machine threads cost more than they save (models 2.7 -> 1.6 s
    on 10 x 1,000 x 3); the results then do not depend on the machine's cores either.
    Read by OpenBLAS when numpy loads, so call it before importing numpy (a user's own
    OPENBLAS_NUM_THREADS wins). ``outlets`` and ``reproduce`` call it, so that the
    recomputed models are the command's to the last digit."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
