"""The coder reliability model: how a simulated coder turns an article's truth into an annotation.

Each coder has, per item (document variable, span attribute, or ``span`` for span labels), an
``accuracy`` and a ``confusion`` pattern, which together give a confusion matrix
``C[true, coded]`` (:func:`confusion_matrix`):

- ``uniform``: the true value with probability ``accuracy``, else any other value, evenly;
- ``adjacent``: errors go to the neighbouring values of an ordinal scale (the
  ``not_addressed`` value counts as the neighbour of the scale's middle); nominal items
  fall back to ``uniform``;
- ``prevalence``: with probability ``accuracy`` the coder knows the value, else they guess
  from the value distribution ``base`` (so a guess can be right). Under this model two
  coders with accuracies a1 and a2 have a true alpha of exactly a1 * a2 on a variable
  without missing values, for any distance (the coincidence matrix is
  a1*a2*diag(p) + (1 - a1*a2)*p*p', so D_o = (1 - a1*a2) D_e): the "knowledge or guess"
  picture of chance agreement behind chance-corrected coefficients.

Multi-select items are coded value by value, each as a yes/no item with the same pattern
(:func:`binary_confusion`). An article is skipped with probability ``skip_rate``; a coder who
judges it irrelevant answers no other question (the codebook's stop rule). Spans are missed
with probability ``missed_spans``; kept spans have their label coded like an item and each
boundary moved by a Poisson(``span_jitter``) number of words, in a random direction.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import numpy as np

from framestudy.simulation.scenario import GATE_VALUE, Coder, ItemModel
from framestudy.simulation.true_codes import Item

_TOKEN = re.compile(r"\S+")


def _neighbours(item: Item) -> dict[int, list[int]]:
    """Index -> neighbouring indices on the ordinal scale (missing value next to the middle)."""
    scale = [item.values.index(v) for v in item.scale]
    out: dict[int, list[int]] = {i: [] for i in range(len(item.values))}
    for pos, idx in enumerate(scale):
        if pos > 0:
            out[idx].append(scale[pos - 1])
        if pos < len(scale) - 1:
            out[idx].append(scale[pos + 1])
    if scale:
        middle = scale[(len(scale) - 1) // 2]
        for v in item.missing:
            m = item.values.index(v)
            out[m].append(middle)
            out[middle].append(m)
    return out


def confusion_matrix(item: Item, model: ItemModel, base: np.ndarray | None = None) -> np.ndarray:
    """``C[t, c]`` = P(coder codes value c | true value t), over ``item.values``.

    ``base`` (the value distribution, needed for ``prevalence``) defaults to uniform.
    """
    k = len(item.values)
    a = float(model.accuracy)
    if k == 1:
        return np.ones((1, 1))
    if model.confusion == "prevalence":
        b = np.full(k, 1.0 / k) if base is None else np.asarray(base, dtype=float)
        b = b / b.sum()
        return a * np.eye(k) + (1 - a) * np.tile(b, (k, 1))
    c = np.zeros((k, k))
    neighbours = _neighbours(item) if (model.confusion == "adjacent" and item.kind == "ordinal") else None
    for t in range(k):
        c[t, t] = a
        others = neighbours[t] if neighbours is not None and neighbours[t] else [j for j in range(k) if j != t]
        for j in others:
            c[t, j] += (1 - a) / len(others)
    return c


def binary_confusion(model: ItemModel, p_in: float) -> np.ndarray:
    """Confusion matrix of one value of a multi-select item (index 0 = not chosen, 1 = chosen)."""
    a = float(model.accuracy)
    if model.confusion == "prevalence":
        b = np.array([1 - p_in, p_in])
        return a * np.eye(2) + (1 - a) * np.tile(b, (2, 1))
    return np.array([[a, 1 - a], [1 - a, a]])


@dataclass
class CodedSpan:
    label: str
    start: int  # Python character offsets, end exclusive
    end: int
    attributes: dict[str, str | tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Coding:
    """One coder's annotation of one article."""

    skipped: bool
    values: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    spans: list[CodedSpan] = field(default_factory=list)
    lead_time: float = 0.0


class CoderSimulator:
    """Codes articles as one coder would; confusion matrices are built once per item."""

    def __init__(self, coder: Coder, items: dict[str, Item], base: dict[str, np.ndarray],
                 labels: tuple[str, ...], attribute_labels: dict[str, tuple[str, ...]]):
        self.coder = coder
        self.items = items
        self.base = base
        self.labels = labels
        self.attribute_labels = attribute_labels
        self._matrices: dict[str, np.ndarray] = {}
        self._binary: dict[tuple[str, str], np.ndarray] = {}
        span_item = Item("span", "single", labels, (), None)
        self._label_matrix = confusion_matrix(span_item, coder.item("span"))

    def matrix(self, item_id: str) -> np.ndarray:
        m = self._matrices.get(item_id)
        if m is None:
            m = confusion_matrix(self.items[item_id], self.coder.item(item_id), self.base.get(item_id))
            self._matrices[item_id] = m
        return m

    def binary(self, item_id: str, value: str) -> np.ndarray:
        key = (item_id, value)
        m = self._binary.get(key)
        if m is None:
            item = self.items[item_id]
            p_in = float(self.base[item_id][item.values.index(value)]) if item_id in self.base else 0.5
            m = binary_confusion(self.coder.item(item_id), p_in)
            self._binary[key] = m
        return m

    def code_value(self, item_id: str, true, rng: np.random.Generator):
        """The coded value (or tuple of values) for one item given its true value."""
        item = self.items[item_id]
        if item.kind == "multiple":
            chosen = set(true)
            out = []
            for v in item.values:
                row = self.binary(item_id, v)[1 if v in chosen else 0]
                if rng.random() < row[1]:
                    out.append(v)
            return tuple(out)
        t = item.values.index(true)
        row = self.matrix(item_id)[t]
        return item.values[_draw(row, rng)]

    def draw_value(self, item_id: str, rng: np.random.Generator):
        """A value drawn from the item's base distribution (no true value to start from)."""
        item = self.items[item_id]
        base = self.base.get(item_id)
        if item.kind == "multiple":
            p = base if base is not None else np.full(len(item.values), 0.5)
            return tuple(v for v, q in zip(item.values, p, strict=True) if rng.random() < q)
        p = base if base is not None else np.full(len(item.values), 1 / len(item.values))
        return item.values[_draw(p / p.sum(), rng)]

    def code_article(self, truth, true_spans, text: str, gate: str | None,
                     document_ids: list[str], rng: np.random.Generator) -> Coding:
        """Code one article: ``truth`` (:class:`ArticleTruth`), ``true_spans`` (from :mod:`.text`)."""
        coder = self.coder
        lead = _lead_time(coder.lead_time, len(text), rng)
        if rng.random() < coder.skip_rate:
            return Coding(skipped=True, lead_time=lead)
        values: dict[str, str | tuple[str, ...]] = {}
        says_relevant = True
        if gate is not None:
            values[gate] = self.code_value(gate, truth.values[gate], rng)
            says_relevant = values[gate] == GATE_VALUE
        if not says_relevant:
            return Coding(skipped=False, values=values, lead_time=lead)
        for var in document_ids:
            if var == gate:
                continue
            values[var] = self.code_value(var, truth.values[var], rng)
        spans = self._code_spans(true_spans, text, rng)
        return Coding(skipped=False, values=values, spans=spans, lead_time=lead)

    def _code_spans(self, true_spans, text: str, rng: np.random.Generator) -> list[CodedSpan]:
        out: list[CodedSpan] = []
        if not true_spans:
            return out
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        starts = [s for s, _ in tokens]
        ends = [e for _, e in tokens]
        for span in true_spans:
            if rng.random() < self.coder.missed_spans:
                continue
            label_idx = self.labels.index(span.label)
            label = self.labels[_draw(self._label_matrix[label_idx], rng)]
            start, end = self._jitter(span.start, span.end, starts, ends, rng)
            attrs: dict[str, str | tuple[str, ...]] = {}
            for attr_id, applies in self.attribute_labels.items():
                if label not in applies:
                    continue
                if attr_id in span.attributes:
                    attrs[attr_id] = self.code_value(attr_id, span.attributes[attr_id], rng)
                else:  # the label was miscoded: the attribute has no true value here
                    attrs[attr_id] = self.draw_value(attr_id, rng)
                if attrs[attr_id] == ():
                    del attrs[attr_id]
            out.append(CodedSpan(label, start, end, attrs))
        return out

    def _jitter(self, start: int, end: int, starts: list[int], ends: list[int], rng) -> tuple[int, int]:
        lam = self.coder.span_jitter
        if lam <= 0:
            return start, end
        i = bisect.bisect_left(starts, start)
        j = bisect.bisect_left(ends, end)
        if i >= len(starts) or j >= len(ends) or starts[i] != start or ends[j] != end:
            return start, end  # not on token boundaries: leave it
        i += int(rng.poisson(lam)) * (1 if rng.random() < 0.5 else -1)
        j += int(rng.poisson(lam)) * (1 if rng.random() < 0.5 else -1)
        i = min(max(i, 0), len(starts) - 1)
        j = min(max(j, 0), len(ends) - 1)
        if j < i:
            i, j = j, i
        return starts[i], ends[j]


def _draw(p: np.ndarray, rng: np.random.Generator) -> int:
    u = rng.random()
    c = 0.0
    for i, q in enumerate(p):
        c += q
        if u < c:
            return i
    return len(p) - 1


def _lead_time(mean: float, n_chars: int, rng: np.random.Generator) -> float:
    """Seconds spent on an article: log-normal around ``mean``, longer for longer texts."""
    sigma = 0.5
    scale = mean * (0.5 + n_chars / 4000)
    mu = np.log(scale) - sigma**2 / 2
    return round(float(rng.lognormal(mu, sigma)), 3)
