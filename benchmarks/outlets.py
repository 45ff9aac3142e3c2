"""Benchmark of ``framestudy outlets`` as a whole command (issue 10's speed goal). Not a test.

Simulates a study of ``--outlets`` x ``--articles`` x ``--coders`` (default 10 x 1,000 x 3,
the issue's size), runs ``framestudy agreement`` once (the gate reads its table), then
times ``framestudy outlets --models`` (the regressions and their coder sensitivity runs
included) as a process, start to exit (goal <= 10 s), ``--repeat`` times; the machine's
other load shows as a spread, so the fastest run is reported beside each one, with the
process's CPU time (user + system), which that load disturbs less, and the machine's load
(1-minute average) before each run.

Run: ``.venv/bin/python benchmarks/outlets.py`` (``--articles 100`` for a quick run;
``--study DIR`` times an existing study, e.g. one simulated before, instead).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import report_repeats, run  # noqa: E402  (benchmarks/timing.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--articles", type=int, default=1000, help="articles per outlet")
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of outlets")
    parser.add_argument("--study", help="time this study (agreement already run) instead")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if opts.study:
            study = opts.study
            print(f"study {study}")
        else:
            study = str(Path(tmp) / "study")
            made, _ = run(
                "simulate", "--outlets", str(opts.outlets), "--articles-per-outlet",
                str(opts.articles), "--coders", str(opts.coders), "--seed", "1", "-o", study,
            )
            agreed, _ = run("--study", study, "agreement")
            size = f"{opts.outlets} outlets x {opts.articles:,} articles x {opts.coders} coders"
            print(f"{size}: simulate {made:.1f} s, agreement {agreed:.1f} s")
        report_repeats(("--study", study, "outlets", "--models"), opts.repeat, goal=10)


if __name__ == "__main__":
    main()
