"""Bad corpus input: exit code 2, one line naming every offending file, nothing written."""

from __future__ import annotations

import shutil

import pytest

from tests.tasks.conftest import DATA, stored_articles

BAD = DATA / "bad"


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("no_outlet.txt", "no outlet"),
        ("unknown_outlet.txt", "outlet 'daily-nowhere' is not in"),
        ("empty_text.txt", "the article text is empty"),
        ("only_boilerplate.txt", "no article text is left after removing boilerplate"),
        ("malformed_front_matter.txt", "line 3: front matter is not valid YAML"),
        ("unclosed_front_matter.txt", "front matter opened with '---' on line 1 is never closed"),
        ("unknown_key.txt", "unknown field 'headline'"),
        ("unknown_key.txt", "field 'date': must be 'unknown' or an ISO date"),
        ("no_text_column.csv", "no 'text' column (found: outlet, title, body)"),
        ("unknown_column.csv", "unknown column(s) 'outlett'"),
        ("broken.jsonl", "broken.jsonl line 2: not valid JSON"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(cli, empty_study, name, says):
    result = cli(empty_study, "tasks", "add", str(BAD / name))
    assert result.code == 2
    line = _one_line(result.err)
    assert name in line
    assert says in line
    assert "nothing was imported" in line
    assert stored_articles(empty_study) == []


def test_every_offending_file_is_listed_at_once_and_nothing_is_imported(cli, empty_study):
    names = ["no_outlet.txt", "unknown_outlet.txt", "empty_text.txt", "no_text_column.csv"]
    good = DATA / "with_front_matter.txt"
    result = cli(empty_study, "tasks", "add", str(good), *(str(BAD / n) for n in names))
    assert result.code == 2
    line = _one_line(result.err)
    assert line.startswith("error: 4 inputs have problems (nothing was imported): ")
    for name in names:
        assert name in line
    assert "with_front_matter.txt" not in line
    assert stored_articles(empty_study) == []


def test_missing_outlet_names_the_known_outlets_and_the_fix(cli, empty_study):
    line = _one_line(cli(empty_study, "tasks", "add", str(BAD / "no_outlet.txt")).err)
    assert "--outlet" in line and "rt" in line and "global-research" in line


def test_unknown_outlet_option(cli, empty_study):
    result = cli(empty_study, "tasks", "add", str(DATA / "plain.txt"), "--outlet", "nope")
    assert result.code == 2
    assert "--outlet 'nope' is not in" in _one_line(result.err)


def test_unsupported_and_missing_files(cli, empty_study, tmp_path):
    doc = tmp_path / "article.docx"
    doc.write_bytes(b"x")
    result = cli(empty_study, "tasks", "add", str(doc), str(tmp_path / "missing.txt"))
    assert result.code == 2
    line = _one_line(result.err)
    assert "article.docx: unsupported file type '.docx'" in line
    assert "missing.txt: no such file" in line


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("no_outlet.txt", "no outlet"),
        ("unknown_outlet.txt", "outlet 'daily-nowhere' is not in"),
        ("empty_text.txt", "the article text is empty"),
        ("malformed_front_matter.txt", "front matter is not valid YAML"),
    ],
)
def test_build_reports_a_bad_article_file(cli, corpus_study, name, says):
    shutil.copy(BAD / name, corpus_study / "tasks" / "articles" / name)
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 2
    line = _one_line(result.err)
    assert name in line and says in line
    assert "no tasks were built" in line
    assert not (corpus_study / "tasks" / "tasks.json").exists()


def test_build_lists_every_bad_article_file(cli, corpus_study):
    articles = corpus_study / "tasks" / "articles"
    for name in ("no_outlet.txt", "unknown_outlet.txt"):
        shutil.copy(BAD / name, articles / name)
    shutil.copy(DATA / "page.html", articles / "page.html")
    line = _one_line(cli(corpus_study, "tasks", "build").err)
    assert "3 inputs have problems" in line
    assert "no_outlet.txt" in line and "unknown_outlet.txt" in line
    assert "page.html: not an article file; import it with `framestudy tasks add" in line
    assert "--outlet" not in line  # build has no --outlet option; the fix is the front matter


def test_build_reports_a_drop_line_that_matches_nothing(cli, corpus_study):
    path = corpus_study / "tasks" / "articles" / "004_77f9ceeab26834db.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("- line: The building of the MFA", "- line: The bilding of the MFA"),
        encoding="utf-8",
    )
    line = _one_line(cli(corpus_study, "tasks", "build").err)
    assert "004_77f9ceeab26834db.txt" in line and "matches no line of the text" in line


def test_build_without_registry_or_articles(cli, empty_study):
    line = _one_line(cli(empty_study, "tasks", "build").err)
    assert "no articles; add some with `framestudy tasks add PATH`" in line
    (empty_study / "tasks" / "outlets.yaml").unlink()
    line = _one_line(cli(empty_study, "tasks", "build").err)
    assert "outlets.yaml: outlet registry not found" in line


@pytest.mark.parametrize(
    ("registry", "says"),
    [
        (
            "outlets:\n  - id: rt\n    name: RT\n  - id: rt\n    name: RT again\n",
            "outlet id 'rt' is listed twice",
        ),
        ("outlets:\n  - id: rt\n    name: RT\n    kind: tv\n", "outlet rt: unknown field 'kind'"),
        ("outlets:\n  - id: Bad Id\n    name: X\n", "not a valid outlet id"),
        ("outlets:\n  - name: No id\n", "field 'id' is missing"),
        ("sources: []\n", "expected a top-level 'outlets:' list"),
    ],
)
def test_malformed_outlet_registry(cli, corpus_study, registry, says):
    (corpus_study / "tasks" / "outlets.yaml").write_text(registry, encoding="utf-8")
    result = cli(corpus_study, "tasks", "build")
    assert result.code == 2
    line = _one_line(result.err)
    assert "outlets.yaml" in line and says in line
