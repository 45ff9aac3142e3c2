"""The task meta push stores and the simulator imitates (framestudy.task_meta)."""

from __future__ import annotations

from framestudy.task_meta import data_digest, task_meta, text_digest


def test_task_meta_digests():
    data = {"article_id": "a1", "outlet": "rt", "text": "Hello", "title": "T"}
    meta = task_meta(data)
    assert meta["article_id"] == "a1" and meta["outlet"] == "rt"
    assert meta["text_sha256"] == text_digest("Hello")
    assert data_digest({**data, "title": "U"}) != meta["data_sha256"]
    assert data_digest(dict(reversed(list(data.items())))) == meta["data_sha256"]
