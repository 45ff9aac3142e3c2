"""A simulated study large enough to learn from (the generator's texts carry cue words for
every planted value: framestudy.simulation.text), simulated once per session, and a model
trained on it once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from framestudy.annotations import read_tidy
from framestudy.schema import load_schema
from framestudy.simulation import resolve_scenario, simulate_study

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "framing.yaml"
N_BOOT = 50


@pytest.fixture(scope="session")
def simulated(tmp_path_factory) -> Path:
    """3 outlets x 80 articles, 3 coders, 20% coded by all (seed 1): a read-only study."""
    root = tmp_path_factory.mktemp("model-sim") / "study"
    scenario = resolve_scenario(load_schema(SCHEMA), None, outlets=3, articles_per_outlet=80,
                                coders=3, seed=1)
    simulate_study(root, scenario, SCHEMA, truth_units=0)
    return root


@pytest.fixture
def study_copy(simulated: Path, tmp_path: Path) -> Path:
    """A writable copy of the simulated study."""
    target = tmp_path / "study"
    shutil.copytree(simulated, target)
    return target


def inputs(root: Path):
    """(annotations, registry, texts) of a study folder."""
    annotations = read_tidy(root / "annotations" / "annotations.csv")
    registry = json.loads((root / "schemas" / "registry.json").read_text(encoding="utf-8"))
    tasks = json.loads((root / "tasks" / "tasks.json").read_text(encoding="utf-8"))
    texts = {t["data"]["article_id"]: t["data"]["text"] for t in tasks}
    return annotations, registry, texts


@pytest.fixture(scope="session")
def trained(simulated: Path):
    """The model trained on the simulated study (seed 0, 5 folds, 50 bootstrap replicates)."""
    from framestudy.model.train import train

    annotations, registry, texts = inputs(simulated)
    return train(annotations, registry, texts, seed=0, n_boot=N_BOOT)
