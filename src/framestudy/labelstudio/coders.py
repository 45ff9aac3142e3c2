"""``framestudy coders add``: a Label Studio account that can log in, for each coder.

Accounts are made through the organisation's invite link (see :mod:`.accounts`), each with a
random password that framestudy keeps in ``.labelstudio/coders.json`` (git-ignored, mode
0600) for the researcher to hand over -- it is not printed. The new account is checked by
logging in with it, and the coder's own API token is read in that session and kept in
``.labelstudio/coder-tokens.json`` (mode 0600, never printed): on a server that gives every
coder an organisation of their own (:mod:`.launch_label_studio`), work in a coder's
organisation goes through that token. An e-mail that already has an account is reused as it
is (its password is not changed; its token is read if framestudy holds its password and not
yet its token). Every coder is recorded in ``study.yaml`` (e-mail only); running the command
again changes nothing.

An adjudicator (``coders add --adjudicator EMAIL``) is signed up the same way (an
organisation of their own on a per-coder-organisation server, the token kept) but recorded
under ``adjudicators`` in ``study.yaml``: no coding project, only the review project of
``framestudy adjudicate push`` (docs/adjudication.md). One person cannot be both: an
adjudicator who coded would judge their own version.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio import accounts
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.credentials import (
    coder_passwords_path,
    forget_coder_password,
    load_coder_passwords,
    load_coder_tokens,
    save_coder_password,
    save_coder_token,
)
from framestudy.study import Study


@dataclass(frozen=True)
class CoderAccount:
    email: str
    account: str  # "created" | "existing"
    recorded: bool  # newly recorded in study.yaml
    password_stored: bool  # framestudy holds a password for it in .labelstudio/coders.json


def new_password() -> str:
    """A random password Label Studio's validators accept (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def invite_path(conn: Connection) -> str:
    """The organisation's invite link (``/user/signup/?token=...``), relative to the server."""
    invite = conn.call(
        "fetching the organisation's invite link",
        conn.sdk.organizations.invites.get_invite_link,
    )
    link = str(getattr(invite, "invite_url", None) or "")
    if "token=" not in link:
        raise UserError(
            f"Label Studio at {conn.url} gave no invite link -- is it the Community edition?"
        )
    # Some set-ups answer with an absolute URL; keep the path so we talk to conn.url.
    return link[link.index("/user/") :] if "/user/" in link else link


def add_coders(
    study: Study, conn: Connection, emails: list[str], *, adjudicator: bool = False
) -> list[CoderAccount]:
    """Give each e-mail an account that can log in, and record it as a coder of the study
    (as an adjudicator with ``adjudicator``)."""
    if not emails:
        raise UserError("name at least one coder: framestudy coders add EMAIL [EMAIL...]")
    clean: list[str] = []
    for email in emails:
        normalised = settings.normalise_email(email)
        if normalised not in clean:
            clean.append(normalised)
    role, other = ("adjudicators", "coders") if adjudicator else ("coders", "adjudicators")
    listed = settings.coders(study) if adjudicator else settings.adjudicators(study)
    both = [email for email in clean if email in listed]
    if both:
        raise UserError(
            f"study.yaml: {both[0]} is listed under {other} -- one person cannot be both a "
            "coder and the adjudicator (who would judge their own coding); choose another "
            f"e-mail, or remove it from {other} first"
        )
    existing = set(accounts.users_by_id(conn).values())
    from framestudy.labelstudio.upload import api_token

    stored = load_coder_passwords(study)
    tokens = load_coder_tokens(study)
    link = None
    results = []
    for email in clean:
        account = "existing"
        if email not in existing:
            link = link or invite_path(conn)
            password = new_password()
            # Stored before the form is sent: if its answer is lost (a crash, a broken
            # connection), the account may exist with this password, and the next run,
            # which finds the account, still holds it.
            save_coder_password(study, email, password)
            try:
                session = accounts.signup_via_invite(conn.url, link, email, password)
            except accounts.AccountExists:  # made meanwhile by someone else: not our password
                forget_coder_password(study, email)
                stored.pop(email, None)
            else:
                stored[email] = password
                me = accounts.whoami(session, conn.url)
                if str(me.get("email", "")).lower() != email:
                    raise UserError(
                        f"signed up {email}, but Label Studio logged in {me.get('email')}"
                    )
                account = "created"
                tokens[email] = api_token(session, conn.url)
                save_coder_token(study, email, tokens[email])
        if email in stored and email not in tokens:  # an account made before tokens were kept
            try:
                session = accounts.login(conn.url, email, stored[email])
                tokens[email] = api_token(session, conn.url)
            except UserError:  # the coder changed the password: their token stays theirs
                pass
            else:
                save_coder_token(study, email, tokens[email])
        # at once: a later failure keeps it
        recorded = bool(settings.add_coders(study, [email], key=role))
        results.append(CoderAccount(email, account, recorded, email in stored))
    return results


def passwords_file(study: Study) -> str:
    return str(coder_passwords_path(study))
