"""Benchmark of the command line as whole processes (issue 8, point 7). Not a test: prints figures.

1. ``framestudy --help`` and ``framestudy agreement --help``, process start to exit (goal
   <= 0.3 s each): the CLI must import only what a command needs, when it runs.
2. ``framestudy agreement FILE.csv --bootstrap 1000 --json`` on 100,000 units x 4 coders x
   5 categories (10% missing), process start to exit, against the obvious loop that calls
   ``krippendorff.alpha`` on each of 1,000 resampled data sets (goal: >= 40x faster). The
   loop runs ``--loop-reps`` replicates (default 50) and is extrapolated to 1,000 (its time is
   linear in the number of replicates); reading the CSV is not charged to the loop.

Each process is run ``--repeat`` times and the median is reported (the first run also warms
the file cache). Run on a quiet machine: ``.venv/bin/python benchmarks/cli_startup.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

BIN = Path(sys.executable).parent
FRAMESTUDY = str(BIN / "framestudy")


def reliability_csv(path: Path, n_units: int, n_coders: int, n_cat: int, missing: float) -> None:
    """A wide reliability CSV (unit, coder1..coderK) with 75% agreement on a true category."""
    rng = np.random.default_rng(1)
    truth = rng.integers(1, n_cat + 1, n_units)
    agree = rng.random((n_units, n_coders)) < 0.75
    data = np.where(agree, truth[:, None], rng.integers(1, n_cat + 1, (n_units, n_coders)))
    frame = pd.DataFrame(data.astype(float), columns=[f"coder{i + 1}" for i in range(n_coders)])
    frame = frame.mask(rng.random(frame.shape) < missing)
    frame.insert(0, "unit", [f"u{i}" for i in range(n_units)])
    frame.to_csv(path, index=False, float_format="%.0f")


def process_seconds(args: list[str], repeat: int) -> float:
    """Median wall time of running ``args`` as a process (it must exit 0)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=os.environ | {"COLUMNS": "100"})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def loop_seconds(path: Path, reps: int) -> float:
    """Seconds for 1,000 ``krippendorff.alpha`` calls on resampled units (extrapolated)."""
    import krippendorff

    data = pd.read_csv(path).drop(columns="unit").to_numpy().T  # coders x units
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(reps):
        sample = data[:, rng.integers(0, data.shape[1], data.shape[1])]
        krippendorff.alpha(reliability_data=sample, level_of_measurement="nominal")
    return (time.perf_counter() - start) / reps * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loop-reps", type=int, default=50)
    parser.add_argument("--units", type=int, default=100_000)
    opts = parser.parse_args()

    for label, args in (
        ("framestudy --help", [FRAMESTUDY, "--help"]),
        ("framestudy agreement --help", [FRAMESTUDY, "agreement", "--help"]),
    ):
        print(f"{label:<32} {process_seconds(args, opts.repeat):6.3f} s   (goal <= 0.3 s)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reliability.csv"
        reliability_csv(path, opts.units, 4, 5, 0.10)
        command = [FRAMESTUDY, "agreement", str(path), "--bootstrap", "1000", "--json"]
        ours = process_seconds(command, opts.repeat)
        loop = loop_seconds(path, opts.loop_reps)
    print(f"agreement FILE.csv --bootstrap 1000 --json ({opts.units:,} units x 4 coders): {ours:.2f} s")
    print(f"krippendorff.alpha loop, 1,000 resamples (from {opts.loop_reps}): {loop:.1f} s")
    print(f"speed-up: {loop / ours:.0f}x   (goal >= 40x)")


if __name__ == "__main__":
    main()
