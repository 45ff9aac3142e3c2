"""The same text twice is reported as a duplicate and imported once; re-runs add nothing."""

from __future__ import annotations

import json
import shutil

from framestudy.study import Study
from framestudy.tasks import add_articles
from framestudy.tasks.frontmatter import split
from tests.tasks.conftest import ARTICLES, DATA, read_tasks, stored_articles


def test_same_text_twice_in_one_import_is_imported_once(cli, empty_study, tmp_path):
    _, body = split((DATA / "with_front_matter.txt").read_text(encoding="utf-8"), "")
    # the same article again, as a JSONL record with other line breaks and another outlet
    record = {"outlet": "rt", "title": "Copy", "text": body.replace("\n\n", "\n   \n\n")}
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps(record) + "\n", encoding="utf-8")

    result = cli(empty_study, "tasks", "add", str(DATA / "with_front_matter.txt"), str(copy))
    assert result.code == 0, result.err
    assert "1 added, 1 duplicate(s) skipped" in result.out
    assert "duplicate:" in result.err and "copy.jsonl line 1 has the same text as" in result.err
    assert "with_front_matter.txt" in result.err
    assert len(stored_articles(empty_study)) == 1


def test_rerunning_add_never_duplicates(cli, empty_study):
    inputs = [str(DATA / n) for n in ("articles.csv", "articles.jsonl", "page.html")]
    first = cli(empty_study, "tasks", "add", *inputs)
    assert first.code == 0, first.err
    files = {p.name: p.read_bytes() for p in stored_articles(empty_study)}
    assert len(files) == 5

    again = cli(empty_study, "tasks", "add", *inputs)
    assert again.code == 0, again.err
    assert "0 added, 5 duplicate(s) skipped" in again.out
    assert {p.name: p.read_bytes() for p in stored_articles(empty_study)} == files

    assert cli(empty_study, "tasks", "build").code == 0
    assert len(read_tasks(empty_study)) == 5


def test_a_corpus_article_added_again_is_a_duplicate(corpus_study):
    result = add_articles(Study(corpus_study), [ARTICLES / "001_907a2b706aaeaa16.txt"])
    assert result.added == []
    [dup] = result.duplicates
    assert dup.first.origin.path.name == "001_907a2b706aaeaa16.txt"
    assert dup.article.article_id == "art-d04414f23657"


def test_build_with_a_duplicate_file_builds_it_once(cli, corpus_study):
    articles = corpus_study / "tasks" / "articles"
    shutil.copy(articles / "003_d59e774d81fbca7a.txt", articles / "zzz_copy.txt")
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 0, result.err
    assert (
        "duplicate:" in result.err and "zzz_copy.txt" in result.err and "built once" in result.err
    )
    tasks = read_tasks(corpus_study)
    assert len(tasks) == 5
    assert len({t["data"]["article_id"] for t in tasks}) == 5
    assert [
        t["data"]["source_file"] for t in tasks if t["data"]["article_id"] == "art-33d6018a83a4"
    ] == ["003_d59e774d81fbca7a.txt"]


def test_add_never_overwrites_a_stored_file(empty_study, tmp_path):
    study = Study(empty_study)
    [(article, path)] = add_articles(study, [DATA / "with_front_matter.txt"]).added
    # a researcher corrects the stored text: the id stays, the file name is taken
    edited = path.read_text(encoding="utf-8").replace("Leaders meeting", "Leaders who met")
    path.write_text(edited, encoding="utf-8")
    # another article with the original text (its own id) would get that very name
    _, body = split((DATA / "with_front_matter.txt").read_text(encoding="utf-8"), "")
    other = tmp_path / "other.jsonl"
    record = {"id": "another", "outlet": article.meta.outlet, "text": body}
    other.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [(_, again)] = add_articles(study, [other]).added
    assert again != path and again.name.endswith("-2.txt")
    assert path.read_text(encoding="utf-8") == edited
