"""Label Studio user accounts: the organisation's users, and making and using an account.

:func:`users_by_id` lists the organisation's users through the SDK (``status``, ``pull``
and ``coders add`` need their e-mails). The rest are browser-like HTTP flows the SDK has no call for:
invite-link sign-up and log-in.

In the Community edition, users created through the API (``POST /api/users/``) get no
password and cannot log in. A coder who can log in is made the way a person would do it:
open the organisation's invite link (``/user/signup/?token=...``) and submit the sign-up form.
That form and the log-in form are Django HTML forms protected by a CSRF token, so they are
driven with ``requests`` (plain HTTP: the SDK only wraps the JSON API).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import requests

from framestudy.errors import UserError

if TYPE_CHECKING:  # the SDK-backed client is the caller's; this module stays light
    from framestudy.labelstudio.client import Connection

TIMEOUT = 30.0
_FIELD_ERRORS = re.compile(r'<ul class="field_errors">(.*?)</ul>', re.S)
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)


class AccountExists(Exception):
    """The sign-up form says a user with this e-mail already exists."""


def _unreachable(url: str, what: str, exc: Exception) -> UserError:
    reason = "connection refused" if "refused" in str(exc).lower() else type(exc).__name__
    return UserError(
        f"cannot reach Label Studio at {url} while {what} ({reason}) -- is the server running?"
    )


def _form_errors(page: str) -> list[str]:
    errors = []
    for block in _FIELD_ERRORS.findall(page):
        errors += [html.unescape(" ".join(item.split())) for item in _ITEM.findall(block)]
    return errors


def _submit_form(session: requests.Session, url: str, path: str, fields: dict, what: str):
    """GET the form (for its CSRF cookie), POST it back; return the POST's response."""
    page = url + path
    try:
        session.get(page, timeout=TIMEOUT)
        csrf = session.cookies.get("csrftoken")
        if not csrf:
            raise UserError(
                f"{page} set no CSRF cookie while {what} -- is {url} a Label Studio server?"
            )
        return session.post(
            page,
            data={**fields, "csrfmiddlewaretoken": csrf},
            headers={"Referer": page},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise _unreachable(url, what, exc) from exc


def signup_via_invite(url: str, invite_path: str, email: str, password: str) -> requests.Session:
    """Sign ``email`` up through the invite link; return the logged-in session.

    Raises :class:`AccountExists` if the e-mail is taken, :class:`UserError` for any other
    refusal (weak password, invalid e-mail, invite link revoked).
    """
    session = requests.Session()
    what = f"signing up {email} through the invite link"
    response = _submit_form(session, url, invite_path, {"email": email, "password": password}, what)
    if response.status_code in (301, 302, 303):
        return session
    if response.status_code == 403:
        raise UserError(
            f"Label Studio at {url} refused the invite link while {what} (HTTP 403) -- the "
            "link may have been reset; run the command again to fetch the current one"
        )
    errors = _form_errors(response.text)
    if any("already exists" in e for e in errors):
        raise AccountExists(email)
    detail = "; ".join(errors) or f"HTTP {response.status_code}"
    raise UserError(f"Label Studio refused the sign-up of {email}: {detail}")


def login(url: str, email: str, password: str) -> requests.Session:
    """Log in through the log-in form; return the session (UserError if refused)."""
    session = requests.Session()
    what = f"logging in as {email}"
    response = _submit_form(
        session, url, "/user/login/", {"email": email, "password": password}, what
    )
    if response.status_code not in (301, 302, 303):
        errors = _form_errors(response.text)
        raise UserError(
            f"Label Studio at {url} refused the log-in of {email}: "
            f"{'; '.join(errors) or f'HTTP {response.status_code}'} -- check the password"
        )
    return session


def whoami(session: requests.Session, url: str) -> dict:
    """The logged-in user (``/api/current-user/whoami``) of a session."""
    try:
        response = session.get(f"{url}/api/current-user/whoami", timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise _unreachable(url, "checking a log-in", exc) from exc
    if response.status_code != 200:
        raise UserError(f"the new session at {url} is not logged in (HTTP {response.status_code})")
    return response.json()


def users_by_id(conn: Connection) -> dict[int, str]:
    """Label Studio user id -> e-mail (lower case) of every user of the organisation."""
    users = conn.call("listing the users", conn.sdk.users.list)
    return {int(u.id): str(u.email or "").lower() for u in users if u.id is not None}
