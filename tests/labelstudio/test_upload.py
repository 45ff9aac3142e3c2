"""`framestudy annotations upload` on a real Label Studio: coding sheets of three coders go in
through each coder's own account, `pull` brings back exactly their codings, a second run
creates nothing, and what cannot be uploaded is reported."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from framestudy.annotations import read_export, read_tidy, tidy_from_export
from framestudy.annotations.sheets import export_text
from framestudy.labelstudio.credentials import coder_passwords_path, load_coder_passwords
from framestudy.labelstudio.upload import collect
from framestudy.schema import load_schema
from framestudy.study import Study

from .conftest import REPO, coder_emails, make_study, run_cli

pytestmark = pytest.mark.labelstudio

SAME = ["article_id", "outlet", "coder", "variable", "value", "span_id", "span_start",
        "span_end", "span_text", "schema_hash", "stale_text"]


@dataclass
class Setup:
    study: Study
    env: dict[str, str]
    coders: list[str]
    export: Path  # the sheets' export


def cli(setup: Setup, *args: str):
    return run_cli(*args, cwd=setup.study.root, env=setup.env)


def counts(stdout: str) -> dict[str, int]:
    """The summary table's rows: outcome -> number of annotations."""
    out = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 2 and cells[1].isdigit():
            out[cells[0]] = int(cells[1])
    return out


@pytest.fixture(scope="module")
def setup(labelstudio, tmp_path_factory) -> Setup:
    root = tmp_path_factory.mktemp("upload") / "study"
    study = make_study(root)
    (root / "study.yaml").write_text(
        f"name: upload-{uuid.uuid4().hex[:8]}\nlabelstudio:\n  design: blind\n"
        "  reliability_share: 1.0\n  seed: 1\n",
        encoding="utf-8",
    )
    coders = coder_emails(3)
    env = labelstudio.env()
    sheets = []
    for i, email in enumerate(coders, start=1):
        text = (REPO / "annotations" / "sheets" / f"coder{i}.yaml").read_text(encoding="utf-8")
        sheet = root / f"coder{i}.yaml"
        sheet.write_text(text.replace(f"coder{i}@framestudy.example", email, 1))
        sheets.append(str(sheet))
    for args in (("coders", "add", *coders), ("push",),
                 ("annotations", "sheet", *sheets, "-o", "sheets.json")):
        done = run_cli(*args, cwd=root, env=env)
        assert done.returncode == 0, done.stderr
    return Setup(study, env, coders, root / "sheets.json")


def test_a_coder_framestudy_cannot_log_in_as_is_reported_and_the_rest_uploaded(setup):
    passwords = load_coder_passwords(setup.study)
    third = setup.coders[2]
    kept = {k: v for k, v in passwords.items() if k != third}
    coder_passwords_path(setup.study).write_text(json.dumps(kept))
    try:
        done = cli(setup, "annotations", "upload", "sheets.json", "--show", "2")
    finally:
        coder_passwords_path(setup.study).write_text(json.dumps(passwords))
    assert done.returncode == 1, done.stderr
    assert counts(done.stdout) == {"created": 10, "skipped: cannot log in": 5}
    text = " ".join(done.stdout.split())
    # --show 2: two of the five annotations are listed, the other three counted
    assert "[5: " in text and "; ... 3 more (--show N)]" in text
    assert f"no password of {third}" in text and f"framestudy coders add {third}" in text


def test_upload_then_pull_gives_the_sheets_codings_and_a_second_run_creates_nothing(setup):
    done = cli(setup, "annotations", "upload", "sheets.json")
    assert done.returncode == 0, done.stderr + done.stdout
    assert counts(done.stdout) == {"created": 5, "already there": 10}

    pulled = cli(setup, "pull")
    assert pulled.returncode == 0, pulled.stderr
    table = read_tidy(setup.study.annotations_csv)
    expected, _ = tidy_from_export(
        read_export(setup.export), schema=load_schema(setup.study.schema_source)
    )
    pd.testing.assert_frame_equal(
        table.loc[:, SAME].reset_index(drop=True), expected.loc[:, SAME].reset_index(drop=True)
    )
    # each annotation is its coder's own, in the coder's own project
    sources = json.loads((setup.study.annotations_dir / "annotations.sources.json").read_text())
    users = {int(k): v for k, v in sources["build"]["users"].items()}
    owners = {int(k): v for k, v in sources["build"]["project_coder"].items()}
    assert set(table["coder"]) == set(setup.coders)
    for project_id, coder in table[["project_id", "coder"]].drop_duplicates().itertuples(
        index=False
    ):
        assert owners[int(project_id)] == coder
    assert set(users.values()) >= set(setup.coders)

    again = cli(setup, "annotations", "upload", "sheets.json")
    assert again.returncode == 0
    assert counts(again.stdout) == {"already there": 15}
    # the study's own raw exports: coders named by the sources record -- all already there
    raw = sorted(str(p) for p in setup.study.raw_exports_dir.glob("*_project-*.json"))
    from_raw = cli(setup, "annotations", "upload", *raw)
    assert from_raw.returncode == 0, from_raw.stdout
    assert counts(from_raw.stdout) == {"already there": 15}


def test_a_different_result_is_reported_and_left_alone(setup, tmp_path):
    tasks = read_export(setup.export)
    changed = tasks[0]["annotations"][0]
    changed["result"] = [r for r in changed["result"] if r["from_name"] != "genre"]
    path = tmp_path / "changed.json"
    path.write_text(export_text(tasks))
    done = cli(setup, "annotations", "upload", str(path))
    assert done.returncode == 1
    assert counts(done.stdout) == {"already there": 14, "skipped: differs": 1}
    assert "left as it is (nothing is overwritten)" in " ".join(done.stdout.split())
    assert cli(setup, "pull").returncode == 0
    assert "genre" in set(read_tidy(setup.study.annotations_csv)["variable"])


def test_missing_task_unknown_coder_and_unattributable_are_reported(setup, tmp_path):
    tasks = read_export(setup.export)
    ghost = json.loads(json.dumps(tasks[0]))
    ghost["data"]["article_id"] = "art-never-pushed"
    ghost["annotations"] = ghost["annotations"][:1]
    stranger = json.loads(json.dumps(tasks[1]))
    stranger["annotations"] = stranger["annotations"][:1]
    stranger["annotations"][0]["completed_by"] = {"email": "stranger@uni.example"}
    anonymous = json.loads(json.dumps(tasks[2]))
    anonymous["annotations"] = anonymous["annotations"][:1]
    anonymous["annotations"][0]["completed_by"] = 987
    path = tmp_path / "odd.json"
    path.write_text(export_text([ghost, stranger, anonymous]))
    done = cli(setup, "annotations", "upload", str(path))
    assert done.returncode == 1
    assert counts(done.stdout) == {
        "skipped: unattributed": 1, "skipped: unknown coder": 1, "skipped: no task": 1
    }
    text = " ".join(done.stdout.split())
    assert "article art-never-pushed is not a task of project" in text
    assert "stranger@uni.example is not a coder of this study" in text
    assert "user id 987 has no known e-mail -- pass --users FILE" in text

    # named by --users, the anonymous annotation is the first coder's: already there
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"987": setup.coders[0]}))
    anonymous_only = tmp_path / "anonymous.json"
    anonymous_only.write_text(export_text([anonymous]))
    named = cli(setup, "annotations", "upload", str(anonymous_only), "--users", str(users))
    assert named.returncode == 0, named.stdout
    assert counts(named.stdout) == {"already there": 1}


def test_collect_keeps_one_annotation_per_coder_and_article_and_no_foreign_one(tmp_path):
    task = {"id": 7, "project": 3, "data": {"article_id": "a1", "text": "t"}, "drafts": [],
            "annotations": [
                {"id": 1, "completed_by": 2, "result": [], "was_cancelled": False,
                 "updated_at": "2026-01-01T10:00:00Z", "project": 3},
                {"id": 2, "completed_by": 2, "result": [], "was_cancelled": False,
                 "updated_at": "2026-01-02T10:00:00Z", "project": 3},
                {"id": 3, "completed_by": 2, "result": [], "was_cancelled": True,
                 "updated_at": "2026-01-03T10:00:00Z", "project": 3},
                {"id": 4, "completed_by": 5, "result": [], "was_cancelled": False,
                 "updated_at": "2026-01-03T10:00:00Z", "project": 3},
                {"id": 5, "completed_by": None, "result": [], "project": 3},
            ]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task]))
    study = Study(tmp_path / "study")
    # the study's sources record names the users and the blind project's owner
    (study.annotations_dir).mkdir(parents=True)
    from framestudy.annotations import empty_table, write_tidy
    from framestudy.annotations.table import TableBuild

    write_tidy(empty_table(), study.annotations_csv, sources=[path],
               build=TableBuild(users={2: "ana@x.org", 5: "ben@x.org"},
                                project_coder={3: "ana@x.org"}))
    got = collect([path], study=study)
    (kept,) = got.pending
    assert kept.where.endswith("annotation 2") and kept.coder == "ana@x.org"  # latest submitted
    kinds = sorted((o.kind, o.where.rsplit(" ", 1)[-1]) for o in got.outcomes)
    assert kinds == [("foreign", "4"), ("superseded", "1"), ("superseded", "3"),
                     ("unattributed", "5")]
