"""Every command and option of the CLI is exercised by at least one test.

The command tree is walked from the CLI itself (click's parameters, as typer builds them),
so a new option is covered by this check the day it is added. "Exercised" is a cheap,
static reading of the test files: a command counts as tested when some function in tests/
(a test with its decorators, a fixture, a helper) holds its name(s) as string literals, e.g.
``run_cli("coders", "list")``; an option when some such function holds the option's string
and its command's last word.
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


@cache
def _test_function_strings() -> list[frozenset[str]]:
    """The string literals of each function (with its decorators: parametrize) in tests/,
    fixtures and helpers included; this file is left out (it names options itself)."""
    found = []
    for path in TESTS.rglob("*.py"):
        if path.resolve() == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                parts = [node, *node.decorator_list]
                found.append(
                    frozenset(
                        n.value
                        for part in parts
                        for n in ast.walk(part)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    )
                )
    return found


def _exercised(*required: str, any_of: tuple[str, ...] = ()) -> bool:
    for strings in _test_function_strings():
        if all(r in strings for r in required) and (not any_of or any(a in strings for a in any_of)):
            return True
    return False


def untested() -> list[str]:
    root = typer.main.get_command(app)
    missing = []
    for path, cmd in commands(root):
        if path and not getattr(cmd, "commands", None) and not _exercised(*path):
            missing.append(f"framestudy {' '.join(path)} (never run)")
        for names in option_names(cmd):
            where = path[-1:] if path else ()
            if not _exercised(*where, any_of=names):
                missing.append(f"framestudy {' '.join(path)} {'/'.join(names)}".replace("  ", " "))
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
