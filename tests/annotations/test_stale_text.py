"""Annotations saved before their task's text was replaced (push --force) are marked stale."""

from __future__ import annotations

from framestudy.annotations import read_tidy, tidy_from_export, write_tidy


def _ann(aid: int, user: int, updated_at: str | None) -> dict:
    return {
        "id": aid,
        "completed_by": user,
        "was_cancelled": False,
        "created_at": "2025-01-01T09:00:00.000000Z",
        "updated_at": updated_at,
        "lead_time": 3.0,
        "result": [
            {
                "id": "d1",
                "from_name": "relevant",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["yes"]},
            }
        ],
    }


def _task(tid: int, article: str, annotations: list[dict], replaced_at: str | None) -> dict:
    data = {"text": "NATO text.", "article_id": article, "outlet": "rt"}
    if replaced_at is not None:
        data["text_replaced_at"] = replaced_at
    return {"id": tid, "project": 1, "data": data, "annotations": annotations}


EXPORT = [
    _task(
        10,
        "art-a",
        [
            _ann(1, 7, "2025-03-01T10:00:00.123456Z"),  # before the replacement: stale
            _ann(2, 8, "2025-03-01T10:00:00.654321Z"),  # after it (same second): current
        ],
        "2025-03-01T10:00:00.500000Z",
    ),
    _task(11, "art-b", [_ann(3, 7, "2024-01-01T00:00:00Z")], None),  # never replaced
]
USERS = {7: "a@uni.example", 8: "b@uni.example"}


def test_annotations_older_than_the_text_are_marked_and_reported():
    table, report = tidy_from_export(EXPORT, users=USERS)
    stale = dict(zip(table["annotation_id"], table["stale_text"], strict=True))
    assert stale == {1: True, 2: False, 3: False}
    assert str(table["stale_text"].dtype) == "boolean"
    [ref] = report.stale_text
    assert (ref.task_id, ref.annotation_id) == (10, 1)
    assert "a@uni.example" in ref.detail and "2025-03-01T10:00:00.500000Z" in ref.detail
    assert "re-check" in ref.detail and "Label Studio" in ref.detail
    assert report.accounted and report.used == 3  # rows kept
    assert "1 stale text" in report.summary()


def test_an_unreadable_replacement_time_marks_everything_stale():
    export = [_task(10, "art-a", [_ann(1, 7, "2030-01-01T00:00:00Z")], "yesterday")]
    table, report = tidy_from_export(export, users=USERS)
    assert table["stale_text"].tolist() == [True] and len(report.stale_text) == 1


def test_the_mark_survives_the_csv_and_older_tables_read_as_not_stale(tmp_path):
    table, _ = tidy_from_export(EXPORT, users=USERS)
    path = write_tidy(table, tmp_path / "annotations.csv")
    back = read_tidy(path)
    assert back["stale_text"].tolist() == table["stale_text"].tolist()
    older = tmp_path / "older.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    older.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8"
    )
    assert read_tidy(older)["stale_text"].tolist() == [False] * len(table)
