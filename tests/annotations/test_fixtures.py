"""Recorded Label Studio exports of every shape -> exactly the expected tidy rows and report."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from framestudy.annotations import COLUMNS, PullReport, tidy_from_export
from framestudy.annotations.report import CATEGORIES
from tests.annotations.conftest import (
    FIXTURE_HASH,
    USERS,
    StandInSchema,
    export,
    refs,
    registry_records,
    rows,
)

KEY = ("article_id", "coder", "variable", "value", "span_id", "span_start", "span_end", "span_text")
NONE4 = (None, None, None, None)


def nonzero(report) -> dict[str, int]:
    return {k: v for k, v in report.counts().items() if v}


def test_community_easy_export(schema):
    table, report = tidy_from_export(export("community_easy"), schema=schema, users=USERS)
    assert tuple(table.columns) == COLUMNS
    promise = ("sp-promise", 12, 48, "NATO promised not to expand eastward")
    blame = ("sp-blame", 98, 115, "is Russia's fault")
    c1, c2 = "coder1@uni.edu", "coder2@uni.edu"
    assert rows(table, *KEY) == [
        ("a-001", c1, "blame_actors", "NATO", *NONE4),
        ("a-001", c1, "blame_actors", "RUSSIA", *NONE4),
        ("a-001", c1, "blame_outcome", "WAR_OR_ESCALATION", *blame),
        ("a-001", c1, "blame_target", "RUSSIA", *blame),
        ("a-001", c1, "genre", "REPORTING", *NONE4),
        ("a-001", c1, "legit_nato_enlargement", "NA", *NONE4),
        ("a-001", c1, "promise_status", "CONTESTED", *NONE4),
        ("a-001", c1, "relevant", "yes", *NONE4),
        ("a-001", c1, "span", "PROMISE", *promise),
        ("a-001", c1, "span", "BLAME", *blame),
        ("a-001", c1, "voice", "ATTRIBUTED", *promise),
        ("a-001", c1, "voice", "ATTRIBUTED", *blame),
        ("a-001", c2, "blame_actors", "RUSSIA", *NONE4),
        ("a-001", c2, "genre", "OPINION", *NONE4),
        ("a-001", c2, "relevant", "yes", *NONE4),
        ("a-001", c2, "span", "PROMISE", "sp-p2", 17, 39, "promised not to expand"),
        ("a-001", c2, "voice", "AUTHORIAL", "sp-p2", 17, 39, "promised not to expand"),
        ("a-002", c1, "relevant", "no", *NONE4),
    ]
    # annotation-level columns come from the annotation and its task
    first = table.iloc[0]
    assert (first.outlet, first.project_id, first.task_id, first.annotation_id) == (
        "rt",
        3,
        101,
        201,
    )
    assert first.created_at == "2026-11-21T10:00:00.000000Z"
    assert first.updated_at == "2026-11-21T10:07:12.345678Z"
    assert first.lead_time == pytest.approx(431.2)
    assert first.schema_hash == FIXTURE_HASH
    assert set(table.loc[table.coder == c2, "annotation_id"]) == {202}

    # the coder3 annotation was skipped although it carries a result; coder2 skipped task 102
    assert refs(report, "cancelled") == [(101, 203), (102, 205)]
    assert "with 1 result" in report.cancelled[0].detail
    assert "coder3@uni.edu" not in set(table.coder)
    assert [r.detail for r in report.drafts] == ["draft 7 by coder3@uni.edu"]
    assert refs(report, "relations") == [(101, 201)]
    assert nonzero(report) == {"cancelled": 2, "drafts": 1, "relations": 1}
    assert (report.tasks, report.annotations, report.used, report.rows) == (3, 5, 3, 18)
    assert report.accounted


def test_unknown_user_ids_are_named_by_id(schema):
    table, _ = tidy_from_export(export("community_easy"), schema=schema)
    assert sorted(set(table.coder)) == ["user:2", "user:3"]


def test_enterprise_export_names_coders_by_the_object_email(schema):
    table, report = tidy_from_export(export("enterprise"), schema=schema)
    guarantee = ("sp-g", 48, 85, "NATO membership is the only guarantee")
    assert rows(table, *KEY) == [
        ("a-002", "ana@lab.org", "guarantee_arrangement", "NATO_MEMBERSHIP", *guarantee),
        ("a-002", "ana@lab.org", "guarantee_credibility", "+1", *NONE4),
        ("a-002", "ana@lab.org", "guarantee_favoured", "NATO_MEMBERSHIP", *NONE4),
        ("a-002", "ana@lab.org", "guarantee_stance", "ADVOCATED", *guarantee),
        ("a-002", "ana@lab.org", "relevant", "yes", *NONE4),
        ("a-002", "ana@lab.org", "span", "GUARANTEE", *guarantee),
        ("a-002", "ana@lab.org", "voice", "ATTRIBUTED", *guarantee),
        # user object with an empty e-mail: named by its id (or by the users map)
        ("a-002", "user:13", "guarantee_credibility", "NA", *NONE4),
        ("a-002", "user:13", "relevant", "yes", *NONE4),
    ]
    assert report.problems == 0 and report.accounted
    table, _ = tidy_from_export(export("enterprise"), schema=schema, users={13: "bo@lab.org"})
    assert sorted(set(table.coder)) == ["ana@lab.org", "bo@lab.org"]


def test_snapshot_export_with_draft_ids(schema):
    table, report = tidy_from_export(export("snapshot"), schema=schema, users=USERS)
    assert rows(table, "article_id", "coder", "variable", "value") == [
        ("a-001", "coder1@uni.edu", "legit_ukraine_choice", "-1"),
        ("a-001", "coder1@uni.edu", "relevant", "yes"),
    ]
    assert [(r.task_id, r.detail) for r in report.drafts] == [
        (701, "draft 11"),
        (701, "draft 12"),
        (702, "draft 13"),
    ]
    assert nonzero(report) == {"drafts": 3}


def test_duplicate_annotations_latest_wins(schema):
    table, report = tidy_from_export(export("duplicates"), schema=schema, users=USERS)
    assert rows(table, "coder", "value", "annotation_id", "task_id") == [
        ("coder1@uni.edu", "OPINION", 402, 301),  # latest of 401, 402 and 403 (duplicate task)
        ("coder2@uni.edu", "OPINION", 404, 302),  # alone on the duplicate task: kept
        ("coder3@uni.edu", "REPORTING", 406, 301),  # tie on updated_at: the higher id
    ]
    assert sorted(refs(report, "duplicates")) == [(301, 401), (301, 405), (302, 403)]
    assert nonzero(report) == {"duplicates": 3}
    assert report.accounted


def test_the_same_export_read_twice_gives_the_same_table(schema):
    once, _ = tidy_from_export(export("community_easy"), schema=schema, users=USERS)
    twice, report = tidy_from_export(
        export("community_easy") + export("community_easy"), schema=schema, users=USERS
    )
    pd.testing.assert_frame_equal(once, twice)
    assert sorted(refs(report, "duplicates")) == [(101, 201), (101, 202), (102, 204)]
    assert report.accounted


def test_deleted_user_is_counted_and_kept_out(schema):
    table, report = tidy_from_export(export("deleted_user"), schema=schema, users=USERS)
    assert rows(table, "coder", "variable", "value") == [("coder2@uni.edu", "relevant", "yes")]
    assert refs(report, "deleted_user") == [(901, 911)]
    assert report.accounted


def test_non_bmp_text_offsets_are_converted_and_checked(schema):
    table, report = tidy_from_export(export("unicode"), schema=schema, users=USERS)
    text = export("unicode")[0]["data"]["text"]
    spans = rows(
        table[table.variable == "span"], "span_id", "value", "span_start", "span_end", "span_text"
    )
    assert spans == [
        ("u-half", "PROMISE", None, None, "\U0001f1fa\U0001f1e6 Kyi"),  # offset inside a pair
        ("u-out", "PROMISE", None, None, "lost"),  # offsets beyond the text
        ("u-neutral", "LEGITIMACY", 10, 29, "rejects  neutrality"),  # UTF-16 13-32
        ("u-nato", "GUARANTEE", 31, 46, "𝐍𝐀𝐓𝐎 membership"),  # UTF-16 34-53
        ("u-wrong", "PROMISE", 70, 84, "officials said"),  # text mismatch: the article's text
        ("u-blame", "BLAME", 86, 109, "Moscow blames  the West"),  # collapsed spaces: no mismatch
    ]
    for span_id, _, start, end, span_text in spans:
        if start is not None:
            assert text[start:end] == span_text, span_id
    details = sorted(r.detail for r in report.span_mismatch)
    assert details[0].startswith("span region u-half: offsets 1-6 do not fit")
    assert details[1].startswith("span region u-out: offsets 500-510 do not fit")
    assert details[2] == (
        "span region u-wrong [70:84]: span text 'officials denied' but the article has "
        "'officials said'"
    )
    # span attributes carry their span's converted offsets
    assert rows(table[table.span_id == "u-neutral"], "variable", "span_start", "span_end") == [
        ("legitimacy_object", 10, 29),
        ("legitimacy_polarity", 10, 29),
        ("span", 10, 29),
    ]
    assert nonzero(report) == {"span_mismatch": 3}


def test_export_of_another_team_without_schema():
    table, report = tidy_from_export(export("inferred"))
    deal = ("f1", 17, 31, "without a deal")
    assert rows(table, *KEY) == [
        ("task:1201", "user:7", "frame_span", "Outcome", *deal),
        ("task:1201", "user:7", "frame_span", "Blame", "f2", 44, 61, "blamed each other"),
        ("task:1201", "user:7", "notes", "check source", *NONE4),
        ("task:1201", "user:7", "notes", "unclear who spoke", *NONE4),
        ("task:1201", "user:7", "quality", "4", *NONE4),  # rating: its number
        ("task:1201", "user:7", "sentiment", "negative", *NONE4),
        ("task:1201", "user:7", "sentiment", "neutral", *NONE4),
        ("task:1201", "user:7", "span_note", "stalemate", *deal),  # per-region textarea
        ("task:1201", "user:7", "topic", "Conflict", *NONE4),
        ("task:1201", "user:7", "topic", "Politics / Diplomacy", *NONE4),  # taxonomy path
    ]
    assert set(table.outlet) == {"unknown"}
    assert table.schema_hash.isna().all()
    assert nonzero(report) == {"no_article_id": 1, "unsupported_type": 1, "relations": 1}
    assert "type 'number'" in report.unsupported_type[0].detail


def test_schema_rejects_what_it_does_not_know(schema):
    # the other team's export read against framestudy's schema: nothing fits
    table, report = tidy_from_export(export("inferred"), schema=schema)
    assert table.empty
    assert len(report.unknown_variable) == 8  # every result but the relation
    assert report.stale_schema[0].detail == "the task has no schema_hash"
    assert report.used == 1 and report.accounted


def test_blind_design_foreign_annotations(schema):
    owners = {11: "coder1@uni.edu", 12: "Coder2@uni.edu"}  # e-mails compare case-insensitively
    table, report = tidy_from_export(
        export("blind"), schema=schema, users=USERS, project_coder=owners
    )
    assert rows(table, "coder", "value", "project_id") == [
        ("coder1@uni.edu", "yes", 11),
        ("coder2@uni.edu", "yes", 12),
    ]
    assert refs(report, "foreign") == [(1402, 1503)]
    assert report.foreign[0].project_id == 12
    assert report.accounted

    # included on request: then the later foreign annotation supersedes coder1's own
    table, report = tidy_from_export(
        export("blind"), schema=schema, users=USERS, project_coder=owners, include_foreign=True
    )
    assert rows(table, "coder", "value", "annotation_id") == [
        ("coder1@uni.edu", "no", 1503),
        ("coder2@uni.edu", "yes", 1502),
    ]
    assert refs(report, "foreign") == [(1402, 1503)]
    assert refs(report, "duplicates") == [(1401, 1501)]
    assert report.accounted
    assert "INCLUDED" in _render(report)


@pytest.mark.parametrize(
    ("accounts", "owners"),
    [
        # the account's e-mail in capitals, the project recorded in lower case ...
        ({2: "coder1@uni.edu", 3: "Coder2@Uni.EDU"}, {11: "coder1@uni.edu", 12: "coder2@uni.edu"}),
        # ... and the other way round
        ({2: "coder1@uni.edu", 3: "coder2@uni.edu"}, {11: "CODER1@uni.edu", 12: "Coder2@UNI.edu"}),
    ],
    ids=["account-capitals", "owner-capitals"],
)
def test_owner_matches_an_email_that_differs_only_in_case(schema, accounts, owners):
    """E-mail addresses compare case-insensitively (Label Studio keeps what was typed): a
    coder annotating in their own project is never reported foreign for a capital letter.
    Coder1's annotation 1503 in coder2's project stays foreign."""
    table, report = tidy_from_export(
        export("blind"), schema=schema, users=accounts, project_coder=owners
    )
    assert sorted((c.lower(), v, p) for c, v, p in rows(table, "coder", "value", "project_id")) == [
        ("coder1@uni.edu", "yes", 11),
        ("coder2@uni.edu", "yes", 12),
    ]
    assert refs(report, "foreign") == [(1402, 1503)]
    assert report.accounted


def test_stale_schema_hash_is_reported_rows_kept():
    newer = StandInSchema(registry_records(), "ffffffffffffffff")
    table, report = tidy_from_export(export("community_easy"), schema=newer, users=USERS)
    assert len(table) == 18
    assert [r.task_id for r in report.stale_schema] == [101, 102, 103]
    assert FIXTURE_HASH in report.stale_schema[0].detail
    assert set(table.schema_hash) == {FIXTURE_HASH}


def _render(report) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(report.table())
    return console.export_text()


def test_report_renders_every_nonempty_category(schema):
    _, report = tidy_from_export(export("unicode"), schema=schema)
    text = _render(report)
    assert "span mismatch" in text and "u-wrong" in text
    assert report.summary().startswith("1 tasks, 1 annotations -> 1 used, 8 rows; 3 span mismatch")
    assert set(report.to_dict()) >= set(CATEGORIES) | {"tasks", "annotations", "used", "rows"}


def test_report_survives_its_plain_data_form(schema):
    """What pull records in its ledger (to_dict, through JSON) gives back the same report."""
    _, report = tidy_from_export(export("unicode"), schema=schema)
    again = PullReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report and again.summary() == report.summary()
    assert _render(again) == _render(report)
