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


def report_repeats(args: tuple[str, ...], repeat: int, goal: float) -> None:
    """Run ``framestudy ARGS`` ``repeat`` times; print each run (wall, CPU, the machine's
    load before it) and the fastest against ``goal`` seconds."""
    times = []
    for _ in range(repeat):
        load = os.getloadavg()[0]
        times.append((*run(*args), load))
    name = " ".join(a for a in args if not a.startswith("/") and a != "--study")
    for wall, cpu, load in times:
        print(f"framestudy {name}: {wall:.1f} s (CPU {cpu:.1f} s; load before "
              f"{load:.1f} on {os.cpu_count()} cores)")
    best = min(times)
    print(f"fastest: {best[0]:.1f} s, CPU {best[1]:.1f} s   (goal <= {goal:g} s)")
