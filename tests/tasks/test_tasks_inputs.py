"""`framestudy tasks add`: every input format, normalised into tasks/articles/, then built."""

from __future__ import annotations

import shutil
from pathlib import Path

from framestudy.study import Study
from framestudy.tasks import add_articles, build_tasks
from framestudy.tasks.frontmatter import split
from tests.tasks.conftest import DATA, read_tasks, stored_articles


def _tasks_by_title(root: Path) -> dict[str, dict]:
    return {t["data"]["title"]: t["data"] for t in read_tasks(root)}


def test_txt_with_front_matter(cli, empty_study):
    result = cli(empty_study, "tasks", "add", str(DATA / "with_front_matter.txt"))
    assert result.code == 0, result.err
    assert "1 added" in result.out
    [stored] = stored_articles(empty_study)
    meta, body = split(stored.read_text(encoding="utf-8"), stored.name)
    source_meta, source_body = split(
        (DATA / "with_front_matter.txt").read_text(encoding="utf-8"), ""
    )
    assert body == source_body  # the text is stored as read; cleaning happens at build
    assert meta["outlet"] == "euromaidan-press"
    assert meta["date"] == "2023-07-11"
    assert meta["imported_from"] == "with_front_matter.txt"
    assert stored.name.startswith("euromaidan-press_")

    assert cli(empty_study, "tasks", "build").code == 0
    [data] = [t["data"] for t in read_tasks(empty_study)]
    assert data["title"] == "Allies discuss guarantees short of membership"
    assert data["author"] == "Olena Example"
    assert data["outlet_name"] == "Euromaidan Press"
    assert data["text"] == (
        "Allies discuss guarantees short of membership\n\n"
        "Leaders meeting in Vilnius discussed security commitments for Ukraine that stop short of "
        "NATO membership.\n\n"
        "Several delegations argued that bilateral agreements could be signed within weeks, while "
        "membership would have to wait for the end of the war."
    )


def test_plain_txt_takes_the_outlet_from_the_command_line(cli, empty_study):
    result = cli(empty_study, "tasks", "add", str(DATA / "plain.txt"), "--outlet", "rt")
    assert result.code == 0, result.err
    assert cli(empty_study, "tasks", "build").code == 0
    [data] = [t["data"] for t in read_tasks(empty_study)]
    assert data["outlet"] == "rt"
    assert data["title"] == data["date"] == data["author"] == data["language"] == "unknown"
    assert "Also read" not in data["text"]
    assert data["text"].startswith("Neutral status back on the table\n\nOfficials in Istanbul")


def test_html_main_text_and_metadata_via_trafilatura(cli, empty_study):
    # no --outlet: the page's URL (www.rt.com) is matched against the registry's domains
    result = cli(empty_study, "tasks", "add", str(DATA / "page.html"))
    assert result.code == 0, result.err
    assert cli(empty_study, "tasks", "build").code == 0
    [data] = [t["data"] for t in read_tasks(empty_study)]
    assert data["outlet"] == "rt"
    assert data["title"] == "Neutrality talks stall over guarantees"
    assert data["author"] == "Jane Example"
    assert data["date"] == "2022-04-05"
    assert data["language"] == "en"
    text = data["text"]
    assert (
        "Kiev wants a mechanism modelled on Article 5, while Moscow insists that any guarantor "
        "list must include Belarus." in text
    )
    assert "“Nobody expects a treaty this month,” one European official said" in text
    for boilerplate in ("cookies", "Reader123", "TV-Novosti", "About us", "Op-ed"):
        assert boilerplate not in text
    [stored] = stored_articles(empty_study)
    meta, _ = split(stored.read_text(encoding="utf-8"), stored.name)
    assert meta["url"] == "https://www.rt.com/news/000001-neutrality-talks-guarantees/"


def test_csv_rows_with_metadata_columns(cli, empty_study):
    result = cli(empty_study, "tasks", "add", str(DATA / "articles.csv"))
    assert result.code == 0, result.err
    assert "2 added" in result.out
    assert cli(empty_study, "tasks", "build").code == 0
    tasks = _tasks_by_title(empty_study)
    demands = tasks["Moscow restates its demands"]
    assert (demands["outlet"], demands["date"], demands["kind"]) == (
        "rt",
        "2021-12-17",
        "news report",
    )
    assert demands["text"].endswith(
        "The drafts ask the alliance to give up further enlargement, including the accession of "
        "Ukraine."
    )
    promise = tasks["Why the promise matters"]
    assert (promise["outlet"], promise["date"], promise["author"]) == (
        "global-research",
        "unknown",
        "Example Author",
    )
    assert "Disclaimer" not in promise["text"]
    imported = sorted(
        split(p.read_text(encoding="utf-8"), "")[0]["imported_from"]
        for p in stored_articles(empty_study)
    )
    assert imported == ["articles.csv row 1", "articles.csv row 2"]


def test_jsonl_lines_with_metadata_keys(cli, empty_study):
    result = cli(empty_study, "tasks", "add", str(DATA / "articles.jsonl"))
    assert result.code == 0, result.err
    assert cli(empty_study, "tasks", "build").code == 0
    tasks = _tasks_by_title(empty_study)
    assert tasks["Kyiv rejects a veto over its alignment"]["outlet"] == "euromaidan-press"
    assert tasks["Sweden completes accession"]["outlet"] == "unnamed-aggregator"
    assert tasks["Sweden completes accession"]["language"] == "unknown"
    assert "Others are reading now" not in tasks["Sweden completes accession"]["text"]
    assert "Privacy" not in tasks["Kyiv rejects a veto over its alignment"]["text"]


def test_a_folder_adds_every_supported_file(empty_study, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in ("with_front_matter.txt", "articles.csv", "articles.jsonl", "page.html"):
        shutil.copy(DATA / name, folder / name)
    (folder / "notes.docx").write_bytes(b"ignored: not an article format")
    (folder / ".cache").mkdir()
    shutil.copy(DATA / "plain.txt", folder / ".cache" / "plain.txt")  # hidden: ignored
    result = add_articles(Study(empty_study), [folder])
    assert len(result.added) == 6
    assert len(build_tasks(Study(empty_study)).tasks) == 6


def test_ids_at_add_time_are_the_ids_at_build_time(empty_study):
    added = add_articles(Study(empty_study), [DATA / "articles.csv", DATA / "page.html"])
    built = build_tasks(Study(empty_study))
    assert sorted(a.article_id for a, _ in added.added) == sorted(
        t["data"]["article_id"] for t in built.tasks
    )
