"""How often does the document bootstrap's 95% interval for unitizing alpha cover the truth?

The simulator (``framestudy.simulation``) writes articles from the study's schema with true
evidence spans and codes them as coders of the default scenario would (labels confused with
probability 0.1, span boundaries jittered by about half a word, 10% of true spans missed,
2% of articles skipped). A population of POOL articles coded by every coder is generated
once per number of coders; the true alpha_U is that population's alpha_U (pooled over the
span labels, and per label). Each simulated reliability study draws n articles from the
population with replacement, computes alpha_U with a 95% percentile interval from
``unitizing_alpha(..., n_boot=N_BOOT)`` and scores whether the interval contains the truth.

    python benchmarks/unitizing_ci_coverage.py                 # the run quoted in docs
    python benchmarks/unitizing_ci_coverage.py --reps 50       # quick look

The Monte Carlo standard error of a coverage c from R studies is sqrt(c (1 - c) / R): about
0.015 at c = .95 with R = 200. Every design has its own seed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from framestudy.analysis.unitizing import SPAN_COLUMNS, unitizing_alpha  # noqa: E402
from framestudy.schema import load_schema  # noqa: E402
from framestudy.simulation import resolve_scenario  # noqa: E402
from framestudy.simulation.scenario import stream  # noqa: E402
from framestudy.simulation.synthetic_study import _Context  # noqa: E402
from framestudy.simulation.text import compose_article  # noqa: E402
from framestudy.simulation.true_codes import draw_article  # noqa: E402

CODERS = (2, 3)
DOCUMENTS = (10, 20, 50, 100)
POOL = 2000
N_BOOT = 500
SEED = 20260801


def population(n_coders: int, size: int, seed: int) -> tuple[dict, dict, dict, list]:
    """Spans (per document), lengths and coders of ``size`` simulated articles."""
    schema = load_schema(REPO / "schemas" / "framing.yaml")
    scenario = resolve_scenario(schema, None, outlets=3, coders=n_coders, seed=seed)
    ctx = _Context(schema, scenario)
    spans, lengths, coders = {}, {}, {}
    for u in range(size):
        outlet = scenario.outlets[u % len(scenario.outlets)]
        truth = draw_article(
            outlet, ctx.items, ctx.document_ids, ctx.gate, ctx.derived_primary,
            stream(seed, "bench-article", u),
        )  # fmt: skip
        art = compose_article(
            truth, ctx.items, ctx.schema, ctx.outlet_dist(outlet, "voice"),
            ctx.outlet_dist(outlet, "blame_outcome"), stream(seed, "bench-text", u),
        )  # fmt: skip
        rows, who = [], []
        for sim in ctx.coders:
            coding = sim.code_article(
                truth, art.spans, art.text, ctx.gate, ctx.document_ids,
                stream(seed, "bench-code", u, sim.coder.email),
            )  # fmt: skip
            if coding.skipped:
                continue
            who.append(sim.coder.email)
            rows += [(sim.coder.email, s.label, s.start, s.end) for s in coding.spans]
        spans[u] = rows
        lengths[u] = len(art.text)
        coders[u] = who
    return spans, lengths, coders, list(ctx.labels)


def study_of(ids, spans, lengths, coders) -> tuple[pd.DataFrame, dict, dict]:
    rows, lens, who = [], {}, {}
    for k, u in enumerate(ids):
        rows += [(k, *r) for r in spans[u]]
        lens[k] = lengths[u]
        who[k] = coders[u]
    return pd.DataFrame(rows, columns=SPAN_COLUMNS), lens, who


def run(reps: int) -> pd.DataFrame:
    out = []
    for n_coders in CODERS:
        seed = SEED + n_coders
        t0 = time.time()
        spans, lengths, coders, labels = population(n_coders, POOL, seed)
        truth = unitizing_alpha(*study_of(range(POOL), spans, lengths, coders), labels)
        print(
            f"{n_coders} coders: population of {POOL} articles in {time.time() - t0:.0f} s, "
            f"true alpha_U {truth['estimate']:.3f} "
            + ", ".join(f"{c} {e['estimate']:.3f}" for c, e in truth["by_category"].items()),
            flush=True,
        )
        for n_docs in DOCUMENTS:
            rng = np.random.default_rng([seed, n_docs])
            hits, width, cat_hits, cat_n, undefined = 0, [], 0, 0, 0
            for _ in range(reps):
                ids = rng.integers(0, POOL, size=n_docs)
                res = unitizing_alpha(
                    *study_of(ids, spans, lengths, coders), labels,
                    n_boot=N_BOOT, seed=int(rng.integers(2**31)),
                )  # fmt: skip
                if np.isnan(res["ci_low"]):
                    undefined += 1
                    continue
                hits += res["ci_low"] <= truth["estimate"] <= res["ci_high"]
                width.append(res["ci_high"] - res["ci_low"])
                for cat, entry in res["by_category"].items():
                    true_c = truth["by_category"][cat]["estimate"]
                    if np.isfinite(entry["ci_low"]) and np.isfinite(true_c):
                        cat_n += 1
                        cat_hits += entry["ci_low"] <= true_c <= entry["ci_high"]
            done = reps - undefined
            row = {
                "coders": n_coders,
                "documents": n_docs,
                "studies": done,
                "coverage_pooled": hits / done if done else float("nan"),
                "coverage_per_label": cat_hits / cat_n if cat_n else float("nan"),
                "mean_width": float(np.mean(width)) if width else float("nan"),
            }
            out.append(row)
            print(
                f"  n={n_docs:4d}: pooled {row['coverage_pooled']:.3f}, per label "
                f"{row['coverage_per_label']:.3f}, mean width {row['mean_width']:.3f} "
                f"({done} studies)",
                flush=True,
            )
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="studies per design")
    args = parser.parse_args()
    t0 = time.time()
    table = run(args.reps)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
