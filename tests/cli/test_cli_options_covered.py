"""Every command and option of the CLI is exercised by at least one test.

The command tree is walked from the CLI itself (click's parameters, as typer builds them),
so a new option is covered by this check the day it is added. "Exercised" is a cheap,
static reading of the test files: a command counts as run when some function in tests/ (a
test with its decorators, a fixture, a helper) holds its words as string literals, e.g.
``run_cli("coders", "list")``; an option when some test file holds the option's string and
its command's last word.
This does not prove the option's effect is asserted -- review does that -- but it catches
options nobody ever passed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import typer

from framestudy.cli import app

TESTS = Path(__file__).resolve().parents[1]


def commands(cmd, path=()):
    """(command path, click command) for the root and every command and group below it."""
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from commands(sub, (*path, name))


def option_names(cmd) -> list[tuple[str, ...]]:
    """Each option of ``cmd`` as the tuple of its spellings (``-o``/``--output`` are one
    option; a flag's ``--no-...`` form is an option of its own)."""
    out = []
    for param in cmd.params:
        if param.param_type_name != "option" or getattr(param, "hidden", False):
            continue
        out.append(tuple(o for o in param.opts if o.startswith("-")))
        out.extend((o,) for o in param.secondary_opts)
    return [o for o in out if o and o != ("--help",)]


def _strings(node: ast.AST) -> frozenset[str]:
    return frozenset(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


@cache
def _test_strings() -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """The string literals of each function in tests/ (with its decorators: parametrize;
    fixtures and helpers included), and of each test file; this file is left out (it names
    options itself)."""
    functions, files = [], []
    for path in sorted(TESTS.rglob("*.py")):
        if path.resolve() == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        files.append(_strings(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                parts = [_strings(part) for part in (node, *node.decorator_list)]
                functions.append(frozenset().union(*parts))
    return functions, files


def _command_run(path: tuple[str, ...]) -> bool:
    """Some function holds every word of the command (``"coders", "list"``)."""
    return any(set(path) <= strings for strings in _test_strings()[0])


def _option_passed(command: str | None, names: tuple[str, ...]) -> bool:
    """Some test file holds the option (any spelling) and the command's last word (the
    command and its options are often split between a helper and a test)."""
    return any(
        (command is None or command in strings) and any(n in strings for n in names)
        for strings in _test_strings()[1]
    )


def untested() -> list[str]:
    root = typer.main.get_command(app)
    missing = []
    for path, cmd in commands(root):
        if path and not getattr(cmd, "commands", None) and not _command_run(path):
            missing.append(f"framestudy {' '.join(path)} (never run)")
        for names in option_names(cmd):
            if not _option_passed(path[-1] if path else None, names):
                missing.append(" ".join(["framestudy", *path, "/".join(names)]))
    return missing


def test_the_walk_finds_the_tree():
    root = typer.main.get_command(app)
    paths = {" ".join(p) for p, _ in commands(root)}
    assert {"agreement", "push", "pull", "coders list", "server stop", "plan"} <= paths
    push = dict(commands(root))[("push",)]
    assert ("--reliability-share",) in option_names(push)


def test_every_command_and_option_appears_in_a_test():
    missing = untested()
    assert not missing, "never exercised by a test:\n  " + "\n  ".join(missing)
