"""Secrets of a study's Label Studio, kept in the git-ignored ``.labelstudio/`` folder.

- ``.labelstudio/credentials.json``: the local server's admin (e-mail, password, API token);
- ``.labelstudio/coders.json``: the password framestudy gave each coder it signed up;
- ``.labelstudio/coder-tokens.json``: each coder's own API token, read when framestudy signed
  them up (on a server with one organisation per coder, work in a coder's organisation goes
  through that coder's token: the admin's sees nothing there).

Both are written atomically with mode 0600 (owner only), in a folder of mode 0700. Nothing
here is ever printed in full: :func:`mask` shows the first and last four characters.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from framestudy.errors import UserError
from framestudy.io import atomic_write_json, read_json
from framestudy.study import Study

ADMIN_EMAIL = "admin@framestudy.local"


def mask(secret: str | None) -> str:
    """``abcd…wxyz`` for a secret; short secrets are hidden entirely."""
    if not secret:
        return "(none)"
    if len(secret) < 16:
        return "…" * 3
    return f"{secret[:4]}…{secret[-4:]}"


def private_dir(study: Study) -> Path:
    """``<study>/.labelstudio`` (created with mode 0700 if missing)."""
    folder = study.labelstudio_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def write_private_json(path: Path, obj: object) -> Path:
    """Write JSON atomically and leave it readable by the owner only."""
    return atomic_write_json(path, obj, private=True)


@dataclass(frozen=True)
class AdminCredentials:
    """The embedded server's administrator and its legacy API token."""

    email: str
    password: str
    token: str

    @classmethod
    def generate(cls) -> AdminCredentials:
        return cls(
            email=ADMIN_EMAIL,
            password=secrets.token_urlsafe(18),
            token=secrets.token_hex(20),  # 40 hex digits, the shape of a legacy token
        )


def credentials_path(study: Study) -> Path:
    return study.labelstudio_dir / "credentials.json"


def load_admin(study: Study) -> AdminCredentials | None:
    """The stored admin credentials, or None when the server was never started."""
    path = credentials_path(study)
    data = read_json(path, "credentials file")
    if data is None:
        return None
    try:
        return AdminCredentials(
            email=str(data["email"]), password=str(data["password"]), token=str(data["token"])
        )
    except KeyError as exc:
        raise UserError(
            f"{path}: missing {exc.args[0]!r} -- delete .labelstudio/ to start a fresh server"
        ) from None


def save_admin(study: Study, creds: AdminCredentials) -> Path:
    private_dir(study)
    return write_private_json(credentials_path(study), asdict(creds))


def coder_passwords_path(study: Study) -> Path:
    return study.labelstudio_dir / "coders.json"


def load_coder_passwords(study: Study) -> dict[str, str]:
    """e-mail -> password of the coders framestudy signed up (empty if none)."""
    data = read_json(coder_passwords_path(study), "coder password file") or {}
    return {str(k): str(v) for k, v in data.items()}


def save_coder_password(study: Study, email: str, password: str) -> Path:
    """Record (or replace) one coder's password in ``.labelstudio/coders.json``."""
    private_dir(study)
    passwords = load_coder_passwords(study)
    passwords[email] = password
    return write_private_json(coder_passwords_path(study), dict(sorted(passwords.items())))


def forget_coder_password(study: Study, email: str) -> None:
    """Remove one coder's password from ``.labelstudio/coders.json`` (if it is there)."""
    passwords = load_coder_passwords(study)
    if passwords.pop(email, None) is not None:
        write_private_json(coder_passwords_path(study), dict(sorted(passwords.items())))


def coder_tokens_path(study: Study) -> Path:
    return study.labelstudio_dir / "coder-tokens.json"


def load_coder_tokens(study: Study) -> dict[str, str]:
    """e-mail -> the coder's own API token (empty if none is stored)."""
    data = read_json(coder_tokens_path(study), "coder token file") or {}
    return {str(k): str(v) for k, v in data.items()}


def save_coder_token(study: Study, email: str, token: str) -> Path:
    """Record (or replace) one coder's API token in ``.labelstudio/coder-tokens.json``."""
    private_dir(study)
    tokens = load_coder_tokens(study)
    tokens[email] = token
    return write_private_json(coder_tokens_path(study), dict(sorted(tokens.items())))
