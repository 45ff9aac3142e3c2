"""A damaged push ledger or raw-export manifest: one line naming the file and field, exit 2."""

from __future__ import annotations

import json

import pytest

from framestudy import settings
from framestudy.annotations.raw import manifest_path
from framestudy.labelstudio import remote
from framestudy.labelstudio.pull import pull
from framestudy.labelstudio.push import push

from .conftest import coder_emails, make_study, run_cli, synthetic_tasks

pytestmark = pytest.mark.labelstudio


def one_error_line(out) -> str:
    assert out.returncode == 2, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


def test_damaged_ledger_and_manifest_stop_push_and_pull_with_one_line(tmp_path, ls_env):
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(3))
    settings.add_coders(study, coder_emails(1))
    conn = ls_env.admin()
    push(study, conn)
    pull(study, conn)

    ledger = remote.ledger_path(study)
    data = json.loads(ledger.read_text())
    project = next(iter(data["projects"]))
    data["projects"][project]["other"] = ["seven"]
    ledger.write_text(json.dumps(data))
    line = one_error_line(run_cli("push", cwd=study.root, env=ls_env.env()))
    assert f"{ledger.name}: projects.{project}.other[0]: " in line and "delete the file" in line

    manifest = manifest_path(study.raw_exports_dir)
    data = json.loads(manifest.read_text())
    del data["exports"][0]["sha256"]
    manifest.write_text(json.dumps(data))
    line = one_error_line(run_cli("pull", cwd=study.root, env=ls_env.env()))
    assert f"{manifest.name}: exports[0].sha256: required key is missing" in line
