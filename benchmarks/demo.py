"""Benchmark of ``make demo`` on a fresh clone (issue 11's goal: <= 5 minutes with installs).
Not a test.

Clones this repository into a temporary folder, runs ``make demo`` there (creating the
virtual environment from the lock, starting a fresh Label Studio, the whole bundled study to
its report), times it, runs it a second time (everything reused), then stops the demo's
server. Package downloads come from uv's cache when it is warm; the first install on a
machine also downloads them.

Run: ``.venv/bin/python benchmarks/demo.py [--port 8095]``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8095)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "framestudy"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env_port = f"DEMO_PORT={opts.port}"
        times = []
        try:
            for _ in range(2):
                start = time.perf_counter()
                subprocess.run(["make", "demo", env_port], cwd=clone, check=True,
                               stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            report = clone / "build" / "demo" / "analysis" / "report.html"
            dirty = subprocess.run(["git", "status", "--porcelain"], cwd=clone,
                                   capture_output=True, text=True).stdout.strip()
        finally:
            subprocess.run([str(clone / ".venv" / "bin" / "framestudy"), "--study",
                            str(clone / "build" / "demo"), "server", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"make demo on a fresh clone: {times[0]:.0f} s (goal <= 300 s); again: {times[1]:.0f} s")
    print(f"report written: {report.name}; git status after both runs: "
          f"{dirty or 'clean'}")


if __name__ == "__main__":
    main()
