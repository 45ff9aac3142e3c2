"""The ``meta`` framestudy stores with each Label Studio task, and its digests.

``push`` stores, in each task's ``meta`` (not shown to annotators), the article id, the
outlet and SHA-256 digests of the article's text and of its whole ``data``; a later push
lists only ``id,meta`` and compares digests to see which tasks changed
(:mod:`framestudy.labelstudio.remote`). ``framestudy simulate`` writes the same ``meta`` into
its synthetic exports, so it lives outside the Label Studio package: one definition for the
code that talks to the server and for the code that imitates it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def text_digest(text: Any) -> str:
    """16 hex digits of the SHA-256 of the article text."""
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:16]


def data_digest(data: dict) -> str:
    """16 hex digits of the SHA-256 of the task's data (canonical JSON)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def task_meta(data: dict) -> dict[str, str]:
    """The ``meta`` framestudy stores with a task."""
    return {
        "article_id": str(data["article_id"]),
        "outlet": str(data.get("outlet", "")),
        "text_sha256": text_digest(data.get("text", "")),
        "data_sha256": data_digest(data),
    }
