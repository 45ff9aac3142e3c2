"""The simulated study: complete, reproducible to the byte, and in the real pipeline's shapes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from framestudy.annotations import read_export, read_tidy, read_users, tidy_from_export
from framestudy.design import assign_blind
from framestudy.errors import UserError
from framestudy.schema import load_schema
from framestudy.simulation import resolve_scenario, simulate_study
from tests.conftest import run_cli
from tests.simulation.conftest import SCHEMA

# Label Studio 1.23.2 snapshot export (the key lists in framestudy.simulation.export's docstring)
TASK_KEYS = {
    "id", "data", "annotations", "drafts", "predictions", "meta", "created_at", "updated_at",
    "inner_id", "total_annotations", "cancelled_annotations", "total_predictions",
    "comment_count", "unresolved_comment_count", "last_comment_updated_at", "project",
    "updated_by", "comment_authors", "allow_skip",
}
ANNOTATION_KEYS = {
    "id", "completed_by", "result", "was_cancelled", "ground_truth", "created_at", "updated_at",
    "draft_created_at", "lead_time", "prediction", "result_count", "unique_id", "import_id",
    "last_action", "bulk_created", "task", "project", "updated_by", "parent_prediction",
    "parent_annotation", "last_created_by",
}
RESULT_KEYS = {"id", "from_name", "to_name", "type", "value", "origin"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _exports(root: Path) -> list[dict]:
    manifest = json.loads((root / "annotations/raw/manifest.json").read_text())
    tasks = []
    for entry in manifest["exports"]:
        tasks += read_export(root / "annotations/raw" / entry["file"])
    return tasks


@pytest.mark.slow
def test_the_study_has_every_file_of_a_pulled_study(small_study):
    root = small_study.root
    for name in (
        "schemas/framing.yaml", "schemas/framing.xml", "schemas/registry.json",
        "schemas/codebook.md", "tasks/outlets.yaml", "tasks/tasks.json", "tasks/assignment.csv",
        "study.yaml", "annotations/raw/manifest.json", "annotations/users.json",
        "annotations/annotations.csv", "truth.json", "truth_annotations.csv",
    ):
        assert (root / name).is_file(), name
    assert (root / "schemas/framing.yaml").read_bytes() == SCHEMA.read_bytes()
    assert len(list((root / "tasks/articles").glob("*.txt"))) == 120
    assert not list(root.parent.glob(".*tmp")), "the staging folder was left behind"


def test_the_study_folder_has_the_ordinary_mode(small_study):
    # built in a private staging folder (mkdtemp: 0700), but a study is not a secret
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(small_study.root.stat().st_mode) == 0o777 & ~umask


@pytest.mark.slow
def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path, schema):
    def run(seed: int, name: str) -> dict[str, str]:
        scenario = resolve_scenario(schema, None, outlets=2, articles_per_outlet=12, coders=2, seed=seed)
        simulate_study(tmp_path / name, scenario, SCHEMA, truth_units=60)
        return _files(tmp_path / name)

    first, again, other = run(3, "a"), run(3, "b"), run(4, "c")
    assert first == again
    # raw export names carry their sha256, so another seed gives other names
    assert len(first) == len(other)
    differing = {k for k in first if first[k] != other.get(k)}
    assert {"tasks/tasks.json", "truth.json", "annotations/annotations.csv"} <= differing


def test_export_has_the_servers_shape(small_study):
    tasks = _exports(small_study.root)
    coders = json.loads((small_study.root / "truth.json").read_text())["coders"]
    user_ids = {c["user_id"] for c in coders.values()}
    assert tasks
    n_regions = 0
    for task in tasks:
        assert set(task) == TASK_KEYS
        assert TIMESTAMP.match(task["created_at"]) and TIMESTAMP.match(task["updated_at"])
        assert task["meta"]["article_id"] == task["data"]["article_id"]
        text = task["data"]["text"]
        for ann in task["annotations"]:
            assert set(ann) == ANNOTATION_KEYS
            assert isinstance(ann["completed_by"], int) and ann["completed_by"] in user_ids
            assert ann["task"] == task["id"] and ann["project"] == task["project"]
            assert ann["result_count"] == len(ann["result"])
            if ann["was_cancelled"]:
                assert ann["result"] == []
            regions = {}
            for item in ann["result"]:
                assert set(item) == RESULT_KEYS and item["to_name"] == "text"
                if item["type"] == "labels":
                    regions[item["id"]] = item["value"]
                    n_regions += 1
            for item in ann["result"]:
                value = item["value"]
                if "start" not in value:
                    assert item["type"] == "choices" and item["id"] not in regions
                    continue
                # per-region answers share the span's region id, offsets and text
                span = regions[item["id"]]
                assert (value["start"], value["end"], value["text"]) == (span["start"], span["end"], span["text"])
                # offsets count code points, as Label Studio's screen stores them
                assert text[value["start"] : value["end"]] == value["text"]
    assert n_regions > 100


def test_some_articles_have_characters_javascript_counts_twice(small_study):
    tasks = _exports(small_study.root)
    astral = [t for t in tasks if any(ord(ch) > 0xFFFF for ch in t["data"]["text"])]
    assert astral, "no article with an emoji: the offsets' reading is not exercised"


def test_tidy_table_is_tidy_from_export_of_the_raw_exports(small_study, schema):
    root = small_study.root
    users = read_users(root / "annotations/users.json")
    assignment = pd.read_csv(root / "tasks/assignment.csv", dtype=str)
    manifest = json.loads((root / "annotations/raw/manifest.json").read_text())["exports"]
    table, report = tidy_from_export(
        _exports(root), schema=schema, users=users,
        project_coder={e["project_id"]: e["coder"] for e in manifest},
    )
    stored = read_tidy(root / "annotations/annotations.csv")
    pd.testing.assert_frame_equal(table, stored)
    # nothing is anomalous but the skips the coder model planted
    assert len(report.cancelled) == small_study.n_skipped > 0
    for name in ("span_mismatch", "unknown_value", "unknown_variable", "malformed_results",
                 "orphan_attribute", "misplaced_attribute", "too_many_values", "foreign",
                 "duplicates", "stale_schema", "deleted_user"):
        assert getattr(report, name) == [], name
    assert set(stored["coder"]) == set(assignment["coder"])
    spans = stored[stored["variable"] == "span"]
    tasks = {t["data"]["article_id"]: t["data"]["text"] for t in json.loads((root / "tasks/tasks.json").read_text())}
    for row in spans.itertuples():
        assert tasks[row.article_id][row.span_start : row.span_end] == row.span_text


def test_annotations_import_command_reads_the_export(small_study, tmp_path):
    root = small_study.root
    manifest = json.loads((root / "annotations/raw/manifest.json").read_text())["exports"]
    files = [str(root / "annotations/raw" / e["file"]) for e in manifest]
    out = tmp_path / "imported.csv"
    proc = run_cli("--study", str(root), "annotations", "import", *files, "--users",
                   str(root / "annotations/users.json"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    # without the project owners the import cannot flag foreign annotations -- there are none
    pd.testing.assert_frame_equal(read_tidy(out), read_tidy(root / "annotations/annotations.csv"))


def test_tasks_build_rebuilds_the_same_tasks_json(small_study):
    root = small_study.root
    before = (root / "tasks/tasks.json").read_bytes()
    proc = run_cli("--study", str(root), "tasks", "build")
    assert proc.returncode == 0, proc.stderr
    assert (root / "tasks/tasks.json").read_bytes() == before


def test_assignment_is_the_blind_design_push_draws(small_study):
    root = small_study.root
    truth = json.loads((root / "truth.json").read_text())
    tasks = json.loads((root / "tasks/tasks.json").read_text())
    frame = pd.DataFrame({"article_id": [t["data"]["article_id"] for t in tasks],
                          "outlet": [t["data"]["outlet"] for t in tasks]})
    expected = assign_blind(frame, list(truth["coders"]), share=0.2, seed=11)
    stored = pd.read_csv(root / "tasks/assignment.csv", dtype=str)
    assert list(stored["article_id"]) == list(expected["article_id"])
    assert list(stored["coder"]) == list(expected["coder"])
    reliability = sorted(set(expected.loc[expected["reliability"], "article_id"]))
    assert truth["reliability_sample"]["article_ids"] == reliability
    assert truth["reliability_sample"]["n_articles"] == round(0.2 * 120)
    # each coder's project holds exactly that coder's assignment
    by_project: dict[int, set] = {}
    for task in _exports(root):
        by_project.setdefault(task["project"], set()).add(task["data"]["article_id"])
    for email, coder in truth["coders"].items():
        assert by_project[coder["project_id"]] == set(expected.loc[expected["coder"] == email, "article_id"])


def test_every_planted_value_has_textual_evidence(small_study):
    root = small_study.root
    texts = {t["data"]["article_id"]: t["data"]["text"] for t in json.loads((root / "tasks/tasks.json").read_text())}
    truth = pd.read_csv(root / "truth_annotations.csv", dtype=str, keep_default_na=False)
    spans = truth[truth["variable"] == "span"]
    assert len(spans) > 100
    for row in spans.itertuples():
        text = texts[row.article_id]
        start, end = int(row.span_start), int(row.span_end)
        assert text[start:end] == row.span_text
        # a whole sentence: starts a paragraph or follows a sentence end, ends with a stop
        assert start == 0 or text[start - 1] in " \n" and text[: start].rstrip()[-1] in ".;:\n"
        assert row.span_text.endswith(".")
    doc = truth[truth["span_id"] == ""].pivot_table(index="article_id", columns="variable", values="value",
                                                      aggfunc=lambda v: tuple(sorted(v)))
    attrs = truth[(truth["span_id"] != "") & (truth["variable"] != "span")]
    for article_id, row in doc.iterrows():
        text = texts[article_id]
        mine = attrs[attrs["article_id"] == article_id]
        targets = set(mine.loc[mine["variable"] == "blame_target", "value"])
        actors = set(row.get("blame_actors") or ()) if isinstance(row.get("blame_actors"), tuple) else set()
        assert actors == targets, article_id
        objects = set(mine.loc[mine["variable"] == "legitimacy_object", "value"])
        for var, obj in (("legit_nato_enlargement", "NATO_ENLARGEMENT"),
                         ("legit_ukraine_choice", "UKRAINE_CHOICE"),
                         ("legit_russia_claims", "RUSSIA_CLAIMS")):
            assert (row[var] != ("NA",)) == (obj in objects), (article_id, var)
        promise = row["promise_status"][0]
        has_promise = "PROMISE" in set(spans.loc[spans["article_id"] == article_id, "value"])
        assert has_promise == (promise != "NOT_MENTIONED")
        if row["genre"] == ("OPINION",):
            assert re.search(r"\b(I|my)\b", text)
        if row["relevant"] == ("no",):
            assert mine.empty


def test_refuses_a_non_empty_folder_even_forced_unless_simulate_wrote_it(tmp_path, schema):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    scenario = resolve_scenario(schema, None, outlets=1, articles_per_outlet=5, coders=2, seed=1)
    with pytest.raises(UserError, match="not empty"):
        simulate_study(target, scenario, SCHEMA, truth_units=0)
    with pytest.raises(UserError, match="nothing was deleted"):
        simulate_study(target, scenario, SCHEMA, truth_units=0, force=True)
    assert (target / "notes.txt").read_text() == "mine"
    own = tmp_path / "own"
    simulate_study(own, scenario, SCHEMA, truth_units=0)
    (own / "truth.json").write_text("{}")  # only simulate's own files changed: replaceable
    simulate_study(own, scenario, SCHEMA, truth_units=0, force=True)
    assert (own / "truth.json").read_text() != "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["own", "taken"]


def test_one_coder_study_has_no_reliability_pairs(tmp_path, schema):
    scenario = resolve_scenario(schema, None, outlets=1, articles_per_outlet=8, coders=1, seed=2)
    result = simulate_study(tmp_path / "solo", scenario, SCHEMA, truth_units=100)
    assert result.true_alpha["genre"]["alpha"] is None
    assert "fewer than two coders" in result.true_alpha["genre"]["reason"]


def test_schema_is_loaded_from_the_given_file(tmp_path):
    broken = tmp_path / "framing.yaml"
    broken.write_text("name: x\nversion: 1\n")
    schema = load_schema(SCHEMA)
    scenario = resolve_scenario(schema, None, outlets=1, articles_per_outlet=2, coders=2, seed=1)
    with pytest.raises(UserError, match="framing.yaml"):
        simulate_study(tmp_path / "out", scenario, broken)
