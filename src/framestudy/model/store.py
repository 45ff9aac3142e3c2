"""The saved model: ``models/model.joblib`` with its provenance, and its one loader.

The file is what scikit-learn documents for persisting a model, a ``joblib`` pickle
(scikit-learn user guide, "Model persistence"), written atomically
(:func:`framestudy.io.atomic_write_bytes`). It holds one dict: the fitted pipelines and,
beside them, what they were made from -- the schema's name, version and content hash
(:attr:`framestudy.schema.model.Schema.hash`), the SHA-256 of the training data
(:attr:`framestudy.model.train.TrainResult.training_sha256`) and of the input files, the
seed and folds, and the installed versions of the libraries that computed it
(:func:`framestudy.environment.installed_versions`). ``models/model.json`` repeats the
provenance as text, for a reader without Python.

A pickle runs code when it is loaded: load only model files you made (the docs say so).
A model trained under another schema is refused (:func:`load_model`): its targets and
values are the old codebook's.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framestudy.errors import UserError
from framestudy.io import atomic_write_bytes, atomic_write_json

MODELS_DIR = "models"
MODEL_FILE = "model.joblib"
MODEL_META = "model.json"
REPORT_FILE = "cross_validation.csv"
PREDICTIONS_FILE = "predictions.csv"
ANCHORING_FILE = "anchoring.csv"
#: the layout of the saved dict; a file of another layout is refused
FORMAT = 1
#: the libraries whose versions the model records
LIBRARIES = ("framestudy", "scikit-learn", "numpy", "scipy", "joblib", "pandas")


def models_dir(root: str | os.PathLike) -> Path:
    """The study's ``models/`` folder."""
    return Path(root) / MODELS_DIR


def model_version(schema_hash: str, training_sha256: str) -> str:
    """The ``model_version`` Label Studio shows: the schema hash and the training data's
    digest, so that the same data always gives the same version and new data a new one."""
    return f"framestudy-{schema_hash[:8]}-{training_sha256[:12]}"


def library_versions() -> dict[str, str]:
    from framestudy.environment import installed_versions

    versions = installed_versions()
    return {name: versions.get(name, "") for name in LIBRARIES}


def provenance(*, schema: dict[str, str], training_sha256: str, inputs: dict[str, str],
               settings: dict[str, Any], targets: list[str], skipped: dict[str, str],
               n_articles: int) -> dict[str, Any]:
    """The record saved with the model (and as ``model.json``)."""
    return {
        "format": FORMAT,
        "written_by": "framestudy model train",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_version": model_version(schema["hash"], training_sha256),
        "schema": schema,
        "training_sha256": training_sha256,
        "inputs_sha256": inputs,
        "settings": settings,
        "n_coded_articles": n_articles,
        "targets": targets,
        "skipped": skipped,
        "versions": library_versions(),
    }


def save_model(path: str | os.PathLike, meta: dict[str, Any], models: dict[str, Any]) -> Path:
    """Write ``{"meta": meta, "models": models}`` to ``path`` with joblib, atomically, and
    the provenance beside it as ``model.json``. Returns the path."""
    import joblib

    buffer = io.BytesIO()
    joblib.dump({"meta": meta, "models": models}, buffer, compress=3)
    path = Path(path)
    atomic_write_bytes(path, buffer.getvalue())
    atomic_write_json(path.with_name(MODEL_META), meta)
    return path


def load_model(path: str | os.PathLike, schema_hash: str) -> dict[str, Any]:
    """The saved dict of ``path``, checked: a missing or unreadable file, a file of
    another layout, or a model trained under another schema than ``schema_hash`` is a
    one-line :class:`~framestudy.errors.UserError`."""
    import joblib

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no trained model -- run `framestudy model train` first")
    try:
        saved = joblib.load(path)
    except Exception as exc:  # a damaged or foreign file: any unpickling error
        raise UserError(
            f"{path}: not a readable model file ({type(exc).__name__}) -- run "
            "`framestudy model train` again"
        ) from None
    meta = saved.get("meta") if isinstance(saved, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "models" not in saved:
        raise UserError(
            f"{path}: not a framestudy model of format {FORMAT} -- run `framestudy model "
            "train` again"
        )
    trained = str((meta.get("schema") or {}).get("hash", ""))
    if trained != schema_hash:
        raise UserError(
            f"{path}: trained under schema hash {trained or '(none)'}, but "
            f"schemas/framing.yaml now has hash {schema_hash} -- its variables and values "
            "may differ; retrain with `framestudy model train`"
        )
    return saved
