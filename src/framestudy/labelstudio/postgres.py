"""The team server's database: a private PostgreSQL cluster inside the study's ``.labelstudio/``.

Nothing system-wide is used or changed: the cluster is made with Debian's own binaries
(``initdb``, ``pg_ctl`` from ``/usr/lib/postgresql/<version>/bin``, package ``postgresql``,
installed by ``make postgres``) in ``.labelstudio/postgres/``, runs as a child of
framestudy on a free port of 127.0.0.1, and keeps its Unix socket in ``.labelstudio/run/``.
The system's own PostgreSQL service (if any) is not touched.

Access: one database user, ``framestudy``, with a random password kept in
``.labelstudio/postgres.json`` (mode 0600). Connections over TCP need that password
(``scram-sha-256``), so other users of the machine cannot reach the data through the port;
connections through the Unix socket are trusted, which is safe because its folder is the
study's private ``.labelstudio/`` (mode 0700).

PostgreSQL refuses to run as root (``initdb`` and ``postgres`` exit with "cannot be run as
root"). When framestudy runs as root (CI, containers) every server-side command is run in a
new user namespace (``unshare --user``, util-linux) in which the caller is mapped to an
unprivileged user id: inside, PostgreSQL sees an ordinary user that owns its data folder;
outside, the files stay owned by the caller and sit in the same private folder. No system
user, ``chown`` or ``sudo`` is involved. Client programs (``createdb``, ``psql``) run as they are.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from framestudy.errors import UserError
from framestudy.io import atomic_write_text, read_json
from framestudy.labelstudio.credentials import private_dir, write_private_json
from framestudy.study import Study

DB_USER = "framestudy"
DB_NAME = "labelstudio"
HOST = "127.0.0.1"
START_TIMEOUT = 120.0
_SOCKET_MAX = 107  # bytes in a Unix socket path (sun_path) on Linux, incl. the NUL


@dataclass(frozen=True)
class DatabaseCredentials:
    """The cluster's one database user and its password."""

    user: str
    password: str
    database: str

    @classmethod
    def generate(cls) -> DatabaseCredentials:
        return cls(user=DB_USER, password=secrets.token_urlsafe(24), database=DB_NAME)


def cluster_dir(study: Study) -> Path:
    return study.labelstudio_dir / "postgres"


def socket_dir(study: Study) -> Path:
    return study.labelstudio_dir / "run"


def log_path(study: Study) -> Path:
    return study.labelstudio_dir / "postgres.log"


def credentials_file(study: Study) -> Path:
    return study.labelstudio_dir / "postgres.json"


def exists(study: Study) -> bool:
    """True if the study has a cluster (made by ``server start --team`` or ``migrate``)."""
    return (cluster_dir(study) / "PG_VERSION").is_file()


def load_credentials(study: Study) -> DatabaseCredentials | None:
    data = read_json(credentials_file(study), "database credentials file")
    if data is None:
        return None
    try:
        return DatabaseCredentials(str(data["user"]), str(data["password"]), str(data["database"]))
    except KeyError as exc:
        raise UserError(
            f"{credentials_file(study)}: missing {exc.args[0]!r} -- restore the file from a "
            "backup (the cluster in .labelstudio/postgres cannot be opened without it)"
        ) from None


def binaries() -> Path:
    """The folder of PostgreSQL's server binaries (Debian: the newest under
    ``/usr/lib/postgresql``); ``FRAMESTUDY_PG_BIN`` overrides it."""
    override = os.environ.get("FRAMESTUDY_PG_BIN", "").strip()
    candidates = [Path(override)] if override else []
    if not override:
        found = glob.glob("/usr/lib/postgresql/*/bin/initdb")

        def major(path: str) -> float:
            match = re.search(r"/postgresql/([\d.]+)/", path)
            return float(match.group(1)) if match else 0.0

        candidates += [Path(p).parent for p in sorted(found, key=major, reverse=True)]
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "createdb")):
            return folder
    where = f"FRAMESTUDY_PG_BIN={override}" if override else "/usr/lib/postgresql/*/bin"
    raise UserError(
        f"PostgreSQL's server programs (initdb, pg_ctl) are not installed ({where}) -- "
        "install them with `make postgres` (Debian's postgresql package), or start the study "
        "without --team"
    )


def version() -> str:
    """``PostgreSQL 15.x`` of the binaries framestudy would use."""
    done = subprocess.run(
        [str(binaries() / "pg_ctl"), "--version"], capture_output=True, text=True, timeout=30
    )
    text = done.stdout.strip()  # "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    match = re.search(r"\(PostgreSQL\)\s+([\d.]+)", text)
    return f"PostgreSQL {match.group(1)}" if match else text or "PostgreSQL"


def _unprivileged_uid() -> int:
    """The user id root is mapped to for PostgreSQL: ``postgres`` (Debian's package makes
    it), else ``nobody``. Only a number inside the namespace: no file is given to it."""
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_uid
    return 65534


def as_owner(args: list[str]) -> list[str]:
    """``args`` as the cluster's owner: unchanged for a normal user; for root, wrapped in a
    user namespace where the caller is an unprivileged user (see the module docstring)."""
    if os.geteuid() != 0:
        return args
    unshare = shutil.which("unshare")
    if unshare is None:
        raise UserError(
            "PostgreSQL cannot run as root, and `unshare` (util-linux), which framestudy uses "
            "to run it as an unprivileged user, is missing -- install util-linux, or run "
            "framestudy as a normal user"
        )
    uid = str(_unprivileged_uid())
    return [unshare, "--user", f"--map-user={uid}", f"--map-group={uid}", *args]


def _run(args: list[str], what: str, *, env: dict | None = None, timeout: float = 300) -> str:
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise UserError(f"PostgreSQL: {what} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = " | ".join(
            line.strip() for line in (done.stderr or done.stdout).splitlines()[-4:] if line.strip()
        )
        hint = ""
        if "unshare" in args[0] and "Operation not permitted" in (done.stderr or ""):
            hint = (
                " -- this system does not allow user namespaces, which framestudy needs to run "
                "PostgreSQL as root: run framestudy as a normal user"
            )
        raise UserError(f"PostgreSQL: {what} failed: {tail}{hint}")
    return done.stdout


def _client_env(creds: DatabaseCredentials) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSWORD"] = creds.password
    return env


def init(study: Study, *, sync: bool = True) -> DatabaseCredentials:
    """Create the cluster (``initdb``) with a new user and password; return them.

    ``sync=False`` skips initdb's final fsync (tests: the template is rebuilt if lost).
    """
    if exists(study):
        raise UserError(f"{cluster_dir(study)} already holds a PostgreSQL cluster")
    bindir = binaries()
    private_dir(study)
    creds = DatabaseCredentials.generate()
    write_private_json(credentials_file(study), asdict(creds))
    target = cluster_dir(study)
    if target.exists():  # an initdb that died half-way
        shutil.rmtree(target)
    pwfile = study.labelstudio_dir / ".pgpass-init"
    atomic_write_text(pwfile, creds.password + "\n", private=True)
    try:
        args = [
            str(bindir / "initdb"),
            "-D",
            str(target),
            "-U",
            creds.user,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        if not sync:
            args.append("--no-sync")
        _run(as_owner(args), "initdb (creating the database cluster)")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        pwfile.unlink(missing_ok=True)
    return creds


def running_port(study: Study) -> int | None:
    """The port of the study's running postmaster, None if it is not running.

    Read from ``postmaster.pid`` (line 1: pid, line 4: port) and checked: the pid must be
    alive and its command line must name this cluster's folder.
    """
    pidfile = cluster_dir(study) / "postmaster.pid"
    try:
        lines = pidfile.read_text(encoding="utf-8", errors="replace").splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    return port if postmaster_is_ours(pid, study) else None


def postmaster_pid(study: Study) -> int | None:
    try:
        return int((cluster_dir(study) / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def postmaster_is_ours(pid: int, study: Study) -> bool:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    args = raw.replace(b"\0", b" ").decode(errors="replace")
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        text = stat.read_text(encoding="ascii", errors="replace")
        if text[text.rfind(")") + 1 :].split()[:1] == ["Z"]:
            return False
    return "postgres" in args and str(cluster_dir(study)) in args


def start(study: Study, port: int, *, timeout: float = START_TIMEOUT) -> int:
    """Start the cluster on ``127.0.0.1:port`` (or find it running); return its port."""
    already = running_port(study)
    if already is not None:
        return already
    bindir = binaries()
    sockets = socket_dir(study)
    sockets.mkdir(mode=0o700, exist_ok=True)
    # A socket path longer than the kernel allows makes PostgreSQL refuse to start: then
    # TCP only (the Label Studio connection uses TCP anyway).
    socket_file = f"{sockets}/.s.PGSQL.{port}"
    fits = len(os.fsencode(socket_file)) < _SOCKET_MAX
    socket_option = shlex.quote(str(sockets)) if fits else "''"
    options = (
        f"-p {port} -c listen_addresses={HOST} -c unix_socket_directories={socket_option}"
    )
    args = [
        str(bindir / "pg_ctl"),
        "-D",
        str(cluster_dir(study)),
        "-l",
        str(log_path(study)),
        "-o",
        options,
        "-w",
        "-t",
        str(int(timeout)),
        "start",
    ]
    try:
        _run(as_owner(args), "starting the database server", timeout=timeout + 30)
    except UserError as error:
        raise UserError(f"{error} (log: {log_path(study)})") from None
    return port


def stop(study: Study, *, timeout: float = 60.0) -> bool:
    """Stop the cluster if it runs (``pg_ctl stop -m fast``); True if it was running."""
    pid = postmaster_pid(study)
    if pid is None or not postmaster_is_ours(pid, study):
        return False
    args = [str(binaries() / "pg_ctl"), "-D", str(cluster_dir(study)), "-m", "fast", "-w"]
    args += ["-t", str(int(timeout)), "stop"]
    try:
        _run(as_owner(args), "stopping the database server", timeout=timeout + 30)
    except UserError:
        # pg_ctl could not do it (e.g. the namespace tool is gone): SIGINT is PostgreSQL's
        # own "fast shutdown" signal; the caller owns the process.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and postmaster_is_ours(pid, study):
            time.sleep(0.1)
    return True


def create_database(study: Study, creds: DatabaseCredentials, port: int) -> None:
    """Create the Label Studio database (owned by the cluster's user)."""
    _run(
        [
            str(binaries() / "createdb"),
            "-h",
            HOST,
            "-p",
            str(port),
            "-U",
            creds.user,
            "-E",
            "UTF8",
            creds.database,
        ],
        "creating the database",
        env=_client_env(creds),
    )


def sql(study: Study, creds: DatabaseCredentials, port: int, statement: str) -> str:
    """Run one SQL statement with ``psql`` (administration only; returns its output)."""
    return _run(
        [
            str(binaries() / "psql"),
            "-h",
            HOST,
            "-p",
            str(port),
            "-U",
            creds.user,
            "-d",
            creds.database,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            statement,
        ],
        "an administrative statement",
        env=_client_env(creds),
    )


def remove(study: Study) -> None:
    """Delete the cluster and its credentials (after a failed first start or migration)."""
    stop(study)
    shutil.rmtree(cluster_dir(study), ignore_errors=True)
    shutil.rmtree(socket_dir(study), ignore_errors=True)
    credentials_file(study).unlink(missing_ok=True)
