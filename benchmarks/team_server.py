"""Start-up times of the team server (PostgreSQL + gunicorn) beside the embedded one. Not a test.

For each kind of server, on a scratch study in a temporary folder:

- fresh: ``server.start`` on an empty study until the admin's whoami answers (team:
  initdb, the cluster's start, ``label-studio init`` = 396 migrations + the admin, gunicorn);
- restart: ``stop`` then ``start`` of the same study (the database exists);
- copy: a new study whose ``.labelstudio/`` is a ``cp -a`` copy of the stopped fresh one
  (what the test suite does with its cached templates), copy included;
- stop: ``server.stop`` (team: gunicorn, then ``pg_ctl stop -m fast``).

The machine's load average is printed before each run: on a shared 2-core machine the
fresh start depends mostly on it (and, for PostgreSQL, on how fast the disk syncs).

Run: ``.venv/bin/python benchmarks/team_server.py [--repeat 2] [--workers 4] [--kinds team dev]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from framestudy.labelstudio import server
from framestudy.study import Study


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(kind: str, workers: int, root: Path) -> dict[str, float]:
    team = kind == "team"
    study = Study(root / f"{kind}-fresh")
    study.root.mkdir()
    options = {"team": team, "workers": workers if team else None}
    out: dict[str, float] = {}
    print(f"  {kind}: fresh ({_load()})", flush=True)
    out["fresh"] = _timed(lambda: server.start(study, port=server.free_port(), **options))
    out["stop"] = _timed(lambda: server.stop(study))
    print(f"  {kind}: restart ({_load()})", flush=True)
    out["restart"] = _timed(lambda: server.start(study, port=server.free_port(), **options))
    server.stop(study)
    for name in ("server.json", "server.log", "postgres.log"):
        (study.labelstudio_dir / name).unlink(missing_ok=True)
    copy = Study(root / f"{kind}-copy")
    copy.root.mkdir()

    def from_copy() -> None:
        subprocess.run(
            ["cp", "-a", str(study.labelstudio_dir), str(copy.labelstudio_dir)], check=True
        )
        server.start(copy, port=server.free_port(), **options)

    print(f"  {kind}: copy ({_load()})", flush=True)
    out["copy"] = _timed(from_copy)
    server.stop(copy)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kinds", nargs="+", default=["team", "dev"], choices=["team", "dev"])
    opts = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {k: [] for k in opts.kinds}
    for run in range(opts.repeat):
        for kind in opts.kinds:
            root = Path(tempfile.mkdtemp(prefix="framestudy-bench-team-"))
            try:
                print(f"run {run + 1}/{opts.repeat}", flush=True)
                results[kind].append(measure(kind, opts.workers, root))
            finally:
                for sub in root.iterdir():
                    server.stop(Study(sub))
                shutil.rmtree(root, ignore_errors=True)
    print(f"\nstart-up until whoami answers, seconds ({opts.repeat} runs; team: "
          f"{opts.workers} gunicorn workers)")
    print(f"{'server':<28}{'fresh':>16}{'restart':>16}{'copy':>16}{'stop':>16}")
    names = {"team": "PostgreSQL + gunicorn", "dev": "SQLite + runserver"}
    for kind, runs in results.items():
        cells = []
        for key in ("fresh", "restart", "copy", "stop"):
            values = sorted(r[key] for r in runs)
            cells.append(
                f"{values[0]:.1f}" if len(values) == 1 else f"{values[0]:.1f} - {values[-1]:.1f}"
            )
        print(f"{names[kind]:<28}" + "".join(f"{c:>16}" for c in cells))


if __name__ == "__main__":
    main()
