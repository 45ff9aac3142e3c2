"""The study's embedded Label Studio: start, stop, status.

The server runs ``label-studio start`` (the ``server`` extra) bound to 127.0.0.1, with its
SQLite database in ``<study>/.labelstudio/data`` and its log in ``.labelstudio/server.log``.
On the first start framestudy generates the admin's e-mail, password and a legacy API token
(``.labelstudio/credentials.json``, mode 0600) and passes them to Label Studio through its
environment, which creates the admin without a browser. Sign-up is closed except through the
organisation's invite link; telemetry, Sentry and the update check are off.

The *team server* (``start(..., team=True)``, ``framestudy server start --team``, or
``server: {team: true}`` in ``study.yaml``) is the same Label Studio on a PostgreSQL cluster
of the study's own, served by gunicorn with several workers (:mod:`.team`,
:mod:`.postgres`); once a study has its cluster, every start is a team start. ``stop``
stops both, ``status`` says which server runs.

Facts this relies on (label-studio 1.23): settings are read from ``LABEL_STUDIO_X``, then
``HEARTEX_X``, then plain ``X`` -- so stray ``USERNAME``/``PASSWORD``/``HOST``/``PORT`` in the
environment are removed for the child; the admin and token are only applied when the
database is created; legacy tokens must be enabled when the organisation is created; a busy
port makes Label Studio silently move to the next one, so the port is checked first.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from framestudy.errors import UserError
from framestudy.io import atomic_write_json, read_json
from framestudy.labelstudio.credentials import (
    AdminCredentials,
    credentials_path,
    load_admin,
    private_dir,
    save_admin,
)
from framestudy.study import Study

DEFAULT_PORT = 8080
HOST = "127.0.0.1"
START_TIMEOUT = 240.0  # a first start runs all migrations: ~25 s on 2 cores, more under load

# Environment names Label Studio would pick up from a user's shell by accident.
# The module that starts Label Studio with framestudy's sign-up hook (one organisation per
# coder); its name contains "label_studio", which is how `stop` recognises the server.
LAUNCHER = "framestudy.labelstudio.launch_label_studio"
PER_CODER, ONE = "per coder", "one"  # server.json "organizations": how sign-ups are placed

_STRAY = ("USERNAME", "PASSWORD", "USER_TOKEN", "HOST", "PORT", "DJANGO_DB")
_PREFIXES = ("LABEL_STUDIO_", "HEARTEX_", "")


@dataclass(frozen=True)
class ServerInfo:
    """A running (or last started) embedded server."""

    url: str
    port: int
    pid: int
    data_dir: Path
    log: Path
    started_at: str
    reused: bool = False
    kind: str = "dev"  # "dev": SQLite + Django's development server; "team": see .team
    workers: int = 1
    database: str = "SQLite"
    host: str = HOST
    public_url: str | None = None
    postgres_port: int | None = None
    org_per_coder: bool = False  # started with the sign-up hook (:mod:`.launch_label_studio`)

    @property
    def team(self) -> bool:
        return self.kind == "team"

    def describe(self) -> str:
        """``PostgreSQL 15.18, gunicorn with 4 workers`` or ``SQLite, development server``."""
        if self.team:
            return f"{self.database}, gunicorn with {self.workers} workers"
        return "SQLite, Django's development server (one process)"


def data_dir(study: Study) -> Path:
    return study.labelstudio_dir / "data"


def state_path(study: Study) -> Path:
    return study.labelstudio_dir / "server.json"


def log_path(study: Study) -> Path:
    return study.labelstudio_dir / "server.log"


def label_studio_version() -> str | None:
    """The installed label-studio version, None if the server extra is not installed."""
    if importlib.util.find_spec("label_studio") is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("label-studio")
    except PackageNotFoundError:
        return None


def port_is_free(port: int, host: str = HOST) -> bool:
    """True if nothing listens on ``host:port``, tested the way the server will use it.

    Label Studio's server binds with address reuse (``SO_REUSEADDR``), so a port left in
    TIME_WAIT by a server that just died (a crash, SIGKILL) is free for it; a plain bind
    would be refused for about a minute. Label Studio itself looks for a listener by
    connecting; both tests must pass.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(2.0)
        try:
            if sock.connect_ex((host, port)) == 0:
                return False  # something answers there
        except OSError:
            pass
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """A port the operating system reports free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def child_environment(
    creds: AdminCredentials, data: Path, public_url: str | None = None
) -> dict[str, str]:
    """The environment for ``label-studio start``: ours, without stray fall-back names.

    ``public_url``: the address coders open through a TLS proxy; the browser's ``https://``
    origin differs from the plain request the proxy forwards, so Django's CSRF check must
    be told to trust it (``CSRF_TRUSTED_ORIGINS``)."""
    env = dict(os.environ)
    for name in _STRAY:
        for prefix in _PREFIXES:
            env.pop(prefix + name, None)
    # The SDK's own variables point framestudy elsewhere; they mean nothing to the server.
    env.pop("LABEL_STUDIO_URL", None)
    env.pop("LABEL_STUDIO_API_KEY", None)
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data),
            "LABEL_STUDIO_DJANGO_DB": "sqlite",
            "LABEL_STUDIO_USERNAME": creds.email,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LABEL_STUDIO_SENTRY_DSN": "",
            "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
            "LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if public_url:
        parts = urlsplit(public_url)
        env["LABEL_STUDIO_CSRF_TRUSTED_ORIGINS"] = f"{parts.scheme}://{parts.netloc}"
    return env


def read_state(study: Study) -> dict | None:
    """The record of the study's running (or last started) server, None if there is none."""
    return read_json(state_path(study), "server state file")


_read_state = read_state


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command_line(pid: int) -> str | None:
    """The command line of ``pid``; None if the operating system does not tell us."""
    proc = Path("/proc")
    if (proc / "self").exists():  # Linux: /proc is the authority; unreadable means unknown
        try:
            raw = (proc / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        return raw.replace(b"\0", b" ").decode(errors="replace").strip() or None
    try:  # pragma: no cover - systems without /proc (macOS, BSD)
        done = subprocess.run(
            ["ps", "-ww", "-o", "command=", "-p", str(pid)],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _is_zombie(pid: int) -> bool:
    """True if ``pid`` has exited and only waits to be reaped (Linux; False elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat[stat.rfind(")") + 1 :].split()[:1] == ["Z"]


OURS, GONE, OTHER, UNKNOWN = "ours", "gone", "other", "unknown"


def _identify(pid: int, study: Study) -> str:
    """What the recorded ``pid`` is now: OURS (Label Studio on this study's data, proven by
    its command line), GONE (not running), OTHER (a different program, e.g. a reused PID)
    or UNKNOWN (alive, but the operating system does not say what it is)."""
    if pid <= 0:
        return GONE
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own dead child
    if not _pid_alive(pid):
        return GONE
    args = _command_line(pid)
    if args is None:
        return GONE if _is_zombie(pid) else UNKNOWN
    if "label_studio" in args and str(data_dir(study)) in args:
        return OURS
    return OTHER


def _is_our_server(pid: int, study: Study) -> bool:
    """True only if ``pid`` is proven to be Label Studio on this study's data."""
    return _identify(pid, study) == OURS


def _doubt(study: Study, pid: int) -> UserError:
    return UserError(
        f"process {pid} recorded in {state_path(study)} is running, but framestudy cannot "
        "read its command line to confirm it is this study's Label Studio -- nothing was "
        f"signalled; if it is the server, stop it yourself (kill {pid}) and delete "
        f"{state_path(study).name}"
    )


def _whoami(url: str, token: str, timeout: float = 5.0) -> int | None:
    """The HTTP status of whoami with the admin token, None if nothing answers.

    Plain ``requests``, not the SDK's ``users.whoami``: this module must stay light (it is
    loaded for ``server start/stop/status``, and label-studio-sdk takes a second to import),
    and only the status code matters here.
    """
    try:
        response = requests.get(
            f"{url}/api/current-user/whoami",
            headers={"Authorization": f"Token {token}"},
            timeout=timeout,
        )
    except requests.RequestException:
        return None
    return response.status_code


def _log_tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(line.strip()[:200] for line in tail)


def _info(study: Study, state: dict, reused: bool) -> ServerInfo:
    team = state.get("kind") == "team"
    return ServerInfo(
        url=state["url"],
        port=int(state["port"]),
        pid=int(state["pid"]),
        data_dir=data_dir(study),
        log=log_path(study),
        started_at=str(state.get("started_at", "")),
        reused=reused,
        kind="team" if team else "dev",
        workers=int(state.get("workers") or 1),
        database=str(state.get("database") or ("PostgreSQL" if team else "SQLite")),
        host=str(state.get("host") or HOST),
        public_url=state.get("public_url") or None,
        postgres_port=int(state["postgres_port"]) if state.get("postgres_port") else None,
        org_per_coder=state.get("organizations") == PER_CODER,
    )


def wants_team(study: Study, team: bool | None = None) -> bool:
    """Whether a start is a team start: always once the study has its PostgreSQL cluster;
    else ``team`` if given, else ``server.team`` in ``study.yaml``."""
    from framestudy import settings
    from framestudy.labelstudio import postgres

    if postgres.exists(study):
        return True
    if team is not None:
        return team
    return settings.server_settings(study).team


def _wait_ready(
    study: Study, proc_pid: int, url: str, token: str, timeout: float, child=None
) -> None:
    """Poll whoami until the server answers 200; fail clearly if it dies or refuses us."""
    deadline = time.monotonic() + timeout
    while True:
        code = _whoami(url, token, timeout=5.0)
        if code == 200:
            return
        if code in (401, 403):
            raise UserError(
                f"the Label Studio at {url} rejects the admin token in "
                f"{credentials_path(study)} (HTTP {code}); the data folder was created with "
                "other credentials -- stop the server and delete .labelstudio/ to start afresh"
            )
        exited = child.poll() is not None if child is not None else not _pid_alive(proc_pid)
        if exited:
            state_path(study).unlink(missing_ok=True)
            raise UserError(
                f"Label Studio exited during start-up; the end of {log_path(study)}: "
                f"{_log_tail(log_path(study))}"
            )
        if time.monotonic() > deadline:
            raise UserError(
                f"Label Studio did not answer at {url} within {timeout:.0f} s -- see "
                f"{log_path(study)}; stop it with `framestudy server stop`"
            )
        time.sleep(0.25)


def start(
    study: Study,
    *,
    port: int | None = None,
    timeout: float = START_TIMEOUT,
    team: bool | None = None,
    workers: int | None = None,
    host: str | None = None,
    public_url: str | None = None,
    allow_remote: bool = False,
    org_per_coder: bool = False,
) -> ServerInfo:
    """Start the study's Label Studio, or reuse it if it is already running.

    ``team``: the team server (PostgreSQL + gunicorn with ``workers`` workers, see
    :mod:`.team`); None reads ``study.yaml`` (and a study with a cluster is always a team
    study). ``host``: listen on this address too (team server only; a non-loopback address
    needs ``allow_remote``). ``public_url``: the address coders open (behind a proxy),
    used in what ``coders add`` prints and trusted for Label Studio's CSRF check.
    ``org_per_coder``: start Label Studio through :mod:`.launch_label_studio`, whose sign-up
    hook gives every coder signed up from now on an organisation of their own (blindness
    enforced; see :func:`blindness`).

    Returns when the server answers the admin's whoami. Raises :class:`UserError` if the
    server extra is missing, the port is busy, or the server does not come up.
    """
    from framestudy import settings
    from framestudy.labelstudio import team as team_server

    state = _read_state(study)
    creds = load_admin(study)
    use_team = wants_team(study, team)
    if state:
        pid = int(state.get("pid", 0))
        who = _identify(pid, study)
        if who == UNKNOWN:
            raise _doubt(study, pid)  # it may be our server: never start a second one
        if who == OURS and creds:
            if use_team and state.get("kind") != "team":
                raise UserError(
                    "the study's embedded (SQLite) server is running -- to move the study to "
                    "the team server: framestudy server migrate --to team"
                )
            # Already running (or still starting): wait for it rather than start a second.
            _wait_ready(study, pid, state["url"], creds.token, timeout)
            return _info(study, state, reused=True)
        if who != OURS:
            state_path(study).unlink(missing_ok=True)  # a stale record of a dead server

    configured = settings.server_settings(study)
    host = team_server.check_host(host, allow_remote)
    if host != HOST and not use_team:
        raise UserError(
            f"--host {host} needs the team server (add --team): the embedded server is "
            "Django's development server, not made to face a network"
        )
    public_url = team_server.check_public_url(public_url or configured.public_url)
    workers = workers if workers is not None else configured.workers
    version = label_studio_version()
    if version is None:
        raise UserError(
            "Label Studio is not installed in this environment -- install the server extra: "
            "pip install 'framestudy[server]' (or `make install`), or point framestudy at your "
            "own server with LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY"
        )
    port = DEFAULT_PORT if port is None else port
    if not 0 < port < 65536:
        raise UserError(f"--port {port} is not a TCP port (1-65535)")
    if not port_is_free(port) or (host != HOST and not port_is_free(port, host)):
        raise UserError(
            f"port {port} on {HOST} is already in use by another program -- choose a free "
            f"one, e.g. `framestudy server start --port {free_port()}`"
        )
    if use_team:
        state = team_server.start(
            study,
            port=port,
            timeout=timeout,
            workers=workers,
            host=host,
            public_url=public_url,
            org_per_coder=org_per_coder,
        )
        return _info(study, state, reused=False)

    data = data_dir(study)
    if creds is None:
        if (data / "label_studio.sqlite3").exists():
            raise UserError(
                f"{data} holds a Label Studio database but {credentials_path(study)} is "
                "missing -- restore the file, or delete .labelstudio/ to start afresh"
            )
        creds = AdminCredentials.generate()
        save_admin(study, creds)
    private_dir(study)
    data.mkdir(parents=True, exist_ok=True)

    url = f"http://{HOST}:{port}"
    args = [
        sys.executable,
        "-m",
        LAUNCHER if org_per_coder else "label_studio.server",
        "start",
        "--no-browser",
        "--internal-host",
        HOST,
        "--port",
        str(port),
        "--data-dir",
        str(data),
    ]
    with open(log_path(study), "ab") as log:
        log.write(f"\n=== framestudy server start {datetime.now(UTC).isoformat()} ===\n".encode())
        log.flush()
        child = subprocess.Popen(
            args,
            cwd=study.labelstudio_dir,
            env=child_environment(creds, data, public_url),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `stop` ends it and its children
        )
    state = {
        "kind": "dev",
        "pid": child.pid,
        "port": port,
        "url": url,
        "public_url": public_url,
        "label_studio": version,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "organizations": PER_CODER if org_per_coder else ONE,
    }
    atomic_write_json(state_path(study), state)
    try:
        _wait_ready(study, child.pid, url, creds.token, timeout, child=child)
    except BaseException:
        _terminate(child.pid)
        state_path(study).unlink(missing_ok=True)
        raise
    return _info(study, state, reused=False)


def _terminate(pid: int, timeout: float = 15.0, still_ours=None) -> None:
    """End the process group we started (SIGTERM, then SIGKILL after ``timeout``).

    ``still_ours``: a check made again before SIGKILL, so a PID reused in the meantime is
    never signalled.
    """

    def send(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg") and os.getpgid(pid) == pid:  # the group it leads
                os.killpg(pid, sig)
            else:  # pragma: no cover - Windows
                os.kill(pid, sig)

    send(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if not _pid_alive(pid):
            return
        time.sleep(0.1)
    if still_ours is not None and not still_ours():
        return
    send(signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def stop(study: Study) -> ServerInfo | None:
    """Stop the study's server by its recorded PID; None if none was running.

    A process is signalled only when its command line proves it is Label Studio on this
    study's data. If the PID is alive but the system does not show its command line, nothing
    is signalled and :class:`UserError` says so (the record is kept).
    """
    state = _read_state(study)
    if not state:
        from framestudy.labelstudio import postgres

        postgres.stop(study)  # a cluster left running by a team start that failed
        return None
    info = _info(study, state, reused=False)
    who = _identify(info.pid, study)
    if who == UNKNOWN:
        raise _doubt(study, info.pid)
    if who == OURS:
        _terminate(info.pid, still_ours=lambda: _is_our_server(info.pid, study))
    if info.team:
        from framestudy.labelstudio import postgres

        postgres.stop(study)
    state_path(study).unlink(missing_ok=True)
    return info if who == OURS else None


@dataclass(frozen=True)
class ServerStatus:
    """What ``framestudy server status`` reports."""

    running: bool
    answering: bool
    info: ServerInfo | None
    admin: AdminCredentials | None
    version: str | None


def status(study: Study) -> ServerStatus:
    state = _read_state(study)
    creds = load_admin(study)
    if not state:
        return ServerStatus(False, False, None, creds, label_studio_version())
    info = _info(study, state, reused=False)
    who = _identify(info.pid, study)
    answering = bool(who in (OURS, UNKNOWN) and creds and _whoami(info.url, creds.token) == 200)
    running = who == OURS or answering
    return ServerStatus(running, answering, info, creds, state.get("label_studio"))


def public_url(study: Study) -> str | None:
    """The address coders open (``--public-url``) recorded for the running server."""
    state = _read_state(study)
    return (state or {}).get("public_url") or None


def local_connection_details(study: Study) -> tuple[str, str] | None:
    """(url, admin token) of the study's running embedded server, None if it is not running."""
    state = _read_state(study)
    creds = load_admin(study)
    if not state or not creds or not _is_our_server(int(state.get("pid", 0)), study):
        return None
    return state["url"], creds.token


@dataclass(frozen=True)
class Blindness:
    """Whether Label Studio itself keeps each coder out of the others' projects."""

    enforced: bool
    why: str

    def describe(self) -> str:
        return f"blindness: {'enforced' if self.enforced else 'by convention'} ({self.why})"


def _active_organization(url: str, token: str) -> int | None:
    try:
        response = requests.get(
            f"{url}/api/current-user/whoami",
            headers={"Authorization": f"Token {token}"},
            timeout=10.0,
        )
    except requests.RequestException:
        return None
    if response.status_code != 200:
        return None
    org = response.json().get("active_organization")
    return int(org) if org is not None else None


def blindness(study: Study) -> Blindness:
    """Enforced only on a server framestudy started with its sign-up hook (``server.json``
    says ``organizations: per coder``) where every coder of ``study.yaml`` has a stored token
    whose user works in an organisation of their own (not the admin's, not another coder's).
    Otherwise by convention, with the reason: an external server (``LABEL_STUDIO_URL``), a
    server started without the hook, or coders added before it (one shared organisation)."""
    import os as _os

    from framestudy import settings
    from framestudy.labelstudio.credentials import load_coder_tokens

    if _os.environ.get("LABEL_STUDIO_URL", "").strip():
        return Blindness(
            False,
            "LABEL_STUDIO_URL: a server framestudy did not start, whose organisation's "
            "members may open every project of it",
        )
    state = _read_state(study)
    creds = load_admin(study)
    if not state or not creds or not _is_our_server(int(state.get("pid", 0)), study):
        return Blindness(False, "the study's server is not running")
    if state.get("organizations") != PER_CODER:
        return Blindness(
            False,
            "the server was started without one organisation per coder: every coder may "
            "open every project -- restart it: framestudy server stop; framestudy server start",
        )
    url = state["url"]
    seen = {_active_organization(url, creds.token): "the admin"}
    tokens = load_coder_tokens(study)
    for coder in settings.coders(study):
        if coder not in tokens:
            return Blindness(
                False,
                f"framestudy holds no API token of {coder} yet: `framestudy coders add` signs a "
                "coder up in an organisation of their own and keeps the token (a coder signed up "
                "before this server started shares the admin's organisation)",
            )
        org = _active_organization(url, tokens[coder])
        if org is None:
            return Blindness(False, f"the stored API token of {coder} is not accepted")
        if org in seen:
            return Blindness(
                False, f"{coder} shares an organisation with {seen[org]} (added before the hook)"
            )
        seen[org] = coder
    return Blindness(True, "one Label Studio organisation per coder")
