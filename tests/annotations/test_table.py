"""The table on disk: atomic, byte-identical on re-run, read back with the same dtypes and values."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framestudy.annotations import COLUMNS, empty_table, read_tidy, tidy_from_export, write_tidy
from framestudy.errors import UserError
from tests.annotations.conftest import USERS, export


@pytest.mark.parametrize("name", ["community_easy", "unicode", "inferred", "enterprise"])
def test_round_trip(tmp_path, schema, name):
    table, _ = tidy_from_export(
        export(name), schema=None if name == "inferred" else schema, users=USERS
    )
    path = write_tidy(table, tmp_path / "annotations" / "annotations.csv")
    pd.testing.assert_frame_equal(read_tidy(path), table)
    first = path.read_bytes()
    write_tidy(
        tidy_from_export(export(name), schema=None if name == "inferred" else schema, users=USERS)[
            0
        ],
        path,
    )
    assert path.read_bytes() == first
    assert list(tmp_path.joinpath("annotations").iterdir()) == [path]  # no temporary left


def test_value_ids_that_look_missing_stay_text(tmp_path, schema):
    table, _ = tidy_from_export(export("community_easy"), schema=schema, users=USERS)
    path = write_tidy(table, tmp_path / "a.csv")
    assert "NA" in set(read_tidy(path).value)
    assert "NA" not in set(pd.read_csv(path).value.dropna())  # why read_tidy exists


TEXT = st.lists(st.sampled_from(list('a ,"\r\n\t') + ["😀", "NA", "é"]), max_size=8).map("".join)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(TEXT, TEXT, st.one_of(st.none(), st.floats(0, 1e6))), min_size=1, max_size=5)
)
def test_any_text_survives_the_csv(tmp_path_factory, cells):
    table = empty_table()
    n = len(cells)
    data = {c: [None] * n for c in COLUMNS}
    data.update(
        article_id=[f"a{i}" for i in range(n)],
        outlet=["o"] * n,
        coder=["c"] * n,
        variable=["span"] * n,
        value=[c[0] or "v" for c in cells],
        span_id=["r"] * n,
        span_start=list(range(n)),
        span_end=list(range(1, n + 1)),
        span_text=[c[1] or None for c in cells],
        lead_time=[c[2] for c in cells],
    )
    table = pd.concat([table, pd.DataFrame(data)], ignore_index=True).astype(table.dtypes.to_dict())
    path = write_tidy(table, tmp_path_factory.mktemp("csv") / "a.csv")
    pd.testing.assert_frame_equal(read_tidy(path), table)


def test_read_tidy_errors(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_tidy(tmp_path / "none.csv")
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match="missing columns article_id"):
        read_tidy(tmp_path / "x.csv")


def test_same_table_with_or_without_pyarrow(monkeypatch, schema):
    import framestudy.annotations.tidy as tidy_module

    tasks = export("community_easy") + export("unicode")
    with_arrow, _ = tidy_from_export(tasks, schema=schema, users=USERS)
    monkeypatch.setattr(tidy_module, "_pa", None)
    without, _ = tidy_from_export(tasks, schema=schema, users=USERS)
    pd.testing.assert_frame_equal(with_arrow, without)
    documents = without.variable.isin(
        ["relevant", "genre", "blame_actors", "promise_status", "legit_nato_enlargement"]
    )
    assert without.span_id.isna().equals(documents)


def test_sources_record_names_each_export_and_the_table(tmp_path, schema):
    """The record beside the table lists the exports (path relative to the table's folder,
    SHA-256, size) and the table's own SHA-256; a table written without sources has none."""
    import hashlib
    import json

    from framestudy.annotations.table import read_sources, sources_path

    raw = tmp_path / "annotations" / "raw"
    raw.mkdir(parents=True)
    first, second = raw / "p1.json", raw / "p2.json"
    first.write_text(json.dumps(export("community_easy")), encoding="utf-8")
    second.write_text("[]", encoding="utf-8")
    table, _ = tidy_from_export(export("community_easy"), schema=schema, users=USERS)
    path = write_tidy(table, tmp_path / "annotations" / "annotations.csv", sources=[first, second])
    record = read_sources(path)
    assert sources_path(path).name == "annotations.sources.json"
    assert [s.file for s in record.exports] == ["raw/p1.json", "raw/p2.json"]
    assert record.exports[1].sha256 == hashlib.sha256(b"[]").hexdigest()
    assert record.exports[1].bytes == 2
    assert record.table_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_sources(write_tidy(table, tmp_path / "other.csv")) is None
    assert record.build.users is None and record.build.include_foreign is False


def test_sources_record_keeps_how_the_exports_were_read(tmp_path, schema):
    """Users and project owners are what an offline rebuild of the table needs."""
    from framestudy.annotations.table import TableBuild, read_sources

    export_file = tmp_path / "e.json"
    export_file.write_text("[]", encoding="utf-8")
    build = TableBuild(users=USERS, project_coder={3: "a@uni.edu"}, include_foreign=True)
    table, _ = tidy_from_export(export("community_easy"), schema=schema, **build.model_dump())
    path = write_tidy(table, tmp_path / "t.csv", sources=[export_file], build=build)
    assert read_sources(path).build == build
    assert all(isinstance(k, int) for k in read_sources(path).build.users)


def test_sources_record_outside_the_folder_is_absolute_and_damage_is_one_line(tmp_path, schema):
    from framestudy.annotations.table import read_sources, sources_path

    elsewhere = tmp_path / "downloads" / "export.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text("[]", encoding="utf-8")
    table, _ = tidy_from_export(export("community_easy"), schema=schema, users=USERS)
    path = write_tidy(table, tmp_path / "annotations" / "annotations.csv", sources=[elsewhere])
    assert read_sources(path).exports[0].file == str(elsewhere.resolve())
    sources_path(path).write_text('{"table_sha256": "x", "exports": []}', encoding="utf-8")
    with pytest.raises(UserError, match=r"annotations\.sources\.json: table_sha256"):
        read_sources(path)
