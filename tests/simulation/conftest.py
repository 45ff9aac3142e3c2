"""Shared simulated studies (built once per test session: they take a few seconds)."""

from __future__ import annotations

import pytest

from framestudy.schema import load_schema
from framestudy.simulation import resolve_scenario, simulate_study
from tests.conftest import REPO

SCHEMA = REPO / "schemas" / "framing.yaml"


@pytest.fixture(scope="session")
def schema():
    return load_schema(SCHEMA)


@pytest.fixture(scope="session")
def small_study(tmp_path_factory, schema):
    """3 outlets x 40 articles, 3 coders, seed 11: the shape checks."""
    scenario = resolve_scenario(schema, None, outlets=3, articles_per_outlet=40, coders=3, seed=11)
    root = tmp_path_factory.mktemp("sim") / "study"
    result = simulate_study(root, scenario, SCHEMA, truth_units=150)
    return result


@pytest.fixture(scope="session")
def large_study(tmp_path_factory, schema):
    """Every article coded by every coder, so agreement is estimated on 900 units."""
    data = {
        "name": "recovery",
        "reliability_share": 1.0,
        "outlets": [
            {"id": "outlet-a", "propensities": {"blame_actors": {"NATO": 0.7, "RUSSIA": 0.1}}},
            {"id": "outlet-b", "propensities": {"blame_actors": {"NATO": 0.1, "RUSSIA": 0.8}}},
            {"id": "outlet-c"},
        ],
        "coder_defaults": {"skip_rate": 0.01, "span_jitter": 0.5},
        "coders": [
            {"email": "ana@example.org", "accuracy": 0.92},
            {"email": "ben@example.org", "accuracy": 0.85, "confusion": "uniform"},
            {"email": "cy@example.org", "accuracy": 0.9, "confusion": "prevalence"},
        ],
    }
    scenario = resolve_scenario(schema, data, articles_per_outlet=300, seed=5)
    root = tmp_path_factory.mktemp("sim") / "large"
    return simulate_study(root, scenario, SCHEMA, truth_units=900)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``framestudy ARGS`` in this process (faster than a subprocess): (exit code, stdout,
    stderr). The subprocess path is covered by a few tests that use ``run_cli``."""
    from framestudy.cli import _common, main

    capsys.readouterr()
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        _common.state.study_root = None
        _common.state.verbose = False
    out, err = capsys.readouterr()
    return code, out, err
