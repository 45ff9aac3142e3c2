"""An article keeps its id when its text is corrected; the text hash is a separate version."""

from __future__ import annotations

import hashlib
import json
import re

from framestudy.study import Study
from framestudy.tasks import add_articles, build_tasks
from framestudy.tasks.frontmatter import split
from tests.tasks.conftest import DATA, read_tasks, stored_articles

A003 = "003_d59e774d81fbca7a.txt"


def _by_file(root) -> dict[str, dict]:
    return {t["data"]["source_file"]: t["data"] for t in read_tasks(root)}


def test_correcting_a_stored_text_keeps_the_id_and_changes_the_version(cli, corpus_study):
    assert cli(corpus_study, "tasks", "build").code == 0
    before = _by_file(corpus_study)[A003]
    path = corpus_study / "tasks" / "articles" / A003
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("inadmissible and embarrassing", "inadmissible, embarrassing"))
    assert cli(corpus_study, "tasks", "build").code == 0
    after = _by_file(corpus_study)[A003]
    assert after["article_id"] == before["article_id"] == "art-33d6018a83a4"
    assert after["text_version"] != before["text_version"]
    assert before["text_version"] == "33d6018a83a4"  # the text hash the id once was
    assert re.fullmatch(r"[0-9a-f]{12}", after["text_version"])


def test_a_file_without_an_id_gets_the_id_it_always_had_written_in(cli, corpus_study):
    path = corpus_study / "tasks" / "articles" / A003
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("article_id: art-33d6018a83a4\n", ""), encoding="utf-8")
    _, old_body = split(original, "")
    assert cli(corpus_study, "tasks", "build").code == 0
    assert path.read_text(encoding="utf-8") == original  # the one line is back; body intact
    meta, body = split(path.read_text(encoding="utf-8"), "")
    assert meta["article_id"] == "art-33d6018a83a4" and body == old_body
    first = (corpus_study / "tasks" / "tasks.json").read_bytes()
    assert cli(corpus_study, "tasks", "build").code == 0  # nothing more to write
    assert path.read_text(encoding="utf-8") == original
    assert (corpus_study / "tasks" / "tasks.json").read_bytes() == first


def test_an_empty_id_line_is_a_metadata_error_naming_the_file(cli, corpus_study):
    path = corpus_study / "tasks" / "articles" / A003
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("article_id: art-33d6018a83a4\n", "article_id:\n"))
    res = cli(corpus_study, "tasks", "build")
    assert res.code == 2
    assert A003 in res.err and "article_id" in res.err and "is empty" in res.err
    assert path.read_text(encoding="utf-8").count("article_id:") == 1  # file left as it was


def test_the_id_survives_renaming_the_file(cli, corpus_study):
    articles = corpus_study / "tasks" / "articles"
    (articles / A003).rename(articles / "italian.txt")
    assert cli(corpus_study, "tasks", "build").code == 0
    assert _by_file(corpus_study)["italian.txt"]["article_id"] == "art-33d6018a83a4"


def test_add_writes_the_id_derived_from_outlet_and_source(empty_study):
    study = Study(empty_study)
    added = add_articles(study, [DATA / "articles.csv", DATA / "page.html"]).added
    for article, path in added:
        meta, _ = split(path.read_text(encoding="utf-8"), "")
        assert meta["article_id"] == article.article_id  # first key of the front matter
        assert next(iter(meta)) == "article_id"
        source = meta.get("url") or meta["imported_from"]
        key = f"{meta['outlet']}\n{source}".encode()
        assert article.article_id == "art-" + hashlib.sha256(key).hexdigest()[:12]
    [page] = [a for a, _ in added if a.meta.url]
    assert page.meta.url.startswith("https://www.rt.com/")
    built = {t["data"]["article_id"] for t in build_tasks(study).tasks}
    assert built == {a.article_id for a, _ in added}


def test_an_id_column_is_the_articles_id(cli, empty_study, tmp_path):
    source = tmp_path / "ids.jsonl"
    rows = [
        {"id": 17, "outlet": "rt", "text": "First article.\n\nNATO met in Vilnius."},
        {"article_id": "kyiv-2021-12", "outlet": "rt", "text": "Second one.\n\nKyiv spoke."},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert cli(empty_study, "tasks", "add", str(source)).code == 0
    assert cli(empty_study, "tasks", "build").code == 0
    assert sorted(t["data"]["article_id"] for t in read_tasks(empty_study)) == [
        "17",
        "kyiv-2021-12",
    ]


def test_adding_a_corrected_input_again_reports_the_stored_article(cli, empty_study, tmp_path):
    original = (DATA / "with_front_matter.txt").read_text(encoding="utf-8")
    source = tmp_path / "with_front_matter.txt"
    source.write_text(original, encoding="utf-8")
    assert cli(empty_study, "tasks", "add", str(source)).code == 0
    [stored] = stored_articles(empty_study)
    stored_bytes = stored.read_bytes()
    source.write_text(original.replace("Leaders meeting", "Leaders who met"), encoding="utf-8")
    again = cli(empty_study, "tasks", "add", str(source))
    assert again.code == 0, again.err
    assert "0 added, 1 duplicate(s) skipped" in again.out
    assert "already in the study" in again.err and stored.name in again.err
    assert stored_articles(empty_study) == [stored] and stored.read_bytes() == stored_bytes


def test_two_files_with_one_id_and_different_texts_are_refused(cli, corpus_study):
    articles = corpus_study / "tasks" / "articles"
    text = (articles / A003).read_text(encoding="utf-8")
    (articles / "zzz_other.txt").write_text(
        text.replace("For several weeks now", "For weeks now"), encoding="utf-8"
    )
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 2
    assert "zzz_other.txt" in result.err and A003 in result.err
    assert "art-33d6018a83a4" in result.err and "no tasks were built" in result.err


def test_an_unusable_id_names_the_field(cli, corpus_study):
    path = corpus_study / "tasks" / "articles" / A003
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("article_id: art-33d6018a83a4", "article_id: my article"))
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 2
    assert A003 in result.err and "field 'article_id'" in result.err


def test_same_text_under_another_id_is_still_a_duplicate(cli, corpus_study):
    articles = corpus_study / "tasks" / "articles"
    text = (articles / A003).read_text(encoding="utf-8")
    (articles / "zzz_copy.txt").write_text(
        text.replace("art-33d6018a83a4", "another-id"), encoding="utf-8"
    )
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 0 and "zzz_copy.txt" in result.err and "built once" in result.err
    assert len(read_tasks(corpus_study)) == 5
