"""Benchmark of the agreement engine (issue 4). Not a test: prints figures.

1. Krippendorff's alpha with a 95% bootstrap CI (1,000 replicates) on 100,000 units x 4 coders
   x 5 categories, 10% missing, against the obvious loop that calls ``krippendorff.alpha`` on
   each resampled data set. The loop runs ``--loop-reps`` replicates (default 200) and its
   time is extrapolated to 1,000 (it is linear in the number of replicates); its CI is
   computed from those replicates, so it carries more Monte Carlo error than ours.
2. The point estimate against ``krippendorff.alpha`` on the same data.
3. Peak memory of the vectorised bootstrap (tracemalloc, which sees NumPy's allocations) and
   the process's maximum resident set size.
4. The whole study-mode report (``framestudy agreement`` without FILE: read the tidy table,
   every schema variable, bootstrap CIs, write analysis/agreement.csv) for 10,000 articles x
   3 coders, on a synthetic study built from the project's registry.

Run: ``.venv/bin/python benchmarks/agreement.py`` (``--quick`` for a smaller run).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.analysis.synth (the synthetic study generator)

from tests.analysis.synth import synthetic_study  # noqa: E402

from framestudy.analysis.alpha import krippendorff_alpha  # noqa: E402
from framestudy.analysis.bootstrap import bootstrap_alpha  # noqa: E402
from framestudy.analysis.data import encode  # noqa: E402
from framestudy.annotations import write_tidy  # noqa: E402
from framestudy.cli import main as cli_main  # noqa: E402


def reliability_data(
    n_units: int, n_coders: int, n_cat: int, missing: float, seed: int
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, n_cat + 1, n_units)
    agree = rng.random((n_units, n_coders)) < 0.75
    data = np.where(agree, truth[:, None], rng.integers(1, n_cat + 1, (n_units, n_coders))).astype(
        float
    )
    data[rng.random(data.shape) < missing] = np.nan
    return pd.DataFrame(data, columns=[f"coder{i + 1}" for i in range(n_coders)])


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def loop_bootstrap(
    matrix: np.ndarray, level: str, reps: int, seed: int
) -> tuple[float, np.ndarray]:
    """The obvious loop: resample units (columns) and call krippendorff.alpha each time."""
    rng = np.random.default_rng(seed)
    n = matrix.shape[1]
    out = np.empty(reps)
    start = time.perf_counter()
    for b in range(reps):
        idx = rng.integers(0, n, n)
        out[b] = krippendorff.alpha(reliability_data=matrix[:, idx], level_of_measurement=level)
    return time.perf_counter() - start, out


def quantile_mc_error(reps: np.ndarray, q: float) -> float:
    """Approximate standard error of a sample quantile (normal approximation)."""
    from scipy import stats

    sd = reps.std(ddof=1)
    density = stats.norm.pdf(stats.norm.ppf(q)) / sd
    return float(np.sqrt(q * (1 - q) / reps.size) / density)


def bench_bootstrap(args, figures: dict) -> None:
    data = reliability_data(args.units, 4, 5, 0.10, seed=1)
    matrix = data.to_numpy().T
    level = args.level
    # point estimate
    t_lib, a_lib = best_of(
        lambda: krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
    )
    t_ours, a_ours = best_of(lambda: krippendorff_alpha(data, level)["estimate"])
    assert abs(a_lib - a_ours) < 1e-12
    figures["point_estimate"] = {"alpha": a_ours, "ours_s": t_ours, "krippendorff_s": t_lib}

    # vectorised bootstrap (encode + 1,000 replicates), best of 3, then memory on one run
    def ours():
        return bootstrap_alpha(encode(data), level, n_boot=args.boot, seed=args.seed)

    t_boot, boot = best_of(ours)
    tracemalloc.start()
    ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t_kripp, kboot = best_of(
        lambda: bootstrap_alpha(
            encode(data), level, n_boot=args.boot, seed=args.seed, method="krippendorff"
        )
    )

    # the loop
    t_loop, loop = loop_bootstrap(matrix, level, args.loop_reps, args.seed)
    t_loop_full = t_loop * args.boot / args.loop_reps
    lo, hi = np.quantile(loop, [0.025, 0.975])
    figures["bootstrap"] = {
        "units": args.units,
        "coders": 4,
        "categories": 5,
        "missing": 0.10,
        "level": level,
        "replicates": args.boot,
        "ours_s": t_boot,
        "krippendorff_method_s": t_kripp,
        "loop_replicates_run": args.loop_reps,
        "loop_s_measured": t_loop,
        "loop_s_for_replicates": t_loop_full,
        "speedup": t_loop_full / t_boot,
        "ours_ci": [boot["ci_low"], boot["ci_high"]],
        "ours_se": boot["se"],
        "loop_ci": [float(lo), float(hi)],
        "loop_se": float(loop.std(ddof=1)),
        "loop_quantile_mc_error": quantile_mc_error(loop, 0.025),
        "krippendorff_method_ci": [kboot["ci_low"], kboot["ci_high"]],
        "tracemalloc_peak_mb": peak / 2**20,
    }


def bench_study(args, figures: dict) -> None:
    registry_path = ROOT / "schemas" / "registry.json"
    registry = json.loads(registry_path.read_text())
    ann, lengths = synthetic_study(registry, n_articles=args.articles, n_outlets=8, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "schemas").mkdir()
        (root / "schemas" / "registry.json").write_text(json.dumps(registry))
        write_tidy(ann, root / "annotations" / "annotations.csv")
        (root / "tasks").mkdir()
        tasks = [{"data": {"article_id": a, "text": "x" * n}} for a, n in lengths.items()]
        (root / "tasks" / "tasks.json").write_text(json.dumps(tasks))
        for by in (None, "outlet"):
            argv = ["--study", str(root), "agreement", "--bootstrap", "1000", "--json"]
            argv += ["--by", by] if by else []
            start = time.perf_counter()
            try:
                import contextlib
                import io

                with contextlib.redirect_stdout(io.StringIO()):
                    cli_main(argv)
            except SystemExit as exc:
                if exc.code != 0:
                    raise
            elapsed = time.perf_counter() - start
            rows = pd.read_csv(root / "analysis" / "agreement.csv")
            figures[f"study{'_by_outlet' if by else ''}"] = {
                "articles": args.articles,
                "coders": 3,
                "variables": len(registry),
                "annotation_rows": len(ann),
                "result_rows": len(rows),
                "seconds": elapsed,
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--loop-reps", type=int, default=200)
    parser.add_argument("--level", default="nominal")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 units, 50 loop replicates, 1,000 articles"
    )
    parser.add_argument("--output", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.quick:
        args.units, args.loop_reps, args.articles = 10_000, 50, 1_000
    figures: dict = {}
    bench_bootstrap(args, figures)
    bench_study(args, figures)
    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    b, p = figures["bootstrap"], figures["point_estimate"]
    print(
        f"alpha ({b['level']}) = {p['alpha']:.4f} on {b['units']:,} units x 4 coders x 5 categories, 10% missing"
    )
    print(
        f"point estimate: ours {p['ours_s'] * 1e3:.1f} ms, krippendorff.alpha {p['krippendorff_s'] * 1e3:.1f} ms"
    )
    print(
        f"bootstrap {b['replicates']} replicates: ours {b['ours_s']:.3f} s; loop {b['loop_s_measured']:.1f} s for "
        f"{b['loop_replicates_run']} replicates -> {b['loop_s_for_replicates']:.1f} s for {b['replicates']} "
        f"(extrapolated); speed-up {b['speedup']:.0f}x"
    )
    print(
        f"95% CI: ours [{b['ours_ci'][0]:.4f}, {b['ours_ci'][1]:.4f}] (sd {b['ours_se']:.5f}); loop "
        f"[{b['loop_ci'][0]:.4f}, {b['loop_ci'][1]:.4f}] (sd {b['loop_se']:.5f}; MC error of its 2.5% quantile "
        f"~{b['loop_quantile_mc_error']:.5f})"
    )
    print(
        f"Krippendorff/Hayes bootstrap: {b['krippendorff_method_s']:.3f} s, CI "
        f"[{b['krippendorff_method_ci'][0]:.4f}, {b['krippendorff_method_ci'][1]:.4f}]"
    )
    print(
        f"peak memory: tracemalloc {b['tracemalloc_peak_mb']:.0f} MB during one bootstrap; max RSS {figures['max_rss_mb']:.0f} MB"
    )
    for key in ("study", "study_by_outlet"):
        s = figures[key]
        print(
            f"{key.replace('_', ' ')}: {s['articles']:,} articles x {s['coders']} coders x {s['variables']} variables "
            f"({s['annotation_rows']:,} rows) -> {s['result_rows']} result rows in {s['seconds']:.2f} s"
        )
    if args.output:
        args.output.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
