"""The model commands' work on a study's files: read the inputs, call the pure functions
of this package, write the results under ``models/``. ``framestudy model train``, ``push``
and ``agreement`` call these and only print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framestudy.errors import UserError
from framestudy.model import store

if TYPE_CHECKING:
    import pandas as pd

    from framestudy.labelstudio.client import Connection
    from framestudy.labelstudio.predictions import PredictionPush
    from framestudy.model.train import TrainResult
    from framestudy.study import Study

#: the columns of the tidy table the models read
ANNOTATION_COLUMNS = ("article_id", "outlet", "coder", "variable", "value", "span_id",
                      "span_start", "span_end")
PUSHED_FILE = "pushed.csv"


@dataclass
class Trained:
    result: TrainResult
    meta: dict[str, Any]
    files: list[Path]


def _schema(paths: Study):
    from framestudy.schema import load_schema

    return load_schema(paths.schema_source)


def _texts(paths: Study) -> dict[str, str]:
    from framestudy.tasks.tasks_file import read_tasks

    return {str(t["data"]["article_id"]): str(t["data"]["text"])
            for t in read_tasks(paths.tasks_json)}


def _annotations(paths: Study):
    from framestudy.analysis.reliability_data import read_annotations

    return read_annotations(paths.annotations_csv, columns=ANNOTATION_COLUMNS)


def read_decisions(paths: Study, adjudicated: str | Path | None):
    """(the adjudicator's decisions, the file they were read from) for training: the file
    ``adjudicated`` when given (it must exist), else the study's
    ``annotations/adjudicated.csv`` when there is one (``framestudy adjudicate pull``),
    else (None, None). Read by the file's one reader,
    :func:`framestudy.annotations.adjudicated.read_adjudicated`."""
    from framestudy.annotations.adjudicated import read_adjudicated

    if adjudicated is None:
        if not paths.adjudicated_csv.is_file():
            return None, None
        path = paths.adjudicated_csv
    else:
        path = Path(adjudicated)
        if not path.is_file():
            raise UserError(f"{path}: no such file -- give the adjudicated values as a CSV with "
                            "the columns article_id, variable, value")
    return read_adjudicated(path), path


def run_train(paths: Study, *, seed: int = 0, n_folds: int = 5, n_boot: int = 1000,
              adjudicated: str | Path | None = None,
              progress: Callable[[str], None] | None = None) -> Trained:
    """Train on the study at ``paths``: reads ``annotations/annotations.csv``,
    ``schemas/registry.json``, ``schemas/framing.yaml`` (its hash), ``tasks/tasks.json``
    and the adjudicator's decisions (``adjudicated``, default
    ``annotations/adjudicated.csv`` when present: :func:`read_decisions`); writes ``models/model.joblib``, ``models/model.json`` and
    ``models/cross_validation.csv``. Too few coded articles: :class:`~framestudy.model.
    train.TooFewArticles`, and nothing is written."""
    from framestudy.analysis.runs import input_errors
    from framestudy.io import atomic_write_csv, sha256_file
    from framestudy.model.train import train
    from framestudy.schema.registry_file import read_registry

    schema = _schema(paths)
    registry = read_registry(paths.registry)
    annotations = _annotations(paths)
    texts = _texts(paths)
    decisions, adjudicated = read_decisions(paths, adjudicated)
    with input_errors(f"{paths.annotations_csv} with {paths.registry}"):
        result = train(annotations, registry, texts, seed=seed, n_folds=n_folds,
                       n_boot=n_boot, adjudicated=decisions, progress=progress)
    inputs = {str(p.relative_to(paths.root)): sha256_file(p)
              for p in (paths.annotations_csv, paths.registry, paths.tasks_json)}
    if adjudicated is not None:
        try:
            name = adjudicated.resolve().relative_to(paths.root.resolve()).as_posix()
        except ValueError:
            name = str(adjudicated)
        inputs[name] = sha256_file(adjudicated)
    meta = store.provenance(
        schema={"name": str(schema.name), "version": str(schema.version),
                "hash": str(schema.hash)},
        training_sha256=result.training_sha256, inputs=inputs,
        settings={"seed": seed, "folds": n_folds, "bootstrap": n_boot,
                  "adjudicated": bool(adjudicated)},
        targets=list(result.models),
        skipped=dict(zip(result.skipped["target"], result.skipped["reason"], strict=True)),
        n_articles=result.n_articles,
    )
    folder = store.models_dir(paths.root)
    model_file = store.save_model(folder / store.MODEL_FILE, meta, result.models)
    report = atomic_write_csv(folder / store.REPORT_FILE, result.report)
    return Trained(result, meta, [model_file, folder / store.MODEL_META, report])


def _reliability_articles(paths: Study) -> set[str]:
    from framestudy.labelstudio.push import reliability_articles

    return reliability_articles(paths.assignment) or set()


def _span_name(registry) -> str:
    for record in registry:
        if record.get("kind") == "span_label":
            return str(record["variable"])
    return "span"


@dataclass
class Pushed:
    push: PredictionPush
    n_articles: int  # articles whose suggestions were computed (and had any)
    held_back: int  # reliability-sample articles kept free of suggestions
    files: list[Path]


def predict_columns():
    import pandas as pd

    from framestudy.model.predictions import PREDICTION_COLUMNS

    return pd.DataFrame(columns=PREDICTION_COLUMNS)


def load_saved(paths: Study) -> dict[str, Any]:
    """The study's saved model, refused if it was trained under another schema."""
    folder = store.models_dir(paths.root)
    return store.load_model(folder / store.MODEL_FILE, str(_schema(paths).hash))


def suggestion_results(saved: dict[str, Any], registry, texts: dict[str, str],
                       wanted: list[str]) -> tuple[pd.DataFrame, dict[str, tuple]]:
    """The saved model's suggestions for the articles ``wanted`` (rows of
    :func:`framestudy.model.predictions.predict`) and, per article, the Label Studio
    ``(result, score)`` of its prediction."""
    from framestudy.model.predictions import label_studio_results, predict

    suggestions = predict(saved["models"], texts, wanted)
    return suggestions, label_studio_results(suggestions, texts, _span_name(registry))


def run_push(paths: Study, connect: Callable[[], Connection], *,
             include_reliability: bool = False, batch_size: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Pushed:
    """Suggestions of the saved model for the study's articles nobody has coded yet, into
    its Label Studio projects (:func:`framestudy.labelstudio.predictions.push_predictions`);
    records them in ``models/predictions.csv`` (what was suggested per article and model
    version) and ``models/pushed.csv`` (which coder's task got it). The model is loaded
    (and a schema mismatch refused) before ``connect()`` is called."""
    from framestudy.labelstudio.predictions import BATCH_SIZE, push_predictions
    from framestudy.schema.registry_file import read_registry

    folder = store.models_dir(paths.root)
    saved = load_saved(paths)
    version = saved["meta"]["model_version"]
    registry = read_registry(paths.registry)
    texts = _texts(paths)
    coded = set()
    if paths.annotations_csv.is_file():
        coded = set(_annotations(paths)["article_id"].astype(str))
    hold_back = set() if include_reliability else _reliability_articles(paths) - coded
    wanted = set(texts) - coded - hold_back
    computed = []

    def suggest(article_ids: list[str]):
        ids = [a for a in article_ids if a in wanted]
        table, results = suggestion_results(saved, registry, texts, ids)
        computed.append(table)
        return results

    conn = connect()
    done = push_predictions(paths, conn, suggest, version, hold_back=hold_back,
                            batch_size=batch_size or BATCH_SIZE, progress=progress)
    suggestions = computed[0] if computed else predict_columns()
    pushed_articles = set(done.pushed["article_id"])
    new_rows = suggestions[suggestions["article_id"].isin(pushed_articles)].assign(
        model_version=version)
    predictions_file = folder / store.PREDICTIONS_FILE
    pushed_file = folder / PUSHED_FILE
    _merge_csv(predictions_file, new_rows, ["article_id", "model_version"])
    _merge_csv(pushed_file, done.pushed.assign(model_version=version),
               ["article_id", "coder", "project_id", "task_id", "model_version"])
    return Pushed(done, len(suggestions["article_id"].unique()), len(hold_back),
                  [predictions_file, pushed_file])


def _merge_csv(path: Path, new: pd.DataFrame, keys: list[str]) -> None:
    """Write ``new`` into the CSV at ``path``: its rows replace the earlier rows of the
    same ``keys``; other earlier rows stay."""
    import pandas as pd

    from framestudy.io import atomic_write_csv

    if path.is_file():
        old = pd.read_csv(path, dtype=str, keep_default_na=False)
        new_keys = set(map(tuple, new[keys].astype(str).itertuples(index=False)))
        keep = [tuple(r) not in new_keys for r in old[keys].itertuples(index=False)]
        new = pd.concat([old[keep], new.astype({k: str for k in keys})], ignore_index=True)
    elif not len(new):
        return
    atomic_write_csv(path, new)


def run_anchoring(paths: Study, *, n_boot: int = 1000, seed: int = 0) -> tuple[Any, Path]:
    """Coders' agreement with the model's suggestions beside their agreement with each
    other (:func:`framestudy.model.agreement.anchoring`); writes ``models/anchoring.csv``."""
    import pandas as pd

    from framestudy.io import atomic_write_csv
    from framestudy.model.agreement import anchoring
    from framestudy.schema.registry_file import read_registry

    folder = store.models_dir(paths.root)
    needed = {store.PREDICTIONS_FILE: "run `framestudy model push` first",
              PUSHED_FILE: "run `framestudy model push` first"}
    frames = {}
    for name, fix in needed.items():
        path = folder / name
        if not path.is_file():
            raise UserError(f"{path}: no such file -- {fix}")
        frames[name] = pd.read_csv(path, dtype=str, keep_default_na=False)
    report_path = folder / store.REPORT_FILE
    report = pd.read_csv(report_path) if report_path.is_file() else None
    table = anchoring(_annotations(paths), read_registry(paths.registry),
                      frames[store.PREDICTIONS_FILE], frames[PUSHED_FILE], report,
                      n_boot=n_boot, seed=seed)
    out = atomic_write_csv(folder / store.ANCHORING_FILE, table)
    return table, out
