"""Do the agreement engine's 95% confidence intervals for alpha cover the true alpha?

For each design -- 2, 3 or 5 coders; 20 to 500 units; nominal (4 categories) or ordinal
(5 categories); balanced or skewed categories -- many reliability studies are simulated with
the simulator's coder model (coders of unequal accuracy, 10% of values missing at random),
the true alpha of that process is computed exactly (framestudy.simulation.truth), and each
bootstrap method of ``framestudy.analysis.bootstrap_alpha`` is scored on how often its 95%
interval contains the true alpha. Designs run in parallel (one process per core); every
design has its own seed, so the figures do not depend on the number of processes.

    python benchmarks/ci_coverage.py                  # full run (about 6 min on 2 cores),
                                                      # writes docs/ci_coverage.md
    python benchmarks/ci_coverage.py --reps 100 --no-write   # quick look
    python benchmarks/ci_coverage.py --pilot --quick  # issue 14's pilot regime, 100 studies
                                                      # per design (about 2.5 min on 2 cores);
                                                      # rewrites only its section of the doc

``--pilot`` simulates with its own generator (coders know the true value or guess from the
value distribution) and scores four intervals: the units percentile interval, KALPHA's, BCa
and the jackknife-t interval (see the pilot section below).

The Monte Carlo standard error of a coverage c from R studies is sqrt(c (1 - c) / R): about
0.0069 at c = .95 with R = 1000 and 0.0097 with R = 500.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from framestudy.analysis import bootstrap_alpha, krippendorff_alpha  # noqa: E402
from framestudy.analysis.bootstrap import (  # noqa: E402
    bca_interval,
    jackknife_alpha,
    jackknife_interval,
)
from framestudy.analysis.data import Coded  # noqa: E402
from framestudy.analysis.interval_warning import (  # noqa: E402
    MIN_RAREST_VALUES,
    interval_warning,
)
from framestudy.io import atomic_write_text  # noqa: E402
from framestudy.simulation.planning import coder_confusions, simulate_codes, true_alpha_of  # noqa: E402
from framestudy.simulation.scenario import stream  # noqa: E402

#: the intervals scored: name -> bootstrap_alpha's method and interval ("bca" is the default
#: of framestudy agreement since issue 14; "units" is the percentile interval of the same
#: replicates, the default before)
METHODS = {
    "bca": {"method": "units", "interval": "bca"},
    "units": {"method": "units", "interval": "percentile"},
    "krippendorff": {"method": "krippendorff", "interval": "percentile"},
}
CODERS = (2, 3, 5)
UNITS = (20, 50, 100, 200, 500)
LEVELS = ("nominal", "ordinal")
BALANCE = ("balanced", "skewed")
PROBABILITIES = {
    ("nominal", "balanced"): [0.25, 0.25, 0.25, 0.25],
    ("nominal", "skewed"): [0.70, 0.20, 0.07, 0.03],
    ("ordinal", "balanced"): [0.2, 0.2, 0.2, 0.2, 0.2],
    ("ordinal", "skewed"): [0.50, 0.25, 0.15, 0.07, 0.03],
}
#: coders' accuracies (the first K are used); errors: uniform (nominal) / adjacent (ordinal)
ACCURACIES = (0.93, 0.88, 0.90, 0.85, 0.91)
MISSING = 0.10
N_BOOT = 1000
SEED = 20261125


def design_seed(design: tuple) -> int:
    return int(stream(SEED, *map(str, design)).integers(2**31))


def run_design(args: tuple) -> dict:
    (k, n, level, balance), reps = args
    probs = np.array(PROBABILITIES[(level, balance)])
    confusion = "adjacent" if level == "ordinal" else "uniform"
    confusions = coder_confusions(probs, ACCURACIES[:k], confusion, ordinal=level == "ordinal")
    truth = true_alpha_of(probs, confusions, level, MISSING)
    rng = np.random.default_rng(design_seed((k, n, level, balance)))
    categories = tuple(range(len(probs)))
    hits = {m: 0 for m in METHODS}
    undefined = {m: 0 for m in METHODS}
    widths = {m: [] for m in METHODS}
    below = {m: 0 for m in METHODS}  # true alpha below the interval (the interval too high)
    estimates = []
    for _ in range(reps):
        codes = simulate_codes(n, probs, confusions, rng, MISSING)
        coded = Coded(codes, categories, pd.RangeIndex(n), tuple(range(k)))
        estimates.append(krippendorff_alpha(coded, level)["estimate"])
        boot_seed = int(rng.integers(2**31))
        for method, how in METHODS.items():
            res = bootstrap_alpha(coded, level, n_boot=N_BOOT, seed=boot_seed, **how)
            lo, hi = res["ci_low"], res["ci_high"]
            if math.isnan(lo) or math.isnan(hi):
                undefined[method] += 1
                continue
            hits[method] += lo <= truth <= hi
            below[method] += truth < lo
            widths[method].append(hi - lo)
    est = np.array(estimates, dtype=float)
    row = {
        "coders": k, "units": n, "level": level, "balance": balance, "reps": reps,
        "true_alpha": truth, "mean_estimate": float(np.nanmean(est)) if np.isfinite(est).any() else float("nan"),
    }
    for method in METHODS:
        row[f"coverage_{method}"] = hits[method] / reps
        row[f"too_high_{method}"] = below[method] / reps
        row[f"width_{method}"] = float(np.mean(widths[method])) if widths[method] else float("nan")
        row[f"undefined_{method}"] = undefined[method]
    return row


def designs() -> list[tuple]:
    return list(itertools.product(CODERS, UNITS, LEVELS, BALANCE))


def markdown(table: pd.DataFrame, reps: int, seconds: float, workers: int) -> str:
    mc = math.sqrt(0.95 * 0.05 / reps)
    big = table[table["units"] >= 50]
    lines = [
        "# Do the bootstrap confidence intervals for alpha cover the true alpha?",
        "",
        "Generated by `python benchmarks/ci_coverage.py` (do not edit by hand). "
        f"{len(table)} designs x {reps} simulated studies, {N_BOOT} bootstrap replicates each, "
        f"{workers} processes, {seconds / 60:.1f} minutes.",
        "",
        "**Set-up.** True values are drawn from the design's category distribution; each coder "
        f"codes every unit with accuracy {', '.join(map(str, ACCURACIES))} (the first K coders), "
        "errors falling evenly on the other categories (nominal) or on the neighbouring "
        f"categories (ordinal); {MISSING:.0%} of the values are then removed at random. The true "
        "alpha of this process is computed exactly from the coder model "
        "(`framestudy.simulation.truth`: the limit of the coincidence matrix), so coverage is "
        "measured against the real target, not an estimate. Categories: nominal "
        f"{PROBABILITIES[('nominal', 'balanced')]} / {PROBABILITIES[('nominal', 'skewed')]}, "
        f"ordinal {PROBABILITIES[('ordinal', 'balanced')]} / {PROBABILITIES[('ordinal', 'skewed')]}.",
        "",
        "**Methods** (`framestudy.analysis.bootstrap_alpha`, 95% intervals): `bca` -- units "
        "resampled with replacement, BCa interval (Efron 1987; the default of `framestudy "
        "agreement`); `units` -- the same replicates, percentile interval (the default before "
        "issue 14); `krippendorff` -- Krippendorff's / Hayes' KALPHA algorithm (pairs of values "
        "resampled with D_e held fixed), percentile interval.",
        "",
        f"Monte Carlo standard error of a coverage near .95: {mc:.4f} (so ±{1.96 * mc:.3f} is "
        "chance). An interval that could not be computed (no variation in the sample) counts as "
        "not covering; `undef.` gives how often that happened.",
        "",
        "## Summary",
        "",
        "| method | mean coverage, designs with ≥ 50 units | min | max | designs in [.93, .97] | mean coverage, 20 units |",
        "|---|---|---|---|---|---|",
    ]
    small = table[table["units"] < 50]
    for method in METHODS:
        col = f"coverage_{method}"
        inside = ((big[col] >= 0.93) & (big[col] <= 0.97)).sum()
        lines.append(
            f"| `{method}` | {big[col].mean():.3f} | {big[col].min():.3f} | {big[col].max():.3f} | "
            f"{inside} of {len(big)} | {small[col].mean():.3f} |"
        )
    lines += ["", "## By design", ""]
    head = "| coders | units | level | categories | true α | mean α̂ | " + " | ".join(
        f"cover `{m}` | width | undef." for m in METHODS) + " |"
    lines += [head, "|" + "---|" * (6 + 3 * len(METHODS))]
    for r in table.itertuples():
        lines.append(
            f"| {r.coders} | {r.units} | {r.level} | {r.balance} | {r.true_alpha:.3f} | "
            f"{r.mean_estimate:.3f} | " + " | ".join(
                f"{getattr(r, f'coverage_{m}'):.3f} | {getattr(r, f'width_{m}'):.3f} | "
                f"{getattr(r, f'undefined_{m}')}" for m in METHODS) + " |"
        )
    lines.append("")
    return "\n".join(lines)


# --- the pilot regime (issue 14): small studies, two or three categories, a rare value -----
#
# An independent generator (nothing from framestudy.simulation): each unit's true value is
# drawn from the category distribution; each coder knows it with probability p and
# otherwise guesses a value from the same distribution; 10% of the values are then removed
# at random. Under this model the population alpha is p^2 (a chance-corrected agreement of
# two independent "knows" events), so p = sqrt(alpha). The target is nevertheless measured,
# not assumed: alpha of one 200,000-unit sample per (categories, coders, alpha), computed by
# the independent ``krippendorff`` package; the report prints it next to p^2.

PILOT_SHARES = {2: (0.05, 0.10, 0.20, 0.50), 3: (0.05, 0.10, 0.20)}
PILOT_UNITS = (20, 30, 50, 100, 200)
PILOT_CODERS = (2, 3, 5)
PILOT_ALPHAS = (0.5, 0.7, 0.85, 0.95)
PILOT_METHODS = ("units", "krippendorff", "bca", "jackknife")
PILOT_TRUTH_UNITS = 200_000
PILOT_SEED = 20261214
PILOT_START, PILOT_END = "<!-- pilot:start -->", "<!-- pilot:end -->"


def pilot_probabilities(n_categories: int, smallest: float) -> np.ndarray:
    rest = (1.0 - smallest) / (n_categories - 1)
    return np.array([smallest] + [rest] * (n_categories - 1))


def pilot_codes(rng: np.random.Generator, n: int, k: int, probs: np.ndarray, know: float,
                missing: float = MISSING) -> np.ndarray:
    """Units x coders category indices (-1 = missing) from the knows-or-guesses model."""
    truth = rng.choice(probs.size, size=n, p=probs)
    guesses = rng.choice(probs.size, size=(n, k), p=probs)
    codes = np.where(rng.random((n, k)) < know, truth[:, None], guesses)
    codes[rng.random((n, k)) < missing] = -1
    return codes


def pilot_truth(n_categories: int, smallest: float, k: int, alpha: float) -> float:
    """Alpha of one large sample, by the ``krippendorff`` package (not framestudy)."""
    import krippendorff

    rng = np.random.default_rng(design_seed(("truth", n_categories, smallest, k, alpha)))
    codes = pilot_codes(rng, PILOT_TRUTH_UNITS, k, pilot_probabilities(n_categories, smallest),
                        math.sqrt(alpha))
    data = np.where(codes >= 0, codes, np.nan).astype(float).T  # coders x units
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def pilot_intervals(coded: Coded, seed: int) -> tuple[dict[str, tuple[float, float]], dict]:
    """Each method's 95% interval for one simulated study (NaN when it cannot be formed),
    and what the study's data show (for calibrating a warning rule: ``--studies``)."""
    estimate = krippendorff_alpha(coded, "nominal")["estimate"]
    units = bootstrap_alpha(coded, "nominal", n_boot=N_BOOT, seed=seed, method="units",
                            interval="percentile")
    kripp = bootstrap_alpha(coded, "nominal", n_boot=N_BOOT, seed=seed, method="krippendorff")
    jack = jackknife_alpha(coded, "nominal")
    bca = bca_interval(units["replicates"], estimate, jack)
    jk = jackknife_interval(estimate, jack)
    vc = coded.value_counts
    vc = vc[vc.sum(axis=1) >= 2]
    marginal = vc.sum(axis=0)
    reps = units["replicates"]
    seen = {
        "estimate": estimate,
        "pairable_units": int(vc.shape[0]),
        "disagreeing_units": int(((vc > 0).sum(axis=1) > 1).sum()),
        "rarest_values": int(marginal[marginal > 0].min()) if (marginal > 0).any() else 0,
        "values_observed": int((marginal > 0).sum()),
        "share_perfect_replicates": float(np.mean(reps >= 1.0 - 1e-12)),
        "share_undefined_replicates": float(np.mean(np.isnan(reps))),
        # the output prints no confident interval: a ci_warning, or alpha undefined (then
        # there is no interval at all, only the reason)
        "flagged": bool(np.isnan(estimate))
        or interval_warning(coded, estimate, "nominal") is not None,
    }
    return {
        "units": (units["ci_low"], units["ci_high"]),
        "krippendorff": (kripp["ci_low"], kripp["ci_high"]),
        "bca": (bca[0], bca[1]),
        "jackknife": (jk[0], jk[1]),
    }, seen


def run_pilot_design(args: tuple) -> dict:
    (cats, smallest, n, k, alpha), truth, reps, seed_base = args
    probs = pilot_probabilities(cats, smallest)
    rng = np.random.default_rng(design_seed(("pilot", seed_base, cats, smallest, n, k, alpha)))
    hits = {m: 0 for m in PILOT_METHODS}
    hits_unflagged = {m: 0 for m in PILOT_METHODS}
    undefined = {m: 0 for m in PILOT_METHODS}
    widths = {m: [] for m in PILOT_METHODS}
    widths_unflagged = {m: [] for m in PILOT_METHODS}
    estimates, perfect, studies, flagged = [], 0, [], 0
    for _ in range(reps):
        codes = pilot_codes(rng, n, k, probs, math.sqrt(alpha))
        coded = Coded(codes, tuple(range(cats)), pd.RangeIndex(n), tuple(range(k)))
        est = krippendorff_alpha(coded, "nominal")["estimate"]
        estimates.append(est)
        perfect += bool(est == 1.0)
        seed = int(rng.integers(2**31))
        intervals, seen = pilot_intervals(coded, seed)
        study = {"categories": cats, "smallest": smallest, "units": n, "coders": k,
                 "alpha": alpha, "true_alpha": truth, **seen}
        for method, (lo, hi) in intervals.items():
            study[f"low_{method}"], study[f"high_{method}"] = lo, hi
        studies.append(study)
        flagged += seen["flagged"]
        for method, (lo, hi) in intervals.items():
            if math.isnan(lo) or math.isnan(hi):
                undefined[method] += 1
                continue
            hits[method] += lo <= truth <= hi
            widths[method].append(hi - lo)
            if not seen["flagged"]:
                hits_unflagged[method] += lo <= truth <= hi
                widths_unflagged[method].append(hi - lo)
    est = np.array(estimates, dtype=float)
    row = {
        "categories": cats, "smallest": smallest, "units": n, "coders": k, "alpha": alpha,
        "true_alpha": truth, "reps": reps,
        "mean_estimate": float(np.nanmean(est)) if np.isfinite(est).any() else float("nan"),
        "undefined_estimate": int(np.isnan(est).sum()), "perfect": perfect,
        "flagged": flagged / reps,
    }
    unflagged = reps - flagged
    for m in PILOT_METHODS:
        c = hits[m] / reps
        row[f"coverage_{m}"] = c
        row[f"mcse_{m}"] = math.sqrt(c * (1 - c) / reps)
        row[f"width_{m}"] = float(np.mean(widths[m])) if widths[m] else float("nan")
        row[f"undefined_{m}"] = undefined[m]
        # among the studies the warning rule leaves unflagged (interval_warning)
        cu = hits_unflagged[m] / unflagged if unflagged else float("nan")
        row[f"coverage_unflagged_{m}"] = cu
        row[f"mcse_unflagged_{m}"] = (
            math.sqrt(max(cu * (1 - cu), 0.95 * 0.05) / unflagged) if unflagged else float("nan")
        )
        row[f"width_unflagged_{m}"] = (
            float(np.mean(widths_unflagged[m])) if widths_unflagged[m] else float("nan")
        )
    row["studies"] = studies
    return row


def pilot_designs() -> list[tuple]:
    return [
        (cats, smallest, n, k, a)
        for cats, shares in PILOT_SHARES.items() for smallest in shares
        for k in PILOT_CODERS for a in PILOT_ALPHAS for n in PILOT_UNITS
    ]


def kept_promise(table: pd.DataFrame, m: str) -> pd.Series:
    """Per design: does method ``m`` keep issue 14's promise? Its coverage over all studies
    is in [.93, .97], or its coverage over the studies the warning rule leaves unflagged is
    within twice its Monte Carlo error of [.93, .97] (a design whose every study is flagged
    keeps it: nothing confident is printed)."""
    everyone = table[f"coverage_{m}"].between(0.93, 0.97)
    c, se = table[f"coverage_unflagged_{m}"], table[f"mcse_unflagged_{m}"]
    unflagged = (c + 2 * se >= 0.93) & (c - 2 * se <= 0.97)
    return everyone | unflagged | c.isna()


def warning_rule_markdown(big: pd.DataFrame) -> list[str]:
    """The summary of the intervals over the studies ``interval_warning`` leaves unflagged."""
    lines = [
        "### With the warning rule: the studies left unflagged, designs with ≥ 30 units",
        "",
        "`framestudy.analysis.interval_warning` flags a study whose pairable values all agree "
        f"(α̂ = 1) or whose rarest value has fewer than {MIN_RAREST_VALUES} pairable values; "
        "the output then carries `ci_warning` instead of a confident interval (a study whose "
        "α is undefined counts as flagged too: it gets no interval, only a reason). "
        "Coverage here is over the "
        "studies left unflagged; its Monte Carlo error uses the count of those studies (and "
        "at least .95 × .05 for the variance). *Kept* counts the designs where the interval "
        "covers 93-97% over all studies, or over the unflagged ones within twice their Monte "
        "Carlo error (issue 14's criterion).",
        "",
        f"Share of studies flagged: {big['flagged'].mean():.3f} (designs with half or more "
        f"flagged: {(big['flagged'] >= 0.5).sum()} of {len(big)}).",
        "",
        "| method | mean coverage, unflagged | designs in [.93, .97] | below .93 beyond MC error "
        "| above .97 beyond MC error | kept | mean width, unflagged |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in PILOT_METHODS:
        c, se = big[f"coverage_unflagged_{m}"], big[f"mcse_unflagged_{m}"]
        weights = (1 - big["flagged"]).to_numpy()
        mean = float(np.average(c.fillna(0), weights=weights)) if weights.sum() else float("nan")
        lines.append(
            f"| `{m}` | {mean:.3f} | {c.between(0.93, 0.97).sum()} of {len(big)} | "
            f"{(c + 2 * se < 0.93).sum()} | {(c - 2 * se > 0.97).sum()} | "
            f"{kept_promise(big, m).sum()} of {len(big)} | "
            f"{big[f'width_unflagged_{m}'].mean():.3f} |"
        )
    return lines


def pilot_markdown(table: pd.DataFrame, reps: int, seconds: float, workers: int, quick: bool,
                   command: str, truth_gap: float) -> str:
    mc = math.sqrt(0.95 * 0.05 / reps)
    big = table[table["units"] >= 30]
    lines = [
        PILOT_START,
        "## The pilot regime: small studies, two or three categories, a rare value (issue 14)",
        "",
        f"Generated by `{command}` (do not edit by hand; the run rewrites only this section). "
        f"{len(table)} designs x {reps} simulated studies, {N_BOOT} bootstrap replicates each, "
        f"{workers} processes, {seconds / 60:.1f} minutes."
        + (" **Quick mode**: few studies per design, so single designs carry a Monte Carlo "
           f"standard error of about {mc:.3f} at .95; read the summaries, not single rows."
           if quick else ""),
        "",
        "**Set-up** (an independent generator, nothing from `framestudy.simulation`). Nominal "
        "data with 2 categories (smallest share .05, .10, .20, .50) or 3 (.05, .10, .20; the "
        "others share the rest equally); 20-200 units; 2, 3 or 5 coders. Each coder knows a "
        "unit's true value with probability p and otherwise guesses from the value "
        f"distribution; {MISSING:.0%} of the values are then removed at random. p = sqrt(α), "
        "α in .5, .7, .85, .95. The true α of each (categories, share, coders, α) is measured "
        f"on one {PILOT_TRUTH_UNITS:,}-unit sample with the `krippendorff` package; it "
        f"differs from p² = α by at most {truth_gap:.4f}.",
        "",
        "**Methods** (95% intervals): `units` -- percentile interval of the units bootstrap "
        "(the default); `krippendorff` -- KALPHA's bootstrap; `bca` -- BCa interval (Efron "
        "1987) from the same units replicates, acceleration from the leave-one-unit-out "
        "jackknife; `jackknife` -- α̂ ± t(N-1) × jackknife standard error, capped at 1 (after "
        "Hughes 2022). An interval that cannot be formed (no variation, every replicate on "
        "one side of α̂) counts as not covering.",
        "",
        f"Monte Carlo standard error of a coverage near .95: {mc:.4f}.",
        "",
        "### Summary, designs with ≥ 30 units",
        "",
        "| method | mean coverage | min | designs ≥ .93 | designs in [.93, .97] | mean width | "
        "mean coverage, 20 units |",
        "|---|---|---|---|---|---|---|",
    ]
    small = table[table["units"] < 30]
    for m in PILOT_METHODS:
        col = big[f"coverage_{m}"]
        lines.append(
            f"| `{m}` | {col.mean():.3f} | {col.min():.3f} | {(col >= 0.93).sum()} of {len(big)} "
            f"| {((col >= 0.93) & (col <= 0.97)).sum()} of {len(big)} | "
            f"{big[f'width_{m}'].mean():.3f} | {small[f'coverage_{m}'].mean():.3f} |"
        )
    best = big[[f"coverage_{m}" for m in PILOT_METHODS]].max(axis=1)
    lines += ["", f"Designs with ≥ 30 units where no method reaches .93: {(best < 0.93).sum()} "
              f"of {len(big)}.", ""]
    lines += warning_rule_markdown(big)
    lines += ["", "### Mean coverage by units and true α (all designs)", "",
              "| units | α | " + " | ".join(f"`{m}`" for m in PILOT_METHODS) + " |",
              "|---|---|" + "---|" * len(PILOT_METHODS)]
    for (n, a), sub in table.groupby(["units", "alpha"]):
        lines.append(f"| {n} | {a:g} | " + " | ".join(
            f"{sub[f'coverage_{m}'].mean():.3f}" for m in PILOT_METHODS) + " |")
    lines += ["", "### Mean coverage by smallest share and units (all designs)", "",
              "| categories | smallest | units | " + " | ".join(f"`{m}`" for m in PILOT_METHODS)
              + " |", "|---|---|---|" + "---|" * len(PILOT_METHODS)]
    for (c, s_, n), sub in table.groupby(["categories", "smallest", "units"]):
        lines.append(f"| {c} | {s_:g} | {n} | " + " | ".join(
            f"{sub[f'coverage_{m}'].mean():.3f}" for m in PILOT_METHODS) + " |")
    head = ["cat.", "smallest", "coders", "α", "units", "true α", "mean α̂", "α̂ = 1", "flagged"]
    for m in PILOT_METHODS:
        head += [f"`{m}`", "±", "width", "undef.", "unflagged"]
    lines += ["", "### By design", "", "<details><summary>all designs</summary>", "",
              "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table.itertuples():
        cells = [r.categories, f"{r.smallest:g}", r.coders, f"{r.alpha:g}", r.units,
                 f"{r.true_alpha:.3f}", f"{r.mean_estimate:.3f}", r.perfect, f"{r.flagged:.2f}"]
        for m in PILOT_METHODS:
            cells += [f"{getattr(r, f'coverage_{m}'):.3f}", f"{getattr(r, f'mcse_{m}'):.3f}",
                      f"{getattr(r, f'width_{m}'):.3f}", getattr(r, f"undefined_{m}"),
                      f"{getattr(r, f'coverage_unflagged_{m}'):.3f}"]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    lines += ["", "</details>", "", PILOT_END]
    return "\n".join(lines)


def run_pilot(args: argparse.Namespace) -> int:
    reps = args.reps if args.reps_given else (100 if args.quick else 1000)
    start = time.perf_counter()
    keys = sorted({(c, s_, k, a) for c, s_, _, k, a in pilot_designs()})
    truths = {key: pilot_truth(*key) for key in keys}
    gap = max(abs(t - key[3]) for key, t in truths.items())
    jobs = [(d, truths[(d[0], d[1], d[3], d[4])], reps, args.seed) for d in pilot_designs()]
    rows, studies = [], []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for i, row in enumerate(pool.map(run_pilot_design, jobs, chunksize=4), start=1):
            studies.extend(row.pop("studies"))
            rows.append(row)
            if i % 20 == 0 or i == len(jobs):
                print(f"[{i}/{len(jobs)}] {row['categories']} cat. smallest {row['smallest']} "
                      f"K={row['coders']} n={row['units']} alpha {row['alpha']}: "
                      + "  ".join(f"{m} {row[f'coverage_{m}']:.2f}" for m in PILOT_METHODS),
                      flush=True)
    seconds = time.perf_counter() - start
    table = pd.DataFrame(rows)
    command = "python benchmarks/ci_coverage.py --pilot" + (" --quick" if args.quick else "") + (
        f" --reps {reps}" if args.reps_given else "")
    text = pilot_markdown(table, reps, seconds, args.workers, args.quick, command, gap)
    print(text.split("### Mean coverage by units")[0])
    print(f"{seconds:.0f} s")
    if args.csv:
        table.to_csv(args.csv, index=False)
    if args.studies:
        pd.DataFrame(studies).to_csv(args.studies, index=False)
    if not args.no_write:
        target = REPO / "docs" / "ci_coverage.md"
        existing = target.read_text(encoding="utf-8")
        if PILOT_START in existing and PILOT_END in existing:
            head, rest = existing.split(PILOT_START, 1)
            tail = rest.split(PILOT_END, 1)[1]
            new = head + text + tail
        else:
            new = existing.rstrip("\n") + "\n\n" + text + "\n"
        atomic_write_text(target, new)
        print(f"wrote {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=None, help="simulated studies per design")
    parser.add_argument("--pilot", action="store_true",
                        help="the pilot regime of issue 14 (2-3 categories, rare values, 20-200 units)")
    parser.add_argument("--quick", action="store_true",
                        help="100 studies per design (pilot regime), said so in the output")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ untouched")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV here")
    parser.add_argument("--studies", type=Path,
                        help="pilot regime: also write one row per simulated study (its data's "
                             "counts and every method's interval) as CSV here")
    parser.add_argument("--seed", type=int, default=PILOT_SEED,
                        help="pilot regime: the studies' seed (another seed gives new studies "
                             "for the same designs, e.g. to check a rule calibrated on one run)")
    args = parser.parse_args(argv)
    args.reps_given = args.reps is not None
    if args.pilot:
        return run_pilot(args)
    if args.reps is None:
        args.reps = 100 if args.quick else 1000

    jobs = [(d, args.reps) for d in designs()]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = []
        for i, row in enumerate(pool.map(run_design, jobs), start=1):
            rows.append(row)
            print(f"[{i}/{len(jobs)}] K={row['coders']} n={row['units']} {row['level']} {row['balance']}: "
                  f"true {row['true_alpha']:.3f}  "
                  + "  ".join(f"{m} {row[f'coverage_{m}']:.3f}" for m in METHODS), flush=True)
    seconds = time.perf_counter() - start
    table = pd.DataFrame(rows)
    text = markdown(table, args.reps, seconds, args.workers)
    summary = text.split("## By design")[0].split("## Summary")[1]
    print(summary)
    print(f"{seconds:.0f} s")
    if args.csv:
        table.to_csv(args.csv, index=False)
    if not args.no_write:
        target = REPO / "docs" / "ci_coverage.md"
        existing = target.read_text(encoding="utf-8") if target.is_file() else ""
        notes = existing.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in existing else ""
        atomic_write_text(target, text + "\n<!-- notes -->" + notes if notes else text)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
