"""Property tests: random valid exports give exactly the planted rows; corrupted ones never crash.

The valid exports are built like Label Studio builds them (code-point offsets, per-region results
sharing the region's id, skipped annotations and drafts beside the real ones) from a plan of
what each coder chose; the table must hold exactly the plan's rows, whatever the order of
tasks, annotations and results.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framestudy.annotations import read_export, tidy_from_export
from framestudy.errors import UserError
from tests.annotations.conftest import FIXTURE_HASH, StandInSchema, registry_records, rows

REGISTRY = registry_records()
DOCUMENT = [r for r in REGISTRY if r["kind"] == "document"]
ATTRIBUTES = [r for r in REGISTRY if r["kind"] == "span_attribute"]
LABELS = next(r for r in REGISTRY if r["kind"] == "span_label")["values"]
SCHEMA = StandInSchema(REGISTRY, FIXTURE_HASH)
CODERS = {2: "c1@x.org", 3: "c2@x.org", 4: "c3@x.org"}

TEXT = st.lists(
    st.sampled_from(list("abc de\n") + ["😀", "𝐍", "é", "中"]), min_size=1, max_size=30
).map("".join)


def values_of(draw, record) -> list[str]:
    allowed = record["values"] + record["missing_values"]
    if record["multiple"]:
        return draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=3, unique=True))
    return [draw(st.sampled_from(allowed))]


@st.composite
def annotation_plan(draw, text: str, prefix: str):
    """(results, expected rows (variable, value, span_id, start, end, span_text))."""
    results, expected = [], []
    for record in draw(
        st.lists(st.sampled_from(DOCUMENT), max_size=4, unique_by=lambda r: r["variable"])
    ):
        values = values_of(draw, record)
        results.append(
            {
                "id": f"{prefix}-{record['variable']}",
                "type": "choices",
                "from_name": record["variable"],
                "to_name": "text",
                "value": {"choices": values},
                "origin": "manual",
            }
        )
        expected += [(record["variable"], v, None, None, None, None) for v in values]
    for k in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(LABELS))
        rid = f"{prefix}-r{k}"
        region = {"start": start, "end": end, "text": text[start:end]}  # code points
        results.append(
            {
                "id": rid,
                "type": "labels",
                "from_name": "span",
                "to_name": "text",
                "value": {**region, "labels": [label]},
                "origin": "manual",
            }
        )
        expected.append(("span", label, rid, start, end, text[start:end]))
        for record in ATTRIBUTES:
            if label in record["labels"] and draw(st.booleans()):
                values = values_of(draw, record)
                results.append(
                    {
                        "id": rid,
                        "type": "choices",
                        "from_name": record["variable"],
                        "to_name": "text",
                        "value": {**region, "choices": values},
                        "origin": "manual",
                    }
                )
                expected += [
                    (record["variable"], v, rid, start, end, text[start:end]) for v in values
                ]
    if results and draw(st.booleans()):
        results.append(
            {
                "from_id": results[0]["id"],
                "to_id": results[-1]["id"],
                "type": "relation",
                "direction": "right",
                "labels": [],
            }
        )
    return draw(st.permutations(results)), expected


@st.composite
def exports(draw):
    """A Label Studio export and the tidy rows it must give (article, coder, ...row)."""
    tasks, expected = [], []
    next_id = iter(range(1000, 10**6))
    for t in range(draw(st.integers(1, 4))):
        text = draw(TEXT)
        article = f"art-{t}"
        annotations = []
        for uid in draw(st.lists(st.sampled_from(sorted(CODERS)), max_size=3, unique=True)):
            aid = next(next_id)
            results, planned = draw(annotation_plan(text, f"a{aid}"))
            annotations.append(
                {
                    "id": aid,
                    "completed_by": uid,
                    "result": results,
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": "2026-11-21T10:00:00Z",
                    "updated_at": "2026-11-21T10:00:00Z",
                    "lead_time": 1.0,
                    "task": t,
                    "project": 1,
                }
            )
            expected += [(article, CODERS[uid], *row) for row in planned]
        if draw(st.booleans()):  # a skip, with a result: never in the table
            results, _ = draw(annotation_plan(text, "skip"))
            annotations.append(
                {
                    "id": next(next_id),
                    "completed_by": 4,
                    "result": results,
                    "was_cancelled": True,
                    "task": t,
                    "project": 1,
                }
            )
        drafts = (
            [{"id": next(next_id), "user": 2, "result": draw(annotation_plan(text, "d"))[0]}]
            if draw(st.booleans())
            else []
        )
        tasks.append(
            {
                "id": t,
                "project": 1,
                "annotations": draw(st.permutations(annotations)),
                "drafts": drafts,
                "predictions": [],
                "data": {
                    "text": text,
                    "article_id": article,
                    "outlet": "o",
                    "schema_hash": FIXTURE_HASH,
                },
            }
        )
    return draw(st.permutations(tasks)), expected


KEY = ("article_id", "coder", "variable", "value", "span_id", "span_start", "span_end", "span_text")
SORT = ["article_id", "coder", "variable", "span_start", "value", "span_end", "span_id"]


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_valid_exports_give_exactly_the_planted_rows(case):
    tasks, expected = case
    table, report = tidy_from_export(tasks, schema=SCHEMA, users=CODERS)
    assert sorted(rows(table, *KEY), key=repr) == sorted(expected, key=repr)
    assert report.problems == len(report.cancelled) + len(report.drafts) + len(report.relations)
    assert report.accounted
    # deterministic order: the documented sort, whatever the input order
    resorted = table.sort_values(SORT, na_position="first", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, resorted)
    again, _ = tidy_from_export(list(reversed(tasks)), schema=SCHEMA, users=CODERS)
    pd.testing.assert_frame_equal(table, again)
    # inferred variables (no schema) give the same rows
    inferred, _ = tidy_from_export(tasks, users=CODERS)
    assert sorted(rows(inferred, *KEY), key=repr) == sorted(expected, key=repr)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5000)
    | st.floats(allow_nan=True)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


def _places(node, out):
    """Every (container, key) in a JSON tree."""
    if isinstance(node, dict):
        for key, child in node.items():
            out.append((node, key))
            _places(child, out)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out.append((node, i))
            _places(child, out)
    return out


@st.composite
def corrupted(draw):
    tasks, _ = draw(exports())
    tasks = copy.deepcopy(tasks)
    for _ in range(draw(st.integers(1, 6))):
        places = _places(tasks, [])
        if not places:
            break
        container, key = places[draw(st.integers(0, len(places) - 1))]
        if draw(st.booleans()):
            container[key] = draw(JSON)
        else:
            del container[key]
    raw = json.dumps(tasks, ensure_ascii=draw(st.booleans())).encode("utf-8")
    if draw(st.integers(0, 4)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


def _id(value):
    """An id as the table holds it: an integer, or None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_TMP = Path(tempfile.mkdtemp(prefix="framestudy-prop-"))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
def test_corrupted_exports_never_crash_and_account_for_everything(raw):
    path = _TMP / "export.json"
    path.write_bytes(raw)
    try:
        tasks = read_export(path)
    except UserError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
        return
    for schema in (SCHEMA, None):
        table, report = tidy_from_export(tasks, schema=schema, users=CODERS)
        assert report.accounted
        assert report.rows == len(table)
        # never invents: every row comes from an annotation present in the input
        present = {
            (_id(t.get("id")), _id(a.get("id")))
            for t in tasks
            if isinstance(t.get("annotations"), list)
            for a in t["annotations"]
            if isinstance(a, dict)
        }
        for task_id, annotation_id in set(rows(table, "task_id", "annotation_id")):
            assert (task_id, annotation_id) in present
        report.summary()
        report.table()
