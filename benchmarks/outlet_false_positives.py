"""False-positive rate of the outlet comparison without an outlet effect (issue 10). Not a test.

For each seed, simulates (in-process, ``framestudy.simulation``) a small study whose outlets
all use the same values equally often -- ``promise_status`` (nominal, 4 values),
``guarantee_credibility`` (ordinal with ``NA``, 4 values) and each of the 5 members of
``blame_actors`` (present/absent) -- runs ``study_agreement`` and
:func:`framestudy.analysis.outlets.outlet_analysis` on those variables, and counts the
comparisons whose raw p-value is below ``--alpha``. The gate is overridden (it is not what is
measured here) and the p-values are the per-comparison ones, before the correction across
variables. Two designs: ``3x30`` (3 outlets x 30 articles x 2 coders: χ² and Monte Carlo
tests) and ``2x15`` (2 outlets x 15 articles x 2 coders: χ², Fisher and Monte Carlo).

Reports, per design and test type (as Cochran's rule chose it), the number of comparisons,
the rejection rate, its Monte Carlo standard error sqrt(r (1 - r) / n) and its exact
(Clopper-Pearson) 95% interval (scipy ``binomtest``). A valid test
rejects at most ``--alpha`` of the time; Fisher's and the conditional Monte Carlo tests are
conservative on small tables, so a rate below the nominal one is expected for them.

Run: ``.venv/bin/python benchmarks/outlet_false_positives.py --seeds 200`` (about ten minutes
on the 2-core development machine; ``--seeds 20`` for a quick look).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml
from scipy.stats import binomtest

from framestudy.analysis.outlets import outlet_analysis
from framestudy.analysis.variable_agreement import study_agreement
from framestudy.annotations import read_tidy
from framestudy.schema import load_schema
from framestudy.simulation import read_scenario_file, resolve_scenario, simulate_study

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "framing.yaml"
#: every outlet uses these values equally often
SAME = {
    "relevant": {"yes": 1.0},
    "promise_status": {"NOT_MENTIONED": 0.4, "ASSERTED_AS_FACT": 0.3, "CONTESTED": 0.2,
                       "REFUTED": 0.1},
    "guarantee_credibility": {"-1": 0.2, "0": 0.3, "+1": 0.4, "NA": 0.1},
    "blame_actors": {"RUSSIA": 0.5, "NATO": 0.3, "US": 0.2, "UKRAINE": 0.1, "EU_WEST": 0.05},
}
VARIABLES = ("promise_status", "guarantee_credibility", "blame_actors")
DESIGNS = {"3x30": (3, 30, 2), "2x15": (2, 15, 2)}  # outlets, articles per outlet, coders


def one_study(tmp: Path, design: str, seed: int) -> pd.DataFrame:
    """The outlet tests of one simulated study without an outlet effect."""
    outlets, per_outlet, coders = DESIGNS[design]
    root = tmp / f"{design}-{seed}"
    root.mkdir()
    (root / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "no-outlet-effect",
        "articles_per_outlet": per_outlet,
        "reliability_share": 1.0,
        "outlets": [{"id": f"outlet-{k}", "propensities": SAME} for k in "abcdefgh"[:outlets]],
        "coder_defaults": {"accuracy": 0.95, "skip_rate": 0.0},
        "coders": coders,
    }))
    schema = load_schema(SCHEMA)
    scenario = resolve_scenario(schema, read_scenario_file(root / "scenario.yaml"), seed=seed)
    study = root / "study"
    simulate_study(study, scenario, SCHEMA, truth_units=0)
    annotations = read_tidy(study / "annotations" / "annotations.csv")
    registry = json.loads((study / "schemas" / "registry.json").read_text())
    kept = [r for r in registry if r["variable"] in VARIABLES]
    agreement = study_agreement(annotations, kept, n_boot=0, seed=0)
    result = outlet_analysis(annotations, kept, agreement, override=True, seed=seed,
                             n_boot=0, n_resamples=999)
    return result.tests.assign(design=design, seed=seed)


def summary(tests: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Rejection rate and its Monte Carlo SE per design and test type (and overall)."""
    tested = tests[tests["p_value"].notna()].assign(reject=lambda t: t["p_value"] < alpha)
    rows = []
    groups = list(tested.groupby(["design", "test"]))
    groups += [((design, "all"), group) for design, group in tested.groupby("design")]
    for (design, test), group in groups:
        n, rejected = len(group), int(group["reject"].sum())
        rate = rejected / n
        ci = binomtest(rejected, n, alpha).proportion_ci(method="exact")
        rows.append({"design": design, "test": test, "comparisons": n, "rejected": rejected,
                     "rate": rate, "mc_se": math.sqrt(rate * (1 - rate) / n),
                     "ci_low": ci.low, "ci_high": ci.high})
    return pd.DataFrame(rows).sort_values(["design", "test"], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--designs", nargs="+", default=list(DESIGNS), choices=list(DESIGNS))
    parser.add_argument("--alpha", type=float, default=0.05)
    opts = parser.parse_args()
    start = time.perf_counter()
    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        for design in opts.designs:
            frames += [one_study(Path(tmp), design, seed) for seed in range(opts.seeds)]
    tests = pd.concat(frames, ignore_index=True)
    untested = int(tests["p_value"].isna().sum())
    print(f"{opts.seeds} seeds per design, nominal level {opts.alpha}, "
          f"{time.perf_counter() - start:.0f} s; {untested} comparisons not tested "
          "(too few articles or values)")
    print(summary(tests, opts.alpha).to_string(index=False, float_format=lambda x: f"{x:.4f}"))


if __name__ == "__main__":
    main()
