"""Which connection acts in each coder's Label Studio organisation.

On a server framestudy started with ``--org-per-coder`` (:mod:`.launch_label_studio`) every
coder signed up by ``coders add`` works in an organisation of their own, where the admin's
token sees nothing: the coder's projects are made, filled, counted and exported through the
coder's own API token (kept by ``coders add`` in ``.labelstudio/coder-tokens.json``). A
coder who shares the connection's organisation -- every coder of a study started before
one organisation per coder, or of an external server -- is reached through the connection
itself, as before. The shared design keeps its one project in one organisation, so it needs
every coder in the connection's organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from framestudy.errors import UserError
from framestudy.labelstudio.client import Connection, connect_to
from framestudy.labelstudio.credentials import load_coder_tokens
from framestudy.settings import SHARED, ProjectRecord
from framestudy.study import Study


def coder_connections(study: Study, conn: Connection, coders: Iterable[str]) -> dict[str, Connection]:
    """coder -> the connection to use for the coder's project: the coder's own token if
    framestudy holds one and its user works in another organisation than ``conn``'s, else
    ``conn``. A stored token the server rejects is passed over (``conn`` is used)."""
    tokens = load_coder_tokens(study)
    out: dict[str, Connection] = {}
    for coder in coders:
        out[coder] = conn
        token = tokens.get(coder)
        if not token:
            continue
        try:
            own = connect_to(
                conn.url, token, external=conn.external, timeout=conn.timeout,
                token_source=".labelstudio/coder-tokens.json",
            )
        except UserError:
            continue  # not a token of this server (another server, a reset database)
        if (own.user_email or "").lower() != coder:
            continue
        if own.organization_id is not None and own.organization_id != conn.organization_id:
            out[coder] = own
    return out


def separated(conns: dict[str, Connection], conn: Connection) -> list[str]:
    """The coders reached through their own organisation (not ``conn``'s)."""
    return [coder for coder, c in conns.items() if c is not conn]


def require_one_organization(conns: dict[str, Connection], conn: Connection) -> None:
    """The shared design's project lives in ``conn``'s organisation: every coder must be
    there (UserError naming the coders who are not)."""
    apart = separated(conns, conn)
    if apart:
        raise UserError(
            f"the shared design keeps one project in one organisation, but {', '.join(apart)} "
            "work in an organisation of their own (the server framestudy starts gives each "
            "coder one) -- use the blind design, or start the server of a new study with "
            "`framestudy server start --one-organization` before `coders add`"
        )


def project_connections(
    projects: Iterable[ProjectRecord], conns: dict[str, Connection], conn: Connection
) -> Iterator[tuple[ProjectRecord, Connection]]:
    """(project, the connection that can read it) for each project: the owner's for a
    coder's project, ``conn`` for the shared one."""
    for project in projects:
        yield project, (conn if project.coder == SHARED else conns.get(project.coder, conn))
