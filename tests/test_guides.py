"""The guides in docs/ run as written, so they cannot go stale.

Convention for a guide's fenced blocks (also stated at the end of each guide):

- ```` ```bash ````: run, in order, in one ``bash`` (``set -euo pipefail``) started in a fresh
  temporary folder, with ``framestudy`` on ``PATH`` (this checkout's package);
- a block whose info string has ``file=PATH`` (```` ```yaml file=tasks/outlets.yaml ````):
  its content is written to ``PATH``, relative to the shell's folder at that point, before
  the next block runs -- the file the reader is told to create;
- ```` ```bash server ````: needs a Label Studio server; left out of the offline run, and run
  by a ``labelstudio`` test against the suite's own server (``LABEL_STUDIO_URL`` /
  ``LABEL_STUDIO_API_KEY``, the external-server path);
- ```` ```bash pending ````: uses a framestudy command that does not exist yet; run as soon as
  ``framestudy COMMAND --help`` works, left out (and listed by
  :func:`test_pending_blocks_are_only_for_missing_commands`) until then;
- ```` ```bash no-run ```` and blocks in any other language: illustrations, never run.

Each run prints which block failed (its line in the guide) with the shell's output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from framestudy.schema.model import (
    Dimension,
    SpanAttribute,
    SpanLabel,
    Spans,
    Value,
    Variable,
    _SchemaFile,
    parse_schema,
)
from tests.conftest import REPO

DOCS = REPO / "docs"
GUIDES = ("guide-researchers.md", "guide-students.md", "guide-annotators.md")
_FENCE = re.compile(r"^(```+)([^\n`]*)\n(.*?)^\1[ \t]*$", re.M | re.S)
_KINDS = ("server", "pending", "no-run")


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, in the guide
    lang: str
    kind: str  # "run", "server", "pending", "no-run", "file", "show"
    text: str
    path: str | None = None


def blocks(guide: str) -> list[Block]:
    """The fenced blocks of ``docs/<guide>``, classified by the convention above."""
    source = (DOCS / guide).read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(source):
        words = m.group(2).split()
        lang = words[0] if words else ""
        line = source.count("\n", 0, m.start()) + 1
        file = next((w.split("=", 1)[1] for w in words if w.startswith("file=")), None)
        flags = [w for w in words[1:] if not w.startswith("file=")]
        unknown = [f for f in flags if f not in _KINDS]
        assert not unknown, f"{guide}:{line}: unknown block flag(s) {unknown}"
        if file is not None:
            kind = "file"
        elif lang == "bash":
            kind = flags[0] if flags else "run"
        else:
            kind = "show"
        out.append(Block(line, lang, kind, m.group(3), file))
    return out


def _command_exists(command: str, env: dict[str, str]) -> bool:
    res = subprocess.run([sys.executable, "-m", "framestudy", command, "--help"],
                         capture_output=True, text=True, env=env, timeout=60)
    return res.returncode == 0


def _pending_command(block: Block) -> str:
    match = re.search(r"\bframestudy\s+(?:--\S+\s+\S+\s+)*([a-z]+)", block.text)
    assert match, f"pending block at line {block.line} names no framestudy command"
    return match.group(1)


def _script(guide: str, kinds: set[str], env: dict[str, str]) -> tuple[str, list[Block]]:
    """The guide as one bash script of the blocks of ``kinds`` (files always written)."""
    parts = ["set -euo pipefail"]
    used = []
    for block in blocks(guide):
        if block.kind == "pending" and "pending" in kinds:
            if not _command_exists(_pending_command(block), env):
                continue
        elif block.kind != "file" and block.kind not in kinds:
            continue
        used.append(block)
        parts.append(f"echo '@@ block at line {block.line}' >&2")
        if block.kind == "file":
            parts.append(f"mkdir -p \"$(dirname '{block.path}')\"")
            parts.append(f"cat > '{block.path}' <<'FRAMESTUDY_GUIDE_EOF'\n{block.text}FRAMESTUDY_GUIDE_EOF")
        else:
            parts.append(block.text)
    return "\n".join(parts) + "\n", used


def _environment(tmp: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """``framestudy`` on PATH: a wrapper around this interpreter and this checkout's package."""
    bin_dir = tmp / ".bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "framestudy"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m framestudy "$@"\n')
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env.update({
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "COLUMNS": "120",
        **(extra or {}),
    })
    return env


def run_guide(guide: str, cwd: Path, kinds: set[str], extra_env: dict[str, str] | None = None,
              timeout: float = 900) -> subprocess.CompletedProcess:
    env = _environment(cwd.parent if cwd.parent.exists() else cwd, extra_env)
    script, used = _script(guide, kinds, env)
    assert any(b.kind != "file" for b in used), f"{guide}: no block to run"
    res = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    if res.returncode != 0:
        started = re.findall(r"@@ block at line (\d+)", res.stderr)
        where = f"line {started[-1]}" if started else "the start"
        pytest.fail(f"docs/{guide}: the block at {where} failed (exit {res.returncode})\n"
                    f"--- stdout\n{res.stdout[-4000:]}\n--- stderr\n{res.stderr[-4000:]}")
    return res


# ---- the researchers' guide ---------------------------------------------------------------


@pytest.mark.slow
def test_researchers_guide_from_init_to_a_report(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    run_guide("guide-researchers.md", work, {"run"})
    study = work / "my-study"
    assert (study / "schemas/registry.json").is_file()
    tasks = (study / "tasks/tasks.json").read_text()
    for title in ("Ministers told to stop waiting", "A plan for the coming decade",
                  "Factories wait for rules", "Councils lead where ministers stall"):
        assert title in tasks, title  # every input format was imported
    assert len(list((study / "tasks/articles").glob("*.txt"))) == 5
    report = work / "rehearsal/analysis/report.html"
    assert report.is_file() and "climate-framing" in (work / "rehearsal/schemas/framing.yaml").read_text()
    assert (work / "rehearsal/analysis/agreement.csv").is_file()
    assert (work / "rehearsal/analysis/outlets.json").is_file()


# The server blocks (coders add, push, status, pull) run against the suite's Label Studio in
# tests/labelstudio/test_guide.py, where the server fixture lives.


# ---- the students' guide ------------------------------------------------------------------


BUNDLED = "the bundled study"


def _bundled_study_clone(dest: Path) -> str:
    """A git repository holding the bundled study as a student's clone has it; when its
    codings are not committed yet, a simulated stand-in with the bundled schema (said in the
    returned description)."""
    env = _environment(dest.parent)
    have_codings = (REPO / "annotations/annotations.csv").is_file() and (
        REPO / "analysis/agreement.csv").is_file()
    if have_codings:
        dest.mkdir()
        for name in ("schemas", "tasks", "annotations", "analysis"):
            shutil.copytree(REPO / name, dest / name)
        for name in ("study.yaml",):
            if (REPO / name).is_file():
                shutil.copy(REPO / name, dest / name)
        what = BUNDLED
    else:
        subprocess.run([sys.executable, "-m", "framestudy", "simulate", "--schema",
                        str(REPO / "schemas/framing.yaml"), "--outlets", "3",
                        "--articles-per-outlet", "20", "--coders", "3", "--seed", "1",
                        "--truth-units", "0", "-o", str(dest)],
                       check=True, env=env, capture_output=True)
        for args in (("agreement",), ("outlets",), ("report",)):
            subprocess.run([sys.executable, "-m", "framestudy", *args], cwd=dest, check=True,
                           env=env, capture_output=True)
        what = "a simulated stand-in (the bundled codings are not committed yet)"
    git = ["git", "-c", "user.name=guide", "-c", "user.email=guide@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "the study"], cwd=dest, check=True)
    return what


@pytest.mark.slow
def test_students_guide_change_the_gate_and_see_what_moves(tmp_path):
    clone = tmp_path / "framestudy"
    what = _bundled_study_clone(clone)
    gate_before = (clone / "analysis/gate.csv").read_text()
    # `reproduce` checks committed results: only the bundled study's, not the stand-in's
    kinds = {"run", "pending"} if what == BUNDLED else {"run"}
    res = run_guide("guide-students.md", clone, kinds)
    # the guide's last block restores the committed study
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True,
                            text=True, check=True).stdout
    assert status == "", f"{what}: the guide leaves changes behind:\n{status}"
    assert (clone / "analysis/gate.csv").read_text() == gate_before
    assert "analysis/gate.csv" in res.stdout, f"{what}: the diff shows no change of the gate"


# ---- every guide --------------------------------------------------------------------------


@pytest.mark.parametrize("guide", GUIDES)
def test_every_guide_is_linked_from_the_readme(guide):
    assert f"docs/{guide}" in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("guide", GUIDES)
def test_links_between_docs_resolve(guide):
    text = (DOCS / guide).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", text):
        assert (DOCS / target).is_file(), f"docs/{guide} links to a missing docs/{target}"


def test_pending_blocks_are_only_for_missing_commands():
    """A pending block whose command has landed is run by the guide's test; this lists the
    blocks still pending, so the lead sees what the guides do not yet exercise."""
    env = _environment(Path("/tmp"))
    pending = [(g, b) for g in GUIDES for b in blocks(g) if b.kind == "pending"]
    missing = [f"docs/{g}:{b.line} ({_pending_command(b)})" for g, b in pending
               if not _command_exists(_pending_command(b), env)]
    if missing:
        pytest.skip("pending until the command exists: " + ", ".join(missing))


# ---- the annotators' guide names what the schema has --------------------------------------


def test_annotators_guide_names_only_what_the_bundled_schema_has():
    from framestudy.schema import load_schema

    schema = load_schema(REPO / "schemas/framing.yaml")
    names = {label.id for label in schema.spans.labels}
    names |= {v.code for v in schema.variables if v.code}
    names |= {item.id for item in [*schema.variables, *schema.attributes]}
    text = (DOCS / "guide-annotators.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+|[A-Z]\d|[a-z]+_[a-z_]+)`", text))
    assert named, "the annotators' guide names no label or variable"
    assert named <= names, f"not in schemas/framing.yaml: {sorted(named - names)}"
    assert not [b for b in blocks("guide-annotators.md") if b.kind in ("run", "server")]


# ---- the schema reference -----------------------------------------------------------------


SCHEMA_MODELS = (_SchemaFile, Dimension, Value, Variable, Spans, SpanLabel, SpanAttribute)


def test_schema_reference_documents_every_key():
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    keys = {key for model in SCHEMA_MODELS for key in model.model_fields}
    undocumented = sorted(k for k in keys if f"`{k}`" not in text)
    assert not undocumented, f"docs/schema.md does not describe: {undocumented}"


def test_schema_reference_examples_are_valid():
    """Its complete example is a valid schema; every other YAML example is a valid piece."""
    import yaml

    yaml_blocks = [b for b in blocks("../docs/schema.md") if b.lang == "yaml"]
    assert yaml_blocks
    complete = [b for b in yaml_blocks if b.text.startswith("name:")]
    assert complete, "docs/schema.md has no complete example schema"
    for block in yaml_blocks:
        data = yaml.safe_load(block.text)  # every example is valid YAML
        assert isinstance(data, dict | list), f"docs/schema.md:{block.line}"
    for block in complete:
        parse_schema(yaml.safe_load(block.text), f"docs/schema.md:{block.line}")


def test_schema_error_points_to_the_reference():
    import yaml

    from framestudy.errors import UserError

    raw = yaml.safe_load((REPO / "schemas/framing.yaml").read_text(encoding="utf-8"))
    raw["variables"][0]["lables"] = []
    with pytest.raises(UserError, match=r"lables.*docs/schema\.md"):
        parse_schema(raw, "framing.yaml")
    assert (DOCS / "schema.md").is_file()


# ---- a rehearsal with span labels of its own: no span is coded -------------------------


@pytest.mark.slow
def test_rehearsal_of_a_schema_with_its_own_span_labels_reaches_a_report(tmp_path):
    import yaml

    schema_block = next(b for b in blocks("schema.md") if b.lang == "yaml"
                        and b.text.startswith("name:"))
    (tmp_path / "own.yaml").write_text(schema_block.text)
    assert "spans" in yaml.safe_load(schema_block.text)
    env = _environment(tmp_path)
    steps = [
        ("simulate", "--schema", "own.yaml", "--outlets", "2", "--articles-per-outlet", "10",
         "--coders", "2", "--truth-units", "0", "-o", "sim"),
        ("--study", "sim", "agreement"),
        ("--study", "sim", "outlets", "--no-models"),
        ("--study", "sim", "report"),
    ]
    for args in steps:
        res = subprocess.run([sys.executable, "-m", "framestudy", *args], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, (args, res.stderr)
