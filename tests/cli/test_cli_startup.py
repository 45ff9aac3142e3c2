"""The command line starts at once: a command imports the heavy libraries it needs when it
runs, and ``--help`` needs none of them (timed as whole processes in
benchmarks/cli_startup.py; here, what is imported)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# (pydantic is not listed: typer itself uses it to coerce command-line parameters)
HEAVY = (
    "numpy", "pandas", "scipy", "sklearn", "label_studio_sdk", "httpx", "requests",
    "trafilatura", "yaml", "ruamel", "markdown", "matplotlib",
)

PROBE = """
import json, sys
from framestudy.cli import main
try:
    main({args!r})
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set(heavy))))
"""


def _imported(*args: str) -> list[str]:
    code = PROBE.format(args=list(args), heavy=HEAVY)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("agreement", "--help"),
        ("schema", "build", "--help"),
        ("tasks", "build", "--help"),
        ("push", "--help"),
        ("pull", "--help"),
        ("server", "start", "--help"),
        ("annotations", "import", "--help"),
        ("simulate", "--help"),
        ("plan", "--help"),
        ("reproduce", "--help"),
        ("model", "train", "--help"),
        ("model", "push", "--help"),
    ],
    ids=" ".join,
)
def test_help_imports_no_heavy_library(args):
    assert _imported(*args) == []


def test_a_usage_error_imports_no_heavy_library():
    assert _imported("agreement", "--bootstrap", "-5", "x.csv") == []


def test_label_studio_defaults_shown_in_help_are_the_librarys():
    from framestudy.cli import labelstudio as cli
    from framestudy.labelstudio import pull, push, server

    assert cli.START_TIMEOUT == server.START_TIMEOUT
    assert cli.BATCH_SIZE == push.BATCH_SIZE
    assert cli.EXPORT_TIMEOUT == pull.EXPORT_TIMEOUT
