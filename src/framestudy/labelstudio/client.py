"""The connection to Label Studio, and one clear line for every way it can fail.

:func:`connect` talks to the study's embedded server (``framestudy server start``) unless
``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY`` (the SDK's own names) point at another
one. The key may be a legacy token or a personal access token (a JWT refresh token); the
SDK tells them apart and refreshes access tokens itself.

Every call goes through :meth:`Connection.call` (or :meth:`Connection.call_json` for the
server's JSON as sent), which turns SDK and network exceptions into :class:`~framestudy.errors.UserError` lines: server down,
wrong URL, bad token, 4xx, 5xx, timeouts. The SDK retries connection errors, 408/409/429 and
5xx answers with exponential back-off (``max_retries``); calls that must not be repeated
blindly pass ``retries=0`` and are made safe by their caller: task import (:mod:`.push`
re-lists the project before importing again) and annotation creation (:mod:`.submit`, with
an idempotency key the database enforces).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.core.parse_error import ParsingError

from framestudy.errors import UserError
from framestudy.labelstudio import server
from framestudy.labelstudio.credentials import credentials_path, mask
from framestudy.study import Study

T = TypeVar("T")

ENV_URL = "LABEL_STUDIO_URL"
ENV_KEY = "LABEL_STUDIO_API_KEY"
DEFAULT_TIMEOUT = 120.0  # seconds per request; exports get their own, longer timeout
MAX_RETRIES = 2  # SDK back-off: ~1 s, then ~2 s


@dataclass
class Connection:
    """An authenticated connection: the SDK client plus what error messages need to say."""

    url: str
    token: str = field(repr=False)
    external: bool
    sdk: LabelStudio = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT
    user_id: int | None = None
    user_email: str | None = None
    token_source: str = ""
    organization_id: int | None = None  # the token's user's active organisation (whoami)

    # -- calls ---------------------------------------------------------------------------
    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``; any failure becomes a one-line UserError about ``what``."""
        try:
            return fn(*args, **kwargs)
        except UserError:
            raise
        except Exception as exc:
            error = self.translate(exc, what)
            if error is None:
                raise
            raise error from exc

    def call_json(
        self, what: str, fn: Callable[..., Any], *args: Any, missing_ok: bool = False, **kwargs: Any
    ) -> Any:
        """The server's JSON answer to a public SDK call made through ``with_raw_response``.

        ``fn`` is a method of an SDK area's ``with_raw_response`` view (e.g.
        ``conn.sdk.tasks.with_raw_response.get``): the values come back exactly as the server
        sent them, where the typed model would turn times into ``datetime`` objects or guess
        one of several task shapes. With ``missing_ok`` a 404 returns None.
        """
        try:
            answer = self.call(what, fn, *args, **kwargs)
        except UserError as error:
            cause = error.__cause__
            if missing_ok and isinstance(cause, ApiError) and cause.status_code == 404:
                return None
            raise
        try:
            return answer.response.json()
        except ValueError:
            raise UserError(self.not_label_studio(what)) from None

    def raw_request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        missing_ok: bool = False,
        translate_errors: bool = True,
    ) -> Any:
        """One API request past the SDK's typed methods; returns the answer's JSON.

        The one place framestudy talks to the API without a public SDK method, kept for the
        two bulk calls where the SDK's typed method is too slow. Section 4 of
        ``benchmarks/labelstudio.py`` times both against the SDK's own method (a 3,000-article
        run, 1,400 tasks of 2,500 characters: listing 0.41 s here vs 0.68 s with
        ``tasks.list``; importing 0.63 s here vs 2.40 s with ``projects.import_tasks``):

        - listing a project's tasks (``GET api/tasks/``, :mod:`.remote`): the SDK's
          ``tasks.list`` builds a pydantic object per task, which costs seconds for 10,000
          tasks, and has no ``expand`` parameter (``status`` needs the annotations);
        - importing tasks (``POST api/projects/<id>/import``, :mod:`.push`): the SDK's
          ``projects.import_tasks`` walks every value of a 10 MB body in Python first (~1 s
          per 10,000 tasks) and returns no task ids; here the body (``content``) is encoded
          once by the caller.

        :mod:`.pull_ledger` uses it for two small listings (a project's tasks, one task
        long; the study's projects with their counts) to read what changed since the last
        pull: the SDK's pagers hide the answer's ``total`` and turn its times into objects.

        The request still goes through the SDK's HTTP client (its auth, base URL, token
        refresh and back-off; ``retries`` overrides the back-off). A status >= 400 raises the
        SDK's ``ApiError``, translated like any other call; with ``missing_ok`` a 404
        returns None; ``translate_errors=False`` lets the caller see the raw exception (to
        tell transient faults apart). An answer that is not JSON is a UserError.
        """
        options: dict[str, Any] = {"timeout": timeout or self.timeout}
        if retries is not None:
            options["max_retries"] = retries

        def send() -> Any:
            # The SDK has no public call for an arbitrary request: its own HTTP client is
            # used here, and only here.
            response = self.sdk._client_wrapper.httpx_client.request(
                path,
                method=method,
                params=dict(params or {}),
                content=content,
                headers={"Content-Type": "application/json"} if content is not None else None,
                request_options=options,
            )
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code >= 400:
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                raise ApiError(
                    status_code=response.status_code, headers=dict(response.headers), body=body
                )
            try:
                return response.json()
            except ValueError:
                raise UserError(self.not_label_studio(what)) from None

        return self.call(what, send) if translate_errors else send()

    # -- error messages --------------------------------------------------------------------
    def token_hint(self) -> str:
        if self.external:
            return f"check {ENV_KEY} (a legacy token or a personal access token of {self.url})"
        return (
            f"the admin token in {self.token_source or 'credentials.json'} does not match the "
            "server's database -- stop the server and delete .labelstudio/ to start afresh"
        )

    def not_label_studio(self, what: str) -> str:
        where = f"check {ENV_URL}" if self.external else "is the server running?"
        return (
            f"the answer from {self.url} while {what} is not Label Studio's JSON -- is it the "
            f"address of a Label Studio server? ({where})"
        )

    def translate(self, exc: BaseException, what: str) -> UserError | None:
        """A one-line UserError for ``exc``, or None if it is not a connection/API fault."""
        return translate(exc, what, url=self.url, external=self.external, conn=self)


def _detail(body: Any, limit: int = 240) -> str:
    """The useful part of an error body: Label Studio's ``detail`` + validation errors."""
    if isinstance(body, Mapping):
        parts = []
        detail = body.get("detail")
        if detail:
            parts.append(str(detail))
        errors = body.get("validation_errors")
        if errors:
            parts.append(json.dumps(errors, ensure_ascii=False))
        if not parts:
            parts.append(json.dumps(body, ensure_ascii=False, default=str))
        text = "; ".join(parts)
    elif isinstance(body, str):
        stripped = body.strip()
        text = "an HTML page" if stripped.startswith("<") else stripped
    else:
        text = str(body)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def translate(
    exc: BaseException,
    what: str,
    *,
    url: str,
    external: bool,
    conn: Connection | None = None,
) -> UserError | None:
    """Map a network or API exception to the one line a user needs."""
    where = f"check {ENV_URL}" if external else "start it with `framestudy server start`"
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return UserError(
            f"Label Studio at {url} did not answer in time while {what} -- the server may be "
            "busy or the project very large; try again (big exports: raise --timeout)"
        )
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return UserError(
            f"cannot reach Label Studio at {url} while {what} ({_reason(exc)}) -- is the server "
            f"running? {where}"
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return UserError(f"{url} is not a usable Label Studio URL ({exc}) -- {where}")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return UserError(
            f"the connection to Label Studio at {url} broke while {what} ({_reason(exc)}) -- "
            "try again"
        )
    if isinstance(exc, ParsingError):
        return UserError(
            f"the answer from {url} while {what} does not have the shape label-studio-sdk "
            "2.1 expects -- is the server a Label Studio 1.2x?"
        )
    if isinstance(exc, ApiError):
        code = exc.status_code
        detail = _detail(exc.body)
        if code is None or 200 <= code < 300:
            if conn is not None:
                return UserError(conn.not_label_studio(what))
            return UserError(f"unexpected answer from {url} while {what}: {detail}")
        if code == 401:
            hint = conn.token_hint() if conn else f"check {ENV_KEY}"
            token = f" {mask(conn.token)}" if conn else ""
            return UserError(
                f"Label Studio at {url} rejected the API token{token} (HTTP 401: {detail}) "
                f"-- {hint}"
            )
        if code == 403:
            return UserError(
                f"Label Studio at {url} refused {what} (HTTP 403: {detail}) -- the token's user "
                "lacks the permission"
            )
        if code == 404:
            return UserError(
                f"Label Studio at {url}: not found (HTTP 404) while {what}: {detail} -- is "
                f"{url} the address of the Label Studio server, and does the project exist?"
            )
        if 400 <= code < 500:
            return UserError(f"Label Studio at {url} refused {what} (HTTP {code}): {detail}")
        log = "" if external else " (server log: .labelstudio/server.log)"
        return UserError(
            f"Label Studio at {url} failed while {what} (HTTP {code}, after retries): {detail}{log}"
        )
    if isinstance(exc, json.JSONDecodeError):
        return UserError(
            f"the answer from {url} while {what} is not JSON -- is it a Label Studio server?"
        )
    return None


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return " ".join(text.split())[:120]


def _target(study: Study) -> tuple[str, str, bool, str]:
    """(url, token, external?, where the token comes from)."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        key = os.environ.get(ENV_KEY, "").strip()
        if not key:
            raise UserError(
                f"{ENV_URL} is set ({url}) but {ENV_KEY} is not -- set it to an API token of "
                "that server (Account & Settings in Label Studio)"
            )
        if not url.startswith(("http://", "https://")):
            raise UserError(f"{ENV_URL}={url} must start with http:// or https://")
        return url.rstrip("/"), key, True, ENV_KEY
    local = server.local_connection_details(study)
    if local is None:
        raise UserError(
            "no Label Studio to talk to: the study's server is not running -- start it with "
            f"`framestudy server start`, or set {ENV_URL} and {ENV_KEY} to use your own server"
        )
    url, token = local
    return url, token, False, str(credentials_path(study))


def connect(
    study: Study,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = MAX_RETRIES,
    check: bool = True,
) -> Connection:
    """Connect to the study's Label Studio and (``check``) verify the token with whoami."""
    url, token, external, source = _target(study)
    return connect_to(
        url,
        token,
        external=external,
        timeout=timeout,
        max_retries=max_retries,
        check=check,
        token_source=source,
    )


def connect_to(
    url: str,
    token: str,
    *,
    external: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = MAX_RETRIES,
    check: bool = True,
    token_source: str = "",
) -> Connection:
    """Connect to ``url`` with ``token`` (legacy token or personal access token)."""
    url = url.rstrip("/")
    try:
        sdk = LabelStudio(base_url=url, api_key=token, timeout=timeout, max_retries=max_retries)
    except ApiError as exc:  # an expired or malformed personal access token
        raise translate(exc, "reading the API token", url=url, external=external) from exc
    conn = Connection(
        url=url,
        token=token,
        external=external,
        sdk=sdk,
        timeout=timeout,
        token_source=token_source,
    )
    if check:
        what = "checking the API token (whoami)"
        me = conn.call(what, sdk.users.whoami)
        if getattr(me, "id", None) is None:
            raise UserError(conn.not_label_studio(what))
        conn.user_id = int(me.id)
        conn.user_email = str(getattr(me, "email", None) or "")
        org = getattr(me, "active_organization", None)
        conn.organization_id = int(org) if org is not None else None
    return conn
