"""What adjudication decided, and what it says about the coders and the codebook.

The adjudicator's decisions (``annotations/adjudicated.csv``, read by
:func:`framestudy.annotations.adjudicated.read_adjudicated`) settle the questions the
coders disagreed on. Beside the consensus values they feed
(:func:`framestudy.analysis.consensus.consensus`, provenance ``adjudicated``), they are
evidence of two things a study's authors want to know before the next round of coding:
which coder's reading the adjudicator kept, and which codebook variables (and their
decision rules) produced the disagreements. The functions here are pure (tables in,
tables out):

* :func:`adjudicated_articles` -- per article, the variables decided, by whom, how often;
* :func:`sided_with` -- per coder, how often the coder's value is the decision, overall
  and per variable, with Wilson score intervals;
* :func:`variable_disagreement` -- per variable, how often its adjudicated articles had
  coders disagreeing and the decision going against the majority or against every coder,
  ranked: the input for the next codebook version;
* :func:`schema_versions` -- the schema hashes the codings and the decisions were made
  under.

**The unit is a decision: one article and one variable.** A one-value variable is one
question; a set-valued variable is one question per value (``present``/``absent``, as the
consensus table has them), a span attribute one question per matched span. The
adjudicator's decision on an article's variable is every row of the decision table for
it; a coder's value *is* the decision when the coder's vote equals the decision on every
one of those questions (for a set, the coder chose exactly the decided values among those
decided). Coders' votes are :func:`framestudy.analysis.consensus.coder_votes`: a coder
who coded the article votes on every question, an unanswered one as "no value", so
"no value" can match a decision of no value. The counting rules are the project's; the
interval is Wilson's (see :func:`sided_with`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from framestudy.analysis.data import AgreementInputError

#: the columns that address one question (as in the consensus and decision tables)
QUESTION = ["article_id", "variable", "category", "span_label", "span_start", "span_end"]
#: the ``variable`` of :func:`sided_with`'s rows over all variables (never a variable id)
ALL = "(all)"

ARTICLE_COLUMNS = ["article_id", "variables", "n_variables", "n_decisions", "adjudicator",
                   "times_adjudicated", "updated_at"]
SIDED_COLUMNS = ["coder", "variable", "decisions", "sided", "share", "ci_low", "ci_high"]
VARIABLE_COLUMNS = [
    "rank", "variable", "code", "dimension", "articles", "multi_coded", "disagreed",
    "share_disagreed", "overruled_majority", "share_overruled_majority", "coded",
    "overruled_all", "share_overruled_all", "rules",
]
SCHEMA_COLUMNS = ["schema_hash", "version", "codings", "articles_coded", "decisions",
                  "articles_adjudicated"]


def _check(frame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AgreementInputError(f"{what} must be a DataFrame, not {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AgreementInputError(f"{what} has no {missing[0]!r} column -- it needs "
                                  f"{', '.join(columns)}")


def _text(column: pd.Series) -> pd.Series:
    return column.map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                      else str(v)).astype(object)


def _questions(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s question columns as text and integers (-1: no span)."""
    out = frame.copy()
    for column in QUESTION:
        if column in ("span_start", "span_end"):
            values = out[column] if column in out else pd.Series(-1, index=out.index)
            out[column] = pd.to_numeric(values, errors="coerce").fillna(-1).astype(np.int64)
        else:
            out[column] = _text(out[column]) if column in out else ""
    return out


def _order(variables, registry_order: Mapping[str, int]) -> list[str]:
    """Variables in registry order, unknown ones after them (sorted)."""
    known = sorted((v for v in set(variables) if v in registry_order), key=registry_order.get)
    return known + sorted(set(variables) - set(known))


def adjudicated_articles(decisions: pd.DataFrame) -> pd.DataFrame:
    """What was adjudicated: one row per article with a decision (columns
    :data:`ARTICLE_COLUMNS`, ordered by article).

    ``decisions`` is the decision table (:func:`framestudy.annotations.adjudicated.
    read_adjudicated`). ``variables``: the variables decided, ``", "``-joined in the order
    of the table; ``n_variables`` their number; ``n_decisions`` the table's rows for the
    article (a set-valued variable has one per value decided); ``adjudicator``: the
    adjudicators' ids, ``", "``-joined (one, unless the article was decided by several);
    ``times_adjudicated``: how many review annotations the article had (the latest is
    kept; above 1, it was adjudicated again); ``updated_at``: the latest decision's time.
    No decision: an empty table."""
    _check(decisions, ["article_id", "variable"], "the decision table")
    if decisions.empty:
        return pd.DataFrame(columns=ARTICLE_COLUMNS)
    table = decisions.assign(
        article_id=_text(decisions["article_id"]), variable=_text(decisions["variable"]),
        adjudicator=_text(decisions["adjudicator"]) if "adjudicator" in decisions else "",
        updated_at=_text(decisions["updated_at"]) if "updated_at" in decisions else "",
        times_adjudicated=pd.to_numeric(decisions.get("times_adjudicated", 1),
                                        errors="coerce"),
    )
    rows = []
    for article, part in table.groupby("article_id", sort=True):
        variables = list(dict.fromkeys(part["variable"]))
        adjudicators = [a for a in dict.fromkeys(part["adjudicator"]) if a]
        times = part["times_adjudicated"].max()
        rows.append({
            "article_id": article, "variables": ", ".join(variables),
            "n_variables": len(variables), "n_decisions": len(part),
            "adjudicator": ", ".join(adjudicators),
            "times_adjudicated": 1 if pd.isna(times) else int(times),
            "updated_at": max(part["updated_at"]),
        })
    return pd.DataFrame(rows, columns=ARTICLE_COLUMNS)


def decision_units(votes: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Each coder's vote beside the decision, per decision (article and variable) and
    coder: the table the other functions count (see the module doc for the unit).

    ``votes``: :func:`framestudy.analysis.consensus.coder_votes` (columns ``article_id,
    variable, category, span_label, span_start, span_end, coder, vote``); ``decisions``:
    the decision table. Returns one row per decision and coder of the article, columns
    ``article_id, variable, coder, sided`` (the coder's vote equals the decision on every
    question of it), ``n_coders`` (coders who voted on the decision's questions),
    ``disagreed`` (two of them voted differently on one of its questions),
    ``majority`` (n_coders >= 2 and one of its questions had a value of a strict majority
    of them), ``overruled_majority`` (the decision differs from such a majority value),
    ``overruled_all`` (on one of its questions the decision is no coder's vote). A decision
    no coder voted on (its article coded by nobody, or a question the coders' table does
    not have) has one row with an empty ``coder`` and ``n_coders`` 0."""
    _check(votes, [*QUESTION, "coder", "vote"], "the coders' votes")
    _check(decisions, ["article_id", "variable", "value"], "the decision table")
    columns = ["article_id", "variable", "coder", "sided", "n_coders", "disagreed",
               "majority", "overruled_majority", "overruled_all"]
    if decisions.empty:
        return pd.DataFrame(columns=columns)
    decided = _questions(decisions)[[*QUESTION, "value"]]
    decided["value"] = _text(decisions["value"]).to_numpy()
    decided = decided.drop_duplicates(QUESTION, keep="last")
    cast = _questions(votes)[[*QUESTION, "coder", "vote"]]
    cast["vote"] = _text(votes["vote"]).to_numpy()
    cast["coder"] = _text(votes["coder"]).to_numpy()
    merged = decided.merge(cast, on=QUESTION, how="left")
    merged["_q"] = merged.groupby(QUESTION, sort=False).ngroup()
    unit_key = ["article_id", "variable"]
    merged["_u"] = merged.groupby(unit_key, sort=False).ngroup()
    voted = merged[merged["coder"].notna()]
    # per question: its coders (n), its votes' largest group (k), distinct votes, the
    # leading vote, whether the decision is anyone's vote
    tally = voted.groupby(["_q", "vote"], sort=False).size().rename("k").reset_index()
    tally = tally.sort_values(["_q", "k"], ascending=[True, False], kind="stable")
    lead = tally.drop_duplicates("_q").set_index("_q")
    per_q = pd.DataFrame({
        "n": voted.groupby("_q").size(),
        "distinct": tally.groupby("_q").size(),
        "kept": (voted["vote"] == voted["value"]).groupby(voted["_q"]).any(),
    })
    per_q["k"], per_q["leader"] = lead["k"], lead["vote"]
    per_q = per_q.join(merged.drop_duplicates("_q").set_index("_q")[["_u", "value"]])
    per_q["disagreed"] = per_q["distinct"] > 1
    per_q["majority"] = (per_q["n"] >= 2) & (2 * per_q["k"] > per_q["n"])
    per_q["overruled_majority"] = per_q["majority"] & (per_q["leader"] != per_q["value"])
    per_q["overruled_all"] = ~per_q["kept"].astype(bool)
    facts = per_q.groupby("_u")[["disagreed", "majority", "overruled_majority",
                                 "overruled_all"]].any()
    units = merged.drop_duplicates("_u").set_index("_u")[unit_key]
    units = units.join(facts).fillna(False)
    units["n_coders"] = voted.groupby("_u")["coder"].nunique().reindex(units.index).fillna(0)
    sided = (voted["vote"] == voted["value"]).groupby([voted["_u"], voted["coder"]]).all()
    sided = sided.rename("sided").reset_index()
    out = units.reset_index().merge(sided, on="_u", how="left")
    nobody = out["coder"].isna()
    out.loc[nobody, "coder"] = ""
    out["sided"] = out["sided"].fillna(False).astype(bool)
    out["n_coders"] = out["n_coders"].astype(np.int64)
    for column in ("disagreed", "majority", "overruled_majority", "overruled_all"):
        out[column] = out[column].astype(bool)
    out = out.sort_values(["_u", "coder"], kind="stable").reset_index(drop=True)
    return out[columns]


def _wilson(count, n, confidence: float):
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    low = np.full(len(n), np.nan)
    high = np.full(len(n), np.nan)
    some = n > 0
    if some.any():
        lo, hi = proportion_confint(count[some], n[some], alpha=1 - confidence,
                                    method="wilson")
        low[some], high[some] = lo, hi
    return low, high


def sided_with(
    units: pd.DataFrame,
    registry_order: Sequence[str] = (),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How often the adjudicator sided with each coder (columns :data:`SIDED_COLUMNS`).

    ``units``: :func:`decision_units`. Per coder, over all variables (``variable``
    :data:`ALL`) and per variable: ``decisions``, the decisions on articles the coder
    coded; ``sided``, those where the coder's value is the decision; ``share`` =
    sided / decisions, with the Wilson score interval at ``confidence`` (Wilson 1927,
    "Probable inference, the law of succession, and statistical inference", JASA
    22:209-212; computed by statsmodels' ``proportion_confint(method="wilson")``, as the
    outlet shares are), which stays inside [0, 1] for the few decisions a study has.
    The intervals treat decisions as independent draws, which decisions on one article
    are not quite. Ordered by coder, then the overall row, then the variables in
    ``registry_order`` (unknown ones after them). No decision: an empty table."""
    _check(units, ["coder", "variable", "sided"], "the decision units")
    coded = units[_text(units["coder"]) != ""]
    if coded.empty:
        return pd.DataFrame(columns=SIDED_COLUMNS)
    coded = coded.assign(sided=coded["sided"].astype(bool))
    position = {v: i for i, v in enumerate(registry_order)}
    rows = []
    for coder, part in coded.groupby("coder", sort=True):
        rows.append({"coder": coder, "variable": ALL, "decisions": len(part),
                     "sided": int(part["sided"].sum())})
        for variable in _order(part["variable"], position):
            mine = part[part["variable"] == variable]
            rows.append({"coder": coder, "variable": variable, "decisions": len(mine),
                         "sided": int(mine["sided"].sum())})
    table = pd.DataFrame(rows)
    table["share"] = table["sided"] / table["decisions"]
    table["ci_low"], table["ci_high"] = _wilson(table["sided"], table["decisions"], confidence)
    return table[SIDED_COLUMNS]


def variable_disagreement(
    units: pd.DataFrame,
    registry: Sequence[Mapping] | pd.DataFrame = (),
    rules: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Which variables caused the most disagreement among the adjudicated articles,
    ranked (columns :data:`VARIABLE_COLUMNS`): the input for the next codebook version.

    ``units``: :func:`decision_units`; ``registry``: the schema's registry records (for
    ``code``, ``dimension`` and the order of ties); ``rules``: variable id -> the
    variable's decision rules in the schema (joined by line breaks in ``rules``).
    Per variable with a decision: ``articles`` adjudicated; ``multi_coded`` of them coded
    by two or more coders; ``disagreed``: of those, the articles whose coders did not all
    give the same value (``share_disagreed`` = disagreed / multi_coded);
    ``overruled_majority``: the articles where a strict majority of two or more coders
    agreed on a value and the decision is another (its share of ``multi_coded``);
    ``coded``: the articles with any coder; ``overruled_all``: those where the decision
    is a value no coder gave (its share of ``coded``). Shares with no article to count
    are NaN. Ranked by share disagreed, then share overruled, then articles (most first),
    then registry order; ``rank`` from 1."""
    _check(units, ["article_id", "variable", "n_coders", "disagreed", "overruled_majority",
                   "overruled_all"], "the decision units")
    records = registry.to_dict("records") if isinstance(registry, pd.DataFrame) \
        else [dict(r) for r in registry]
    by_id = {str(r["variable"]): r for r in records}
    position = {v: i for i, v in enumerate(by_id)}
    rules = rules or {}
    if units.empty:
        return pd.DataFrame(columns=VARIABLE_COLUMNS)
    per = units.drop_duplicates(["article_id", "variable"])
    rows = []
    for variable in _order(per["variable"], position):
        part = per[per["variable"] == variable]
        multi = part[part["n_coders"] >= 2]
        coded = part[part["n_coders"] >= 1]
        record = by_id.get(variable, {})
        code = record.get("code")
        rows.append({
            "variable": variable,
            "code": "" if code is None or (isinstance(code, float) and code != code)
            else str(code),
            "dimension": str(record.get("dimension") or ""),
            "articles": len(part), "multi_coded": len(multi),
            "disagreed": int(multi["disagreed"].astype(bool).sum()),
            "overruled_majority": int(multi["overruled_majority"].astype(bool).sum()),
            "coded": len(coded),
            "overruled_all": int(coded["overruled_all"].astype(bool).sum()),
            "rules": "\n".join(str(r) for r in rules.get(variable, ())),
            "_order": position.get(variable, len(position)),
        })
    table = pd.DataFrame(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share_disagreed"] = table["disagreed"] / table["multi_coded"].replace(0, np.nan)
        table["share_overruled_majority"] = (table["overruled_majority"]
                                             / table["multi_coded"].replace(0, np.nan))
        table["share_overruled_all"] = table["overruled_all"] / table["coded"].replace(0, np.nan)
    table = table.sort_values(
        ["share_disagreed", "share_overruled_majority", "articles", "_order"],
        ascending=[False, False, False, True], na_position="last", kind="stable",
    ).reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table[VARIABLE_COLUMNS]


def schema_versions(
    annotations: pd.DataFrame,
    decisions: pd.DataFrame,
    versions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Which schema the codings and the decisions were made under (columns
    :data:`SCHEMA_COLUMNS`), one row per schema hash found in either table.

    ``annotations``: the tidy table (``article_id, coder, schema_hash``); ``decisions``:
    the decision table (``article_id, variable, schema_hash``); ``versions``: known
    schema hash -> version (e.g. the current schema's, and those the tasks were built
    under), else ``version`` is empty. ``codings``: the coders' annotations (article and
    coder) made under the hash, ``articles_coded`` their articles; ``decisions``: the
    decisions (article and variable) under it, ``articles_adjudicated`` their articles.
    An empty hash (not recorded) is a row of its own. Ordered by hash."""
    _check(annotations, ["article_id", "coder", "schema_hash"], "the annotation table")
    _check(decisions, ["article_id", "variable"], "the decision table")
    versions = dict(versions or {})
    coded = pd.DataFrame({
        "schema_hash": _text(annotations["schema_hash"]),
        "article_id": _text(annotations["article_id"]), "coder": _text(annotations["coder"]),
    }).drop_duplicates()
    decided = pd.DataFrame({
        "schema_hash": (_text(decisions["schema_hash"]) if "schema_hash" in decisions
                        else pd.Series([""] * len(decisions), dtype=object)),
        "article_id": _text(decisions["article_id"]),
        "variable": _text(decisions["variable"]),
    }).drop_duplicates()
    hashes = sorted(set(coded["schema_hash"]) | set(decided["schema_hash"]))
    rows = []
    for schema_hash in hashes:
        mine = coded[coded["schema_hash"] == schema_hash]
        ours = decided[decided["schema_hash"] == schema_hash]
        rows.append({
            "schema_hash": schema_hash, "version": versions.get(schema_hash, ""),
            "codings": len(mine), "articles_coded": mine["article_id"].nunique(),
            "decisions": len(ours), "articles_adjudicated": ours["article_id"].nunique(),
        })
    return pd.DataFrame(rows, columns=SCHEMA_COLUMNS)
