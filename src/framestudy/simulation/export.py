"""Simulated codings -> a Label Studio JSON export, in the shape the real server produces.

Shapes follow what Label Studio Community 1.23.2 writes in a snapshot export (the JSON
export format, https://labelstud.io/guide/export#Label-Studio-JSON-format-of-annotated-tasks,
and the task/annotation serializers of https://github.com/HumanSignal/label-studio at tag
1.23.2; checked key by key against a running 1.23.2 server's export):

- task keys ``id, data, annotations, drafts, predictions, meta, created_at, updated_at,
  inner_id, total_annotations, cancelled_annotations, total_predictions, comment_count,
  unresolved_comment_count, last_comment_updated_at, project, updated_by,
  comment_authors, allow_skip``; ``meta`` is what ``framestudy push`` stores;
- annotation keys ``id, completed_by`` (an int user id), ``result, was_cancelled,
  ground_truth, created_at, updated_at, draft_created_at, lead_time, prediction,
  result_count, unique_id, import_id, last_action, bulk_created, task, project,
  updated_by, parent_prediction, parent_annotation, last_created_by``;
- result items ``id, from_name, to_name, type, value, origin``: a span is a ``labels``
  result with ``start``/``end`` in code points, as Label Studio stores them (see
  :mod:`framestudy.annotations.spans`), and its ``text``; each per-region attribute is a ``choices`` result with the *same* ``id`` as its
  span and the span's ``start``/``end``/``text`` in its value; a document question is a
  ``choices`` result; a skipped task is an annotation with ``was_cancelled: true`` and an
  empty result.

Ids (projects, tasks, annotations, users) are numbered as a fresh server would number them;
region ids are 10-character random strings like the editor's; timestamps come from the
simulated clock, so the same seed gives the same bytes.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import numpy as np

from framestudy.simulation.coders import Coding

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
TEXT_NAME = "text"


def timestamp(t: datetime) -> str:
    """Label Studio's timestamp format: ISO 8601, microseconds, ``Z``."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def region_id(rng: np.random.Generator) -> str:
    return "".join(_ID_ALPHABET[i] for i in rng.integers(0, len(_ID_ALPHABET), size=10))


def unique_id(rng: np.random.Generator) -> str:
    return str(uuid.UUID(int=int.from_bytes(rng.bytes(16), "big"), version=4))


def result_items(coding: Coding, text: str, span_name: str, document_order: list[str],
                 rng: np.random.Generator) -> list[dict]:
    """The ``result`` list of one submitted annotation."""
    out: list[dict] = []
    for span in sorted(coding.spans, key=lambda s: (s.start, s.end, s.label)):
        rid = region_id(rng)
        start, end = span.start, span.end
        piece = text[span.start:span.end]
        out.append({
            "value": {"start": start, "end": end, "text": piece, "labels": [span.label]},
            "id": rid,
            "from_name": span_name,
            "to_name": TEXT_NAME,
            "type": "labels",
            "origin": "manual",
        })
        for attr, value in span.attributes.items():
            chosen = list(value) if isinstance(value, tuple) else [value]
            out.append({
                "value": {"start": start, "end": end, "text": piece, "choices": chosen},
                "id": rid,
                "from_name": attr,
                "to_name": TEXT_NAME,
                "type": "choices",
                "origin": "manual",
            })
    for var in document_order:
        if var not in coding.values:
            continue
        value = coding.values[var]
        chosen = list(value) if isinstance(value, tuple) else [value]
        if not chosen:  # nothing chosen: Label Studio stores no result
            continue
        out.append({
            "value": {"choices": chosen},
            "id": region_id(rng),
            "from_name": var,
            "to_name": TEXT_NAME,
            "type": "choices",
            "origin": "manual",
        })
    return out


def annotation_object(
    *, annotation_id: int, task_id: int, project_id: int, user_id: int, coding: Coding,
    result: list[dict], submitted: datetime, rng: np.random.Generator,
) -> dict:
    """One annotation as the export lists it."""
    created = timestamp(submitted)
    return {
        "id": annotation_id,
        "completed_by": user_id,
        "result": result,
        "was_cancelled": bool(coding.skipped),
        "ground_truth": False,
        "created_at": created,
        "updated_at": created,
        "draft_created_at": None,
        "lead_time": coding.lead_time,
        "prediction": {},
        "result_count": len(result),
        "unique_id": unique_id(rng),
        "import_id": None,
        "last_action": None,
        "bulk_created": False,
        "task": task_id,
        "project": project_id,
        "updated_by": user_id,
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }


def task_object(*, task_id: int, inner_id: int, project_id: int, data: dict, meta: dict,
                created: datetime, annotations: list[dict]) -> dict:
    """One task as the export lists it (annotations already built)."""
    done = [a for a in annotations if not a["was_cancelled"]]
    skipped = [a for a in annotations if a["was_cancelled"]]
    updated = max([a["updated_at"] for a in annotations], default=timestamp(created))
    return {
        "id": task_id,
        "data": data,
        "annotations": annotations,
        "drafts": [],
        "predictions": [],
        "meta": meta,
        "created_at": timestamp(created),
        "updated_at": updated,
        "inner_id": inner_id,
        "total_annotations": len(done),
        "cancelled_annotations": len(skipped),
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": project_id,
        "updated_by": annotations[-1]["completed_by"] if annotations else None,
        "comment_authors": [],
        "allow_skip": True,
    }


def export_bytes(tasks: list[dict]) -> bytes:
    """The export file's bytes (UTF-8 JSON, compact)."""
    return json.dumps(tasks, ensure_ascii=False).encode("utf-8")
