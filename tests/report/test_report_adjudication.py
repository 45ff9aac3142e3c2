"""The report's adjudication section: a study with a hand-made decision table
(tests/report/conftest.py, ``adjudicated_study``), its numbers counted here from the
coders' votes in analysis/consensus.csv and the decisions in annotations/adjudicated.csv,
not from the tables the code wrote; and the refusals when the decisions changed after the
outlet comparison."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter

import pandas as pd
import pytest

from framestudy.report.content import interval, num, pseudonyms
from tests.conftest import run_cli
from tests.report.conftest import JUDGE
from tests.report.test_report import page

pytestmark = pytest.mark.slow


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval from its formula (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def expected(study):
    """Per coder (decisions, sided) and per variable (articles, disagreed, majority
    overruled, no coder's value kept), counted from the study's files."""
    consensus = pd.read_csv(study / "analysis" / "consensus.csv", dtype=str,
                            keep_default_na=False)
    decisions = pd.read_csv(study / "annotations" / "adjudicated.csv", dtype=str,
                            keep_default_na=False)
    coders: dict[str, list[int]] = {}
    variables: dict[str, list[int]] = {}
    for decision in decisions.itertuples(index=False):
        row = consensus[(consensus["article_id"] == decision.article_id)
                        & (consensus["variable"] == decision.variable)
                        & (consensus["category"] == "")].iloc[0]
        votes = {}
        for part in row["values"].split("; "):
            coder, value = part.split("=", 1)
            votes[coder] = "" if value == "(none)" else value
        for coder, vote in votes.items():
            counts = coders.setdefault(coder, [0, 0])
            counts[0] += 1
            counts[1] += vote == decision.value
        tally = Counter(votes.values())
        top, k = tally.most_common(1)[0]
        counts = variables.setdefault(decision.variable, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += len(tally) > 1
        counts[2] += 2 * k > len(votes) and list(tally.values()).count(k) == 1 \
            and top != decision.value
        counts[3] += decision.value not in votes.values()
    return coders, variables


def test_the_section_follows_the_disagreements_with_the_counts(adjudicated_study):
    parsed = page(adjudicated_study)
    assert parsed.sections.index("adjudication") == parsed.sections.index("disagreements") + 1
    assert parsed.sections.index("methods") == parsed.sections.index("adjudication") + 1
    markdown = (adjudicated_study / "analysis" / "report.md").read_text(encoding="utf-8")
    section = markdown.split("## Adjudication", 1)[1].split("## Methods", 1)[0]
    decisions = pd.read_csv(adjudicated_study / "annotations" / "adjudicated.csv")
    articles = decisions["article_id"].nunique()
    assert (f"{articles} article(s) were adjudicated in Label Studio's review project: "
            f"{len(decisions)} decision(s)") in section
    assert "1 article(s) were adjudicated more than once; the latest decision counts" in section
    coders, variables = expected(adjudicated_study)
    names = pseudonyms(coders)
    for coder, (n, k) in coders.items():
        low, high = wilson(k, n)
        assert (f"| {names[coder]} | {n} | {k} | {num(k / n)} | {interval(low, high)} |"
                in section), (coder, n, k)
    registry = {r["variable"]: r for r in json.loads(
        (adjudicated_study / "schemas" / "registry.json").read_text(encoding="utf-8"))}

    def share(k, n):
        return f"{k} of {n} ({num(k / n)})"

    for variable, (n, disagreed, overruled, none_kept) in variables.items():
        assert (f"| {variable} ({registry[variable]['code']}) | {n} | {share(disagreed, n)} | "
                f"{share(overruled, n)} | {share(none_kept, n)} |") in section, variable
    order = list(registry)
    ranked = sorted(variables, key=lambda v: (-variables[v][1] / variables[v][0],
                                              -variables[v][2] / variables[v][0],
                                              -variables[v][0], order.index(v)))
    table = section.split("**Which variables caused the most disagreement**", 1)[1]
    table = table.split("\n\n*", 1)[0]
    shown = [line.split(" | ")[1].split(" (")[0] for line in table.splitlines()
             if line.startswith("| ") and line[2].isdigit()]
    assert shown == ranked
    assert "The decision rules of the variables coders disagreed on most" in section
    assert "| 1.0.0 |" in section  # the schema version the codings were made under


def test_coders_and_adjudicator_are_pseudonymous(adjudicated_study):
    analysis = adjudicated_study / "analysis"
    for name in ("report.html", "report.md"):
        text = (analysis / name).read_text(encoding="utf-8")
        assert "@example.org" not in text and JUDGE not in text
        assert "adjudicator 1" in text


def test_the_sided_with_figure_is_embedded(adjudicated_study):
    parsed = page(adjudicated_study)
    alts = [image["alt"] for image in parsed.images]
    assert any("share of adjudicated decisions that kept the coder's value" in a for a in alts)
    png = adjudicated_study / "analysis" / "figures" / "adjudication_sided.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    provenance = parsed.full.split("Provenance")[-1]
    assert "annotations/adjudicated.csv" in provenance


def test_no_decisions_no_section(tiny_study):
    assert "adjudication" not in page(tiny_study).sections
    assert not list((tiny_study / "analysis").glob("adjudication_*.csv"))


def _copy(study, tmp_path):
    target = tmp_path / "study"
    shutil.copytree(study, target)
    return target


def test_decisions_changed_after_the_outlet_comparison_are_refused(adjudicated_study,
                                                                   tmp_path):
    study = _copy(adjudicated_study, tmp_path)
    table = study / "annotations" / "adjudicated.csv"
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    done = run_cli("--study", str(study), "report")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "annotations/adjudicated.csv" in line and "framestudy outlets" in line


def test_decisions_written_after_the_outlet_comparison_are_refused(tiny_study, tmp_path):
    study = _copy(tiny_study, tmp_path)
    (study / "annotations" / "adjudicated.csv").write_text(
        "article_id,variable,value\n", encoding="utf-8")
    done = run_cli("--study", str(study), "report")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1
    # the run record lists the decision table even while there is none (null): it changed
    assert "annotations/adjudicated.csv" in line and "framestudy outlets" in line


def test_decisions_removed_take_the_section_and_its_tables_away(adjudicated_study, tmp_path):
    study = _copy(adjudicated_study, tmp_path)
    (study / "annotations" / "adjudicated.csv").unlink()
    assert run_cli("--study", str(study), "report").returncode == 2  # stale: rerun outlets
    for args in (("outlets", "--bootstrap", "200"), ("report",)):
        done = run_cli("--study", str(study), *args)
        assert done.returncode == 0, done.stderr
    assert not list((study / "analysis").glob("adjudication_*.csv"))
    assert "adjudication" not in page(study).sections
