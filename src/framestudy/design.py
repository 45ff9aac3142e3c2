"""The coding design: which coder codes which article (pure functions, no I/O).

Stage-neutral (pure sampling, nothing of Label Studio in it): ``framestudy push`` draws the
design it creates projects for, and ``framestudy simulate`` draws the same design for a
synthetic study.

**Blind design** (the standard design for reliability in content analysis; Krippendorff
2019, *Content Analysis*, 4th ed., ch. 12.3; Neuendorf 2017, *The Content Analysis
Guidebook*, 2nd ed., ch. 6 "Reliability subsample"): a **reliability sample** -- a share of
the articles, stratified by outlet -- is coded independently by *every* coder; every other
article is coded by exactly one coder, the coders' loads balanced within each outlet.

How articles are drawn, so that the result is reproducible and stable:

- every article gets a rank ``u = H(seed, article_id)`` in [0, 1) (SHA-256), independent of
  the other articles, so adding articles never reorders the existing ones;
- the sample size is ``round(share * N)`` (at least 1 when share > 0), allocated to outlets in
  proportion to their size by largest remainders (Hamilton's method); within an outlet the
  articles with the lowest ranks are drawn;
- the rest is dealt, outlet by outlet in rank order, to the coder with the fewest articles of
  that outlet (ties: fewest overall, then a seeded order of coders).

An earlier assignment (``previous``) is kept as it is: articles already assigned keep their
coders and reliability status; only new articles are drawn, to bring each outlet's sample up
to its quota and to balance the loads. Without ``previous`` the result depends only on the
articles, the coders, the share and the seed.

**Shared design**: every coder codes every article (one project, ``maximum_annotations`` =
number of coders).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict

import pandas as pd

ASSIGNMENT_COLUMNS = ["article_id", "outlet", "coder", "reliability", "rank"]


def article_rank(article_id: str, seed: int) -> float:
    """A seeded pseudo-random number in [0, 1) for one article (SHA-256 of seed and id)."""
    digest = hashlib.sha256(f"{int(seed)}\x1f{article_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _coder_order(coders: list[str], seed: int) -> dict[str, float]:
    return {c: article_rank(f"coder\x1f{c}", seed) for c in coders}


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split ``total`` over strata in proportion to ``sizes`` (largest remainder method).

    Ties in the remainders go to the larger stratum, then to the stratum id in sort order.
    Each stratum gets at most its size.
    """
    n = sum(sizes.values())
    if n == 0 or total <= 0:
        return {k: 0 for k in sizes}
    total = min(total, n)
    quotas = {k: total * v / n for k, v in sizes.items()}
    seats = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(seats.values())
    order = sorted(sizes, key=lambda k: (-(quotas[k] - seats[k]), -sizes[k], k))
    for k in order[:left]:
        seats[k] += 1
    return seats


def sample_size(n: int, share: float) -> int:
    """``round(share * n)`` (halves up), at least 1 if ``share > 0`` and ``n > 0``."""
    if n <= 0 or share <= 0:
        return 0
    return min(n, max(1, math.floor(share * n + 0.5)))


def _validate(articles: pd.DataFrame, coders: list[str], share: float) -> None:
    missing = {"article_id", "outlet"} - set(articles.columns)
    if missing:
        raise ValueError(f"articles need columns article_id and outlet (missing {sorted(missing)})")
    if articles["article_id"].duplicated().any():
        dup = articles.loc[articles["article_id"].duplicated(), "article_id"].iloc[0]
        raise ValueError(f"article_id {dup!r} occurs twice")
    if not coders:
        raise ValueError("the design needs at least one coder")
    if len(set(coders)) != len(coders):
        raise ValueError("a coder is listed twice")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"reliability share {share} is not between 0 and 1")


def assign_blind(
    articles: pd.DataFrame,
    coders: list[str],
    *,
    share: float,
    seed: int,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The blind design's assignment: one row per (article, coder) to be coded.

    ``articles``: columns ``article_id``, ``outlet``. ``previous``: an earlier result of this
    function (rows of coders or articles no longer present are dropped; a non-reliability
    article whose coder left is dealt again). Returns columns ``article_id, outlet, coder,
    reliability, rank``, sorted by coder (in the given order) then rank.
    """
    _validate(articles, coders, share)
    articles = articles.loc[:, ["article_id", "outlet"]].astype(str)
    rank = {a: article_rank(a, seed) for a in articles["article_id"]}
    outlet_of = dict(zip(articles["article_id"], articles["outlet"], strict=True))
    coder_set = set(coders)

    reliability: set[str] = set()
    owner: dict[str, str] = {}
    if previous is not None and len(previous):
        prev = pd.DataFrame(
            {
                "article_id": previous["article_id"].astype(str),
                "coder": previous["coder"].astype(str),
                "reliability": [_truthy(v) for v in previous["reliability"]],
            }
        )
        prev = prev[prev["article_id"].isin(outlet_of.keys())]
        reliability = set(prev.loc[prev["reliability"], "article_id"])
        rest = prev[~prev["reliability"] & ~prev["article_id"].isin(reliability)]
        rest = rest[rest["coder"].isin(coder_set)].drop_duplicates("article_id")
        owner = dict(zip(rest["article_id"], rest["coder"], strict=True))

    # 1. the reliability sample, topped up to each outlet's quota with the lowest ranks
    sizes = Counter(outlet_of.values())
    quotas = allocate(dict(sizes), sample_size(len(outlet_of), share))
    have = Counter(outlet_of[a] for a in reliability)
    free_by_outlet: dict[str, list[str]] = defaultdict(list)
    for article_id, outlet in outlet_of.items():
        if article_id not in reliability and article_id not in owner:
            free_by_outlet[outlet].append(article_id)
    for outlet in free_by_outlet:
        free_by_outlet[outlet].sort(key=lambda a: (rank[a], a))
    for outlet, quota in sorted(quotas.items()):
        need = max(0, quota - have[outlet])
        drawn = free_by_outlet[outlet][:need]
        reliability.update(drawn)
        free_by_outlet[outlet] = free_by_outlet[outlet][need:]

    # 2. the rest, dealt to balance each outlet's and each coder's load
    tiebreak = _coder_order(coders, seed)
    per_outlet: dict[tuple[str, str], int] = Counter((outlet_of[a], c) for a, c in owner.items())
    total = Counter(owner.values())
    for outlet in sorted(free_by_outlet):
        for article_id in free_by_outlet[outlet]:
            coder = min(coders, key=lambda c: (per_outlet[(outlet, c)], total[c], tiebreak[c], c))
            owner[article_id] = coder
            per_outlet[(outlet, coder)] += 1
            total[coder] += 1

    rows = [(a, outlet_of[a], c, True, rank[a]) for a in reliability for c in coders] + [
        (a, outlet_of[a], c, False, rank[a]) for a, c in owner.items()
    ]
    return _frame(rows, coders)


def assign_shared(articles: pd.DataFrame, coders: list[str], *, seed: int) -> pd.DataFrame:
    """The shared design: every coder codes every article (all rows ``reliability``)."""
    _validate(articles, coders, 0.0)
    rows = [
        (str(a), str(o), c, True, article_rank(str(a), seed))
        for a, o in zip(articles["article_id"], articles["outlet"], strict=True)
        for c in coders
    ]
    return _frame(rows, coders)


def _frame(rows: list[tuple], coders: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)
    order = {c: i for i, c in enumerate(coders)}
    frame["_c"] = frame["coder"].map(order)
    frame = frame.sort_values(["_c", "rank", "article_id"], kind="mergesort").drop(columns="_c")
    frame["reliability"] = frame["reliability"].astype(bool)
    return frame.reset_index(drop=True)


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
