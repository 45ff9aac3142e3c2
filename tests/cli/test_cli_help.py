"""The command line as a newcomer meets it: pipeline order and an example in every help."""

from __future__ import annotations

import re

import pytest
import typer.main

from framestudy.cli import PIPELINE_ORDER, app
from tests.conftest import run_cli

ROOT = typer.main.get_command(app)


def _leaf_commands(group, prefix=()):
    ctx = None  # typer groups look commands up by name only
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            yield from _leaf_commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


def test_help_lists_commands_in_pipeline_order():
    res = run_cli("--help")
    assert res.returncode == 0
    shown = [n for n in re.findall(r"^\W*([a-z]+)\s{2,}", res.stdout, re.M) if n in PIPELINE_ORDER]
    assert shown == list(PIPELINE_ORDER)


@pytest.mark.parametrize("path,cmd", list(_leaf_commands(ROOT)), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_help_has_an_example(path, cmd):
    assert "Example" in (cmd.help or ""), f"framestudy {' '.join(path)} --help has no example"


def test_unknown_option_is_a_usage_error_with_exit_2():
    res = run_cli("schema", "build", "--chek")
    assert res.returncode == 2 and "Traceback" not in res.stderr


@pytest.mark.parametrize(
    "args,names",
    [
        (("schema", "build", "--chek"), "--chek"),
        (("agreement", "--bootstrap", "-5", "x.csv"), "--bootstrap"),
        (("push", "--design"), "--design"),
        (("annotations", "import"), "exports"),
    ],
    ids=["unknown option", "out of range", "missing value", "missing argument"],
)
def test_usage_errors_are_one_line_naming_the_option(args, names):
    res = run_cli(*args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr  # no box, no usage block
    assert lines[0].startswith("error: ") and names.lower() in lines[0].lower() and "--help" in lines[0]
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_no_arguments_shows_the_help():
    res = run_cli()
    assert res.returncode == 0 and "Usage: framestudy" in res.stdout


def test_help_reflows_paragraphs_but_keeps_each_example_on_its_own():
    """Help is Markdown: a docstring's lines re-flow to the terminal, and every example starts
    a line of its own (two examples are never run together)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "80"}
    out = subprocess.run([sys.executable, "-m", "framestudy", "agreement", "--help"],
                         capture_output=True, text=True, env=env, timeout=60).stdout
    lines = [line.strip() for line in out.splitlines()]
    examples = [line for line in lines if "Example:" in line]
    assert len(examples) >= 2 and all(line.startswith("Example:") for line in examples)
