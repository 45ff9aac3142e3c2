"""How framing differs by outlet: the study's outlet comparison, from its tables.

One pure function, :func:`outlet_analysis`, chains the pieces (docs/outlets.md):

1. consensus values, one per article and variable with their provenance
   (:func:`framestudy.analysis.consensus.consensus`);
2. the reliability gate on the agreement table (:func:`framestudy.analysis.gate.gate`):
   only admitted variables are tested; excluded ones are listed with the gate's reason;
3. for every document-level variable, each value of a set variable and each span label's
   presence: the share of each outlet's articles with each value, with Wilson intervals
   (:func:`~framestudy.analysis.outlet_stats.prevalence`), and the comparison across outlets
   (:func:`~framestudy.analysis.outlet_stats.compare_outlets`: a test chosen by Cochran's
   rule, Cramér's V with a bootstrap interval, pairwise outlets with Holm's correction), the
   tests corrected across variables by Holm's method
   (:func:`~framestudy.analysis.outlet_stats.adjust_across_variables`).

A variable's "missing" answers (``missing_values`` in the registry, e.g. ``NA``, not
addressed) are compared like its other values: whether an outlet addresses a question at
all is part of how it frames it. Unresolved consensus values (a tie) are left out of the
comparison; the consensus table shows them. Span attributes (values per matched span, not per article), span densities,
regressions and correspondence analysis are not part of this function yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from framestudy.analysis.consensus import consensus
from framestudy.analysis.gate import ADMITTED, gate
from framestudy.analysis.outlet_stats import adjust_across_variables, compare_outlets, prevalence
from framestudy.settings import GateSettings

#: the value a set variable's member or a span label takes in the consensus table
PRESENCE = ("present", "absent")


@dataclass
class OutletAnalysis:
    """The outlet comparison of a study; each table is tidy (docs/outlets.md, "Files").

    ``consensus``: :data:`~framestudy.analysis.consensus.CONSENSUS_COLUMNS`. ``gate``:
    :data:`~framestudy.analysis.gate.GATE_COLUMNS`. ``prevalence``: ``variable, category,
    decision, outlet, value, count, n, share, ci_low, ci_high``. ``tests``: ``variable,
    category, decision`` and :data:`~framestudy.analysis.outlet_stats.RESULT_COLUMNS`, with
    ``p_adjusted`` and ``adjustment``. ``pairs``: ``variable, category`` and
    :data:`~framestudy.analysis.outlet_stats.PAIRWISE_COLUMNS`.
    """

    consensus: pd.DataFrame
    gate: pd.DataFrame
    prevalence: pd.DataFrame
    tests: pd.DataFrame
    pairs: pd.DataFrame
    overridden: bool


def _comparisons(registry: Sequence[Mapping]) -> list[tuple[str, str, tuple]]:
    """(variable, category, value domain) of every comparison the study makes: a document
    variable as a whole, each member of a set variable, each span label's presence."""
    out = []
    for record in registry:
        values = tuple(str(v) for v in (record.get("values") or record.get("labels") or []))
        if record.get("kind") == "document" and not record.get("multiple"):
            # "not addressed" and the like are answers too: an outlet that never addresses
            # a question frames it by that
            missing = tuple(str(v) for v in record.get("missing_values") or [])
            out.append((record["variable"], "", values + missing))
        elif record.get("kind") == "document" or record.get("kind") == "span_label":
            out += [(record["variable"], value, PRESENCE) for value in values]
    return out


def _decision(gated: pd.DataFrame, variable: str, category: str) -> tuple[str, str]:
    """The gate's (decision, reason) for a comparison: a span label has its own row, a set
    member takes its variable's."""
    rows = gated[(gated["variable"] == variable) & (gated["category"] == category)]
    if rows.empty:
        rows = gated[(gated["variable"] == variable) & (gated["category"] == "")]
    if rows.empty:
        return "excluded", "no agreement result for this variable -- run `framestudy agreement`"
    return str(rows["decision"].iloc[0]), str(rows["reason"].iloc[0])


def outlet_analysis(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping],
    agreement: pd.DataFrame,
    *,
    settings: GateSettings | None = None,
    override: bool = False,
    seed: int = 0,
    n_boot: int = 1000,
    n_resamples: int = 9999,
) -> OutletAnalysis:
    """The study's outlet comparison (see the module docstring for what it computes).

    ``annotations``: the tidy table; ``registry``: the schema registry records;
    ``agreement``: the study-mode agreement table (``analysis/agreement.csv``);
    ``settings``: the gate's (defaults: α ≥ .667 admits, below .800 tentative);
    ``override``: let every variable through (said in every output). ``seed`` fixes every
    random draw (Monte Carlo tests, bootstrap intervals).
    """
    values = consensus(annotations, registry)
    gated = gate(agreement, settings, override=override)
    prevalences, tests, pairs = [], [], []
    for variable, category, domain in _comparisons(registry):
        decision, reason = _decision(gated, variable, category)
        rows = values[(values["variable"] == variable) & (values["category"] == category)]
        rows = rows[rows["value"].astype(str) != ""][["article_id", "outlet", "value"]]
        shares = prevalence(rows, "value", values=domain)
        prevalences.append(shares.assign(variable=variable, category=category, decision=decision))
        if decision not in ADMITTED:
            tests.append(
                pd.DataFrame(
                    [{"variable": variable, "category": category, "decision": decision,
                      "by": "outlet", "n": len(rows),
                      "reason": f"not tested: the reliability gate excluded it ({reason})"}]
                )
            )
            continue
        result = compare_outlets(
            rows, "value", values=domain, seed=seed, n_boot=n_boot, n_resamples=n_resamples
        )
        tests.append(
            result.to_frame().assign(variable=variable, category=category, decision=decision)
        )
        pairs.append(result.pairwise.assign(variable=variable, category=category))
    first = ["variable", "category", "decision"]
    tests_frame = adjust_across_variables(pd.concat(tests, ignore_index=True))
    tests_frame = tests_frame[first + [c for c in tests_frame.columns if c not in first]]
    prevalence_frame = pd.concat(prevalences, ignore_index=True)
    prevalence_frame = prevalence_frame[
        first + [c for c in prevalence_frame.columns if c not in first]
    ]
    pairs_frame = (
        pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(columns=["variable"])
    )
    pairs_frame = pairs_frame[
        ["variable", "category"] + [c for c in pairs_frame.columns if c not in first]
    ] if len(pairs_frame.columns) > 1 else pairs_frame
    return OutletAnalysis(values, gated, prevalence_frame, tests_frame, pairs_frame, override)
