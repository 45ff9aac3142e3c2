"""Benchmark: coders under load against a real Label Studio (issue 12, "Under load, nothing
lost"). Not a test: prints figures (and records them in a JSON under build/).

The scenario of ``tests/labelstudio/test_load.py`` (:mod:`tests.labelstudio.load`) at a
larger, fixed size: ``--coders`` coders (accounts made by ``coders add``'s library function,
each logged in with the password it stored, each a thread with their own token and HTTP
client) for ``--rounds`` rounds. Per round a coder opens their next task, submits an
annotation (``submit_annotation``: framestudy's idempotency key), corrects it at once, and
from the second round on revises one of their earlier annotations. One ``pull`` runs when
half the coder-rounds are done; a final pull checks that every acknowledged annotation is
there exactly once at its latest version (by annotation id, key and content) and that the
tidy table holds the latest values. ``--crash`` then runs one more round in which the server
is killed with SIGKILL after a quarter of the submissions and started again by framestudy;
the coders retry, and the pull must hold exactly one annotation each.

Printed: throughput (acknowledged requests per second over the rounds), latency
percentiles per kind of request, errors (every failed attempt, by kind), the pulls' times,
the crash round's counts, and the machine's load average (the figures depend on it).

Run (127.0.0.1 only; a copy of the test suite's migrated template if there is one, else a
fresh server, ~30 s more)::

    .venv/bin/python benchmarks/labelstudio_load.py --backend sqlite --design shared
    .venv/bin/python benchmarks/labelstudio_load.py --backend sqlite --design blind --crash
    .venv/bin/python benchmarks/labelstudio_load.py --backend postgresql --design shared
    .venv/bin/python benchmarks/labelstudio_load.py --backend postgresql --design blind --crash

``--backend postgresql`` is the team server (PostgreSQL + gunicorn with
``load.TEAM_WORKERS`` workers) from a copy of the suite's team template (else a fresh
cluster, ~2-3 min more); the crash kills gunicorn's process group, not the database.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scenario lives with the test that uses it

from tests.labelstudio import load  # noqa: E402

from framestudy.labelstudio.client import connect  # noqa: E402
from framestudy.labelstudio.pull import pull  # noqa: E402
from framestudy.labelstudio.server import label_studio_version  # noqa: E402

#: backends this benchmark can run (load.start_server knows both)
ENABLED = ("sqlite", "postgresql")


def _template(backend: str) -> Path | None:
    """The test suite's cached, migrated template of ``backend`` (either cache location:
    pytest's cache, or TMPDIR under ``-p no:cacheprovider``), if any."""
    version = label_studio_version()
    team = backend == "postgresql"
    kind = "labelstudio-team-template" if team else "labelstudio-template"
    prefix = "framestudy-ls-team-template" if team else "framestudy-ls-template"
    for base in (
        ROOT / ".pytest_cache" / "d" / f"{kind}-{version}",
        Path(os.environ.get("TMPDIR", "/tmp")) / f"{prefix}-{version}",
    ):
        if (base / "template" / ".labelstudio" / "credentials.json").is_file():
            return base / "template"
    return None


def _articles(design: str, coders: int, needed: int, share: float) -> int:
    """Enough articles that every coder has ``needed`` tasks (blind: their project holds
    the reliability sample plus their share of the rest)."""
    if design == "shared":
        return needed + 2
    return math.ceil(needed / (share + (1 - share) / coders)) + coders


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=load.BACKENDS, default="sqlite")
    parser.add_argument("--design", choices=("shared", "blind"), default="shared")
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crash", action="store_true", help="also kill the server mid-round")
    parser.add_argument("--deadline", type=float, default=1800.0, help="seconds per phase")
    parser.add_argument("--json", type=Path, default=None, help="where to record the figures")
    args = parser.parse_args(argv)
    if args.backend not in ENABLED:
        print(f"--backend {args.backend}: not available", file=sys.stderr)
        return 2
    if args.coders < 1 or args.rounds < 1:
        parser.error("--coders and --rounds must be at least 1")

    share = 0.25
    needed = args.rounds + (2 if args.crash else 0)
    articles = _articles(args.design, args.coders, needed, share)
    template = _template(args.backend)
    record: dict = {
        "backend": args.backend,
        "design": args.design,
        "coders": args.coders,
        "rounds": args.rounds,
        "articles": articles,
        "label_studio": label_studio_version(),
        "cpus": os.cpu_count(),
        "load_average_before": _load(),
        "template": template is not None,
    }
    print(f"{args.backend}, {args.design} design: {args.coders} coders x {args.rounds} rounds, "
          f"{articles} articles; machine load average {record['load_average_before']} "
          f"on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="fs-load-") as tmp:
        setup = load.prepare(
            Path(tmp) / "study",
            backend=args.backend,
            n_coders=args.coders,
            n_articles=articles,
            design=args.design,
            reliability_share=share,
            template=template,
        )
        short = min(len(c.tasks) for c in setup.coders)
        if short < needed:
            print(f"a coder has only {short} tasks, {needed} needed", file=sys.stderr)
            load.stop_server(setup.study, args.backend)
            return 1
        with load.running(setup):
            print("set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in setup.seconds.items()))
            record["setup_seconds"] = {k: round(v, 2) for k, v in setup.seconds.items()}
            report, ledger, pulled = load.run_rounds(
                setup, args.rounds, seed=args.seed, deadline=args.deadline
            )
            record["rounds_report"] = asdict(report)
            print(load.summary(report))
            print(f"{'request':<8} {'n':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
                  f"{'max ms':>8}")
            for kind, row in report.latency_ms.items():
                print(f"{kind:<8} {row['n']:>6} {row['p50']:>8} {row['p90']:>8} "
                      f"{row['p99']:>8} {row['max']:>8}")
            for (kind, error), n in Counter(
                (e["kind"], e["error"]) for e in report.errors
            ).most_common():
                print(f"error x{n}: {kind}: {error}")
            if pulled.get("result") is not None:
                mid = load.check_export(
                    setup, load.exported_tasks(e.path for e in pulled["result"].exports)
                )
                problems = mid.problems(pulled["before"], exact=False)
                record["mid_pull"] = {**report.mid_pull, "problems": problems}
                print(f"pull during the rounds: {report.mid_pull['seconds']:.1f} s, "
                      f"{len(pulled['before'])} annotations acknowledged before it, "
                      f"{len(problems)} problems")
                for problem in problems[:20]:
                    print("  ", problem)
            acked = ledger.snapshot()
            start = time.monotonic()
            result = pull(setup.study, connect(setup.study))
            seconds = time.monotonic() - start
            final = load.check_export(setup, load.exported_tasks(e.path for e in result.exports))
            problems = final.problems(acked, exact=True)
            extra = sorted(set(final.found) - set(acked))
            problems += [f"{email} on task {task}: not acknowledged" for email, task in extra]
            problems += load.table_problems(setup, result.table, acked)
            record["final_pull"] = {"seconds": round(seconds, 2), "annotations": len(acked),
                                    "problems": problems}
            print(f"pull after the rounds: {seconds:.1f} s, {len(acked)} annotations, "
                  f"{len(problems)} problems")
            for problem in problems[:20]:
                print("  ", problem)
            if args.crash:
                crash, crash_ledger = load.crash_round(
                    setup, args.rounds, per_coder=2, deadline=args.deadline
                )
                replayed = load.replay(setup, crash_ledger)
                again = [b for a, b in replayed if b.created or not b.same or b.id != a.id]
                result = pull(setup.study, connect(setup.study))
                found = load.check_export(
                    setup, load.exported_tasks(e.path for e in result.exports)
                )
                crash_acked = crash_ledger.snapshot()
                problems = found.problems(crash_acked, exact=True)
                tasks = {t for _e, t in crash_acked}
                extra = sorted({k for k in found.found if k[1] in tasks} - set(crash_acked))
                problems += [f"{e} on task {t}: not acknowledged" for e, t in extra]
                record["crash"] = {**asdict(crash), "replay_stored_again": len(again),
                                   "problems": problems}
                print(f"crash: SIGKILL after {crash.killed_after} of {crash.submissions} "
                      f"submissions, {crash.in_flight} in flight; restart "
                      f"{crash.restart_seconds:.1f} s; {crash.retried} retried, "
                      f"{crash.found_stored} already stored (409); replay stored "
                      f"{len(again)} again; {len(problems)} problems")
                for problem in problems[:20]:
                    print("  ", problem)
    record["load_average_after"] = _load()
    name = f"bench-{args.backend}-{args.design}"
    if args.json is None:
        path = load.write_report(name, record)
    else:
        from framestudy.io import atomic_write_json

        path = atomic_write_json(args.json, record)
    print(f"machine load average after: {record['load_average_after']}; recorded in {path}")
    failed = bool(record["final_pull"]["problems"]) or bool(
        record.get("crash", {}).get("problems")
    ) or bool(record.get("mid_pull", {}).get("problems"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
