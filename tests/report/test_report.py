"""framestudy report: what the page and the Markdown say, where their numbers come from,
and what it refuses (results older than their inputs, no results at all)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest

from framestudy.report.content import interval, p_value, pseudonyms, short_reason
from tests.conftest import run_cli

SECTIONS = ["study", "agreement", "outlets", "disagreements", "methods", "provenance"]


class _Page(HTMLParser):
    """The parts of the page the tests read: section ids, images, links, text."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.urls, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs)
        for key in ("src", "href"):
            if key in attrs:
                self.urls.append(attrs[key])

    def handle_data(self, data):
        self.text.append(data)


def page(study) -> _Page:
    parsed = _Page()
    parsed.feed((study / "analysis" / "report.html").read_text(encoding="utf-8"))
    parsed.full = " ".join(parsed.text)
    return parsed


@pytest.mark.slow
def test_page_has_every_section_and_only_embedded_figures(reported_study):
    parsed = page(reported_study)
    for anchor in SECTIONS:
        assert anchor in parsed.sections
    assert parsed.images, "no figure"
    for image in parsed.images:
        assert image["src"].startswith("data:image/png;base64,") and image["alt"]
    # nothing but in-page anchors and embedded images: the file stands alone
    assert all(u.startswith(("#", "data:image/png;base64,")) for u in parsed.urls)
    assert "<script" not in (reported_study / "analysis" / "report.html").read_text()


@pytest.mark.slow
def test_agreement_and_tests_are_the_analysis_files_numbers(reported_study):
    """Every α and every corrected p in the page is the one in the CSVs, formatted."""
    text = page(reported_study).full
    analysis = reported_study / "analysis"
    agreement = pd.read_csv(analysis / "agreement.csv", keep_default_na=False, na_values=[""])
    for row in agreement[agreement["outlet"] == "all"].head(8).itertuples():
        assert f"{row.estimate:.3f}" in text
        if not pd.isna(row.ci_low):
            assert interval(row.ci_low, row.ci_high) in text
    tests = pd.read_csv(analysis / "outlet_tests.csv", keep_default_na=False, na_values=[""])
    tested = tests[tests["test"].notna() & (tests["by"] == "outlet")]
    assert len(tested) > 0
    for row in tested.itertuples():
        assert p_value(row.p_adjusted) in text
        assert interval(row.v_ci_low, row.v_ci_high, 2) in text


@pytest.mark.slow
def test_provenance_names_each_raw_export_by_its_sha256(reported_study):
    text = page(reported_study).full
    raw = reported_study / "annotations" / "raw"
    exports = [p for p in raw.glob("*.json") if p.name != "manifest.json"]
    assert exports
    for export in exports:
        assert hashlib.sha256(export.read_bytes()).hexdigest() in text
    table = reported_study / "annotations" / "annotations.csv"
    assert hashlib.sha256(table.read_bytes()).hexdigest() in text
    run = json.loads((reported_study / "analysis" / "outlets.json").read_text())
    assert f"seed {run['seed']}" in text and "framestudy" in text and "numpy" in text
    assert '"threshold": 0.667' in text


@pytest.mark.slow
def test_coders_are_pseudonymous_in_the_report(reported_study):
    html = (reported_study / "analysis" / "report.html").read_text()
    markdown = (reported_study / "analysis" / "report.md").read_text()
    for text in (html, markdown):
        assert "@example.org" not in text
    assert "coder 1" in html


@pytest.mark.slow
def test_markdown_says_what_the_page_says(reported_study):
    analysis = reported_study / "analysis"
    markdown = (analysis / "report.md").read_text(encoding="utf-8")
    html = (analysis / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings == [h.replace("&#x27;", "'") for h in re.findall(r"<h2>(.+?)</h2>", html)]
    figures = re.findall(r"!\[[^\]]+\]\((figures/[^)]+\.png)\)", markdown)
    assert len(figures) == len(page(reported_study).images)
    for figure in figures:
        assert (analysis / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_excluded_variables_are_shown_greyed_with_the_reason(reported_study):
    html = (reported_study / "analysis" / "report.html").read_text(encoding="utf-8")
    gate = pd.read_csv(reported_study / "analysis" / "gate.csv", keep_default_na=False)
    excluded = gate[gate["decision"] == "excluded"]
    assert len(excluded) > 0
    muted = re.findall(r'<tr class="muted">(.*?)</tr>', html)
    assert any(excluded["variable"].iloc[0] in row and "below the threshold" in row
               for row in muted)


@pytest.mark.slow
def test_rerun_changes_no_file(reported_study):
    """The report names when its results were computed, not when it was drawn, and the run
    records keep their first time: re-running every command leaves every file as it was
    (a study's committed results stay clean in git)."""
    analysis = reported_study / "analysis"
    before = {p.name: p.read_bytes() for p in analysis.rglob("*") if p.is_file()}
    for args in (("agreement", "--bootstrap", "200"), ("outlets", "--bootstrap", "200"),
                 ("report",)):
        assert run_cli("--study", str(reported_study), *args).returncode == 0
    after = {p.name: p.read_bytes() for p in analysis.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    assert [name for name in before if after[name] != before[name]] == []


@pytest.mark.slow
def test_small_study_reads_sensibly_and_prints_no_test(tiny_study):
    """The bundled study's shape: descriptives, why nothing was tested, and no p-value."""
    parsed = page(tiny_study)
    assert "No outlet test ran" in parsed.full
    assert "too few articles per outlet to test" in parsed.full
    assert re.search(r"about \d+ articles per outlet are needed", parsed.full)
    tests = pd.read_csv(tiny_study / "analysis" / "outlet_tests.csv", keep_default_na=False,
                        na_values=[""])
    assert tests["p_value"].isna().all()
    assert "Cramér" in parsed.full  # the column is there, empty
    assert not re.search(r"<td class=\"num\">(&lt;\u00a0)?0\.\d{3}</td><td class=\"num\">"
                         r"(&lt;\u00a0)?0\.\d{3}</td>", (tiny_study / "analysis" /
                                                         "report.html").read_text())


def _copy(study, tmp_path):
    target = tmp_path / "study"
    shutil.copytree(study, target)
    return target


@pytest.mark.slow
def test_results_older_than_the_annotations_are_refused(reported_study, tmp_path):
    study = _copy(reported_study, tmp_path)
    table = study / "annotations" / "annotations.csv"
    table.write_text(table.read_text() + "\n", encoding="utf-8")
    done = run_cli("--study", str(study), "report")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "outlets.json" in line and "annotations/annotations.csv" in line
    assert "framestudy outlets" in line


@pytest.mark.slow
def test_no_outlet_results_is_one_line_saying_what_to_run(reported_study, tmp_path):
    study = _copy(reported_study, tmp_path)
    (study / "analysis" / "outlets.json").unlink()
    done = run_cli("--study", str(study), "report")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "framestudy outlets" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_formatting_helpers():
    assert p_value(0.0004) == "<\u00a00.001" and p_value(0.0123) == "0.012"
    assert p_value(float("nan")) == "–" and interval(None, None) == "–"
    assert pseudonyms(["b@x.org", "a@x.org", "b@x.org"]) == {"a@x.org": "coder 1",
                                                              "b@x.org": "coder 2"}
    assert short_reason("not tested: the reliability gate excluded it (α = 0.3)") == (
        "excluded by the reliability gate")
    assert short_reason("not tested: too few articles -- add more") == "too few articles"


@pytest.mark.slow
@pytest.mark.parametrize("broken", ["outlet_tests.csv", "consensus.csv"])
def test_damaged_results_are_one_line(reported_study, tmp_path, broken):
    study = _copy(reported_study, tmp_path)
    (study / "analysis" / broken).write_bytes(b"\xff\xfe\x00garbage")
    done = run_cli("--study", str(study), "report")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert broken in done.stderr
