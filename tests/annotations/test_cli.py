"""`framestudy annotations import`, run as a user runs it."""

from __future__ import annotations

import json
import shutil

import pytest

from framestudy.annotations import read_export, read_tidy, tidy_from_export, write_tidy
from framestudy.schema import load_schema
from tests.annotations.conftest import DATA
from tests.conftest import run_cli


def run_here(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (faster than a subprocess): exit code, stdout, stderr."""
    from framestudy.cli import _common, main

    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code or 0
    finally:  # the root options are process-wide: leave none behind for other tests
        _common.state.study_root = None
        _common.state.verbose = False
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_import_with_the_study_schema(study_dir, tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("community_easy", "duplicates"):
        shutil.copy(DATA / f"{name}.json", raw / f"{name}.json")
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"2": "coder1@uni.edu", "3": "coder2@uni.edu"}))
    args = (
        "--study",
        str(study_dir),
        "annotations",
        "import",
        str(raw / "community_easy.json"),
        str(raw / "duplicates.json"),
        "--users",
        str(users),
    )
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    out = study_dir / "annotations" / "annotations.csv"
    assert "2 cancelled" in done.stdout and "duplicates" in done.stdout
    assert f"wrote 21 rows to {out}" in " ".join(done.stdout.split())

    # the command writes exactly what the library gives with the study's schema
    schema = load_schema(study_dir / "schemas" / "framing.yaml")
    tasks = read_export(raw / "community_easy.json") + read_export(raw / "duplicates.json")
    table, _ = tidy_from_export(
        tasks, schema=schema, users={2: "coder1@uni.edu", 3: "coder2@uni.edu"}
    )
    expected = write_tidy(table, tmp_path / "expected.csv").read_bytes()
    first = out.read_bytes()
    assert first == expected
    assert "user:4" in set(read_tidy(out).coder)

    # the table now exists: it is replaced only when asked; re-running gives the same file
    code, _, err = run_here(capsys, *args)
    assert code == 2 and "--replace" in err and out.read_bytes() == first
    assert run_here(capsys, *args, "--replace")[0] == 0
    assert out.read_bytes() == first
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_import_without_schema(study_dir, tmp_path):
    out = tmp_path / "out.csv"
    done = run_cli(
        "--study",
        str(study_dir),
        "annotations",
        "import",
        str(DATA / "inferred.json"),
        "--no-schema",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "variables inferred from the export" in done.stdout
    assert sorted(set(read_tidy(out).variable)) == [
        "frame_span",
        "notes",
        "quality",
        "sentiment",
        "span_note",
        "topic",
    ]


def test_bad_exports_give_one_line_and_exit_2(study_dir, tmp_path, capsys):
    truncated = tmp_path / "x.json"
    truncated.write_bytes((DATA / "community_easy.json").read_bytes()[:500])
    done = run_cli("--study", str(study_dir), "annotations", "import", str(truncated))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {truncated}: not valid JSON at line")
    assert "truncated download?" in lines[0]
    assert not (study_dir / "annotations" / "annotations.csv").exists()

    done = run_cli(
        "--study", str(study_dir), "annotations", "import", str(truncated), "-o", str(truncated)
    )
    assert done.returncode == 2 and "never overwritten" in done.stderr


def test_help_has_an_example(capsys):
    code, stdout, _ = run_here(capsys, "annotations", "import", "--help")
    assert code == 0 and "Example: framestudy annotations import" in " ".join(stdout.split())


def test_recorded_fixtures_match_the_current_schema():
    """The recorded exports use framestudy's schema: every variable and value must still exist.

    If this fails after a schema change, update tests/annotations/data (and registry.json).
    """
    from tests.conftest import REPO

    schema = load_schema(REPO / "schemas" / "framing.yaml")
    for name in ("community_easy", "enterprise", "snapshot", "duplicates", "unicode", "blind"):
        _, report = tidy_from_export(read_export(DATA / f"{name}.json"), schema=schema)
        bad = report.unknown_variable + report.unknown_value + report.misplaced_attribute
        assert not bad, f"{name}: {[str(r) for r in bad]}"


def pulled_study(study_dir):
    """A study as `framestudy pull` leaves it: a raw export and the table built from it."""
    raw = study_dir / "annotations" / "raw"
    raw.mkdir(parents=True)
    shutil.copy(DATA / "blind.json", raw / "20260101T000000Z_project-3_0123456789ab.json")
    (raw / "manifest.json").write_text('{"exports": []}')
    table = study_dir / "annotations" / "annotations.csv"
    table.write_text("pulled table\n")
    return table, raw


def test_import_does_not_replace_pulls_table_unless_asked(study_dir, tmp_path, capsys):
    table, raw = pulled_study(study_dir)
    before = {p: p.read_bytes() for p in (study_dir / "annotations").rglob("*") if p.is_file()}
    export = str(DATA / "community_easy.json")
    for extra in ((), ("-o", str(table))):
        code, _, err = run_here(capsys, "--study", str(study_dir), "annotations", "import",
                                export, *extra)
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and str(table) in lines[0] and "--replace" in lines[0]
        assert "-o FILE" in lines[0]
    after = {p: p.read_bytes() for p in (study_dir / "annotations").rglob("*") if p.is_file()}
    assert after == before

    other = tmp_path / "team-b.csv"  # elsewhere: fine
    assert run_here(capsys, "--study", str(study_dir), "annotations", "import", export,
                    "-o", str(other))[0] == 0
    assert read_tidy(other).shape[0] > 0 and table.read_text() == "pulled table\n"
    code, _, err = run_here(capsys, "--study", str(study_dir), "annotations", "import", export,
                            "--replace")
    assert code == 0, err
    assert table.read_bytes() == other.read_bytes()


def test_import_never_writes_under_raw(study_dir, capsys):
    _, raw = pulled_study(study_dir)
    before = sorted(p.name for p in raw.iterdir())
    for target in (raw / "mine.csv", raw / "sub" / "x.csv", raw / ".." / "raw" / "y.csv"):
        code, _, err = run_here(capsys, "--study", str(study_dir), "annotations", "import",
                                str(DATA / "community_easy.json"), "-o", str(target),
                                "--replace")
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "framestudy pull" in lines[0] and "-o FILE" in lines[0]
    assert sorted(p.name for p in raw.iterdir()) == before


def test_export_with_none_of_the_schemas_controls_is_refused(study_dir, tmp_path, capsys):
    out = tmp_path / "out.csv"
    export = DATA / "inferred.json"
    code, stdout, err = run_here(capsys, "--study", str(study_dir), "annotations", "import",
                                 str(export), "-o", str(out))
    assert code == 2, stdout
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert str(export) in line and "--no-schema" in line
    for control in ("frame_span", "quality", "sentiment", "topic"):
        assert control in line
    assert not out.exists()
    # an export that shares controls with the schema goes through as before
    assert run_here(capsys, "--study", str(study_dir), "annotations", "import",
                    str(DATA / "community_easy.json"), "-o", str(out))[0] == 0


def test_import_show_caps_the_ids_listed_per_anomaly(study_dir, tmp_path, capsys):
    """duplicates.json holds three superseded duplicate annotations: --show 1 lists one of
    their ids and counts the other two; the default (5) lists all three."""
    common = ("--study", str(study_dir), "annotations", "import", str(DATA / "duplicates.json"),
              "-o", str(tmp_path / "out.csv"))
    code, out, err = run_here(capsys, *common, "--show", "1")
    assert code == 0, err
    assert "... 2 more" in " ".join(out.split())
    code, out, err = run_here(capsys, *common, "--replace")
    assert code == 0, err
    assert "more" not in " ".join(out.split())
