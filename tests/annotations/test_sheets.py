"""Coding sheets -> a Label Studio export -> the tidy table: exactly the sheet's codings.

The expected rows are computed here from the YAML alone (``str.find`` for the quotes), not
with the module under test, so the round trip checks the conversion, the UTF-16 offsets and
the export reader together.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from framestudy.annotations import read_export, tidy_from_export
from framestudy.annotations.sheets import (
    SheetProblems,
    export_text,
    read_sheet,
    sheet_export,
    sheets_to_export,
)
from framestudy.schema import load_schema
from tests.annotations.test_cli import run_here

REPO = Path(__file__).resolve().parents[2]
SHEETS = sorted((REPO / "annotations" / "sheets").glob("coder*.yaml"))
REGISTRY = REPO / "schemas" / "registry.json"
TASKS = REPO / "tasks" / "tasks.json"


def expected_rows(paths) -> list[tuple]:
    """(article, coder, variable, value, start, end, text) the sheets must give."""
    texts = {t["data"]["article_id"]: t["data"]["text"] for t in json.loads(TASKS.read_text())}
    rows = []
    for path in paths:
        sheet = yaml.safe_load(path.read_text(encoding="utf-8"))
        coder = sheet["coder"]
        for article, coding in sheet["articles"].items():
            text = texts[article]
            for key, value in coding.items():
                if key == "spans":
                    continue
                for v in value if isinstance(value, list) else [value]:
                    rows.append((article, coder, key, v, None, None, None))
            for span in coding.get("spans") or []:
                at = -1
                for _ in range(span.get("occurrence", 1)):
                    at = text.find(span["quote"], at + 1 if at < 0 else at + len(span["quote"]))
                assert at >= 0
                where = (at, at + len(span["quote"]), span["quote"])
                rows.append((article, coder, "span", span["label"], *where))
                for key, value in span.items():
                    if key in ("label", "quote", "occurrence"):
                        continue
                    for v in value if isinstance(value, list) else [value]:
                        rows.append((article, coder, key, v, *where))
    return sorted(rows, key=repr)


def table_rows(table) -> list[tuple]:
    out = []
    for rec in table.itertuples(index=False):
        span = (None, None, None) if pd.isna(rec.span_start) else (
            int(rec.span_start), int(rec.span_end), rec.span_text
        )
        out.append((rec.article_id, rec.coder, rec.variable, rec.value, *span))
    return sorted(out, key=repr)


def test_the_committed_sheets_round_trip_to_exactly_their_codings():
    tasks = sheets_to_export(SHEETS, REGISTRY, TASKS)
    table, report = tidy_from_export(tasks, schema=load_schema(REPO / "schemas" / "framing.yaml"))
    assert report.summary().endswith("no anomalies"), report.summary()
    assert report.used == 15  # three coders x five articles
    assert table_rows(table) == expected_rows(SHEETS)
    assert set(table["coder"]) == {f"coder{i}@framestudy.example" for i in (1, 2, 3)}
    assert not table["stale_text"].any()


def test_results_have_the_editors_shape():
    tasks = sheets_to_export(SHEETS[:1], REGISTRY, TASKS)
    assert [t["data"]["article_id"] for t in tasks] == [
        t["data"]["article_id"] for t in json.loads(TASKS.read_text())
    ]
    (annotation,) = tasks[0]["annotations"]
    assert annotation["completed_by"] == {"email": "coder1@framestudy.example"}
    result = annotation["result"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    assert regions
    for item in result:
        assert set(item) == {"id", "from_name", "to_name", "type", "value", "origin"}
        assert item["to_name"] == "text"
        if item["type"] == "choices" and item["id"] in regions:  # a per-region attribute
            region = regions[item["id"]]["value"]
            assert {k: item["value"][k] for k in ("start", "end", "text")} == {
                k: region[k] for k in ("start", "end", "text")
            }
        elif item["type"] == "choices":
            assert set(item["value"]) == {"choices"}
    # same sheets, same bytes
    assert export_text(tasks) == export_text(sheets_to_export(SHEETS[:1], REGISTRY, TASKS))


REGISTRY_RECORDS = json.loads(REGISTRY.read_text())


def one_task(text: str, article_id: str = "a1") -> list[dict]:
    return [{"data": {"article_id": article_id, "outlet": "o", "text": text}}]


def test_span_offsets_are_code_points_as_label_studio_stores_them(tmp_path):
    text = "Intro 🙂🙂 then: NATO broke its promise. And again NATO broke its promise."
    sheet = tmp_path / "s.yaml"
    sheet.write_text(
        "coder: ana@uni.example\narticles:\n  a1:\n    relevant: 'yes'\n    spans:\n"
        "      - label: BLAME\n        quote: NATO broke its promise\n        occurrence: 2\n"
        "        blame_target: [NATO]\n",
        encoding="utf-8",
    )
    tasks = sheet_export([(str(sheet), read_sheet(sheet))], REGISTRY_RECORDS, one_task(text))
    region = next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "labels")
    start = text.find("NATO broke", text.find("NATO broke") + 1)
    # the screen's offsets after two emoji: code points (JavaScript would count 2 more)
    assert region["value"]["start"] == start
    assert region["value"]["end"] == start + len("NATO broke its promise")
    table, report = tidy_from_export(tasks)
    span = table[table["variable"] == "span"].iloc[0]
    assert (span["span_start"], span["span_end"]) == (start, start + 22)
    assert span["span_text"] == "NATO broke its promise"
    assert not report.span_mismatch


def problems_of(tmp_path, body: str, text: str = "NATO broke it. NATO broke it.") -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    try:
        sheet_export([(str(path), read_sheet(path))], REGISTRY_RECORDS, one_task(text))
    except SheetProblems as exc:
        for line in exc.problems:
            assert "\n" not in line and line.startswith(str(path))
        return exc.problems
    return []


HEAD = "coder: ana@uni.example\narticles:\n  a1:\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (HEAD + "    relevant: yes\n", "a1: relevant = True: YAML reads an unquoted yes"),
        (HEAD + "    legit_nato_enlargement: +1\n", "a1: legit_nato_enlargement = 1: YAML reads"),
        (HEAD + "    genre: ESSAY\n", "a1: genre = 'ESSAY' is not one of REPORTING, OPINION"),
        (HEAD + "    genre: [OPINION]\n", "a1: genre = ['OPINION'] must be one value"),
        (HEAD + "    blame_actors: NATO\n", "a1: blame_actors = 'NATO' must be a list"),
        (HEAD + "    framing: X\n", "a1: framing: unknown"),
        (HEAD + "    voice: AUTHORIAL\n", "a1: voice: a span attribute"),
        (HEAD + "    spans:\n      - label: BLAME\n        quote: NATO broke it\n",
         "a1: span 1 (BLAME): quote 'NATO broke it' occurs 2 times in the article -- add "
         "occurrence"),
        (HEAD + "    spans:\n      - {label: BLAME, quote: NATO broke it, occurrence: 3}\n",
         "a1: span 1 (BLAME): quote 'NATO broke it' occurrence 3, but the words occur 2"),
        (HEAD + "    spans:\n      - {label: BLAME, quote: Nato broke}\n",
         "a1: span 1 (BLAME): quote 'Nato broke' not found in the article text"),
        (HEAD + "    spans:\n      - {label: BLAME, quote: broke, occurrence: 1, "
         "guarantee_stance: REJECTED}\n",
         "a1: span 1 (BLAME): guarantee_stance is not an attribute of BLAME"),
        (HEAD + "    spans:\n      - {label: BLAME, quote: broke, occurrence: 1, "
         "blame_target: RUSSIA}\n", "a1: span 1 (BLAME): blame_target = 'RUSSIA' must be a list"),
        (HEAD + "    spans:\n      - {label: FRAME, quote: broke, occurrence: 1}\n",
         "a1: span 1 (FRAME): label = 'FRAME' is not one of LEGITIMACY"),
        (HEAD + "    spans:\n      - {label: BLAME, quote: it. NATO, occurence: 1}\n",
         "a1: span 1 (BLAME): occurence: not a span attribute"),
        (HEAD + "    spans:\n      - {label: BLAME}\n", "a1: span 1 (BLAME): quote is missing"),
        (HEAD + "    spans:\n      - {label: BLAME, quote: broke, occurrence: 0}\n",
         "a1: span 1 (BLAME): occurrence = 0 must be 1 or more"),
        ("coder: ana\narticles:\n  a1:\n    relevant: 'no'\n", "coder = 'ana' is not an e-mail"),
        (HEAD + "    relevant: 'no'\n  a2:\n    relevant: 'no'\n",
         "a2: not an article of tasks/tasks.json"),
        (HEAD + "    relevant: 'no'\nnotes: x\n", "notes = 'x' is not a key of a coding sheet"),
    ],
)
def test_each_problem_is_one_line_naming_sheet_article_and_field(tmp_path, body, expected):
    problems = problems_of(tmp_path, body)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'bad.yaml'}: {expected}"), problems[0]


def test_every_problem_of_every_sheet_is_reported_together(tmp_path):
    problems = problems_of(
        tmp_path, HEAD + "    genre: ESSAY\n    relevant: maybe\n    spans:\n"
        "      - {label: BLAME, quote: gone}\n"
    )
    assert len(problems) == 3


def test_an_article_given_twice_is_refused_not_silently_merged(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(HEAD + "    relevant: 'no'\n  a1:\n    relevant: 'yes'\n")
    with pytest.raises(Exception, match="given twice"):
        read_sheet(path)


def test_two_sheets_of_one_coder_are_refused(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        path.write_text(HEAD + "    relevant: 'no'\n")
    sheets = [(str(p), read_sheet(p)) for p in (a, b)]
    with pytest.raises(SheetProblems, match="one sheet per coder"):
        sheet_export(sheets, REGISTRY_RECORDS, one_task("x"))


@pytest.fixture
def study(tmp_path) -> Path:
    root = tmp_path / "study"
    for name in ("schemas", "tasks"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "annotations" / "sheets", root / "sheets")
    return root


def test_cli_writes_the_export(study, capsys):
    out = study / "sheets.json"
    sheets = [str(p) for p in sorted((study / "sheets").glob("*.yaml"))]
    code, stdout, _ = run_here(capsys, "--study", str(study), "annotations", "sheet", *sheets,
                               "-o", str(out))
    assert code == 0
    assert "5 article(s), 15 annotation(s) from 3 sheet(s)" in " ".join(stdout.split())
    assert len(read_export(out)) == 5
    first = out.read_bytes()
    run_here(capsys, "--study", str(study), "annotations", "sheet", *sheets, "-o", str(out))
    assert out.read_bytes() == first


def test_cli_lists_every_problem_and_writes_nothing(study, capsys):
    sheet = study / "sheets" / "coder1.yaml"
    sheet.write_text(sheet.read_text().replace('genre: ANALYSIS', 'genre: ESSAY', 1)
                     .replace('relevant: "yes"', "relevant: yes", 1))
    out = study / "sheets.json"
    code, _, stderr = run_here(capsys, "--study", str(study), "annotations", "sheet",
                               str(sheet), "-o", str(out))
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)
    assert "genre = 'ESSAY'" in stderr and "relevant = True" in stderr
    assert not out.exists()


def test_cli_never_writes_under_annotations_raw(study, capsys):
    target = study / "annotations" / "raw" / "x.json"
    code, _, stderr = run_here(capsys, "--study", str(study), "annotations", "sheet",
                               str(study / "sheets" / "coder1.yaml"), "-o", str(target))
    assert code == 2 and "holds only what `framestudy pull` saves" in stderr
    assert not target.exists()
