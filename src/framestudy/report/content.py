"""What the report says: :func:`report_document` turns a study's analysis results
(:class:`~framestudy.report.inputs.ReportInputs`) into a :class:`Document`.

Pure: inputs in, document out (figures are drawn here, as PNG bytes; nothing is written).
Every number comes from the analysis stage's files; this module chooses, formats and
explains them, and never recomputes a statistic. The sections: the study, agreement, outlet
differences, ordinal scales, span density, correspondence analysis, regression on outlet,
disagreements, adjudication (when there are decisions), methods (what was computed, with
citations), provenance.

Coders appear under pseudonyms ("coder 1", "coder 2", ... in the order of their ids): a
report is shared beyond the team, and annotators' e-mail addresses are personal data. The
study's own files keep the ids.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd

from framestudy.analysis.outlet_power import needed_sentence
from framestudy.analysis.vocabulary import MIN_RAREST_VALUES, UNTRUSTED_LEGEND, UNTRUSTED_MARK
from framestudy.report.document import Definitions, Document, Figure, Paragraph, Section, Table
from framestudy.report.inputs import ReportInputs, json_text
from framestudy.settings import pseudonyms  # the naming rule's one home (also adjudication)

#: at most this many rows of a long table are shown (the CSV has them all)
MAX_ROWS = 60
EXCLUDED = "excluded"


# ---------------------------------------------------------------------------------------
# Formatting


def num(value, digits: int = 3) -> str:
    """A number with fixed decimals; "–" when missing."""
    if value is None or value == "":
        return "–"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def p_value(value) -> str:
    """A p-value: three decimals, "< 0.001" below that (APA style)."""
    text = num(value)
    if text != "–" and float(value) < 0.001:
        return "<\u00a00.001"  # no break inside
    return text


def interval(low, high, digits: int = 3) -> str:
    if num(low) == "–" and num(high) == "–":
        return "–"
    return f"[{num(low, digits)},\u00a0{num(high, digits)}]"


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def question(variable, category="") -> str:
    """``variable`` or ``variable: category`` (a set member, a span label)."""
    category = _text(category)
    return f"{variable}: {category}" if category else str(variable)


def short_reason(reason) -> str:
    """Why a question was not tested or modelled, in short: the gate's exclusion is said by
    the gate column already; other reasons lose their advice (after " -- ")."""
    text = _text(reason)
    text = re.sub(r"^not (tested|modelled|analysed): ", "", text)
    if text.startswith("the reliability gate excluded it"):
        return "excluded by the reliability gate"
    return text.split(" -- ")[0].split(" (")[0]


def _rows(frame: pd.DataFrame, limit: int = MAX_ROWS) -> tuple[pd.DataFrame, str]:
    if len(frame) <= limit:
        return frame, ""
    return frame.head(limit), f"first {limit} of {len(frame):,} rows"


# ---------------------------------------------------------------------------------------
# Figures (drawn only when there is something to draw; matplotlib is imported here)


def _figure(name: str, draw: Callable, caption: str, alt: str, *args, **kwargs):
    from framestudy.report import figures

    fig = draw(*args, **kwargs)
    if fig is None:
        return None
    return Figure(name=name, png=figures.to_png(fig), caption=caption, alt=alt)


# ---------------------------------------------------------------------------------------
# Sections


def _study(inputs: ReportInputs, names: dict[str, str]) -> Section:
    section = Section("The study", "study")
    coded = inputs.coders
    n_articles = len(inputs.tasks) or coded["article_id"].nunique()
    n_coded = coded["article_id"].nunique()
    per_article = coded.groupby("article_id")["coder"].nunique()
    schema = inputs.schema
    tasks_frame = pd.DataFrame(inputs.tasks)
    with_articles = (tasks_frame["outlet"].nunique() if "outlet" in tasks_frame
                     else coded["outlet"].nunique())
    listed = len(inputs.outlets)
    text = (
        f"{n_articles:,} article(s) from {with_articles} outlet(s)"
        + (f" ({listed} listed in tasks/outlets.yaml)" if listed and listed != with_articles
           else "")
        + f"; {n_coded:,} coded by {len(names)} coder(s) "
        f"({(per_article >= 2).sum():,} of them by two or more, the reliability sample)."
    )
    if schema:
        text += f" Framing schema {schema['name']} version {schema['version']}."
    section.blocks.append(Paragraph(text))
    if inputs.outlets_run.get("gate_overridden"):
        section.blocks.append(Paragraph(
            "The reliability gate was overridden (framestudy outlets --no-gate): every variable "
            "was compared across outlets, including those whose agreement is too low to trust.",
            "warning",
        ))
    rows = []
    tasks = pd.DataFrame(inputs.tasks) if inputs.tasks else pd.DataFrame(columns=["outlet"])
    outlet_ids = list(inputs.outlets) or sorted(coded["outlet"].dropna().unique())
    for outlet in outlet_ids:
        entry = inputs.outlets.get(outlet, {})
        in_tasks = int((tasks["outlet"] == outlet).sum()) if "outlet" in tasks else 0
        done = coded[coded["outlet"] == outlet]
        rows.append({
            "outlet": outlet, "name": _text(entry.get("name")), "type": _text(entry.get("type")),
            "country": _text(entry.get("country")), "language": _text(entry.get("language")),
            "articles": f"{in_tasks:,}", "coded": f"{done['article_id'].nunique():,}",
        })
    section.blocks.append(Table(pd.DataFrame(rows), "Outlets and their articles"))
    return section


def _agreement_table(inputs: ReportInputs) -> tuple[pd.DataFrame, tuple[int, ...]]:
    gate = inputs.tables["gate"]
    agreement = inputs.agreement
    study_rows = agreement[agreement["outlet"].astype(str) == "all"] if "outlet" in agreement \
        else agreement
    rows, muted = [], []
    for i, row in enumerate(study_rows.itertuples(index=False)):
        category = _text(getattr(row, "category", ""))
        decision, reason = "", _text(row.reason)
        if not gate.empty:
            match = gate[(gate["variable"] == row.variable)
                         & (gate["category"].map(_text) == category)]
            if not match.empty:
                decision = _text(match["decision"].iloc[0])
                reason = _text(match["reason"].iloc[0]) or reason
        if decision == EXCLUDED:
            muted.append(i)
        warning = _text(getattr(row, "ci_warning", ""))
        ci = interval(row.ci_low, row.ci_high)
        if warning:
            ci = f"{ci}\u00a0{UNTRUSTED_MARK}" if ci else ci
            reason = "; ".join(filter(None, [reason, f"CI: {warning}"]))
        rows.append({
            "variable": question(row.variable, category), "metric": _text(row.metric),
            "α": num(row.estimate), "95% CI": ci,
            "units": _text(row.n_units), "gate": decision, "reason": reason,
        })
    return pd.DataFrame(rows), tuple(muted)


def _agreement(inputs: ReportInputs) -> Section:
    from framestudy.report import figures

    section = Section("Agreement between coders", "agreement")
    gate = inputs.outlets_run.get("gate") or {}
    threshold = float(gate.get("threshold", 0.667))
    tentative = float(gate.get("tentative_below", 0.800))
    statistic = gate.get("statistic", "estimate")
    section.blocks.append(Paragraph(
        f"Krippendorff's α per variable with its bootstrap 95% interval. The reliability gate "
        f"admits a variable to the outlet comparison when its "
        f"{'α' if statistic == 'estimate' else 'lower CI bound'} reaches {threshold:.3f}; "
        f"admitted variables below {tentative:.3f} are tentative. Greyed rows were excluded."
    ))
    table, muted = _agreement_table(inputs)
    section.blocks.append(Table(table, "Agreement and the reliability gate", muted=muted))
    if table["95% CI"].str.contains(UNTRUSTED_MARK, regex=False).any():
        section.blocks.append(Paragraph(
            UNTRUSTED_LEGEND + ". Such an interval is drawn dotted in the figure; the reason "
            "is in the table (the data's pairable values all agree, or a value is too rare).",
            "warning",
        ))
    fig = _figure(
        "agreement_forest.png", figures.forest_plot,
        f"Krippendorff's α with 95% CI per variable; reference lines at {threshold:.3f} and "
        f"{tentative:.3f}.",
        "Forest plot of Krippendorff's alpha per variable with confidence intervals against "
        "the gate's thresholds.",
        inputs.agreement, inputs.tables["gate"], thresholds=(threshold, tentative),
    )
    if fig:
        section.blocks.append(fig)
    return section


def _no_test_reason(tests: pd.DataFrame) -> str:
    reasons = tests["reason"].map(_text) if "reason" in tests else pd.Series(dtype=str)
    gated = reasons.str.startswith("not tested: the reliability gate")
    if len(reasons) and gated.all():
        return "the reliability gate excluded every variable"
    others = reasons[~gated & (reasons != "")]
    if others.empty:
        return "no comparison could be made"
    return others.map(short_reason).value_counts().index[0]


def _tests_table(tests: pd.DataFrame) -> tuple[pd.DataFrame, tuple[int, ...]]:
    rows, muted = [], []
    for i, row in enumerate(tests.itertuples(index=False)):
        tested = bool(_text(getattr(row, "test", "")))
        decision = _text(row.decision)
        if decision == EXCLUDED:
            muted.append(i)
        statistic = ""
        if tested:
            df = _text(getattr(row, "df", ""))
            statistic = num(row.statistic, 2) + (f"\u00a0(df\u00a0{num(df, 0)})" if df else "")
        rows.append({
            "question": question(row.variable, getattr(row, "category", "")),
            "gate": decision,
            "test": _text(getattr(row, "test", "")),
            "statistic": statistic,
            "p": p_value(row.p_value) if tested else "",
            "p (Holm)": p_value(getattr(row, "p_adjusted", None)) if tested else "",
            "Cramér's V [95% CI]": (f"{num(row.cramers_v, 2)} "
                                    f"{interval(row.v_ci_low, row.v_ci_high, 2)}") if tested else "",
            "note": "" if tested else short_reason(row.reason),
        })
    return pd.DataFrame(rows), tuple(muted)


def _by(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    if "by" in frame.columns:
        return frame[frame["by"].astype(str) == by]
    return frame if by == "outlet" else frame.iloc[0:0]


def _groups(prevalence: pd.DataFrame, by: str) -> list[str]:
    """The groups of one grouping (outlet types, countries...) in the prevalence table."""
    part = _by(prevalence, by)
    column = "group" if "group" in part.columns else "outlet"
    return sorted({_text(g) for g in part.get(column, [])} - {""})


def _outlets(inputs: ReportInputs) -> Section:
    from framestudy.report import figures

    section = Section("How framing differs by outlet", "outlets")
    tests = inputs.tables["tests"]
    by_outlet = _by(tests, "outlet")
    if by_outlet.empty:
        section.blocks.append(Paragraph("No outlet comparison in analysis/outlet_tests.csv.",
                                        "warning"))
        return section
    if by_outlet["test"].map(_text).eq("").all():
        needed = inputs.outlets_run.get("articles_needed")
        why = needed_sentence(needed) if isinstance(needed, dict) else _no_test_reason(by_outlet)
        section.blocks.append(Paragraph(
            f"No outlet test ran: {why}. The shares below are descriptive only.", "warning",
        ))
    table, muted = _tests_table(by_outlet)
    shown, note = _rows(table)
    adjustment = _text(by_outlet.get("adjustment", pd.Series([""])).iloc[0])
    note = "; ".join(x for x in (note, f"p (Holm): {adjustment}" if adjustment else "",
                                 "reasons in full: outlet_tests.csv") if x)
    section.blocks.append(Table(shown, "Outlet x value tests per question", note=note,
                                muted=tuple(m for m in muted if m < len(shown))))
    prevalence = inputs.tables["prevalence"]
    others = tests[tests["by"].astype(str) != "outlet"] if "by" in tests else tests.iloc[0:0]
    for by, part in others.groupby("by", sort=False) if not others.empty else []:
        groups = _groups(prevalence, by)
        if len(groups) < 2:
            section.blocks.append(Paragraph(
                f"By outlet {by}: every outlet has the same {by} "
                f"({', '.join(groups) or 'unknown'}): nothing to compare.", "note"))
            continue
        if part["test"].map(_text).eq("").all():
            section.blocks.append(Paragraph(
                f"By outlet {by} ({', '.join(groups)}): no test ran: "
                f"{_no_test_reason(part)}.", "note"))
            continue
        table, muted = _tests_table(part)
        shown, note = _rows(table)
        section.blocks.append(Table(shown, f"Tests by outlet {by} ({', '.join(groups)})",
                                    note=note, muted=tuple(m for m in muted if m < len(shown))))
    fig = _figure(
        "outlet_prevalence.png", figures.prevalence_heatmap,
        "Share of each outlet's articles with each value (consensus values; the CSV has "
        "Wilson 95% intervals).",
        "Heatmap of the share of articles per outlet taking each value of each variable.",
        prevalence, by="outlet",
    ) if not prevalence.empty else None
    if fig:
        section.blocks.append(fig)
    return section


def _ordinal(inputs: ReportInputs) -> Section | None:
    from framestudy.report import figures

    ordinal = inputs.tables["ordinal"]
    if ordinal.empty:
        return None
    section = Section("Ordinal scales by outlet", "ordinal")
    fig = _figure(
        "outlet_ordinal.png", figures.ordinal_distributions,
        "Distribution of each ordinal variable per outlet (consensus values), median marked.",
        "Stacked bars of the ordinal scales' categories per outlet.", ordinal,
    )
    if fig:
        section.blocks.append(fig)
    group = "group" if "group" in ordinal.columns else "outlet"
    wanted = ["variable", group, "decision", "n", "n_missing", "median_low", "median_high",
              "q1", "q3"]
    if not set(wanted) <= set(ordinal.columns):
        return section
    frame = _by(ordinal, "outlet")[wanted].drop_duplicates(["variable", group])
    rows = pd.DataFrame({
        "variable": frame["variable"], "outlet": frame[group], "gate": frame["decision"],
        "n": frame["n"], "not addressed": frame["n_missing"],
        "median": [lo if lo == hi else f"{lo} / {hi}" if lo else "–"
                   for lo, hi in zip(frame["median_low"].map(_text),
                                     frame["median_high"].map(_text), strict=True)],
        "quartiles": [f"{a} to {b}" if a else "–"
                      for a, b in zip(frame["q1"].map(_text), frame["q3"].map(_text),
                                      strict=True)],
    })
    muted = tuple(i for i, d in enumerate(rows["gate"]) if d == EXCLUDED)
    shown, note = _rows(rows)
    section.blocks.append(Table(
        shown, "Medians and quartiles per outlet",
        note="; ".join(x for x in (note, "a median 'a / b': the two middle articles differ")
                       if x),
        muted=tuple(m for m in muted if m < len(shown)),
    ))
    return section


def _density(inputs: ReportInputs) -> Section | None:
    from framestudy.report import figures

    density = inputs.tables["density"]
    if density.empty:
        return None
    section = Section("Span density per 1,000 words", "density")
    fig = _figure(
        "outlet_density.png", figures.density_bars,
        "Mean spans per 1,000 words per outlet and span label, with 95% t intervals.",
        "Bar chart of span density per outlet and label with error bars.",
        density, by="outlet", gate=inputs.tables["gate"],
    )
    if fig:
        section.blocks.append(fig)
    tests = _by(inputs.tables["density_tests"], "outlet")
    if not tests.empty:
        rows, muted = [], []
        whole = tests["attribute_value"].map(_text) == ""
        ran = tests["test"].map(_text) != ""
        left_out = tests[~whole & ~ran]
        for row in tests[whole | ran].itertuples(index=False):
            tested = bool(_text(row.test))
            label = row.label if not _text(row.attribute_value) else \
                f"{row.label}: {row.attribute} = {row.attribute_value}"
            rows.append({
                "span label": label, "gate": _text(getattr(row, "decision", "")),
                "test": _text(row.test),
                "H": num(row.statistic, 2) if tested else "",
                "p": p_value(row.p_value) if tested else "",
                "p (Holm)": p_value(getattr(row, "p_adjusted", None)) if tested else "",
                "note": "" if tested else short_reason(row.reason),
            })
            if _text(getattr(row, "decision", "")) == EXCLUDED:
                muted.append(len(rows) - 1)
        shown, note = _rows(pd.DataFrame(rows))
        if len(left_out):
            note = "; ".join(x for x in (note, f"{len(left_out)} span label x attribute value "
                                         "densities not tested (reasons in "
                                         "outlet_density_tests.csv)") if x)
        section.blocks.append(Table(shown, "Do span densities differ by outlet?", note=note,
                                    muted=tuple(m for m in muted if m < len(shown))))
    return section


def _ca(inputs: ReportInputs) -> Section | None:
    from framestudy.report import figures

    ca = inputs.tables["ca"]
    if ca.empty:
        return None
    section = Section("Correspondence analysis", "ca")
    for name, part in ca.groupby("table", sort=False):
        reasons = part[part["part"] == "reason"]
        if not reasons.empty and (part["part"] != "reason").sum() == 0:
            section.blocks.append(Paragraph(f"{name}: {_text(reasons['reason'].iloc[0])}",
                                            "note"))
            continue
        fig = _figure(
            f"ca_{re.sub(r'[^a-z0-9]+', '_', str(name).lower()).strip('_')}.png",
            figures.ca_biplot, f"Correspondence analysis of {name}: first two dimensions "
            "(symmetric map).", f"Correspondence analysis biplot of {name}.", ca, name,
        )
        if fig:
            section.blocks.append(fig)
        inertia = part[part["part"] == "inertia"]
        if not inertia.empty:
            frame = pd.DataFrame({
                "dimension": inertia["dimension"].map(lambda d: num(d, 0)),
                "principal inertia": inertia["principal_inertia"].map(num),
                "share": inertia["share"].map(lambda s: f"{float(s):.1%}"),
            })
            total = num(part["total_inertia"].iloc[0])
            section.blocks.append(Table(frame, f"{name}: inertia by dimension",
                                        note=f"total inertia {total}, n = "
                                             f"{num(part['n'].iloc[0], 0)} articles"))
    return section


def _models(inputs: ReportInputs) -> Section | None:
    models = inputs.tables["models"]
    if models.empty:
        return None
    section = Section("Regression on outlet", "models")
    section.blocks.append(Paragraph(
        "Each admitted question regressed on outlet (logistic, multinomial or proportional-"
        "odds logistic as its level requires) on the consensus values, beside a sensitivity "
        "run on the coders' own values with coder as a fixed effect and standard errors "
        "clustered by article. Odds ratios of each outlet against the reference outlet (the "
        "first alphabetically, which has no row), with 95% intervals; a multinomial model's "
        "are for each value against the first value of the codebook."
    ))
    fitted = models[models["term"].map(_text) != ""] if "term" in models else models.iloc[0:0]
    outlet_terms = fitted[fitted["group"].map(_text) != ""] if "group" in fitted else fitted
    rows = []
    for row in outlet_terms.itertuples(index=False):
        rows.append({
            "question": question(row.variable, row.category),
            "model": _text(row.model), "controls": _text(row.controls),
            "outlet": _text(row.group), "outcome": _text(row.outcome),
            "OR (consensus)": f"{num(row.odds_ratio_consensus, 2)} "
                              f"{_or_interval(row.ci_low_consensus, row.ci_high_consensus)}",
            "p": p_value(row.p_value_consensus),
            "OR (per coder)": f"{num(row.odds_ratio_per_coder, 2)} "
                              f"{_or_interval(row.ci_low_per_coder, row.ci_high_per_coder)}",
            "p ": p_value(row.p_value_per_coder),
        })
    if rows:
        shown, note = _rows(pd.DataFrame(rows))
        section.blocks.append(Table(shown, "Outlet terms (odds ratios, 95% CI)",
                                    note=note or "all terms in outlet_models.csv"))
    unfitted = models[models["term"].map(_text) == ""] if "term" in models else models
    if not unfitted.empty:
        reasons = unfitted["reason_consensus"].map(short_reason)
        counts = reasons.value_counts()
        text = "; ".join(f"{n} question(s): {why}" for why, n in counts.items())
        section.blocks.append(Paragraph(f"Not modelled: {text}.", "note"))
    return section


def _or_interval(low, high) -> str:
    """A log-odds interval as an odds-ratio interval."""
    try:
        low, high = math.exp(float(low)), math.exp(float(high))
    except (TypeError, ValueError, OverflowError):
        return ""
    if math.isnan(low) or math.isnan(high):
        return ""
    return f"[{low:.2f}, {high:.2f}]"


def _disagreements(inputs: ReportInputs, names: dict[str, str]) -> Section:
    section = Section("Disagreements", "disagreements")
    frame = inputs.disagreements
    unresolved = frame[frame["provenance"] == "unresolved"]
    majority = frame[frame["provenance"] == "majority"]
    section.blocks.append(Paragraph(
        f"Of {inputs.n_consensus:,} consensus values (article x question), {len(majority):,} "
        f"were decided by a majority of coders and {len(unresolved):,} are unresolved (a tie; "
        "left out of the outlet comparison). These are the cases to adjudicate."
    ))
    pattern = re.compile("|".join(re.escape(c) for c in sorted(names, key=len, reverse=True))) \
        if names else None

    def anonymous(text: str) -> str:
        return pattern.sub(lambda m: names[m.group(0)], text) if pattern else text

    for title, part in (("Unresolved", unresolved), ("Decided by majority", majority)):
        if part.empty:
            continue
        rows = pd.DataFrame({
            "article": part["article_id"], "outlet": part["outlet"],
            "question": [question(v, c or s) for v, c, s in
                         zip(part["variable"], part["category"], part["span_label"],
                             strict=True)],
            "consensus": part["value"],
            "coders' values": part["values"].map(anonymous),
        })
        shown, note = _rows(rows, 40)
        section.blocks.append(Table(shown, title, note=(note + "; " if note else "")
                                    + "all in consensus.csv"))
    return section


def _count_share(count, n) -> str:
    """``"k of n (share)"``; ``"–"`` when n is 0 or missing."""
    if num(n, 0) in ("–", "0"):
        return "–"
    return f"{num(count, 0)} of {num(n, 0)} ({num(float(count) / float(n))})"


def _adjudicator_names(ids, names: dict[str, str]) -> dict[str, str]:
    """Adjudicators' pseudonyms: a coder who adjudicates keeps their coder pseudonym (the
    reader should see that they judged their own coding), the others are
    "adjudicator k" in the order of their ids."""
    coders = {c.lower(): n for c, n in names.items()}
    out, others = {}, sorted({i for i in ids if i and i.lower() not in coders})
    for i in ids:
        if i and i.lower() in coders:
            out[i] = f"{coders[i.lower()]} (adjudicator)"
    out.update({a: f"adjudicator {k}" for k, a in enumerate(others, start=1)})
    return out


def _adjudication(inputs: ReportInputs, names: dict[str, str]) -> Section | None:
    from framestudy.analysis.adjudication import ALL
    from framestudy.report import figures

    tables = inputs.adjudication
    if not tables or tables["articles"].empty:
        return None
    articles, coders = tables["articles"], tables["coders"]
    variables, schemas = tables["variables"], tables["schemas"]
    section = Section("Adjudication", "adjudication")
    ids = [a for cell in articles["adjudicator"].map(_text) for a in cell.split(", ") if a]
    judges = _adjudicator_names(list(dict.fromkeys(ids)), names)
    n_decisions = int(pd.to_numeric(articles["n_variables"]).sum())
    again = int((pd.to_numeric(articles["times_adjudicated"]) > 1).sum())
    section.blocks.append(Paragraph(
        f"{len(articles):,} article(s) were adjudicated in Label Studio's review project: "
        f"{n_decisions:,} decision(s), a decision being one article's value of one variable "
        f"(for a multi-select variable, the set of values chosen), by "
        f"{', '.join(sorted(set(judges.values()))) or 'an unnamed adjudicator'}. "
        + (f"{again:,} article(s) were adjudicated more than once; the latest decision "
           "counts. " if again else "")
        + "The decisions are the analysis values of their questions (consensus provenance "
        "adjudicated)."
    ))
    overall = coders[coders["variable"].map(_text) == ALL]
    if not overall.empty:
        rows = pd.DataFrame({
            "coder": [names.get(c, "another coder") for c in overall["coder"]],
            "decisions": overall["decisions"].map(lambda v: num(v, 0)),
            "sided with the coder": overall["sided"].map(lambda v: num(v, 0)),
            "share": overall["share"].map(num),
            "95% CI": [interval(lo, hi) for lo, hi in
                       zip(overall["ci_low"], overall["ci_high"], strict=True)],
        })
        section.blocks.append(Table(
            rows, "How often the adjudicator sided with each coder",
            note="decisions on articles the coder coded; sided: the coder's value was the "
                 "decision (an unanswered question counts as no value); Wilson 95% intervals",
        ))
        fig = _figure(
            "adjudication_sided.png", figures.sided_with_bars,
            "Share of the adjudicator's decisions that kept each coder's value, with 95% "
            "Wilson intervals; the counts beside the bars.",
            "Horizontal bar chart: for each coder, the share of adjudicated decisions that "
            "kept the coder's value, with confidence intervals.",
            coders, names,
        )
        if fig:
            section.blocks.append(fig)
        per = coders[coders["variable"].map(_text) != ALL]
        if not per.empty:
            order = list(dict.fromkeys(per["variable"]))
            wide = {"variable": order}
            for coder in sorted(set(per["coder"]), key=lambda c: names.get(c, c)):
                mine = per[per["coder"] == coder].set_index("variable")
                wide[names.get(coder, "another coder")] = [
                    f"{num(mine.at[v, 'sided'], 0)}/{num(mine.at[v, 'decisions'], 0)}"
                    if v in mine.index else "" for v in order]
            shown, note = _rows(pd.DataFrame(wide))
            section.blocks.append(Table(
                shown, "Sided with each coder, per variable (sided / decisions)",
                note="; ".join(x for x in (note, "all in adjudication_coders.csv") if x)))
    if not variables.empty:
        rows = pd.DataFrame({
            "rank": variables["rank"].map(lambda v: num(v, 0)),
            "variable": [f"{v} ({c})" if _text(c) else str(v)
                         for v, c in zip(variables["variable"], variables["code"],
                                         strict=True)],
            "articles": variables["articles"].map(lambda v: num(v, 0)),
            "coders disagreed": [_count_share(k, n) for k, n in
                                 zip(variables["disagreed"], variables["multi_coded"],
                                     strict=True)],
            "majority overruled": [_count_share(k, n) for k, n in
                                   zip(variables["overruled_majority"],
                                       variables["multi_coded"], strict=True)],
            "no coder's value kept": [_count_share(k, n) for k, n in
                                      zip(variables["overruled_all"], variables["coded"],
                                          strict=True)],
        })
        shown, note = _rows(rows)
        section.blocks.append(Table(
            shown, "Which variables caused the most disagreement",
            note="; ".join(x for x in (
                note, "shares of the adjudicated articles coded by two or more coders (the "
                "last column: by any coder); ranked by the share disagreed, then overruled; "
                "all in adjudication_variables.csv") if x)))
        disputed = variables[pd.to_numeric(variables["disagreed"], errors="coerce") > 0]
        grouped: dict[str, list[str]] = {}  # rules -> the variables (shared rules once)
        for v, c, r in zip(disputed["variable"], disputed["code"], disputed["rules"],
                           strict=True):
            if _text(r):
                grouped.setdefault(_text(r), []).append(f"{v} ({c})" if _text(c) else str(v))
        items = [(", ".join(vs), " • ".join(r.split("\n"))) for r, vs in grouped.items()][:5]
        if items:
            section.blocks.append(Table(
                pd.DataFrame(items, columns=["variable", "decision rules"]),
                "The decision rules of the variables coders disagreed on most",
                note="the codebook text to revisit for its next version (schemas/framing.yaml)"))
    listed = pd.DataFrame({
        "article": articles["article_id"], "variables decided": articles["variables"],
        "adjudicator": [", ".join(judges.get(a, a) for a in _text(cell).split(", ") if a)
                        for cell in articles["adjudicator"]],
        "times adjudicated": articles["times_adjudicated"].map(lambda v: num(v, 0)),
    })
    shown, note = _rows(listed, 40)
    section.blocks.append(Table(shown, "What was adjudicated", note=(
        note + "; " if note else "") + "all in adjudication_articles.csv"))
    if not schemas.empty:
        current = (inputs.schema or {}).get("hash", "")
        frame = pd.DataFrame({
            "schema hash": [(_text(h) or "(not recorded)") + (" (current)" if _text(h) ==
                                                                current and current else "")
                            for h in schemas["schema_hash"]],
            "version": schemas["version"].map(lambda v: _text(v) or "unknown"),
            "codings": schemas["codings"].map(lambda v: num(v, 0)),
            "articles coded": schemas["articles_coded"].map(lambda v: num(v, 0)),
            "decisions": schemas["decisions"].map(lambda v: num(v, 0)),
            "articles adjudicated": schemas["articles_adjudicated"].map(lambda v: num(v, 0)),
        })
        section.blocks.append(Table(frame, "The codebook versions codings and decisions were "
                                           "made under"))
        recorded = [h for h in schemas["schema_hash"].map(_text) if h]
        if len(recorded) > 1:
            section.blocks.append(Paragraph(
                f"The codings and decisions were made under {len(recorded)} schema versions: "
                "compare like with like before reading disagreement as the codebook's.",
                "warning"))
    return section


def _methods(inputs: ReportInputs) -> Section:
    run = inputs.outlets_run
    agreement_run = inputs.agreement_run or {}
    gate = run.get("gate") or {}
    tests = inputs.tables["tests"]
    used = {t for t in tests["test"].map(_text) if t} if "test" in tests else set()
    text = [
        "Agreement: Krippendorff's α for each variable at its level of measurement (nominal, "
        "ordinal; MASI distance for sets; unitizing α for spans), with bootstrap 95% intervals "
        f"over units ({agreement_run.get('bootstrap', 'the default number of')} replicates, "
        f"seed {agreement_run.get('seed', 'unrecorded')}; BCa intervals, Efron 1987, JASA "
        "82:171-185) (Krippendorff 2004, Content Analysis, 2nd ed., ch. 11; Hayes & "
        "Krippendorff 2007, Communication Methods and Measures 1:77-89). An interval is marked "
        f"{UNTRUSTED_MARK} when the data cannot support it: all pairable values agree, or a "
        f"nominal value has fewer than {MIN_RAREST_VALUES} pairable values (calibrated by "
        "simulation; "
        "framestudy's docs/ci_coverage.md).",
        "Consensus: one value per article and question, unanimous or by majority of its coders; "
        "ties are unresolved and left out; a single-coded article takes its coder's value.",
        f"Reliability gate: a variable enters the outlet comparison when its "
        f"{'α' if gate.get('statistic', 'estimate') == 'estimate' else 'lower CI bound'} "
        f"reaches {gate.get('threshold', 0.667)}; below {gate.get('tentative_below', 0.8)} "
        "it is tentative (Krippendorff 2004, p. 241)"
        + (" -- overridden for this report (--no-gate)." if run.get("gate_overridden") else "."),
        "Outlet differences: for each admitted question, the share of each outlet's articles "
        "with each value, with Wilson score intervals (Wilson 1927); the outlet x value table "
        "tested by Pearson's χ² when Cochran's rule on expected counts holds (Cochran 1954), "
        "otherwise Fisher's exact test (2x2) or a Monte Carlo χ² test "
        f"({run.get('n_resamples', 9999)} tables, seed {run.get('seed', 0)}); effect size "
        f"Cramér's V with a percentile bootstrap interval ({run.get('bootstrap', 1000)} "
        "replicates); pairwise outlet tests Holm-corrected within a question and the "
        "questions' tests Holm-corrected within each grouping (Holm 1979, Scandinavian "
        "Journal of Statistics 6:65-70). Groups too small for a test are shown descriptively."
        + (f" Tests run here: {', '.join(sorted(used))}." if used else " No test ran."),
        "Span density: spans per 1,000 words per article (coders' mean count), compared "
        "across outlets with the Kruskal-Wallis test (Kruskal & Wallis 1952) and Student-t "
        "intervals for the means.",
        "Regression: logistic, multinomial logistic or proportional-odds logistic regression "
        "on outlet (Agresti 2013, Categorical Data Analysis, 3rd ed., chs. 5, 8), with the "
        "article's genre and date as controls where coded and admitted; a sensitivity run on "
        "the per-coder values with coder as a fixed effect and article-clustered standard "
        "errors. Fitted with statsmodels.",
        "Correspondence analysis of outlet x blamed actor and outlet x favoured arrangement "
        "(Greenacre 2007, Correspondence Analysis in Practice, 2nd ed.), with prince.",
    ]
    if not run.get("models", True):
        text[5] = "Regression: not run (framestudy outlets --no-models)."
    if inputs.adjudication:
        text.append(
            "Adjudication: a decision is one article's value of one variable in "
            "annotations/adjudicated.csv; a coder sided with it when the coder's vote (the "
            "one the consensus counts: no value for an unanswered question) equals the "
            "decision on each of its questions. Shares with Wilson score intervals (Wilson "
            "1927); variables ranked by the share of their adjudicated, multiply coded "
            "articles on which the coders disagreed (framestudy.analysis.adjudication).")
    section = Section("Methods", "methods")
    section.blocks += [Paragraph(t) for t in text]
    return section


def _provenance(inputs: ReportInputs, environment: list[tuple[str, str]]) -> Section:
    from framestudy.io import sha256_file

    items: list[tuple[str, str]] = []
    if inputs.schema:
        s = inputs.schema
        items.append(("schema", f"{s['name']} version {s['version']}, hash {s['hash']}"))
    if inputs.schema_hashes:
        items.append(("annotations made under schema hash(es)", ", ".join(inputs.schema_hashes)))
    table = inputs.root / "annotations" / "annotations.csv"
    table_digest = sha256_file(table)
    items.append(("annotations/annotations.csv", f"SHA-256 {table_digest}"))
    if inputs.sources is not None:
        if inputs.sources.table_sha256 != table_digest:
            items.append(("warning", "the annotation table changed after it was built from "
                                     "the exports below (edited by hand?)"))
        for source in inputs.sources.exports:
            items.append((f"raw export {source.file}", f"SHA-256 {source.sha256}"))
    else:
        items.append(("raw exports used", "not recorded with the table; every export in "
                                          "annotations/raw/manifest.json is listed"))
        for entry in inputs.manifest:
            items.append((f"raw export {entry['file']}", f"SHA-256 {entry['sha256']}"))
    adjudicated = inputs.root / "annotations" / "adjudicated.csv"
    if inputs.adjudication and adjudicated.is_file():
        items.append(("annotations/adjudicated.csv", f"SHA-256 {sha256_file(adjudicated)}"))
    run = inputs.outlets_run
    agreement_run = inputs.agreement_run or {}
    if agreement_run:
        items.append(("framestudy agreement", f"seed {agreement_run.get('seed')}, "
                      f"{agreement_run.get('bootstrap')} bootstrap replicates, run "
                      f"{agreement_run.get('created')}"))
    items.append(("framestudy outlets", f"seed {run.get('seed')}, {run.get('bootstrap')} "
                  f"bootstrap replicates, {run.get('n_resamples')} Monte Carlo tables, models "
                  f"{'on' if run.get('models', True) else 'off'}, run {run.get('created')}"))
    items.append(("gate", json_text(run.get("gate")) + (" (overridden: --no-gate)"
                                                        if run.get("gate_overridden") else "")))
    items += environment
    section = Section("Provenance", "provenance")
    section.blocks.append(Definitions(tuple(items)))
    return section


def computed(inputs: ReportInputs) -> str:
    """When the outlet comparison was computed, e.g. ``2026-11-29 22:06 UTC``."""
    created = _text(inputs.outlets_run.get("created"))
    return created.replace("T", " ")[:16] + " UTC" if created else "(time not recorded)"


def report_document(inputs: ReportInputs, environment: list[tuple[str, str]]) -> Document:
    """The report of a study's analysis results (see the module doc). ``environment``:
    :func:`framestudy.report.provenance.environment`. The report names the time its
    results were computed (the outlet comparison's run record), not the time it was
    drawn: the same results give the same report."""
    names = pseudonyms(inputs.coders["coder"].dropna())
    sections = [_study(inputs, names), _agreement(inputs), _outlets(inputs)]
    sections += [s for s in (_ordinal(inputs), _density(inputs), _ca(inputs), _models(inputs))
                 if s is not None]
    sections.append(_disagreements(inputs, names))
    adjudication = _adjudication(inputs, names)
    if adjudication is not None:
        sections.append(adjudication)
    sections += [_methods(inputs), _provenance(inputs, environment)]
    return Document(
        title=f"{inputs.name}: framing by outlet",
        subtitle=f"framestudy report of the results computed {computed(inputs)}",
        sections=sections,
    )
