"""How the export parser reads single results: odd values, odd region ids, odd schemas, span
offsets on texts with characters outside the Basic Multilingual Plane -- the survivors of
issue 15's mutation run in tidy.py. Each expectation follows the module docstring of
framestudy.annotations.tidy and docs/CONTRACTS.md, worked out by hand."""

from __future__ import annotations

import math

import pandas as pd

from framestudy.annotations import tidy_from_export
from framestudy.annotations.report import Ref
from framestudy.annotations.tidy import RegistryVariable, variables_from_registry
from tests.annotations.conftest import FIXTURE_HASH, StandInSchema, registry_records, rows
from tests.annotations.test_faults import TEXT, ann, choice, details, run, span, task

# U+1F600 is outside the BMP: one code point, two UTF-16 units. "NATO" is at code points
# 2-6 and at UTF-16 units 3-7.
ASTRAL = "\U0001f600 NATO blames Russia"


def result(name, rtype, value, rid="r") -> dict:
    return {"id": rid, "from_name": name, "to_name": "text", "type": rtype, "value": value}


def test_registry_rows_become_variables():
    registry = pd.DataFrame(
        [
            {"variable": "a", "kind": "document", "values": ["x", "y"], "missing_values": ["NA"],
             "labels": ["L"], "multiple": False},
            {"variable": "b", "kind": "span_attribute", "values": 2.5, "multiple": True},
            {"variable": "c", "kind": "document", "values": [], "multiple": False},
            {"variable": "d", "kind": "span_attribute", "values": ["p"], "labels": ["L", "M"],
             "multiple": False},
        ]
    )  # b, c, d have no missing_values (NaN), b and c no labels (NaN)
    assert variables_from_registry(registry) == {
        "a": RegistryVariable("a", "document", frozenset({"x", "y", "NA"}), False, None),
        "b": RegistryVariable("b", "span_attribute", frozenset({"2.5"}), True, None),
        "c": RegistryVariable("c", "document", None, False, None),
        "d": RegistryVariable("d", "span_attribute", frozenset({"p"}), False, frozenset("LM")),
    }


def schema_with(*extra: dict) -> StandInSchema:
    return StandInSchema(registry_records() + list(extra), FIXTURE_HASH)


def test_a_variable_without_values_takes_any_value_but_one_if_single_choice():
    schema = schema_with(
        {"variable": "note", "kind": "document", "values": [], "missing_values": [],
         "labels": [], "multiple": False}
    )
    table, report = run(
        task(ann(choice("note", "anything"))),
        task(ann(choice("note", "a", "b"), aid=11), tid=2,
             data={"text": TEXT, "article_id": "b", "schema_hash": FIXTURE_HASH}),
        schema=schema,
    )
    assert rows(table, "article_id", "variable", "value") == [("a", "note", "anything")]
    assert details(report, "too_many_values") == ["note: 'a', 'b' for a single-choice variable"]


def test_values_a_schema_refuses_are_named_with_variable_and_region(schema):
    table, report = run(
        task(
            ann(
                choice("genre", "OPINION", "REPORTING"),
                choice("nope", "x", rid="n"),
                {"id": "f", "from_name": 5, "to_name": "text", "type": "choices",
                 "value": {"choices": ["x"]}},
                choice("relevant", rid="e"),
                choice("span", "BLAME", rid="g"),
                span("s1", *[23, 45], "BLAME"),
                choice("blame_target", "ALIENS", "NATO", rid="s1"),
            )
        ),
        schema=schema,
    )
    assert details(report, "too_many_values") == [
        "genre: 'OPINION', 'REPORTING' for a single-choice variable"
    ]
    assert details(report, "unknown_variable") == [
        "from_name 'nope' (type choices) is not in the schema"
    ]
    assert details(report, "malformed_results") == [
        "a result has no from_name or type",
        "relevant: value.choices is not a non-empty list",
        "span: a choices result for a span_label variable",
    ]
    assert report.unknown_value == [Ref(9, 1, 10, "blame_target on region s1 = 'ALIENS'")]
    assert rows(table, "variable", "value", "span_id") == [
        ("blame_target", "NATO", "s1"),
        ("span", "BLAME", "s1"),
    ]


def test_a_schema_kind_the_parser_does_not_know_is_named_and_the_rest_read():
    schema = schema_with(
        {"variable": "odd", "kind": "weird", "values": ["x"], "missing_values": [],
         "labels": [], "multiple": False}
    )
    table, report = run(
        task(ann(span("s1", 23, 45, "BLAME"), choice("odd", "x", rid="o"),
                 choice("blame_outcome", "HARM", rid="s1"))),
        schema=schema,
    )
    assert report.malformed_results == [Ref(9, 1, 10, "odd: the schema gives it kind 'weird'")]
    assert rows(table, "variable", "value") == [("blame_outcome", "HARM"), ("span", "BLAME")]


def test_an_attribute_on_labels_it_does_not_apply_to_names_both_label_sets():
    records = [dict(r) for r in registry_records()]
    for r in records:
        if r["variable"] == "span":
            r["multiple"] = True
        if r["variable"] == "guarantee_stance":
            r["labels"] = ["GUARANTEE", "PROMISE"]
    _, report = run(
        task(ann(span("s1", 23, 45, "BLAME", "LEGITIMACY"),
                 choice("guarantee_stance", "ADVOCATED", rid="s1"))),
        schema=StandInSchema(records, FIXTURE_HASH),
    )
    assert details(report, "misplaced_attribute") == [
        "guarantee_stance on region s1 labelled BLAME/LEGITIMACY (applies to GUARANTEE/PROMISE)"
    ]


def test_integer_region_ids_join_attributes_to_their_span(schema):
    table, report = run(
        task(ann(span(7, 23, 45, "BLAME"), choice("blame_outcome", "HARM", rid=7))),
        schema=schema,
    )
    assert rows(table, "variable", "value", "span_id") == [
        ("blame_outcome", "HARM", "7"),
        ("span", "BLAME", "7"),
    ]
    assert report.orphan_attribute == []


def test_without_a_schema_a_result_with_start_or_end_but_no_region_is_an_orphan():
    table, report = run(
        task(ann(result("x", "choices", {"choices": ["a"], "start": 3}, rid="p"),
                 result("y", "choices", {"choices": ["b"], "end": 5}, rid="q"),
                 result("z", "choices", {"choices": ["c"]}, rid="w")))
    )
    assert details(report, "orphan_attribute") == [
        "x: region 'p' has no span label",
        "y: region 'q' has no span label",
    ]
    assert rows(table, "variable", "value") == [("z", "c")]


def test_unreadable_values_of_each_type_are_named_and_the_rest_read():
    table, report = run(
        task(
            ann(
                result("t1", "textarea", {"text": []}),
                result("t2", "textarea", {"text": 5}),
                result("t3", "textarea", {"text": ["ok", 5]}),
                result("x1", "taxonomy", {"taxonomy": []}),
                result("x2", "taxonomy", {"taxonomy": [[]]}),
                result("x3", "taxonomy", {"taxonomy": [["a", 5]]}),
                result("x4", "taxonomy", {"taxonomy": ["ab"]}),
                result("c", "choices", {"choices": []}),
                result("ok", "taxonomy", {"taxonomy": [["a", "b"]]}),
            )
        )
    )
    assert details(report, "malformed_results") == [
        "t1: value.text is not a non-empty list",
        "t2: value.text is not a non-empty list",
        "t3: value.text holds a non-string",
        "x1: value.taxonomy is not a non-empty list",
        "x2: value.taxonomy holds a path that is not a list of strings",
        "x3: value.taxonomy holds a path that is not a list of strings",
        "x4: value.taxonomy holds a path that is not a list of strings",
        "c: value.choices is not a non-empty list",
    ]
    assert rows(table, "variable", "value") == [("ok", "a / b")]


def test_each_textarea_is_read_from_its_own_text():
    # the values memo of choices and labels must not serve other types
    table, _ = run(
        task(ann(result("t1", "textarea", {"text": ["first"], "textarea": ["k"]}),
                 result("t2", "textarea", {"text": ["second"], "textarea": ["k"]}, rid="s")))
    )
    assert rows(table, "variable", "value") == [("t1", "first"), ("t2", "second")]


def test_an_empty_text_entry_is_an_empty_value_not_a_missing_one():
    table, _ = run(task(ann(result("t", "textarea", {"text": [""]}), span("s1", 5, 5, "BLAME"))))
    assert table["value"].tolist() == ["BLAME", ""]
    assert table["span_text"].tolist()[0] == ""


def test_unsupported_types_and_relations_are_set_aside_and_the_rest_read():
    table, report = run(
        task(
            ann(
                result("poly", "polygonlabels", {"points": []}),
                {"id": "rel", "from_name": "r", "to_name": "text", "type": "relation",
                 "value": {}, "from_id": "a", "to_id": "b"},
                choice("relevant", "yes"),
            )
        )
    )
    assert details(report, "unsupported_type") == ["poly: type 'polygonlabels'"]
    assert details(report, "relations") == ["relation 'a' -> 'b'"]
    assert report.malformed_results == []
    assert rows(table, "variable", "value") == [("relevant", "yes")]


def test_unreadable_spans_are_named(schema):
    table, report = run(
        task(ann(span("", 0, 4, "BLAME"), span("s1", 0, 4), span("s2", 23, 45, "BLAME"))),
        schema=schema,
    )
    assert details(report, "malformed_results") == [
        "span: a span needs a string id and integer start and end",
        "span region s1: value.labels is not a non-empty list",
    ]
    assert table["span_id"].tolist() == ["s2"]


def test_spans_of_a_task_without_text_keep_their_offsets_when_ordered():
    data = {"article_id": "a"}
    table, report = run(
        task(ann(span("s1", 0, 4, "A"), span("s2", 3, 3, "B"), span("s3", 5, 2, "C")),
             data=data)
    )
    assert rows(table, "value", "span_start", "span_end") == [
        ("C", None, None),
        ("A", 0, 4),
        ("B", 3, 3),
    ]
    assert details(report, "span_unverified") == [
        "span region s1: the task has no text",
        "span region s2: the task has no text",
        "span region s3: the task has no text",
    ]


def test_a_span_text_that_is_not_a_string_is_ignored():
    table, report = run(task(ann(span("s1", 23, 45, "BLAME", text=5))))
    assert rows(table, "span_start", "span_end", "span_text") == [
        (23, 45, "Russia blames the West")
    ]
    assert report.span_mismatch == []


def test_a_span_finds_the_task_text_when_its_to_name_is_not_a_data_key():
    s1 = span("s1", 23, 45, "BLAME")
    s1["to_name"] = ["text"]
    s2 = span("s2", 0, 4, "BLAME")
    s2["to_name"] = "missing"
    table, report = run(task(ann(s1, s2)))
    assert rows(table, "span_id", "span_text") == [("s2", "NATO"), ("s1", "Russia blames the West")]
    assert report.span_unverified == []


def astral_task(*results, data=None) -> dict:
    return task(ann(*results), data=data or {"text": ASTRAL, "article_id": "a"})


def test_utf16_offsets_are_recognised_after_other_results():
    table, report = run(astral_task(choice("relevant", "yes"),
                                    span("s1", 3, 7, "BLAME", text="NATO")))
    assert rows(table, "variable", "span_start", "span_end", "span_text") == [
        ("relevant", None, None, None),
        ("span", 2, 6, "NATO"),
    ]
    assert report.span_mismatch == []


def test_utf16_offsets_are_recognised_after_a_span_on_a_plain_text():
    other = span("s0", 0, 5, "BLAME", text="plain")
    other["to_name"] = "other"
    table, report = run(
        astral_task(other, span("s1", 3, 7, "BLAME", text="NATO"),
                    data={"text": ASTRAL, "other": "plain text", "article_id": "a"})
    )
    assert rows(table, "span_id", "span_start", "span_end", "span_text") == [
        ("s0", 0, 5, "plain"),
        ("s1", 2, 6, "NATO"),
    ]
    assert report.span_mismatch == []


def test_odd_spans_on_an_astral_text_are_reported_not_raised():
    no_end = span("s0", 0, 4, "BLAME", text="x")
    del no_end["value"]["end"]
    table, report = run(astral_task(no_end, span("s1", 3, 7, "BLAME", text=7),
                                    span("s2", 3, 7, "BLAME", text="NATO")))
    assert details(report, "malformed_results") == [
        "span: a span needs a string id and integer start and end"
    ]
    assert rows(table, "span_id", "span_start", "span_end") == [("s1", 2, 6), ("s2", 2, 6)]


def test_a_document_value_and_a_span_of_one_name_sort_by_start_then_value():
    # without a schema a name may carry a span and a document value; a span whose offsets do
    # not fit the text has no start, like a document value, so the value decides, then the
    # empty span_id before a region's
    def one(rid, *results):
        return task(ann(*results, aid=rid, by=rid), tid=rid,
                    data={"text": TEXT, "article_id": f"a{rid}"})

    def x_span(label):
        out = span("r1", 100, 200, label)
        out["from_name"] = "x"
        return out

    table, _ = run(
        one(1, x_span("B"), result("x", "choices", {"choices": ["A", "C"]}, rid="c")),
        one(2, x_span("B"), result("x", "choices", {"choices": ["C"]}, rid="c")),
        one(3, x_span("A"), result("x", "choices", {"choices": ["A"]}, rid="c")),
    )
    assert rows(table, "article_id", "value", "span_id") == [
        ("a1", "A", None), ("a1", "B", "r1"), ("a1", "C", None),
        ("a2", "B", "r1"), ("a2", "C", None),
        ("a3", "A", None), ("a3", "A", "r1"),
    ]


def test_lead_time_is_a_number_or_missing():
    table, _ = run(
        task(ann(choice("relevant", "yes"), lead_time=True)),
        task(ann(choice("relevant", "yes"), aid=11, lead_time="12.5"), tid=2,
             data={"text": TEXT, "article_id": "b"}),
        task(ann(choice("relevant", "yes"), aid=12, lead_time=3), tid=3,
             data={"text": TEXT, "article_id": "c"}),
    )
    lead = table["lead_time"].tolist()
    assert math.isnan(lead[0]) and math.isnan(lead[1]) and lead[2] == 3.0


def test_a_non_string_created_at_is_missing():
    table, _ = run(task(ann(choice("relevant", "yes"), created_at=12345)))
    assert table["created_at"].isna().tolist() == [True]


def test_a_schema_without_hash_is_used_for_its_registry():
    class RegistryOnly:
        def registry(self):
            return pd.DataFrame(registry_records())

    table, report = tidy_from_export([task(ann(choice("relevant", "yes")))],
                                     schema=RegistryOnly())
    assert rows(table, "variable", "value") == [("relevant", "yes")]
    assert details(report, "stale_schema") == [f"task schema_hash {FIXTURE_HASH} != current None"]
