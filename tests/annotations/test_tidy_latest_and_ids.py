"""Which of several annotations by one coder on one article is kept, when an annotation is
stale, and the id columns -- the survivors of issue 15's mutation run in tidy.py. The rules
are those of the module docstring of framestudy.annotations.tidy: the latest ``updated_at``
wins, ties go to the higher annotation id, the same annotation read twice is kept once; an
annotation last saved before its task's text was replaced is stale. Worked out by hand."""

from __future__ import annotations

from framestudy.annotations.report import Ref
from tests.annotations.test_faults import TEXT, ann, choice, details, run, task

JAN, FEB = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"


def on(tid, *annotations, article="a") -> dict:
    return task(*annotations, tid=tid, data={"text": TEXT, "article_id": article})


def test_the_same_annotation_read_twice_is_kept_once():
    table, report = run(on(1, ann(choice("relevant", "yes"))), on(1, ann(choice("relevant", "yes"))))
    assert table["value"].tolist() == ["yes"]
    assert report.duplicates == [Ref(9, 1, 10, "the same annotation appears twice (kept once)")]


def test_the_newer_copy_of_one_annotation_is_kept():
    old = on(1, ann(choice("relevant", "yes"), updated_at=JAN))
    new = on(1, ann(choice("relevant", "no"), updated_at=FEB))
    for export in ([old, new], [new, old]):
        table, report = run(*export)
        assert table["value"].tolist() == ["no"]
        assert report.duplicates == [
            Ref(9, 1, 10, "the same annotation appears twice (kept once)")
        ]


def test_a_newer_annotation_supersedes_an_older_one_in_another_task():
    older = on(1, ann(choice("relevant", "yes"), aid=10, updated_at=JAN))
    newer = on(2, ann(choice("relevant", "no"), aid=30, updated_at=FEB))
    for export in ([older, newer], [newer, older]):
        table, report = run(*export)
        assert table["value"].tolist() == ["no"]
        assert report.duplicates == [Ref(9, 1, 10, "superseded by annotation 30 (task 2)")]


def test_an_older_annotation_read_again_after_it_was_superseded():
    older = on(1, ann(choice("relevant", "yes"), aid=10, updated_at=JAN))
    newer = on(2, ann(choice("relevant", "no"), aid=30, updated_at=FEB))
    table, report = run(older, newer, older)
    assert table["value"].tolist() == ["no"]
    assert details(report, "duplicates") == ["superseded by annotation 30 (task 2)"] * 2


def test_a_tie_in_updated_at_goes_to_the_higher_annotation_id():
    for first, second in ((20, 10), (10, 20)):
        table, report = run(
            on(1, ann(choice("relevant", "yes" if first == 20 else "no"), aid=first)),
            on(2, ann(choice("relevant", "yes" if second == 20 else "no"), aid=second)),
        )
        assert table["value"].tolist() == ["yes"]
        assert table["annotation_id"].tolist() == [20]
        assert [r.annotation_id for r in report.duplicates] == [10]


def test_an_annotation_without_id_loses_a_tie_to_one_with_id_zero():
    with_id = on(1, ann(choice("relevant", "yes"), aid=0))
    without = on(2, ann(choice("relevant", "no"), aid=None))
    for export in ([with_id, without], [without, with_id]):
        table, _ = run(*export)
        assert table["value"].tolist() == ["yes"]


def test_a_complete_tie_keeps_the_first_read():
    # neither is newer (same updated_at, same or no id): the one read first stays
    for first_id, second_id in ((None, None), (None, -1)):
        table, report = run(
            on(1, ann(choice("relevant", "yes"), aid=first_id)),
            on(2, ann(choice("relevant", "no"), aid=second_id)),
        )
        assert table["value"].tolist() == ["yes"]
        assert [(r.task_id, r.annotation_id) for r in report.duplicates] == [(2, second_id)]


def stale(updated_at, replaced_at):
    data = {"text": TEXT, "article_id": "a", "text_replaced_at": replaced_at}
    table, report = run(task(ann(choice("relevant", "yes"), updated_at=updated_at), data=data))
    return table["stale_text"].tolist() == [True], len(report.stale_text) == 1


def test_saved_at_the_moment_of_replacement_is_not_stale():
    assert stale(JAN, JAN) == (False, False)


def test_stale_compares_moments_across_time_zones():
    # 10:00+02:00 is 08:00Z: before 09:00Z
    assert stale("2026-01-01T10:00:00+02:00", "2026-01-01T09:00:00Z") == (True, True)
    # 10:00-02:00 is 12:00Z: after 11:00Z
    assert stale("2026-01-01T10:00:00-02:00", "2026-01-01T11:00:00Z") == (False, False)


def test_an_annotation_without_a_project_takes_its_tasks():
    table, _ = run(
        task(ann(choice("relevant", "yes"))),
        task(ann(choice("relevant", "no"), aid=11, project=7), tid=2,
             data={"text": TEXT, "article_id": "b"}),
    )
    assert table["project_id"].tolist() == [9, 7]
    assert table["task_id"].tolist() == [1, 2]


def test_the_task_project_is_the_place_of_its_faults():
    _, report = run(task(ann(choice("relevant", "yes"), by=None)))
    assert report.deleted_user == [Ref(9, 1, 10, "completed_by is null (user deleted)")]


def test_id_columns_without_any_id_are_integer_columns():
    table, _ = run(
        {"data": {"text": TEXT, "article_id": "a"},
         "annotations": [ann(choice("relevant", "yes"), aid=None)]}
    )
    for name in ("project_id", "task_id", "annotation_id"):
        assert str(table[name].dtype) == "Int64"
        assert table[name].isna().tolist() == [True]
