"""State and output helpers shared by the CLI modules."""

from __future__ import annotations

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
