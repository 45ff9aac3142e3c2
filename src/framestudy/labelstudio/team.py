"""The team server: the study's Label Studio on PostgreSQL, served by several gunicorn workers.

``framestudy server start --team`` (or ``server: {team: true}`` in ``study.yaml``) runs the
same Label Studio as the embedded server, with two differences that matter when a team
codes at once:

- the database is PostgreSQL, in a cluster of the study's own (:mod:`.postgres`) instead
  of one SQLite file (Label Studio's documentation points to PostgreSQL for several
  concurrent users);
- the web application is served by gunicorn with several worker processes instead of
  Django's development server (``label-studio start``: one process). Label Studio 1.23.2
  declares an optional ``uwsgi`` extra (pyuwsgi) used by its Docker image behind nginx;
  gunicorn (pure Python) serves the same WSGI application, ``core.wsgi``, and Label Studio's
  own URL routes serve ``/static/`` from the files in the wheel, so no web server is needed
  in front for static files. TLS is not gunicorn's job here: put a reverse proxy in front
  (docs/team-server.md).

Everything else -- the admin and its token, ``.labelstudio/`` and its files, the port
checks, the PID record, ``stop`` -- is the embedded server's (:mod:`.server`).

:func:`migrate_to_team` moves a study from the embedded SQLite server to the team server
with Django's own ``dumpdata``/``loaddata`` through Label Studio's ``manage.py``: every row
keeps its primary key, so projects, tasks, annotations (and their ids, which
``study.yaml`` and the raw exports refer to) and accounts (with their password hashes and
API tokens) are the same afterwards.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from framestudy.errors import UserError
from framestudy.io import atomic_write_json
from framestudy.labelstudio import postgres, server
from framestudy.labelstudio.credentials import (
    AdminCredentials,
    load_admin,
    private_dir,
    save_admin,
)
from framestudy.study import Study

WORKER_TIMEOUT = 1800  # s; a worker is never cut off while pull still waits for an export
MAX_WORKERS = 32
SQLITE_NAME = "label_studio.sqlite3"
LOOPBACK_NAMES = ("localhost",)


def default_workers() -> int:
    """Two workers per core, at least 2 and at most 8 (each worker holds ~250 MB)."""
    return min(8, max(2, 2 * (os.cpu_count() or 1)))


def label_studio_dir() -> Path:
    """The installed ``label_studio`` package's folder (its ``manage.py`` and ``core``)."""
    spec = importlib.util.find_spec("label_studio")
    if spec is None or not spec.submodule_search_locations:
        raise UserError(
            "Label Studio is not installed in this environment -- install the server extra: "
            "pip install 'framestudy[server]' (or `make install`)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def gunicorn_installed() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


def sqlite_path(study: Study) -> Path:
    return server.data_dir(study) / SQLITE_NAME


def sqlite_backup_dir(study: Study) -> Path:
    return study.labelstudio_dir / "sqlite-before-team"


# -- options --------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True for addresses only this computer reaches (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str | None, allow_remote: bool) -> str:
    """The address to listen on (default 127.0.0.1); a non-loopback one needs
    ``allow_remote`` (``--allow-remote``), since it opens the server to the network."""
    if host is None or not host.strip():
        return server.HOST
    host = host.strip().strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host.lower() not in LOOPBACK_NAMES:
            raise UserError(
                f"--host {host}: give an IP address of this computer (e.g. 0.0.0.0 for every "
                "interface, or the address of one network card)"
            ) from None
        return server.HOST
    if not is_loopback(host) and not allow_remote:
        raise UserError(
            f"--host {host} makes Label Studio reachable from other computers -- add "
            "--allow-remote to confirm (read the security notes in docs/team-server.md first)"
        )
    return host


def check_public_url(url: str | None) -> str | None:
    """``https://labelstudio.uni.example`` (no trailing slash), or None."""
    if url is None or not url.strip():
        return None
    clean = url.strip().rstrip("/")
    parts = urlsplit(clean)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(
            f"--public-url {url}: write the address coders open, starting with https:// "
            "(e.g. https://labelstudio.uni.example)"
        )
    if parts.query or parts.fragment or parts.path not in ("", "/"):
        raise UserError(
            f"--public-url {url}: write the address alone, without a path, ?query or #fragment "
            "(Label Studio is served at the root of its address: https://labelstudio.uni.example)"
        )
    return clean


def binds(host: str, port: int) -> list[str]:
    """gunicorn ``--bind`` values: always 127.0.0.1 (framestudy's own connection), and
    ``host`` too when it is another address (a wildcard address covers 127.0.0.1)."""
    local = f"{server.HOST}:{port}"
    if host == server.HOST:
        return [local]
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if ipaddress.ip_address(host).is_unspecified:
        if ":" in host:  # [::] may be IPv6-only: keep IPv4's loopback explicitly
            return [shown, local]
        return [shown]
    return [local, shown]


# -- environment ------------------------------------------------------------------------------


def environment(
    creds: AdminCredentials,
    data: Path,
    db: postgres.DatabaseCredentials,
    pg_port: int,
    public_url: str | None = None,
) -> dict[str, str]:
    """The embedded server's environment, pointed at the study's PostgreSQL."""
    env = server.child_environment(creds, data, public_url)
    for name in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        for prefix in ("LABEL_STUDIO_", "HEARTEX_", ""):
            env.pop(f"{prefix}POSTGRE_{name}", None)
    env.update(
        {
            "LABEL_STUDIO_DJANGO_DB": "default",  # Label Studio's name for PostgreSQL
            "LABEL_STUDIO_POSTGRE_NAME": db.database,
            "LABEL_STUDIO_POSTGRE_USER": db.user,
            "LABEL_STUDIO_POSTGRE_PASSWORD": db.password,
            "LABEL_STUDIO_POSTGRE_HOST": postgres.HOST,
            "LABEL_STUDIO_POSTGRE_PORT": str(pg_port),
            "DJANGO_SETTINGS_MODULE": "core.settings.label_studio",
        }
    )
    return env


def _manage(
    study: Study, args: list[str], env: dict[str, str], what: str, *, timeout: float
) -> None:
    """Run Label Studio's ``manage.py ARGS`` (``label_studio.server`` for ``init``; the
    loader script for ``loaddata``), its output appended to ``.labelstudio/server.log``."""
    if args[0] == "init":
        command = [sys.executable, "-m", "label_studio.server", *args]
    elif args[0] == "loaddata":
        loader = Path(__file__).with_name("ls_loaddata.py")
        command = [sys.executable, str(loader), str(label_studio_dir()), *args[1:]]
    else:
        command = [sys.executable, str(label_studio_dir() / "manage.py"), *args]
    log = server.log_path(study)
    with open(log, "ab") as out:
        out.write(f"\n=== framestudy: {what} {datetime.now(UTC).isoformat()} ===\n".encode())
        out.flush()
        try:
            done = subprocess.run(
                command,
                cwd=study.labelstudio_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise UserError(f"Label Studio: {what} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        raise UserError(
            f"Label Studio: {what} failed; the end of {log}: {server._log_tail(log)}"
        )


def _fast_commits(study: Study, db: postgres.DatabaseCredentials, port: int, on: bool) -> None:
    """While the database is filled in one go (migrations, a load), commits need not wait
    for the disk (``synchronous_commit = off``: no risk of corruption, only of losing the
    last commits in a power cut); afterwards the default again, and a checkpoint writes
    everything to disk."""
    if on:
        postgres.sql(study, db, port, f"ALTER DATABASE {db.database} SET synchronous_commit TO off")
    else:
        postgres.sql(study, db, port, f"ALTER DATABASE {db.database} RESET synchronous_commit")
        postgres.sql(study, db, port, "CHECKPOINT")


def _new_cluster(study: Study) -> tuple[postgres.DatabaseCredentials, int]:
    """A new cluster, running, with an empty Label Studio database."""
    db = postgres.init(study)
    pg_port = postgres.start(study, server.free_port())
    postgres.create_database(study, db, pg_port)
    return db, pg_port


def _bootstrap(study: Study, creds: AdminCredentials, timeout: float) -> None:
    """First start: the cluster, Label Studio's migrations and its admin (``label-studio
    init`` with the admin's e-mail, password and legacy token from the environment)."""
    data = server.data_dir(study)
    try:
        db, pg_port = _new_cluster(study)
        _fast_commits(study, db, pg_port, True)
        env = environment(creds, data, db, pg_port)
        _manage(
            study,
            ["init", "--no-browser", "--enable-legacy-api-token", "--data-dir", str(data)],
            env,
            "creating the database (migrations) and the admin",
            timeout=timeout,
        )
        _fast_commits(study, db, pg_port, False)
    except BaseException:
        postgres.remove(study)
        raise


# -- start ------------------------------------------------------------------------------------


def start(
    study: Study,
    *,
    port: int,
    timeout: float,
    workers: int | None = None,
    host: str = server.HOST,
    public_url: str | None = None,
    org_per_coder: bool = False,
) -> dict:
    """Start the team server (creating its cluster on the first start); return the state
    recorded in ``server.json``. The caller (:func:`server.start`) has checked the port,
    that no server of the study runs, and ``host``."""
    if not gunicorn_installed():
        raise UserError(
            "gunicorn is not installed in this environment -- install the server extra: "
            "pip install 'framestudy[server]' (or `make install`)"
        )
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= MAX_WORKERS:
        raise UserError(f"--workers {workers}: give a number from 1 to {MAX_WORKERS}")
    version = server.label_studio_version()
    data = server.data_dir(study)
    creds = load_admin(study)
    if not postgres.exists(study):
        if sqlite_path(study).exists():
            raise UserError(
                f"this study's Label Studio keeps its data in SQLite ({sqlite_path(study)}) -- "
                "move it to the team server with `framestudy server migrate --to team`"
            )
        postgres.binaries()  # a clear error before anything is created
        if creds is None:
            creds = AdminCredentials.generate()
            save_admin(study, creds)
        data.mkdir(parents=True, exist_ok=True)
        _bootstrap(study, creds, timeout)
    if creds is None:
        raise UserError(
            f"{study.labelstudio_dir / 'credentials.json'} is missing but the study has a "
            "database -- restore the file from a backup"
        )
    db = postgres.load_credentials(study)
    if db is None:
        raise UserError(
            f"{postgres.credentials_file(study)} is missing -- restore it from a backup (the "
            "database in .labelstudio/postgres cannot be opened without its password)"
        )
    private_dir(study)
    data.mkdir(parents=True, exist_ok=True)
    pg_port = postgres.start(study, server.free_port())
    bind = binds(host, port)
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(Path(__file__).with_name("gunicorn_conf.py")),
        # the process title names Label Studio and the study's data: `stop` checks it
        "--name",
        f"label_studio {data}",
        "--pythonpath",
        str(label_studio_dir()),
        "--chdir",
        str(data),
        "--workers",
        str(workers),
        "--timeout",
        str(WORKER_TIMEOUT),
        "--graceful-timeout",
        "30",
        "--preload",
        "--no-control-socket",  # gunicorn >= 27 would otherwise create ~/.gunicorn/
        *(item for address in bind for item in ("--bind", address)),
        f"{server.LAUNCHER}:application" if org_per_coder else "core.wsgi:application",
    ]
    log = server.log_path(study)
    with open(log, "ab") as out:
        out.write(
            f"\n=== framestudy server start --team {datetime.now(UTC).isoformat()} ===\n".encode()
        )
        out.flush()
        child = subprocess.Popen(
            args,
            cwd=study.labelstudio_dir,
            env=environment(creds, data, db, pg_port, public_url),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{server.HOST}:{port}"
    state = {
        "kind": "team",
        "pid": child.pid,
        "port": port,
        "url": url,
        "host": host,
        "public_url": public_url,
        "workers": workers,
        "postgres_port": pg_port,
        "database": postgres.version(),
        "label_studio": version,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "organizations": server.PER_CODER if org_per_coder else server.ONE,
    }
    atomic_write_json(server.state_path(study), state)
    try:
        server._wait_ready(study, child.pid, url, creds.token, timeout, child=child)
    except BaseException:
        server._terminate(child.pid)
        server.state_path(study).unlink(missing_ok=True)
        postgres.stop(study)
        raise
    return state


# -- moving a study from SQLite ---------------------------------------------------------------


def _dump_and_load(study: Study, creds: AdminCredentials, work: Path, timeout: float) -> None:
    """SQLite -> a Django dump in ``work`` -> a new cluster (removed again on failure)."""
    data = server.data_dir(study)
    # XML, not JSON: Django's JSON encoder cuts times to milliseconds, the XML serializer
    # writes them whole (the raw exports and the tidy table show microseconds)
    dump = work / "labelstudio.xml"
    sqlite_env = server.child_environment(creds, data)
    sqlite_env["DJANGO_SETTINGS_MODULE"] = "core.settings.label_studio"
    _manage(
        study,
        [
            "dumpdata",
            "--all",  # every row, also those a model's default manager hides
            "--natural-foreign",
            "--exclude=contenttypes",
            "--exclude=auth.permission",
            "--exclude=django_rq",  # a view of the job queues, not a table
            "--format=xml",
            f"--output={dump}",
        ],
        sqlite_env,
        "dumping the SQLite database",
        timeout=3600,
    )
    try:
        db, pg_port = _new_cluster(study)
        _fast_commits(study, db, pg_port, True)
        env = environment(creds, data, db, pg_port)
        _manage(study, ["migrate", "--no-input"], env, "creating the tables", timeout=timeout)
        _manage(study, ["flush", "--no-input"], env, "emptying the new tables", timeout=600)
        _manage(study, ["loaddata", str(dump)], env, "loading the dump", timeout=3600)
        _fast_commits(study, db, pg_port, False)
        postgres.stop(study)
    except BaseException:
        postgres.remove(study)
        raise


def _recorded_port(study: Study, state: dict) -> int:
    """The port the study's server last had: its state record, else the address ``push``
    recorded in ``study.yaml`` (when it is this computer's), else the default."""
    from framestudy import settings

    if state.get("port"):
        return int(state["port"])
    recorded = (settings.load(study).labelstudio or settings.LabelStudioSection()).server
    parts = urlsplit(recorded or "")
    if parts.hostname == server.HOST and parts.port:
        return parts.port
    return server.DEFAULT_PORT


def migrate_to_team(
    study: Study,
    *,
    port: int | None = None,
    workers: int | None = None,
    host: str = server.HOST,
    public_url: str | None = None,
    allow_remote: bool = False,
    timeout: float = server.START_TIMEOUT,
) -> server.ServerInfo:
    """Move the study's Label Studio from SQLite to the team server, keeping every row.

    Stops the embedded server (if it runs), dumps its database with Django's ``dumpdata``
    (every model, primary keys kept; content types and permissions by natural key, since
    PostgreSQL's may be numbered differently), creates the cluster, runs the migrations,
    empties what they created (``flush``) and loads the dump (``loaddata`` with Label
    Studio's model signals off, so nothing but the dump's rows is written; it also resets
    PostgreSQL's id sequences), then checks every model's row count against the dump
    (:mod:`.ls_loaddata`). Then starts the team server on the same port as before, so
    the address recorded in ``study.yaml`` still names it. The SQLite database is kept, moved
    to ``.labelstudio/sqlite-before-team/``. If anything fails, the new cluster is removed
    and the SQLite database is left as it was.
    """
    host = check_host(host, allow_remote)
    public_url = check_public_url(public_url)
    if postgres.exists(study):
        raise UserError(
            "this study's Label Studio already runs on PostgreSQL (the team server) -- start it "
            "with `framestudy server start`"
        )
    creds = load_admin(study)
    sqlite = sqlite_path(study)
    if creds is None or not sqlite.is_file():
        raise UserError(
            f"no SQLite database of this study to move ({sqlite}) -- `framestudy server start "
            "--team` creates a team server directly"
        )
    if not gunicorn_installed():
        raise UserError(
            "gunicorn is not installed in this environment -- install the server extra: "
            "pip install 'framestudy[server]' (or `make install`)"
        )
    postgres.binaries()
    state = server.read_state(study) or {}
    stopped = server.stop(study)
    if port is None:
        port = stopped.port if stopped else _recorded_port(study, state)
    if not server.port_is_free(port):
        raise UserError(
            f"port {port} on {server.HOST} is in use by another program -- choose a free one "
            f"with --port (e.g. --port {server.free_port()})"
        )
    work = private_dir(study) / "migration"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    try:
        _dump_and_load(study, creds, work, timeout)
    except UserError as error:
        raise UserError(
            f"{error} -- nothing was moved: the SQLite database is as it was; start it again "
            "with `framestudy server start`"
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)  # password hashes and tokens: not left lying
    data = server.data_dir(study)
    backup = sqlite_backup_dir(study)
    backup.mkdir(mode=0o700, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = data / (SQLITE_NAME + suffix)
        if part.exists():
            part.rename(backup / part.name)
    return server.start(
        study,
        port=port,
        timeout=timeout,
        team=True,
        workers=workers,
        host=host,
        public_url=public_url,
        allow_remote=allow_remote,
        # as the server it replaces: coders keep their organisations either way
        org_per_coder=state.get("organizations") == server.PER_CODER,
    )
