"""The report's figures: pure functions from the tables under ``analysis/`` to matplotlib
figures, and :func:`to_png` to embed them.

Each function takes the DataFrame(s) of one analysis CSV (read them with
:func:`read_analysis_csv`, or with pandas: empty cells may be ``""`` or NaN, numbers may be
text) and returns a :class:`matplotlib.figure.Figure`, or None when there is nothing to
draw. Nothing global is touched: every figure is a ``Figure()`` with its own Agg canvas
(no pyplot, no backend switch), and nothing is read or written.

- :func:`forest_plot`: Krippendorff's alpha per variable with its CI against the gate's
  thresholds (``agreement.csv``, ``gate.csv``);
- :func:`prevalence_heatmap`: the share of each outlet's articles with each value
  (``outlet_prevalence.csv``);
- :func:`ordinal_distributions`: ordinal scales as 100%-stacked bars per outlet, median
  marked (``outlet_ordinal.csv`` with ``outlet_prevalence.csv``);
- :func:`density_bars`: spans per 1,000 words per span label and outlet, with CIs
  (``outlet_density.csv``);
- :func:`ca_biplot`: one correspondence analysis' map (``outlet_ca.csv``);
- :func:`sided_with_bars`: how often the adjudicator kept each coder's value
  (``adjudication_coders.csv``).

Readable in grey-scale and by colour-blind readers: categories take the Okabe-Ito palette
(Okabe & Ito 2008, "Color Universal Design (CUD): how to make figures and presentations
that are friendly to colorblind people", J*Fly, https://jfly.uni-koeln.de/color/),
sequential scales cividis (Nuñez, Anderton & Renslow 2018, "Optimizing colormaps with
consideration for color vision deficiency to enable accurate interpretation of scientific
data", PLOS ONE 13(7):e0199239), whose lightness rises monotonically; and every distinction
colour makes is also made by a marker shape, a fill, a hatch or text, so that a grey-scale
print keeps it. Figures are :data:`WIDTH` inches wide: :data:`DPI` dots per inch give a
900-pixel image, the report page's width. Fonts are matplotlib's default (DejaVu Sans).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import blended_transform_factory

from framestudy.analysis.data import (
    AgreementInputError,
    check_table,
    number_column,
    text_column,
)
from framestudy.analysis.gate import ADMITTED, PER_LABEL_METRICS, VARIABLE_METRICS
from framestudy.analysis.vocabulary import UNTRUSTED_MARK
from framestudy.report.inputs import read_csv as read_analysis_csv  # noqa: F401 (re-exported)

#: figure width in inches, and the resolution that makes it 900 pixels wide
WIDTH = 9.0
DPI = 100

#: Okabe & Ito's colour-blind-safe palette (orange, sky blue, bluish green, yellow, blue,
#: vermillion, reddish purple, black)
OKABE_ITO = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
)
#: hatches that tell groups apart without colour (cycled beside the colours)
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--", "**", "||")
#: the sequential colour map (its lightness rises monotonically: grey-scale keeps the order)
SEQUENTIAL = "cividis"
#: the diverging map ordinal scales are drawn in (orange low, purple high)
DIVERGING = "PuOr"
#: the fill and hatch of "not addressed" (missing) answers of an ordinal scale
MISSING_FILL, MISSING_HATCH = "#D9D9D9", "xx"
#: the grey of what the reliability gate excluded
GREY = "#8C8C8C"
INK = "#222222"

#: how each gate decision is drawn: distinct marker shapes *and* fills, not only colours
DECISION_STYLE = {
    "reliable": {"marker": "o", "color": "#0072B2", "fill": "full", "label": "reliable"},
    "tentative": {"marker": "s", "color": "#E69F00", "fill": "none", "label": "tentative"},
    "excluded": {"marker": "X", "color": GREY, "fill": "full", "label": "excluded"},
    "overridden": {"marker": "D", "color": "#CC79A7", "fill": "none",
                   "label": "overridden (gate off)"},
}
#: the gate's default thresholds (Krippendorff 2004, Content Analysis, 2nd ed., p. 241)
THRESHOLDS = (0.667, 0.800)
#: a CI that carries a ci_warning is drawn dotted (framestudy.analysis.interval_warning)
UNTRUSTED_LINE = (0, (1, 1.2))

_FONT = 9


def _cell_font(size: float):
    """The default font (DejaVu Sans) resolved to its file once, for the many in-cell texts
    of a figure: a text given a font file skips matplotlib's font lookup when drawn."""
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties())
    return font_manager.FontProperties(fname=path, size=size)


# ---------------------------------------------------------------------------------------
# Helpers


def to_png(figure: Figure, dpi: float = DPI) -> bytes:
    """The figure rendered as PNG bytes by the Agg canvas (no pyplot, nothing closed or
    switched globally); ``dpi`` sets the pixel size (:data:`WIDTH` x ``dpi`` wide)."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    engine = figure.get_layout_engine()
    original = figure.dpi
    try:
        if engine is not None:
            # lay out once, at the output resolution, then draw once: savefig would
            # otherwise draw the whole figure an extra time to lay it out (a third of the
            # time of a figure with many labels)
            figure.set_dpi(dpi)
            engine.execute(figure)
            figure.set_layout_engine("none")
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        if engine is not None:
            figure.set_layout_engine(engine)
            figure.set_dpi(original)
    return buffer.getvalue()


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(WIDTH, max(height, 1.5)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


_text = text_column


def _numbers(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    """A numeric column (``""`` and absent: NaN); text that is no number is an error."""
    return number_column(frame, column, what, "pass the file framestudy wrote, unedited")


def _require(frame, columns: Iterable[str], what: str) -> None:
    check_table(frame, list(columns), what, "pass the file `framestudy outlets` / "
                "`framestudy agreement` wrote (read it with read_analysis_csv())")


def _grouped(frame: pd.DataFrame, by: str, what: str) -> pd.DataFrame:
    """The rows for grouping ``by`` with the group in a ``group`` column: a table with a
    ``by`` column keeps its rows of that grouping (group in ``group``, or in a column named
    after it); one without (the older per-outlet files) is grouped by its ``outlet``
    column."""
    if "by" in frame.columns:
        frame = frame[_text(frame, "by") == by]
        source = "group" if "group" in frame.columns else by
    else:
        source = "group" if "group" in frame.columns else by
        if by != "outlet" and "group" not in frame.columns and by not in frame.columns:
            return frame.iloc[0:0].assign(group="")
    if source not in frame.columns:
        raise AgreementInputError(
            f"{what}: no column 'group' (or {by!r}) -- pass the file `framestudy outlets` wrote"
        )
    return frame.assign(group=_text(frame, source))


def _ordered_unique(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def _luminance(rgba) -> float:
    """Relative luminance (ITU-R BT.709 weights on linearised sRGB) of a colour, 0-1."""
    r, g, b = matplotlib.colors.to_rgb(rgba)

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_text(rgba) -> str:
    """Black or white, whichever contrasts more with a cell of colour ``rgba`` (the WCAG
    contrast ratio (L1 + 0.05) / (L2 + 0.05) of the two choices)."""
    light = _luminance(rgba)
    return "black" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "white"


def _note(figure: Figure, text: str) -> None:
    """A line of small print under the figure (what was left out, why not to read it)."""
    if text:
        figure.text(0.0, 0.0, text, fontsize=_FONT - 1, color=INK, ha="left", va="bottom",
                    wrap=True, gid="note")


# ---------------------------------------------------------------------------------------
# 1. Forest plot of agreement


def _agreement_rows(agreement: pd.DataFrame) -> pd.DataFrame:
    """The rows the gate reads (the pooled alpha of each variable, per label for spans),
    as in :func:`framestudy.analysis.gate.gate`; any pooled alpha row if none of those."""
    table = agreement.assign(
        variable=_text(agreement, "variable"), metric=_text(agreement, "metric"),
        category=_text(agreement, "category"), outlet=_text(agreement, "outlet"),
        reason=_text(agreement, "reason"),
    )
    pooled = table[table["outlet"].isin(["all", ""])]
    whole = pooled["metric"].isin(VARIABLE_METRICS) & (pooled["category"] == "")
    per_label = pooled["metric"].isin(PER_LABEL_METRICS)
    labelled = set(pooled.loc[per_label & (pooled["category"] != ""), "variable"])
    per_label &= (pooled["category"] != "") | ~pooled["variable"].isin(labelled)
    rows = pooled[whole | per_label]
    if rows.empty:
        rows = pooled[pooled["metric"].str.contains("alpha")]
    return rows.drop_duplicates(["variable", "category"])


def _decisions(rows: pd.DataFrame, gate: pd.DataFrame | None, thresholds) -> list[str]:
    if gate is not None and not gate.empty:
        _require(gate, ("variable", "decision"), "gate.csv")
        keys = zip(_text(gate, "variable"), _text(gate, "category"), strict=True)
        known = dict(zip(keys, _text(gate, "decision"), strict=True))
        return [
            known.get((v, c), known.get((v, ""), "excluded"))
            for v, c in zip(rows["variable"], rows["category"], strict=True)
        ]
    low, high = thresholds
    out = []
    for value in rows["estimate"]:
        if math.isnan(value) or value < low:
            out.append("excluded")
        else:
            out.append("tentative" if value < high else "reliable")
    return out


def forest_plot(
    agreement: pd.DataFrame,
    gate: pd.DataFrame | None = None,
    thresholds: Sequence[float] = THRESHOLDS,
) -> Figure | None:
    """Krippendorff's alpha of each variable with its bootstrap confidence interval.

    One line per variable as the reliability gate reads it (the study row, ``outlet ==
    "all"``, of the variable's alpha; span labels one line each, their unitizing alpha):
    the point is alpha, the horizontal bar its CI (a point alone when the table has no CI).
    Two dashed vertical lines mark ``thresholds``, by default Krippendorff's (2004,
    *Content Analysis*, 2nd ed., p. 241): .667, the lowest limit for tentative conclusions,
    and .800, the limit for drawing conclusions. The marker says the gate's decision
    (``gate.csv``; without it, the decision the thresholds give to alpha): filled circle
    reliable, open square tentative, grey cross excluded (its label and bar greyed too), open
    diamond overridden. The CI is read against the lines: a bar wholly right of .800 is
    reliable beyond sampling doubt; a bar that crosses a line leaves the verdict uncertain
    (Hayes & Krippendorff 2007, Communication Methods and Measures 1:77-89). An alpha the
    data cannot define is written "alpha undefined", without a point. None without rows.
    """
    _require(agreement, ("variable", "estimate"), "agreement.csv")
    if agreement.empty:
        return None
    rows = _agreement_rows(agreement)
    if rows.empty:
        return None
    rows = rows.assign(
        estimate=_numbers(rows, "estimate", "agreement.csv"),
        ci_low=_numbers(rows, "ci_low", "agreement.csv"),
        ci_high=_numbers(rows, "ci_high", "agreement.csv"),
    )
    decisions = _decisions(rows, gate, thresholds)
    warned = (text_column(rows, "ci_warning") != "").to_numpy()
    n = len(rows)
    figure = _figure(0.3 * n + 1.9)
    ax = figure.add_subplot()
    values = rows[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    left = min(0.0, float(finite.min()) if finite.size else 0.0) - 0.05
    right = 1.05
    text_at = blended_transform_factory(ax.transAxes, ax.transData)
    labels, colours = [], []
    for i, ((_, row), decision) in enumerate(zip(rows.iterrows(), decisions, strict=True)):
        y = n - 1 - i
        style = DECISION_STYLE.get(decision, DECISION_STYLE["excluded"])
        colour = style["color"]
        excluded = decision not in ADMITTED
        name = row["variable"] + (f": {row['category']}" if row["category"] else "")
        labels.append(name)
        colours.append(GREY if excluded else INK)
        est, low, high = row["estimate"], row["ci_low"], row["ci_high"]
        untrusted = bool(warned[i])
        if np.isfinite(low) and np.isfinite(high):
            ax.plot([low, high], [y, y], color=colour, lw=1.5 if excluded else 2.2,
                    ls=UNTRUSTED_LINE if untrusted else "-", solid_capstyle="butt",
                    gid="ci:untrusted" if untrusted else "ci")
        if np.isfinite(est):
            ax.plot([est], [y], ls="none", marker=style["marker"], ms=7, mew=1.5,
                    color=colour, fillstyle=style["fill"], markerfacecoloralt="white",
                    gid=f"point:{decision}")
            shown = f"{est:.3f}"
            if np.isfinite(low) and np.isfinite(high):
                shown += f" [{low:.2f}, {high:.2f}]" + (UNTRUSTED_MARK if untrusted else "")
        else:
            ax.text(left + 0.02, y, "α undefined", fontsize=_FONT - 1, style="italic",
                    color=GREY, va="center", in_layout=False)
            shown = "undefined"
        ax.text(1.01, y, shown, transform=text_at, fontsize=_FONT - 1, va="center",
                color=GREY if excluded else INK, clip_on=False)
    styles = ("--", ":")
    for k, threshold in enumerate(thresholds):
        ax.axvline(threshold, color=INK, lw=1, ls=styles[k % 2], gid=f"threshold:{threshold:g}",
                   label=f"α = {threshold:.3f}")
        ax.text(threshold, n - 0.4, f"{threshold:.3f}", fontsize=_FONT - 1, ha="center",
                va="bottom", color=INK)
    ax.set_yticks(range(n - 1, -1, -1), labels, fontsize=_FONT)
    for tick, colour in zip(ax.get_yticklabels(), colours, strict=True):
        tick.set_color(colour)
    ax.set_ylim(-0.7, n + 0.1)
    ax.set_xlim(left, right)
    ax.grid(axis="x", color="#E5E5E5", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("Krippendorff's α (span labels: unitizing α) with its bootstrap CI",
                  fontsize=_FONT)
    ax.set_ylabel("variable", fontsize=_FONT)
    source = "the reliability gate" if gate is not None and not gate.empty else "the thresholds"
    ax.set_title(f"Agreement per variable: α, its CI and the decision of {source}",
                 fontsize=_FONT + 2, loc="left")
    handles = [
        Line2D([], [], ls="none", marker=DECISION_STYLE[d]["marker"], ms=7, mew=1.5,
               color=DECISION_STYLE[d]["color"], fillstyle=DECISION_STYLE[d]["fill"],
               label=DECISION_STYLE[d]["label"])
        for d in DECISION_STYLE if d in decisions
    ]
    handles += [
        Line2D([], [], color=INK, lw=1, ls=styles[k % 2], label=f"threshold {t:.3f}")
        for k, t in enumerate(thresholds)
    ]
    if warned.any():
        handles.append(Line2D([], [], color=INK, lw=2.2, ls=UNTRUSTED_LINE,
                              label=f"{UNTRUSTED_MARK} CI not to be trusted"))
    figure.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                  fontsize=_FONT - 1, frameon=False)
    return figure


# ---------------------------------------------------------------------------------------
# 2. Prevalence heatmap


def _heatmap_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (variable, category, value) to draw, with its block and label: a set
    member or span label shows its ``present`` share only (``absent`` is the rest)."""
    member = frame["category"] != ""
    frame = frame[~member | (frame["value"] == "present")]
    frame = frame.assign(
        label=np.where(frame["category"] != "", frame["variable"] + ": " + frame["category"],
                       frame["variable"] + ": " + frame["value"]),
    )
    return frame


def prevalence_heatmap(
    prevalence: pd.DataFrame, by: str = "outlet", max_rows: int = 60
) -> Figure | None:
    """The share of each outlet's articles that took each value, as a table of colours.

    Rows are a variable's values (``variable: value``; a set member or a span label one
    row, the share of articles where it is present), columns the groups (outlets, or an
    outlet attribute with ``by``); each cell is the share of the group's articles with a
    value for that variable that took this value (``outlet_prevalence.csv``; the Wilson
    intervals are in the file), in the cividis map (darker = smaller) with the
    percentage written in it. Read a row across to compare outlets; a variable's values add
    up to 100% down a column. A cell without articles shows "–". Variables the reliability
    gate excluded keep their rows with a grey label ending "(excluded)": descriptive only,
    not to be compared; "(tentative)" marks those admitted below .800. At most
    ``max_rows`` rows: variables the gate admitted come first, and what was left out is
    named under the figure and counted in the title. None without rows.
    """
    _require(prevalence, ("variable", "value", "share"), "outlet_prevalence.csv")
    frame = _grouped(prevalence, by, "outlet_prevalence.csv")
    if frame.empty:
        return None
    frame = frame.assign(
        variable=_text(frame, "variable"), category=_text(frame, "category"),
        value=_text(frame, "value"), decision=_text(frame, "decision"),
        share=_numbers(frame, "share", "outlet_prevalence.csv"),
        n=_numbers(frame, "n", "outlet_prevalence.csv"),
    )
    frame = _heatmap_rows(frame)
    if frame.empty:
        return None
    blocks = _ordered_unique(zip(frame["variable"], frame["category"], strict=True))
    block_rows = {b: _ordered_unique(part["label"]) for b, part in
                  frame.groupby(["variable", "category"], sort=False)}
    decision = {b: part["decision"].iloc[0] for b, part in
                frame.groupby(["variable", "category"], sort=False)}
    total = sum(len(r) for r in block_rows.values())
    priority = sorted(blocks, key=lambda b: decision[b] not in ADMITTED and decision[b] != "")
    kept, used, left_out = set(), 0, []
    for block in priority:
        size = len(block_rows[block])
        if used + size <= max_rows:
            kept.add(block)
            used += size
        elif not kept:  # one block larger than the page: its first rows
            block_rows[block] = block_rows[block][:max_rows]
            kept.add(block)
            used = max_rows
            left_out.append(f"{_block_name(block)} (rows after the first {max_rows})")
        else:
            left_out.append(_block_name(block) + _decision_suffix(decision[block]))
    shown_blocks = [b for b in blocks if b in kept]
    labels = [label for b in shown_blocks for label in block_rows[b]]
    groups = _ordered_unique(frame["group"])
    index = {label: i for i, label in enumerate(labels)}
    column = {g: j for j, g in enumerate(groups)}
    shares = np.full((len(labels), len(groups)), np.nan)
    for label, group, share, n in zip(frame["label"], frame["group"], frame["share"],
                                      frame["n"], strict=True):
        if label in index and n != 0:  # n NaN (not in the file): drawn
            shares[index[label], column[group]] = share
    rows, cols = shares.shape
    figure = _figure(0.24 * rows + 2.2)
    ax = figure.add_subplot()
    cmap = matplotlib.colormaps[SEQUENTIAL].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_invalid(shares), cmap=cmap, vmin=0, vmax=1, aspect="auto",
                      interpolation="nearest")
    size = _FONT - 1 if cols <= 10 else (_FONT - 2 if cols <= 16 else _FONT - 3)
    font = _cell_font(size)
    for i in range(rows):
        for j in range(cols):
            share = shares[i, j]
            if np.isnan(share):
                ax.text(j, i, "–", ha="center", va="center", fontproperties=font, color=INK,
                        gid=f"cell:{i}:{j}", in_layout=False)
                continue
            ax.text(j, i, f"{100 * share:.0f}%", ha="center", va="center", fontproperties=font,
                    color=contrast_text(cmap(share)), gid=f"cell:{i}:{j}", in_layout=False)
    row_decision = [decision[b] for b in shown_blocks for _ in block_rows[b]]
    # "(excluded)" on every row of an excluded variable (they are greyed too); the other
    # decisions on the variable's first row
    first_rows = {(b, block_rows[b][0]) for b in shown_blocks}
    names = [
        label + (_decision_suffix(decision[b])
                 if decision[b] == "excluded" or (b, label) in first_rows else "")
        for b in shown_blocks for label in block_rows[b]
    ]
    ax.set_yticks(range(rows), names, fontsize=_FONT - 1)
    for tick, d in zip(ax.get_yticklabels(), row_decision, strict=True):
        if d and d not in ADMITTED:
            tick.set_color(GREY)
    long = max(len(str(g)) for g in groups) > 10 or cols > 8
    ax.set_xticks(range(cols), groups, fontsize=_FONT - 1, rotation=30 if long else 0,
                  ha="right" if long else "center")
    ax.tick_params(length=0)
    edge = 0
    for b in shown_blocks[:-1]:
        edge += len(block_rows[b])
        ax.axhline(edge - 0.5, color="white", lw=2)
    ax.set_xlabel(by, fontsize=_FONT)
    ax.set_ylabel("variable: value (set members and span labels: share present)",
                  fontsize=_FONT)
    title = f"Share of each {by}'s articles with each value"
    if rows < total:
        title += f" ({rows} of {total} rows shown)"
    ax.set_title(title, fontsize=_FONT + 2, loc="left")
    bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.01,
                          format=PercentFormatter(1.0, decimals=0))
    bar.set_label("share of articles", fontsize=_FONT)
    bar.ax.tick_params(labelsize=_FONT - 1)
    if left_out:
        _note(figure, "Left out (page limit of "
              f"{max_rows} rows): " + ", ".join(left_out) + ".")
    return figure


def _block_name(block: tuple[str, str]) -> str:
    return block[0] + (f": {block[1]}" if block[1] else "")


def _decision_suffix(decision: str) -> str:
    if decision == "excluded":
        return " (excluded)"
    if decision == "tentative":
        return " (tentative)"
    if decision == "overridden":
        return " (gate overridden)"
    return ""


# ---------------------------------------------------------------------------------------
# 3. Ordinal distributions


def ordinal_palette(k: int) -> list:
    """``k`` colours of :data:`DIVERGING` for a scale's categories, low to high: orange
    below the middle, purple above, light in the middle; the two sides' lightness differs
    at each distance from the middle, so grey-scale tells -2 from +2."""
    cmap = matplotlib.colormaps[DIVERGING]
    if k == 1:
        return [cmap(0.5)]
    return [cmap(x) for x in np.linspace(0.08, 0.92, k)]


def _median(counts: Sequence[float], scale: Sequence[str]) -> tuple[str, str] | None:
    """(lower, upper) median category of counts over a scale (ordinal_summary's rule)."""
    n = int(round(sum(counts)))
    if n == 0:
        return None
    cumulative = np.cumsum(counts)

    def at(rank: int) -> str:  # 0-based rank in scale order
        return scale[int(np.searchsorted(cumulative, rank + 1 - 1e-9))]

    return at((n - 1) // 2), at(n // 2)


def ordinal_distributions(
    ordinal: pd.DataFrame,
    prevalence: pd.DataFrame | None = None,
    *,
    by: str = "outlet",
    missing_values: Sequence[str] = ("NA",),
    order: Mapping[str, Sequence[str]] | None = None,
) -> Figure | None:
    """How each outlet's articles spread over an ordinal scale, one panel per variable.

    A panel per ordinal variable of ``ordinal`` (``outlet_ordinal.csv``: per grouping,
    variable, group and value the ``count``, a missing value's ``position`` empty, and the
    group's median from :func:`~framestudy.analysis.outlet_stats.ordinal_summary`); a bar
    per outlet, 100% of its articles with a value, split into the scale's categories from
    low (left, orange) to high (right, purple), the value written in each segment wide
    enough for it; "not addressed" answers (off the scale) come last, light grey and
    hatched. The diamond marks the outlet's median category (between two categories when
    the lower and upper medians differ); ``n`` at the right is the bar's articles, missing
    values included (the median is of those on the scale). Read the bars against each
    other: more orange = more negative.

    A table of medians only (no ``value`` and ``count``/``share``) takes the distribution
    from ``prevalence`` (``outlet_prevalence.csv``: a variable's values in the registry's
    order), the values in ``missing_values`` off the scale; ``order`` (variable -> values,
    low first) overrides the file's order. Medians come from ``median_low``/``median_high``
    when given, else from the counts by the same rule. A panel whose variable the gate
    excluded has a grey title ending "(excluded)".
    None when there is no ordinal variable or no articles.
    """
    _require(ordinal, ("variable",), "outlet_ordinal.csv")
    if ordinal.empty:
        return None
    summary = _grouped(ordinal, by, "outlet_ordinal.csv")
    summary = summary.assign(variable=_text(summary, "variable"),
                             category=_text(summary, "category"))
    summary = summary[summary["category"] == ""]
    if {"value"} <= set(ordinal.columns) and ({"count", "share"} & set(ordinal.columns)):
        distribution = summary
    elif prevalence is None:
        raise AgreementInputError(
            "outlet_ordinal.csv holds the medians only -- pass outlet_prevalence.csv as "
            "prevalence for the distributions"
        )
    else:
        _require(prevalence, ("variable", "value"), "outlet_prevalence.csv")
        distribution = _grouped(prevalence, by, "outlet_prevalence.csv")
        distribution = distribution.assign(variable=_text(distribution, "variable"),
                                           category=_text(distribution, "category"))
        distribution = distribution[distribution["category"] == ""]
    variables = [v for v in _ordered_unique(summary["variable"])
                 if v in set(distribution["variable"])]
    if not variables:
        return None
    distribution = distribution.assign(
        value=_text(distribution, "value"),
        count=_numbers(distribution, "count", "outlet_prevalence.csv"),
        share=_numbers(distribution, "share", "outlet_prevalence.csv"),
        decision=_text(distribution, "decision"),
    )
    medians = {}
    if "median_low" in summary.columns:
        for row in summary.itertuples():
            low, high = _text_cell(row.median_low), _text_cell(getattr(row, "median_high", ""))
            if low:
                medians[(row.variable, row.group)] = (low, high or low)
    decision_of = dict(zip(summary["variable"], _text(summary, "decision"), strict=True))
    panels = []
    for variable in variables:
        part = distribution[distribution["variable"] == variable]
        values = list(order[variable]) if order and variable in order else []
        values += [v for v in _ordered_unique(part["value"]) if v not in values]
        if "position" in part.columns:  # outlet_ordinal.csv: no position = off the scale
            placed = set(part.loc[_text(part, "position") != "", "value"])
            off = [v for v in values if v not in placed]
        else:
            off = [v for v in values if v in missing_values]
        scale = [v for v in values if v not in off]
        groups = _ordered_unique(part["group"])
        table = np.zeros((len(groups), len(scale) + len(off)))
        for g, group in enumerate(groups):
            rows = part[part["group"] == group].set_index("value")
            use = "count" if rows["count"].notna().any() else "share"
            for k, value in enumerate(scale + off):
                if value in rows.index and np.isfinite(rows.at[value, use]):
                    table[g, k] = rows.at[value, use]
        decision = decision_of.get(variable) or (part["decision"].iloc[0] if len(part) else "")
        panels.append((variable, scale, off, groups, table, decision))
    panels = [p for p in panels if p[4].sum() > 0]
    if not panels:
        return None
    heights = [len(p[3]) + 1.6 for p in panels]
    figure = _figure(0.28 * sum(heights) + 0.8)
    axes = figure.subplots(len(panels), 1, squeeze=False,
                           gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, (variable, scale, off, groups, table, decision) in zip(axes, panels, strict=True):
        _ordinal_panel(ax, variable, scale, off, groups, table, decision, medians, by)
    axes[-1].set_xlabel(f"share of the {by}'s articles (%)", fontsize=_FONT)
    figure.suptitle("Ordinal scales: distribution per " + by + " (diamond: median)",
                    fontsize=_FONT + 2, x=0.0, ha="left")
    return figure


def _text_cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _ordinal_panel(ax, variable, scale, off, groups, table, decision, medians, by) -> None:
    colours = ordinal_palette(len(scale)) + [MISSING_FILL] * len(off)
    hatches = [""] * len(scale) + [MISSING_HATCH] * len(off)
    totals = table.sum(axis=1)
    percent = np.divide(100 * table, totals[:, None], out=np.zeros_like(table),
                        where=totals[:, None] > 0)
    ys = np.arange(len(groups))[::-1]
    starts = np.concatenate([np.zeros((len(groups), 1)), np.cumsum(percent, axis=1)[:, :-1]],
                            axis=1)
    names = scale + off
    font = _cell_font(_FONT - 2)
    for k, name in enumerate(names):
        ax.barh(ys, percent[:, k], left=starts[:, k], height=0.7, color=colours[k],
                hatch=hatches[k], edgecolor="#444444", linewidth=0.4, label=name,
                gid=f"segment:{name}")
        for g in range(len(groups)):
            if percent[g, k] >= 7 and k < len(scale):
                ax.text(starts[g, k] + percent[g, k] / 2, ys[g], name, ha="center",
                        va="center", fontproperties=font, color=contrast_text(colours[k]),
                        in_layout=False)
    for g, group in enumerate(groups):
        pair = medians.get((variable, group))
        if pair is None and table[g, : len(scale)].sum() > 0:
            pair = _median(table[g, : len(scale)], scale)
        if pair and pair[0] in scale and pair[1] in scale:
            a, b = scale.index(pair[0]), scale.index(pair[1])
            x = (starts[g, a] + starts[g, b] + percent[g, b]) / 2
            # on the bar's upper edge, clear of the category written in the segment
            ax.plot([x], [ys[g] + 0.35], ls="none", marker="D", ms=5.5, mfc="white",
                    mec="black", mew=1.2, gid="median", zorder=3, clip_on=False)
        shown = f"n={int(round(totals[g]))}" if totals[g] else "no articles"
        if pair:
            shown += " · Md " + (pair[0] if pair[0] == pair[1] else f"{pair[0]}/{pair[1]}")
        ax.text(101, ys[g], shown, fontsize=_FONT - 2, va="center", clip_on=False)
    ax.set_yticks(ys, groups, fontsize=_FONT - 1)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.tick_params(axis="x", labelsize=_FONT - 1)
    ax.set_ylabel(by, fontsize=_FONT - 1)
    excluded = decision and decision not in ADMITTED
    ax.set_title(variable + _decision_suffix(decision), fontsize=_FONT, loc="left",
                 color=GREY if excluded else INK)
    handles = [Patch(facecolor=c, hatch=h, edgecolor="#444444", linewidth=0.4, label=n)
               for c, h, n in zip(colours, hatches, names, strict=True)]
    handles.append(Line2D([], [], ls="none", marker="D", ms=6, mfc="white", mec="black",
                          label="median"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.13, 1.0),
              fontsize=_FONT - 2, frameon=False, borderaxespad=0)


# ---------------------------------------------------------------------------------------
# 4. Span density


def density_bars(
    density: pd.DataFrame, by: str = "outlet", gate: pd.DataFrame | None = None
) -> Figure | None:
    """Spans per 1,000 words per span label, a bar per outlet with its confidence interval.

    From ``outlet_density.csv`` (:func:`~framestudy.analysis.outlet_stats.span_density`),
    the rows of labels as a whole (``attribute`` empty): each bar is the mean density of
    the group's articles, the error bar Student's t interval for that mean (none for a
    group of one article). Groups are told apart by colour (Okabe-Ito) and hatch, in the
    same order within every label. Compare bars within a label: a longer bar means the
    outlet's articles give that frame element more salience. With ``gate`` (``gate.csv``)
    the labels the reliability gate excluded are greyed and marked "(excluded)". None
    without rows.
    """
    _require(density, ("label", "mean"), "outlet_density.csv")
    frame = _grouped(density, by, "outlet_density.csv")
    frame = frame[_text(frame, "attribute") == ""]
    if frame.empty:
        return None
    frame = frame.assign(
        label=_text(frame, "label"),
        mean=_numbers(frame, "mean", "outlet_density.csv"),
        ci_low=_numbers(frame, "ci_low", "outlet_density.csv"),
        ci_high=_numbers(frame, "ci_high", "outlet_density.csv"),
        confidence=_numbers(frame, "confidence", "outlet_density.csv"),
    )
    labels = _ordered_unique(frame["label"])
    groups = _ordered_unique(frame["group"])
    excluded = set()
    if gate is not None and not gate.empty:
        spans = gate[_text(gate, "variable") == "span"]
        excluded = {c for c, d in zip(_text(spans, "category"), _text(spans, "decision"),
                                      strict=True) if d not in ADMITTED}
    figure = _figure(4.6)
    ax = figure.add_subplot()
    width = 0.8 / len(groups)
    x = np.arange(len(labels))
    for g, group in enumerate(groups):
        rows = frame[frame["group"] == group].drop_duplicates("label").set_index("label")
        rows = rows.reindex(labels)
        offset = x + (g - (len(groups) - 1) / 2) * width
        ax.bar(offset, rows["mean"].fillna(0), width, color=OKABE_ITO[g % len(OKABE_ITO)],
               hatch=HATCHES[g % len(HATCHES)], edgecolor=INK, linewidth=0.5, label=group,
               gid=f"bars:{group}")
        low, high, mean = rows["ci_low"], rows["ci_high"], rows["mean"]
        ok = (low.notna() & high.notna() & mean.notna()).to_numpy()
        if ok.any():
            ax.errorbar(offset[ok], mean[ok], yerr=[(mean - low)[ok], (high - mean)[ok]],
                        fmt="none", ecolor=INK, elinewidth=1, capsize=2)
    names = [label + (" (excluded)" if label in excluded else "") for label in labels]
    ax.set_xticks(x, names, fontsize=_FONT)
    for tick, label in zip(ax.get_xticklabels(), labels, strict=True):
        if label in excluded:
            tick.set_color(GREY)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.grid(axis="y", color="#E5E5E5", lw=0.6)
    ax.set_axisbelow(True)
    level = frame["confidence"].dropna()
    ci = f"{100 * level.iloc[0]:.0f}% CI" if len(level) else "CI"
    ax.set_xlabel("span label", fontsize=_FONT)
    ax.set_ylabel(f"spans per 1,000 words (mean, {ci})", fontsize=_FONT)
    ax.tick_params(axis="y", labelsize=_FONT - 1)
    ax.set_title(f"Span density per 1,000 words, by {by}", fontsize=_FONT + 2, loc="left")
    ax.legend(title=by, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_FONT - 1,
              title_fontsize=_FONT - 1, frameon=False, borderaxespad=0)
    return figure


# ---------------------------------------------------------------------------------------
# 5. Correspondence analysis


def _place_labels(ax, points: list[tuple[float, float, str, dict]], span: float) -> None:
    """Text beside each point, moved to the side of it farthest from the labels already
    placed (a greedy way to keep close points' labels apart)."""
    offsets = ((5, 4, "left", "bottom"), (5, -4, "left", "top"), (-5, 4, "right", "bottom"),
               (-5, -4, "right", "top"))
    placed: list[tuple[float, float]] = []
    unit = span / 40 if span > 0 else 1.0
    for x, y, text, style in points:
        best, best_room = offsets[0], -1.0
        for dx, dy, ha, va in offsets:
            anchor = (x + np.sign(dx) * unit, y + np.sign(dy) * unit)
            room = min((math.dist(anchor, p) for p in placed), default=math.inf)
            if room > best_room + 1e-12:
                best, best_room = (dx, dy, ha, va), room
        dx, dy, ha, va = best
        placed.append((x + np.sign(dx) * unit, y + np.sign(dy) * unit))
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=_FONT - 1, gid="point-label", **style)


def ca_biplot(ca: pd.DataFrame, table: str) -> Figure | None:
    """The map of one correspondence analysis (``outlet_ca.csv``, ``table`` e.g.
    ``"outlet x blamed actor"``): outlets and categories in the first two dimensions.

    Rows (outlets) are filled blue circles with bold labels, columns (categories) open
    vermillion triangles with italic labels, each labelled beside its point. Both are in
    principal coordinates (the symmetric map; Greenacre 2007, *Correspondence Analysis in
    Practice*, 2nd ed., ch. 8): distances between outlets, and between categories, are
    chi-square distances between their profiles; an outlet and a category are not compared
    by distance, but an outlet lies towards the categories it uses more than the average
    outlet does. Each axis is labelled with its share of the total inertia (how much of the
    table's association it shows); axes have equal scales. A one-dimensional solution is
    drawn as points on a line. When the analysis says its map is not unique (a single
    dimension, tied inertias), the reason is printed under it. None when the table has no
    coordinates (excluded by the gate, no such variable: ``part == "reason"`` only).
    """
    _require(ca, ("table", "part"), "outlet_ca.csv")
    frame = ca[_text(ca, "table") == table]
    parts = _text(frame, "part")
    coordinates = frame[parts == "coordinate"]
    if coordinates.empty:
        return None
    coordinates = coordinates.assign(
        side=_text(coordinates, "side"), label=_text(coordinates, "label"),
        dimension=_numbers(coordinates, "dimension", "outlet_ca.csv"),
        coordinate=_numbers(coordinates, "coordinate", "outlet_ca.csv"),
    )
    inertias = frame[parts == "inertia"]
    shares = dict(zip(_numbers(inertias, "dimension", "outlet_ca.csv"),
                      _numbers(inertias, "share", "outlet_ca.csv"), strict=True))
    dims = sorted(d for d in coordinates["dimension"].dropna().unique())
    wide = coordinates.pivot_table(index=["side", "label"], columns="dimension",
                                   values="coordinate", aggfunc="first", sort=False)
    two = len(dims) >= 2
    first, second = dims[0], (dims[1] if two else None)
    figure = _figure(6.4 if two else 2.9)
    ax = figure.add_subplot()
    styles = {
        "row": {"marker": "o", "color": "#0072B2", "fill": "#0072B2", "label": "outlets (rows)",
                "text": {"fontweight": "bold", "color": "#0072B2"}},
        "column": {"marker": "^", "color": "#D55E00", "fill": "white",
                   "label": "categories (columns)",
                   "text": {"fontstyle": "italic", "color": "#A04000"}},
    }
    xs_all = wide[first].to_numpy(dtype=float)
    ys_all = wide[second].to_numpy(dtype=float) if two else np.zeros_like(xs_all)
    span = float(np.nanmax(np.abs(np.concatenate([xs_all, ys_all])))) if xs_all.size else 1.0
    ax.axhline(0, color="#BBBBBB", lw=0.8, zorder=0)
    if two:
        ax.axvline(0, color="#BBBBBB", lw=0.8, zorder=0)
    labels = []
    for side in ("row", "column"):
        if side not in wide.index.get_level_values(0):
            continue
        part = wide.loc[side]
        style = styles[side]
        xs = part[first].to_numpy(dtype=float)
        ys = part[second].to_numpy(dtype=float) if two else np.zeros_like(xs)
        ax.plot(xs, ys, ls="none", marker=style["marker"], ms=8, mfc=style["fill"],
                mec=style["color"], mew=1.5, label=style["label"], gid=f"points:{side}")
        if two:
            labels += [(x, y, str(n), style["text"]) for x, y, n in zip(xs, ys, part.index,
                                                                         strict=True)]
        else:  # one dimension: outlets labelled above the line, categories below
            dy, va = (6, "bottom") if side == "row" else (-8, "top")
            for x, name in zip(xs, part.index, strict=True):
                ax.annotate(str(name), (x, 0), xytext=(0, dy), textcoords="offset points",
                            ha="center", va=va, rotation=30 if side == "row" else -30,
                            rotation_mode="anchor", fontsize=_FONT - 1, gid="point-label",
                            **style["text"])
    if two:
        _place_labels(ax, labels, span)
        ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0.15)
    else:
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.margins(x=0.15)

    def axis(dim) -> str:
        share = shares.get(dim, float("nan"))
        text = f"dimension {int(dim)}"
        return text + (f" ({share:.1%} of inertia)" if np.isfinite(share) else "")

    ax.set_xlabel(axis(first), fontsize=_FONT)
    ax.set_ylabel(axis(second) if two else "(one dimension: no second axis)", fontsize=_FONT)
    ax.tick_params(labelsize=_FONT - 1)
    head = coordinates.iloc[0]
    n = _numbers(coordinates, "n", "outlet_ca.csv").iloc[0]
    total = _numbers(coordinates, "total_inertia", "outlet_ca.csv").iloc[0]
    facts = []
    if np.isfinite(n):
        facts.append(f"n = {int(n)}")
    if np.isfinite(total):
        facts.append(f"total inertia {total:.3f}")
    decision = _text_cell(head.get("decision", ""))
    if decision:
        facts.append(f"gate: {decision}")
    ax.set_title(f"Correspondence analysis: {table}" + (f" ({'; '.join(facts)})" if facts
                                                        else ""), fontsize=_FONT + 1,
                 loc="left")
    ax.legend(loc="best", fontsize=_FONT - 1, framealpha=0.85)
    reasons = _ordered_unique(r for r in _text(frame, "reason") if r)
    if reasons:
        _note(figure, "Not to be read as a unique map: " + "; ".join(reasons))
    return figure


# ---------------------------------------------------------------------------------------
# 6. Adjudication: how often the adjudicator sided with each coder


def sided_with_bars(coders: pd.DataFrame, names: Mapping[str, str] | None = None
                    ) -> Figure | None:
    """Per coder, the share of the adjudicator's decisions (on articles the coder coded)
    that kept the coder's value, a horizontal bar with its Wilson interval and the counts
    written beside it.

    From ``adjudication_coders.csv`` (:func:`~framestudy.analysis.adjudication.sided_with`),
    its rows over all variables (``variable`` ``(all)``). ``names``: coder id -> the name
    shown (the report's pseudonyms); the ids otherwise. One colour for every bar (the
    coders are told apart by their row and name, not by colour), so grey-scale loses
    nothing. None without rows.
    """
    from framestudy.analysis.adjudication import ALL

    _require(coders, ("coder", "variable", "decisions", "sided", "share"),
             "adjudication_coders.csv")
    frame = coders[_text(coders, "variable") == ALL]
    if frame.empty:
        return None
    names = dict(names or {})
    frame = frame.assign(
        name=[names.get(c, c) for c in _text(frame, "coder")],
        share=_numbers(frame, "share", "adjudication_coders.csv"),
        ci_low=_numbers(frame, "ci_low", "adjudication_coders.csv"),
        ci_high=_numbers(frame, "ci_high", "adjudication_coders.csv"),
        decisions=_numbers(frame, "decisions", "adjudication_coders.csv"),
        sided=_numbers(frame, "sided", "adjudication_coders.csv"),
    ).sort_values("name", key=lambda s: s.str.replace(r"\d+", lambda m: m.group(0).zfill(6),
                                                       regex=True))
    figure = _figure(1.0 + 0.45 * len(frame))
    ax = figure.add_subplot()
    y = np.arange(len(frame))[::-1]
    ax.barh(y, frame["share"].fillna(0), 0.6, color=OKABE_ITO[1], edgecolor=INK,
            linewidth=0.5, gid="bars:sided")
    ok = (frame["ci_low"].notna() & frame["ci_high"].notna()).to_numpy()
    if ok.any():
        share = frame["share"].to_numpy()
        ax.errorbar(share[ok], y[ok], xerr=[(share - frame["ci_low"].to_numpy())[ok],
                                            (frame["ci_high"].to_numpy() - share)[ok]],
                    fmt="none", ecolor=INK, elinewidth=1, capsize=3)
    for yy, row in zip(y, frame.itertuples(index=False), strict=True):
        ax.text(1.02, yy, f"{int(row.sided)} of {int(row.decisions)}", va="center",
                ha="left", fontsize=_FONT, color=INK,
                transform=blended_transform_factory(ax.transAxes, ax.transData))
    ax.set_yticks(y, frame["name"].tolist(), fontsize=_FONT)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.tick_params(axis="x", labelsize=_FONT - 1)
    ax.grid(axis="x", color="#E5E5E5", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("decisions that kept the coder's value (95% Wilson CI)", fontsize=_FONT)
    ax.set_title("How often the adjudicator sided with each coder", fontsize=_FONT + 2,
                 loc="left")
    return figure
