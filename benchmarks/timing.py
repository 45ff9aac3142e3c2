"""Timing a framestudy command as a user runs it: the installed console script, started
from the repository root, output discarded. Shared by the benchmarks that time commands
(``outlets.py``, ``model.py``, ``report.py``); run them as ``python benchmarks/NAME.py``,
which puts this folder on ``sys.path``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

FRAMESTUDY = str(Path(sys.executable).parent / "framestudy")
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of the child) of one framestudy command."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run([FRAMESTUDY, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu
