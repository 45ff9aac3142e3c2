"""Submitting an annotation so that retrying it never makes a second one.

A client whose ``POST /api/tasks/<id>/annotations/`` got no answer -- the connection broke,
the server was killed, the answer timed out, a 5xx came back after the row was written
(Label Studio 1.23 commits each save on its own, without one transaction per request) --
cannot tell whether the annotation was stored. Posting it again blindly makes a second
annotation of the same coder on the same task whenever the first one was stored; the SDK's
own back-off does exactly that for connection errors and 5xx answers.

The remedy is an idempotency key the database itself enforces. Label Studio's annotation
model has a ``unique_id`` column with a UNIQUE constraint, and its API accepts a client's
value for it (``unique_id``, write-only: it is shown in exports, not in API answers). A
second POST with a key that is already stored is refused with HTTP 409 ("Annotation with
this unique id already exists") and stores nothing.

framestudy's key is :func:`annotation_key`: a UUID derived from the task id and the coder's
e-mail, so a coder has at most one framestudy-submitted annotation per task, whatever
happens to the answers (one coder, one annotation per article is the study's rule; to
change an annotation, update it). :func:`submit_annotation` is the documented way to submit
from a script: it posts with that key and **no** automatic back-off of the SDK, retries a
failure whose outcome is unknown with the same key until the server answers (or
``patience`` runs out), and turns a 409 into "already stored" by looking up the coder's
annotation on the task. Any client can follow the same protocol: send ``unique_id`` =
``annotation_key(task_id, email)`` and treat 409 as success.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from label_studio_sdk.core.api_error import ApiError

from framestudy.errors import UserError
from framestudy.labelstudio.client import Connection

#: the namespace of framestudy's annotation keys (a fixed, random UUID: never change it,
#: or annotations submitted before the change would no longer be recognised)
KEY_NAMESPACE = uuid.UUID("5f0c8a3e-7d2b-4b8e-9a51-3c1e6f2d9b47")
PATIENCE = 60.0  # seconds a submission keeps retrying an unknown outcome
DUPLICATE = "unique id already exists"  # Label Studio's 409 detail for a stored key
TRANSIENT_CODES = (408, 429, 500, 502, 503, 504)


def annotation_key(task_id: int, coder: str) -> str:
    """The idempotency key (``unique_id``) of ``coder``'s annotation on task ``task_id``."""
    return str(uuid.uuid5(KEY_NAMESPACE, f"task {int(task_id)} coder {coder.strip().lower()}"))


def canonical_result(result: Any) -> str:
    """A result list in a form where two saves of the same answers compare equal: each
    item's ``id``, ``from_name``, ``to_name``, ``type`` and ``value`` (not ``origin`` or
    other bookkeeping), in any order."""
    items = []
    for item in result if isinstance(result, list) else []:
        if isinstance(item, dict):
            item = {k: item.get(k) for k in ("id", "from_name", "to_name", "type", "value")}
        items.append(json.dumps(item, sort_keys=True, ensure_ascii=False))
    return json.dumps(sorted(items))


@dataclass(frozen=True)
class Submitted:
    """What became of one submission."""

    id: int  # the annotation on the server
    created: bool  # True: this call stored it; False: it was already there
    same: bool  # the stored annotation has the submitted result and skip state
    attempts: int  # POSTs sent (1 unless an outcome was unknown)


def is_transient(exc: BaseException) -> bool:
    """True if ``exc`` leaves it unknown whether the request took effect, and the server may
    answer a retry: no answer at all, or a 408/429/5xx."""
    if isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, ApiError) and (exc.status_code or 0) in TRANSIENT_CODES


def _is_duplicate(exc: BaseException) -> bool:
    return (
        isinstance(exc, ApiError)
        and exc.status_code == 409
        and DUPLICATE in json.dumps(exc.body, default=str).lower()
    )


def coders_annotations(conn: Connection, task_id: int, user_id: int) -> list[dict]:
    """The annotations (skips included) of user ``user_id`` on task ``task_id``, as the
    server sends them."""
    task = conn.call_json(
        f"reading task {task_id}", conn.sdk.tasks.with_raw_response.get, id=str(task_id)
    )
    annotations = task.get("annotations") if isinstance(task, dict) else None
    return [
        a
        for a in annotations or []
        if isinstance(a, dict) and _user_id(a.get("completed_by")) == user_id
    ]


def _user_id(completed_by: Any) -> int | None:
    """``completed_by`` as a user id (an int, or an object with an ``id``, as expanded)."""
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    return completed_by if isinstance(completed_by, int) else None


def _user(conn: Connection) -> tuple[int, str]:
    if conn.user_id is None or not conn.user_email:
        me = conn.call("checking the API token (whoami)", conn.sdk.users.whoami)
        conn.user_id, conn.user_email = int(me.id), str(me.email or "")
    return int(conn.user_id), conn.user_email.lower()


def submit_annotation(
    conn: Connection,
    task_id: int,
    result: list,
    *,
    was_cancelled: bool = False,
    lead_time: float | None = None,
    patience: float = PATIENCE,
) -> Submitted:
    """Create the connection's user's annotation on ``task_id`` exactly once.

    Posts with :func:`annotation_key` and without the SDK's back-off. An unknown outcome
    (:func:`is_transient`) is retried with the same key, with growing pauses (0.5 s up to
    5 s), for ``patience`` seconds; a 409 for the key means an earlier attempt (or an
    earlier run) stored it, and the coder's annotation on the task is returned
    (``created=False``; ``same`` says whether it holds this result). Anything else -- a
    refusal (4xx), or no answer within ``patience`` -- is a one-line :class:`UserError`
    (running the same submission again later is safe).
    """
    user_id, email = _user(conn)
    key = annotation_key(task_id, email)
    what = f"creating {email}'s annotation on task {task_id}"
    extra: dict[str, Any] = {} if lead_time is None else {"lead_time": lead_time}
    deadline = time.monotonic() + patience
    pause = 0.5
    attempts = 0
    wanted = canonical_result(result)
    while True:
        attempts += 1
        try:
            answer = conn.sdk.annotations.with_raw_response.create(
                id=task_id,
                result=result,
                was_cancelled=was_cancelled,
                unique_id=key,
                request_options={"max_retries": 0},
                **extra,
            )
            body = answer.response.json()
            return Submitted(int(body["id"]), True, True, attempts)
        except Exception as exc:
            if _is_duplicate(exc):
                mine = coders_annotations(conn, task_id, user_id)
                if mine:
                    match = [
                        a
                        for a in mine
                        if canonical_result(a.get("result")) == wanted
                        and bool(a.get("was_cancelled")) == was_cancelled
                    ]
                    chosen = (match or sorted(mine, key=lambda a: int(a["id"])))[0]
                    return Submitted(int(chosen["id"]), False, bool(match), attempts)
                # The key is taken by an annotation that is not this coder's on this task
                # (e.g. imported from another server whose task ids differ): nothing was
                # stored by this attempt, so a fresh random key is safe from here on.
                key = str(uuid.uuid4())
                continue
            if not is_transient(exc):
                error = conn.translate(exc, what)
                if error is None:
                    raise
                raise error from exc
            if time.monotonic() + pause > deadline:
                raise UserError(
                    f"Label Studio at {conn.url} gave no usable answer while {what} "
                    f"({attempts} attempts in {patience:.0f} s; last: {_short(exc)}) -- "
                    "submit it again when the server is back: the same submission is never "
                    "stored twice"
                ) from exc
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _short(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__
