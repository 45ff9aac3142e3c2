"""The report's figures (framestudy.report.figures): on a simulated study's analysis files,
on the five-article study where the gate excludes nearly everything, and on hand-made
frames whose drawing can be checked artist by artist.

Two studies are simulated once for the module (in-process, seeded, small: agreement with
few bootstrap draws, no models), their tables written as the CSVs ``framestudy outlets``
writes and read back as text, as the report reads them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.outlet_stats import ordinal_summary, span_density, word_counts_from_tasks
from framestudy.analysis.outlets import outlet_analysis
from framestudy.analysis.reliability_data import read_document_lengths
from framestudy.analysis.variable_agreement import study_agreement
from framestudy.annotations import read_tidy
from framestudy.report import figures
from framestudy.report.figures import (
    ca_biplot,
    density_bars,
    forest_plot,
    ordinal_distributions,
    prevalence_heatmap,
    read_analysis_csv,
    to_png,
)
from framestudy.schema import load_schema
from framestudy.simulation import resolve_scenario, simulate_study

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "framing.yaml"
CA_TABLES = ("outlet x blamed actor", "outlet x favoured arrangement")


def _analysis_files(root: Path, *, outlets: int, per_outlet: int,
                    reliability_share: float | None = None) -> dict[str, pd.DataFrame]:
    """Simulate a study (as `framestudy simulate --coders 3 --seed 1` does) and return its
    analysis tables as the CSVs read back as text."""
    scenario = resolve_scenario(load_schema(SCHEMA), None, outlets=outlets,
                                articles_per_outlet=per_outlet, coders=3, seed=1,
                                reliability_share=reliability_share)
    study = root / "study"
    simulate_study(study, scenario, SCHEMA, truth_units=0)
    annotations = read_tidy(study / "annotations" / "annotations.csv")
    registry = json.loads((study / "schemas" / "registry.json").read_text())
    lengths = read_document_lengths(study / "tasks" / "tasks.json")
    agreement = study_agreement(annotations, registry, lengths, n_boot=50, seed=0)
    result = outlet_analysis(annotations, registry, agreement, seed=0, n_boot=50,
                             n_resamples=99, models=False)
    decisions = {(v, c): d for v, c, d in zip(result.gate["variable"],
                                               result.gate["category"], result.gate["decision"],
                                               strict=True)}
    ordinal = []
    answered = result.consensus[result.consensus["value"].astype(str) != ""]
    for record in registry:
        if record.get("kind") == "document" and record.get("level") == "ordinal":
            rows = answered[answered["variable"] == record["variable"]]
            summary = ordinal_summary(rows, "value", record["values"],
                                      missing_values=record["missing_values"])
            ordinal.append(summary.rename(columns={"outlet": "group"}).assign(
                by="outlet", variable=record["variable"], category="",
                decision=decisions.get((record["variable"], ""), "excluded")))
    words = word_counts_from_tasks(json.loads((study / "tasks" / "tasks.json").read_text()))
    density = span_density(annotations, words).groups.rename(columns={"outlet": "group"})
    tables = {
        "agreement": agreement, "gate": result.gate, "outlet_ca": result.ca,
        # the file as `framestudy outlets` writes it today: no `by`, `outlet` for the group
        "outlet_prevalence": result.prevalence,
        "outlet_ordinal": pd.concat(ordinal, ignore_index=True),
        "outlet_density": density.assign(by="outlet"),
    }
    out = {}
    for name, frame in tables.items():
        path = root / f"{name}.csv"
        frame.to_csv(path, index=False)
        out[name] = read_analysis_csv(path)
    return out


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> dict[str, pd.DataFrame]:
    return _analysis_files(tmp_path_factory.mktemp("figures"), outlets=4, per_outlet=25,
                           reliability_share=1.0)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """One article per outlet: the gate excludes nearly everything, no CA, no CIs."""
    return _analysis_files(tmp_path_factory.mktemp("tiny"), outlets=5, per_outlet=1)


def _all_figures(tables: dict[str, pd.DataFrame]) -> dict[str, Figure | None]:
    return {
        "forest": forest_plot(tables["agreement"], tables["gate"]),
        "heatmap": prevalence_heatmap(tables["outlet_prevalence"]),
        "ordinal": ordinal_distributions(tables["outlet_ordinal"], tables["outlet_prevalence"]),
        "density": density_bars(tables["outlet_density"], gate=tables["gate"]),
        **{table: ca_biplot(tables["outlet_ca"], table) for table in CA_TABLES},
    }


def _decoded(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("L"))


def _assert_drawn(figure: Figure, dpi: float = figures.DPI) -> None:
    """A PNG that decodes, 900 px wide at the default dpi, with real content (not one
    colour, enough ink), a title and axis labels."""
    pixels = _decoded(to_png(figure, dpi=dpi))
    assert pixels.shape[1] == round(figures.WIDTH * dpi)
    assert pixels.std() > 10
    assert (pixels < 128).mean() > 0.005
    for ax in figure.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() or ax.get_ylabel()
    assert any(ax.get_title(loc="left") for ax in figure.axes) or figure._suptitle


@pytest.mark.slow
def test_every_figure_of_a_simulated_study_renders(study):
    drawn = _all_figures(study)
    assert drawn["forest"] is not None and drawn["heatmap"] is not None
    assert drawn["ordinal"] is not None and drawn["density"] is not None
    assert any(drawn[t] is not None for t in CA_TABLES)
    for name, figure in drawn.items():
        if figure is not None:
            _assert_drawn(figure)
        else:  # only a CA the gate excluded may be missing
            reasons = study["outlet_ca"][study["outlet_ca"]["table"] == name]
            assert set(reasons["part"]) == {"reason"}


@pytest.mark.slow
def test_the_five_article_study_never_raises(tiny):
    assert (tiny["gate"]["decision"] == "excluded").sum() > len(tiny["gate"]) / 2
    drawn = _all_figures(tiny)
    for name in ("forest", "heatmap", "ordinal", "density"):
        _assert_drawn(drawn[name], dpi=50)  # a smaller image: quicker, same checks
    assert all(drawn[t] is None for t in CA_TABLES)  # excluded by the gate: reason rows


@pytest.mark.slow
def test_empty_frames_give_none(study):
    for name, call in [
        ("agreement", lambda f: forest_plot(f)),
        ("outlet_prevalence", lambda f: prevalence_heatmap(f)),
        ("outlet_ordinal", lambda f: ordinal_distributions(f, study["outlet_prevalence"])),
        ("outlet_density", lambda f: density_bars(f)),
        ("outlet_ca", lambda f: ca_biplot(f, CA_TABLES[1])),
    ]:
        assert call(study[name].iloc[0:0]) is None, name
    assert ca_biplot(study["outlet_ca"], "no such table") is None


def test_missing_column_is_a_one_line_input_error():
    with pytest.raises(AgreementInputError, match="outlet_prevalence.csv has no 'share' column"):
        prevalence_heatmap(pd.DataFrame({"variable": ["v"], "value": ["a"], "outlet": ["o"]}))
    with pytest.raises(AgreementInputError, match="medians only"):
        ordinal_distributions(pd.DataFrame({"variable": ["v"], "outlet": ["o"],
                                            "median_low": ["1"]}))


# ---------------------------------------------------------------------------------------
# Forest plot


AGREEMENT = pd.DataFrame({
    "variable": ["good", "middling", "poor", "undefined", "span", "span", "good"],
    "metric": ["alpha_nominal", "alpha_ordinal", "alpha_nominal", "alpha_nominal",
               "unitizing_alpha", "unitizing_alpha", "alpha_nominal_binary"],
    "category": ["", "", "", "", "BLAME", "PROMISE", "x"],
    "outlet": ["all"] * 7,
    "estimate": [0.9, 0.7, 0.3, np.nan, 0.85, 0.5, 0.1],
    "ci_low": [0.85, 0.6, 0.1, np.nan, np.nan, 0.4, np.nan],
    "ci_high": [0.95, 0.8, 0.5, np.nan, np.nan, 0.6, np.nan],
    "reason": ["", "", "", "no variation", "", "", ""],
})


def _points(figure: Figure) -> dict[str, Line2D]:
    ax = figure.axes[0]
    return {line.get_gid(): line for line in ax.get_lines()
            if (line.get_gid() or "").startswith("point:")}


def test_forest_plot_draws_both_thresholds_and_one_row_per_gated_variable():
    figure = forest_plot(AGREEMENT)
    ax = figure.axes[0]
    thresholds = {line.get_gid(): line.get_xdata()[0] for line in ax.get_lines()
                  if (line.get_gid() or "").startswith("threshold:")}
    assert thresholds == {"threshold:0.667": 0.667, "threshold:0.8": 0.8}
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # the per-value binary alpha is not a row; span labels are
    assert labels == ["good", "middling", "poor", "undefined", "span: BLAME", "span: PROMISE"]
    assert "α undefined" in [t.get_text() for t in ax.texts]
    # a CI is drawn for the rows that have one only (good, middling, poor, PROMISE)
    assert len([line for line in ax.get_lines() if line.get_gid() == "ci"]) == 4
    # without a gate, the thresholds decide
    assert set(_points(figure)) == {"point:reliable", "point:tentative", "point:excluded"}


def test_forest_plot_marks_the_gate_decisions_by_shape_and_fill_and_greys_exclusions():
    gate = pd.DataFrame({
        "variable": ["good", "middling", "poor", "undefined", "span", "span"],
        "category": ["", "", "", "", "BLAME", "PROMISE"],
        "decision": ["reliable", "overridden", "excluded", "excluded", "tentative",
                     "excluded"],
    })
    figure = forest_plot(AGREEMENT, gate)
    points = _points(figure)
    assert set(points) == {"point:reliable", "point:overridden", "point:excluded",
                           "point:tentative"}
    shapes = {gid: (line.get_marker(), line.get_fillstyle()) for gid, line in points.items()}
    assert len(set(shapes.values())) == 4
    assert len({marker for marker, _ in shapes.values()}) == 4
    assert {fill for _, fill in shapes.values()} == {"full", "none"}
    ticks = {t.get_text(): t.get_color() for t in figure.axes[0].get_yticklabels()}
    assert ticks["poor"] == figures.GREY and ticks["span: PROMISE"] == figures.GREY
    assert ticks["good"] != figures.GREY
    assert points["point:excluded"].get_color() == figures.GREY


# ---------------------------------------------------------------------------------------
# Heatmap


PREVALENCE = pd.DataFrame({
    "variable": ["tone"] * 6 + ["actors"] * 4 + ["noisy"] * 2,
    "category": [""] * 6 + ["NATO"] * 4 + [""] * 2,
    "decision": ["reliable"] * 6 + ["tentative"] * 4 + ["excluded"] * 2,
    "outlet": ["a", "a", "a", "b", "b", "b", "a", "a", "b", "b", "a", "b"],
    "value": ["neg", "neu", "pos"] * 2 + ["present", "absent"] * 2 + ["x", "x"],
    "count": [1, 2, 1, 0, 0, 0, 3, 1, 1, 4, 2, 1],
    "n": [4, 4, 4, 0, 0, 0, 4, 4, 5, 5, 2, 1],
    "share": [0.25, 0.5, 0.25, np.nan, np.nan, np.nan, 0.75, 0.25, 0.2, 0.8, 1.0, 1.0],
})


def _cells(figure: Figure) -> dict[tuple[str, str], str]:
    ax = figure.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    out = {}
    for text in ax.texts:
        if (text.get_gid() or "").startswith("cell:"):
            x, y = text.get_position()
            out[(rows[round(y)], cols[round(x)])] = text.get_text()
    return out


def test_heatmap_cell_texts_are_the_shares_and_exclusions_are_marked():
    figure = prevalence_heatmap(PREVALENCE)
    cells = _cells(figure)
    assert cells == {
        ("tone: neg", "a"): "25%", ("tone: neu", "a"): "50%", ("tone: pos", "a"): "25%",
        ("tone: neg", "b"): "–", ("tone: neu", "b"): "–", ("tone: pos", "b"): "–",
        ("actors: NATO (tentative)", "a"): "75%", ("actors: NATO (tentative)", "b"): "20%",
        ("noisy: x (excluded)", "a"): "100%", ("noisy: x (excluded)", "b"): "100%",
    }
    ticks = {t.get_text(): t.get_color() for t in figure.axes[0].get_yticklabels()}
    assert ticks["noisy: x (excluded)"] == figures.GREY
    assert ticks["tone: neg"] != figures.GREY


def test_heatmap_text_contrasts_with_its_cell():
    figure = prevalence_heatmap(PREVALENCE)
    cmap = matplotlib.colormaps[figures.SEQUENTIAL]
    for text in figure.axes[0].texts:
        if text.get_text().endswith("%"):
            share = float(text.get_text()[:-1]) / 100
            cell = figures._luminance(cmap(share))
            ink = 0.0 if text.get_color() == "black" else 1.0
            ratio = (max(cell, ink) + 0.05) / (min(cell, ink) + 0.05)
            assert ratio >= 4.5, (text.get_text(), text.get_color())


def test_heatmap_reads_the_new_layout_with_by_and_group():
    new = PREVALENCE.rename(columns={"outlet": "group"}).assign(by="outlet")
    other = new.assign(by="type", group=new["group"].map({"a": "state", "b": "private"}))
    both = pd.concat([new, other], ignore_index=True)
    assert _cells(prevalence_heatmap(both)) == _cells(prevalence_heatmap(PREVALENCE))
    by_type = _cells(prevalence_heatmap(both, by="type"))
    assert by_type[("tone: neu", "state")] == "50%"
    assert prevalence_heatmap(both, by="country") is None


def test_heatmap_keeps_admitted_variables_first_and_says_what_it_left_out():
    rows = []
    for k, decision in enumerate(["excluded"] * 3 + ["reliable"] * 3):
        for v in range(12):
            rows.append({"variable": f"v{k}", "category": "", "decision": decision,
                         "outlet": "a", "value": f"c{v}", "count": 1, "n": 12,
                         "share": 1 / 12})
    figure = prevalence_heatmap(pd.DataFrame(rows), max_rows=40)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(labels) == 36
    # the three admitted variables fit (36 rows); an excluded one would not (48)
    assert {label.split(":")[0] for label in labels} == {"v3", "v4", "v5"}
    assert "36 of 72 rows shown" in figure.axes[0].get_title(loc="left")
    notes = [t.get_text() for t in figure.texts if t.get_gid() == "note"]
    assert notes and all(f"v{k} (excluded)" in notes[0] for k in range(3))


def test_sequential_colormap_luminance_is_monotonic():
    cmap = matplotlib.colormaps[figures.SEQUENTIAL]
    light = [figures._luminance(cmap(x)) for x in np.linspace(0, 1, 64)]
    assert all(b > a for a, b in zip(light, light[1:], strict=False))


def test_ordinal_palette_is_told_apart_in_grey_scale():
    for k in (3, 5, 7):
        light = sorted(figures._luminance(c) for c in figures.ordinal_palette(k))
        assert min(np.diff(light)) > 0.05, k
    assert figures.MISSING_HATCH  # "not addressed" is hatched, whatever its grey


# ---------------------------------------------------------------------------------------
# Ordinal, density, CA on hand-made frames


def test_ordinal_bars_add_up_to_100_percent_with_na_hatched_and_median_marked():
    prevalence = pd.DataFrame({
        "variable": ["scale"] * 8, "category": [""] * 8, "decision": ["reliable"] * 8,
        "outlet": ["a"] * 4 + ["b"] * 4,
        "value": ["-1", "0", "+1", "NA"] * 2,
        "count": [1, 1, 2, 0, 3, 0, 0, 1], "n": [4] * 4 + [4] * 4,
        "share": [0.25, 0.25, 0.5, 0, 0.75, 0, 0, 0.25],
    })
    summary = pd.DataFrame({"variable": ["scale", "scale"], "outlet": ["a", "b"],
                            "median_low": ["0", "-1"], "median_high": ["+1", "-1"]})
    figure = ordinal_distributions(summary, prevalence)
    ax = figure.axes[0]
    widths = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        widths[y] = widths.get(y, 0) + patch.get_width()
    assert widths == pytest.approx({0: 100.0, 1: 100.0})
    na = [p for p in ax.patches if p.get_hatch() == figures.MISSING_HATCH]
    assert na and all(p.get_x() + p.get_width() == pytest.approx(100) for p in na)
    medians = [line for line in ax.get_lines() if line.get_gid() == "median"]
    xs = sorted(line.get_xdata()[0] for line in medians)
    # b (y=0): median -1, the middle of its first segment; a (y=1): between 0 and +1
    assert xs == pytest.approx([37.5, 62.5])
    texts = [t.get_text() for t in ax.texts]
    assert "n=4 · Md 0/+1" in texts and "n=4 · Md -1" in texts


def test_ordinal_medians_computed_from_counts_when_the_summary_lacks_them():
    dist = pd.DataFrame({"variable": ["s"] * 3, "outlet": ["a"] * 3,
                         "value": ["lo", "mid", "hi"], "count": ["1", "1", "3"]})
    figure = ordinal_distributions(dist)
    assert "n=5 · Md hi" in [t.get_text() for t in figure.axes[0].texts]


def test_density_bars_only_label_rows_with_hatch_and_colour_per_group():
    density = pd.DataFrame({
        "by": "outlet", "group": ["a", "a", "b", "b", "a"],
        "label": ["BLAME", "PROMISE", "BLAME", "PROMISE", "BLAME"],
        "attribute": ["", "", "", "", "blame_target"], "attribute_value": ["", "", "", "",
                                                                           "NATO"],
        "mean": [2.0, 1.0, 4.0, 3.0, 9.0], "ci_low": [1.0, "", 3.0, 2.0, 8.0],
        "ci_high": [3.0, "", 5.0, 4.0, 10.0], "confidence": 0.95,
    })
    gate = pd.DataFrame({"variable": ["span", "span"], "category": ["BLAME", "PROMISE"],
                         "decision": ["excluded", "reliable"]})
    figure = density_bars(density, gate=gate)
    ax = figure.axes[0]
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == [1.0, 2.0, 3.0, 4.0]  # the attribute row is not drawn
    styles = {(p.get_facecolor(), p.get_hatch()) for p in ax.patches}
    assert len(styles) == 2 and len({h for _, h in styles}) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["BLAME (excluded)", "PROMISE"]
    assert "95% CI" in ax.get_ylabel()


def _ca(dimensions: int) -> pd.DataFrame:
    rows = [{"table": "t", "variable": "v", "decision": "reliable", "n": 30,
             "total_inertia": 0.2, "part": "inertia", "dimension": d + 1,
             "principal_inertia": 0.1, "share": [0.6, 0.4][d]} for d in range(dimensions)]
    points = [("row", "outlet-a"), ("row", "outlet-b"), ("column", "NATO"),
              ("column", "RUSSIA")]
    for k, (side, label) in enumerate(points):
        for d in range(dimensions):
            rows.append({"table": "t", "variable": "v", "decision": "reliable", "n": 30,
                         "total_inertia": 0.2, "part": "coordinate", "dimension": d + 1,
                         "side": side, "label": label, "coordinate": (k - 1.5) * (d + 1)})
    rows.append({"table": "other", "part": "reason", "reason": "excluded by the gate"})
    return pd.DataFrame(rows)


def test_ca_biplot_two_dimensions_labels_every_point_and_axis_shares():
    figure = ca_biplot(_ca(2), "t")
    ax = figure.axes[0]
    assert "60.0% of inertia" in ax.get_xlabel() and "40.0% of inertia" in ax.get_ylabel()
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "point-label")
    assert labels == ["NATO", "RUSSIA", "outlet-a", "outlet-b"]
    sides = {line.get_gid(): line for line in ax.get_lines()}
    assert sides["points:row"].get_marker() != sides["points:column"].get_marker()
    assert ca_biplot(_ca(2), "other") is None


def test_ca_biplot_one_dimension_is_points_on_a_line():
    figure = ca_biplot(_ca(1), "t")
    ax = figure.axes[0]
    for line in ax.get_lines():
        if (line.get_gid() or "").startswith("points:"):
            assert set(line.get_ydata()) == {0.0}
    assert "one dimension" in ax.get_ylabel()
    _assert_drawn(figure)


@pytest.mark.slow
def test_figures_leave_pyplot_alone(study):
    import sys

    before = "matplotlib.pyplot" in sys.modules
    figure = forest_plot(study["agreement"])
    assert to_png(figure, dpi=50)[:8] == b"\x89PNG\r\n\x1a\n"
    assert ("matplotlib.pyplot" in sys.modules) == before


def test_ordinal_reads_the_long_outlet_ordinal_file_with_positions():
    """outlet_ordinal.csv as `framestudy outlets` writes it: one row per group and value,
    the missing value without a position (and without a share)."""
    rows = []
    for group, counts, median in (("a", [2, 1, 0, 1], "-1"), ("b", [0, 1, 3, 4], "+1")):
        for k, (value, count) in enumerate(zip(["-1", "0", "+1", "NA"], counts, strict=True)):
            on_scale = value != "NA"
            rows.append({"by": "outlet", "variable": "scale", "decision": "excluded",
                         "group": group, "value": value,
                         "position": str(k + 1) if on_scale else "", "count": str(count),
                         "n": str(sum(counts[:3])),
                         "share": str(count / sum(counts[:3])) if on_scale else "",
                         "n_missing": str(counts[3]), "median_low": median,
                         "median_high": median})
    long = pd.DataFrame(rows)
    other = long.assign(by="type")
    figure = ordinal_distributions(pd.concat([long, other], ignore_index=True))
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]  # one grouping only
    na = [p for p in ax.patches if p.get_hatch() == figures.MISSING_HATCH]
    assert sorted(p.get_width() for p in na) == pytest.approx([25.0, 50.0])
    texts = [t.get_text() for t in ax.texts]
    assert "n=4 · Md -1" in texts and "n=8 · Md +1" in texts
    assert ax.get_title(loc="left") == "scale (excluded)"


def test_forest_plot_draws_an_untrusted_interval_dotted_and_marked():
    """A row with a ci_warning (framestudy.analysis.interval_warning): its CI bar is dotted,
    its printed interval ends in '!', and the legend says what that means."""
    warned = AGREEMENT.assign(ci_warning=["", "only 4 pairable values of 'x' (under 10): ...",
                                          "", "", "", "", ""])
    figure = forest_plot(warned)
    ax = figure.axes[0]
    bars = {line.get_gid(): line for line in ax.get_lines()
            if (line.get_gid() or "").startswith("ci")}
    untrusted = [line for line in ax.get_lines() if line.get_gid() == "ci:untrusted"]
    assert len(untrusted) == 1 and untrusted[0].get_xdata().tolist() == [0.6, 0.8]
    assert untrusted[0].get_linestyle() != "-" and bars["ci"].get_linestyle() == "-"
    shown = [t.get_text() for t in ax.texts]
    assert "0.700 [0.60, 0.80]!" in shown and "0.900 [0.85, 0.95]" in shown
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "! CI not to be trusted" in legend
    # without the column (an agreement.csv from before), nothing is marked
    assert "! CI not to be trusted" not in [
        t.get_text() for t in forest_plot(AGREEMENT).legends[0].get_texts()]


def test_sided_with_bars_one_bar_per_coder_with_its_counts_and_interval():
    from framestudy.analysis.adjudication import ALL

    coders = pd.DataFrame({
        "coder": ["b@x.org", "b@x.org", "a@x.org", "a@x.org"],
        "variable": [ALL, "relevant", ALL, "relevant"],
        "decisions": ["5", "2", "4", "2"], "sided": ["3", "1", "4", "2"],
        "share": ["0.6", "0.5", "1.0", "1.0"], "ci_low": ["0.23", "0.1", "0.51", "0.34"],
        "ci_high": ["0.88", "0.9", "1.0", "1.0"],
    })
    figure = figures.sided_with_bars(coders, {"a@x.org": "coder 1", "b@x.org": "coder 2"})
    ax = figure.axes[0]
    bars = [p for p in ax.patches]
    assert sorted(round(b.get_width(), 3) for b in bars) == [0.6, 1.0]  # overall rows only
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["coder 1", "coder 2"]  # top to bottom in pseudonym order
    texts = {t.get_text() for t in ax.texts}
    assert {"4 of 4", "3 of 5"} <= texts
    assert not any("@" in t for t in texts | set(labels))
    assert to_png(figure)[:8] == b"\x89PNG\r\n\x1a\n"
    assert figures.sided_with_bars(coders[coders["variable"] != ALL]) is None
    with pytest.raises(AgreementInputError, match="adjudication_coders.csv"):
        figures.sided_with_bars(coders.drop(columns="share"))
