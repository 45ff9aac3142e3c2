"""The true codes of each synthetic article, and their exact distribution per outlet.

An article's truth is what a perfect coder would answer: one value per single-choice or
ordinal variable, a set of values per multi-select variable, and (see :mod:`.text`) the
spans that evidence them. It is drawn from the outlet's propensities (:mod:`.scenario`):

1. the gate (``relevant``) first; an irrelevant article addresses nothing, so every other
   variable takes its null value (``not_addressed``, NOT_MENTIONED, NONE, ...) except the
   ones without one (``genre``), which are drawn as usual;
2. every other planted variable independently from its distribution;
3. ``blame_primary`` from the drawn ``blame_actors`` (the rule in :mod:`.scenario`).

:func:`true_distributions` gives the exact distribution of every variable's true value per
outlet and relevance (the derived ``blame_primary`` by enumerating the actor sets), which
:mod:`.truth` turns into the true alpha and ``truth.json`` reports as propensities.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from framestudy.simulation.scenario import (
    ACTORS_VARIABLE,
    GATE_VALUE,
    NO_BLAME_VALUE,
    NULL_VALUES,
    PRIMARY_VARIABLE,
    SHARED_VALUE,
    SimulatedOutlet,
)


@dataclass(frozen=True)
class Item:
    """A coded item (document variable or span attribute) as the simulator sees it."""

    id: str
    kind: str  # single | multiple | ordinal
    values: tuple[str, ...]  # every valid answer (ordinal: scale order, missing last)
    missing: tuple[str, ...]  # values outside the scale (ordinal ``not_addressed``)
    null: str | None  # the value meaning "not in the article"

    @property
    def scale(self) -> tuple[str, ...]:
        """The values that enter agreement (``values`` minus ``missing``)."""
        return tuple(v for v in self.values if v not in self.missing)


def items_of(schema) -> dict[str, Item]:
    """Every document variable and span attribute of ``schema`` as an :class:`Item`."""
    out: dict[str, Item] = {}
    for item in [*schema.variables, *schema.attributes]:
        values = [v.id for v in schema.values(item)]
        missing: tuple[str, ...] = ()
        if item.type == "ordinal":
            order = schema.order(item)
            missing = tuple(v for v in values if v not in order)
            values = [*order, *missing]
        null = item.not_addressed.id if item.not_addressed else None
        if null is None:
            null = next((v for v in NULL_VALUES if v in values), None)
        out[item.id] = Item(item.id, item.type, tuple(values), missing, null)
    return out


@dataclass
class ArticleTruth:
    """What a perfect coder would code for one article."""

    outlet: str
    relevant: bool
    values: dict[str, str | tuple[str, ...]]  # variable -> value, or tuple for multi-select


def _primary_from(actors: tuple[str, ...], shared: float, weights: dict[str, float], rng) -> str:
    if not actors:
        return NO_BLAME_VALUE
    if len(actors) == 1:
        return actors[0]
    if rng.random() < shared:
        return SHARED_VALUE
    w = np.array([max(weights.get(a, 0.0), 1e-9) for a in actors])
    return actors[int(rng.choice(len(actors), p=w / w.sum()))]


def draw_article(
    outlet: SimulatedOutlet, items: dict[str, Item], document_ids: list[str], gate: str | None,
    derived_primary: bool, rng: np.random.Generator,
) -> ArticleTruth:
    """One article's true codes, drawn from ``outlet``'s propensities."""
    prop = outlet.propensities
    relevant = True
    values: dict[str, str | tuple[str, ...]] = {}
    if gate is not None:
        dist = prop[gate]
        keys = list(dist)
        value = keys[int(rng.choice(len(keys), p=_p(dist)))]
        values[gate] = value
        relevant = value == GATE_VALUE
    for var in document_ids:
        if var == gate or (derived_primary and var == PRIMARY_VARIABLE):
            continue
        item = items[var]
        if not relevant and (item.null is not None or item.kind == "multiple"):
            values[var] = () if item.kind == "multiple" else item.null
            continue
        dist = prop[var]
        if item.kind == "multiple":
            chosen = tuple(v for v in item.values if rng.random() < dist[v])
            values[var] = chosen
        else:
            keys = list(dist)
            values[var] = keys[int(rng.choice(len(keys), p=_p(dist)))]
    if derived_primary:
        actors = values.get(ACTORS_VARIABLE, ())
        values[PRIMARY_VARIABLE] = _primary_from(
            actors, prop[PRIMARY_VARIABLE][SHARED_VALUE], prop[ACTORS_VARIABLE], rng
        )
    return ArticleTruth(outlet.id, relevant, values)


def _p(dist: dict[str, float]) -> np.ndarray:
    p = np.array(list(dist.values()), dtype=float)
    return p / p.sum()


def set_distribution(values: tuple[str, ...], inclusion: dict[str, float]) -> dict[tuple, float]:
    """Exact distribution of a multi-select answer whose values are chosen independently."""
    out: dict[tuple, float] = {}
    n = len(values)
    for r in range(n + 1):
        for combo in combinations(range(n), r):
            p = 1.0
            for i, v in enumerate(values):
                q = inclusion[v]
                p *= q if i in combo else 1 - q
            out[tuple(values[i] for i in combo)] = p
    return out


def primary_distribution(outlet: SimulatedOutlet, items: dict[str, Item]) -> dict[str, float]:
    """Exact distribution of the derived ``blame_primary`` among relevant articles."""
    actors = items[ACTORS_VARIABLE].values
    inclusion = outlet.propensities[ACTORS_VARIABLE]
    shared = outlet.propensities[PRIMARY_VARIABLE][SHARED_VALUE]
    out = {v: 0.0 for v in items[PRIMARY_VARIABLE].values}
    for subset, p in set_distribution(actors, inclusion).items():
        if not subset:
            out[NO_BLAME_VALUE] += p
        elif len(subset) == 1:
            out[subset[0]] += p
        else:
            out[SHARED_VALUE] += p * shared
            w = np.array([max(inclusion[a], 1e-9) for a in subset])
            w = w / w.sum()
            for a, wa in zip(subset, w, strict=True):
                out[a] += p * (1 - shared) * wa
    return out


def true_distributions(
    outlet: SimulatedOutlet, items: dict[str, Item], var: str, gate: str | None, derived_primary: bool
) -> dict[bool, dict]:
    """The exact distribution of ``var``'s true value in ``outlet``, for relevant (True) and
    irrelevant (False) articles. Values are value ids, or tuples for multi-select."""
    item = items[var]
    prop = outlet.propensities
    if var == gate:
        others = {v: p for v, p in prop[var].items() if v != GATE_VALUE}
        total = sum(others.values())
        return {True: {GATE_VALUE: 1.0}, False: {v: p / total for v, p in others.items()} if total > 0 else {}}
    if item.kind == "multiple":
        rel = set_distribution(item.values, prop[var])
        irrelevant = {(): 1.0}
    else:
        rel = primary_distribution(outlet, items) if derived_primary and var == PRIMARY_VARIABLE else dict(prop[var])
        irrelevant = {item.null: 1.0} if item.null is not None else dict(rel)
    if derived_primary and var == PRIMARY_VARIABLE:
        irrelevant = {NO_BLAME_VALUE: 1.0}
    return {True: rel, False: irrelevant}


def relevance(outlet: SimulatedOutlet, gate: str | None) -> float:
    """P(an article of ``outlet`` is relevant)."""
    if gate is None:
        return 1.0
    return float(outlet.propensities[gate].get(GATE_VALUE, 0.0))


def marginals(outlet: SimulatedOutlet, items: dict[str, Item], var: str, gate: str | None,
              derived_primary: bool) -> dict[str, float]:
    """P(value) among relevant articles (multi-select: P(value chosen)); for the gate, among
    all articles. These are the propensities ``truth.json`` reports."""
    item = items[var]
    if var == gate:
        return {v: float(p) for v, p in outlet.propensities[var].items()}
    dist = true_distributions(outlet, items, var, gate, derived_primary)[True]
    if item.kind == "multiple":
        return {v: float(outlet.propensities[var][v]) for v in item.values}
    return {v: float(dist.get(v, 0.0)) for v in item.values}


def base_distributions(
    outlets: list[SimulatedOutlet], items: dict[str, Item], gate: str | None, derived_primary: bool,
    document_ids: list[str],
) -> dict[str, np.ndarray]:
    """Pooled distribution of each item's true value over all articles (outlets weighted by
    size), over ``item.values``; multi-select: P(value chosen). Span attributes that the
    scenario plants get their pooled propensities; the others none (uniform).

    Coders' ``prevalence`` confusion guesses from these distributions.
    """
    total = sum(o.n_articles for o in outlets)
    weights = {o.id: (o.n_articles / total if total else 1 / len(outlets)) for o in outlets}
    out: dict[str, np.ndarray] = {}
    for var in document_ids:
        item = items[var]
        acc = np.zeros(len(item.values))
        for o in outlets:
            p_rel = relevance(o, gate)
            dists = true_distributions(o, items, var, gate, derived_primary)
            for rel, p_r in ((True, p_rel), (False, 1 - p_rel)):
                for value, p in dists[rel].items():
                    if item.kind == "multiple":
                        for v in value:
                            acc[item.values.index(v)] += weights[o.id] * p_r * p
                    else:
                        acc[item.values.index(value)] += weights[o.id] * p_r * p
        out[var] = acc
    for item_id, item in items.items():
        if item_id in out:
            continue
        if any(item_id in o.propensities for o in outlets):
            acc = np.zeros(len(item.values))
            for o in outlets:
                for v, p in o.propensities.get(item_id, {}).items():
                    acc[item.values.index(v)] += weights[o.id] * p
            if acc.sum() > 0:
                out[item_id] = acc if item.kind == "multiple" else acc / acc.sum()
    return out
