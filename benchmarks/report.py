"""Benchmark of ``framestudy report`` as a whole command (issue 10's speed goal). Not a test.

Simulates a study of ``--outlets`` x ``--articles`` x ``--coders`` (default 10 x 1,000 x 3,
the issue's size), runs ``framestudy agreement`` and ``framestudy outlets`` once (the report
reads their results; it recomputes nothing), then times ``framestudy report`` as a process,
start to exit (goal <= 20 s), and the three analysis commands together.

Run: ``.venv/bin/python benchmarks/report.py`` (``--articles 100`` for a quick run).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import run as _timed  # noqa: E402


def run(*args: str) -> float:
    """Wall-clock seconds of one framestudy command."""
    return _timed(*args)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--articles", type=int, default=1000, help="articles per outlet")
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--study", help="time the report of this study (agreement and outlets "
                        "already run) instead of simulating one")
    opts = parser.parse_args()
    if opts.study:
        reported = run("--study", opts.study, "report")
        print(f"framestudy report on {opts.study}: {reported:.1f} s   (goal <= 20 s)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        study = str(Path(tmp) / "study")
        made = run(
            "simulate", "--outlets", str(opts.outlets), "--articles-per-outlet",
            str(opts.articles), "--coders", str(opts.coders), "--seed", "1", "-o", study,
        )
        agreed = run("--study", study, "agreement")
        compared = run("--study", study, "outlets")
        reported = run("--study", study, "report")
        size = sum(p.stat().st_size for p in (Path(study) / "analysis").glob("report.*"))
    print(f"{opts.outlets} outlets x {opts.articles:,} articles x {opts.coders} coders: "
          f"simulate {made:.1f} s, agreement {agreed:.1f} s, outlets {compared:.1f} s")
    print(f"framestudy report: {reported:.1f} s   (goal <= 20 s); report.html + report.md "
          f"{size / 1e6:.1f} MB")
    print(f"agreement + outlets + report: {agreed + compared + reported:.1f} s")


if __name__ == "__main__":
    main()
