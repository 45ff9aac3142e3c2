"""Coders under load: the scenario shared by ``test_load.py`` and
``benchmarks/labelstudio_load.py`` (issue 12, "Under load, nothing lost").

A study on its own server (a copy of the suite's migrated template, or a fresh one), with
``n_coders`` accounts made by :func:`framestudy.labelstudio.coders.add_coders` (what
``framestudy coders add`` runs) and the tasks pushed by
:func:`framestudy.labelstudio.push.push` (blind design by default: every coder works in their
own project, as push assigns). Each coder is a thread with their own API token (logged in
with the password ``coders add`` stored) and their own HTTP client. Per round a coder

1. opens their next task (``GET /api/tasks/<id>``),
2. submits an annotation on it (:func:`framestudy.labelstudio.submit.submit_annotation`, the
   documented way to submit: ``unique_id`` = framestudy's idempotency key, no blind retry),
3. corrects it at once (``PATCH /api/annotations/<id>``, version 1), and
4. from the second round on, revises one of their earlier annotations (next version).

Every annotation's result encodes (coder, article, version), so what a pull brings back can
be checked by content as well as by annotation id and key: :func:`check_export`.

Only 127.0.0.1; bounded by the number of rounds (every request is counted) and by a
deadline. The server backend is a parameter: ``sqlite`` (the embedded server: SQLite and
Django's development server) or ``postgresql`` (the team server: PostgreSQL and gunicorn,
from a copy of the suite's team template); see :func:`start_server`.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from framestudy.labelstudio import accounts, remote, server
from framestudy.labelstudio.client import Connection, connect, connect_to
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.labelstudio.push import push
from framestudy.labelstudio.submit import (
    Submitted,
    annotation_key,
    canonical_result,
    submit_annotation,
)
from framestudy.labelstudio.upload import api_token
from framestudy.settings import SHARED, projects
from framestudy.study import Study

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "postgresql")
HOST = "127.0.0.1"
TEAM_WORKERS = 4  # gunicorn workers of the team server (its default on 2 cores)
TIMEOUT = 60.0  # seconds per request

# Values of the bundled schema (schemas/framing.yaml) the results are made of.
GENRES = ("REPORTING", "OPINION", "ANALYSIS")
SCALE = ("-2", "-1", "0", "+1", "+2", "NA")
ACTORS = ("RUSSIA", "NATO", "US", "UKRAINE", "EU_WEST", "SHARED", "NONE")
PHRASE = "NATO enlargement"
MAX_VERSIONS = 42  # results repeat after 42 versions (lcm of 6, 7 x 6 and 3): the decodable range


# -- the server ------------------------------------------------------------------------------


def start_server(study: Study, backend: str, port: int) -> server.ServerInfo:
    """Start (or restart) the study's server on ``backend`` (127.0.0.1:``port``).

    ``postgresql``: the team server (PostgreSQL + gunicorn with :data:`TEAM_WORKERS`
    workers). After :func:`kill_server` its database cluster is still running:
    :func:`server.start` finds the dead gunicorn's stale record, drops it, and the team
    start reuses the running cluster (``postgres.start`` reads its ``postmaster.pid``).
    """
    if backend == "sqlite":
        return server.start(study, port=port, team=False)
    if backend == "postgresql":
        return server.start(study, port=port, team=True, workers=TEAM_WORKERS)
    raise ValueError(f"backend {backend!r}: one of {', '.join(BACKENDS)}")


def kill_server(study: Study, info: server.ServerInfo, backend: str) -> None:
    """SIGKILL the Label Studio process group (no clean shutdown), as a crash would.

    The group is the one ``server start`` made (``start_new_session``): Django's server
    (SQLite), or gunicorn's master and its workers (PostgreSQL). The PostgreSQL cluster is
    not in it -- ``pg_ctl`` runs from the caller (through ``unshare --user`` as root) and
    the postmaster leaves for a session of its own -- so the database stays up, as it would
    when the web server crashes; :func:`_check_outside` makes sure before the kill.
    """
    if backend == "postgresql":
        _check_outside(study, info.pid)
    os.killpg(info.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(info.pid, 0)  # our child: reap it, so `server start` sees it gone
    # SIGKILL is delivered asynchronously: gunicorn's workers (reparented when the master
    # dies first) can hold the listening socket a moment longer, and `server start` would
    # then find the port in use. Wait until no live process is left in the group.
    deadline = time.monotonic() + 30.0
    while _group_alive(info.pid):
        if time.monotonic() > deadline:
            raise RuntimeError(f"process group {info.pid} still alive 30 s after SIGKILL")
        time.sleep(0.05)
    if backend == "postgresql":
        from framestudy.labelstudio import postgres

        assert postgres.running_port(study) is not None, "the database died with the server"


def _check_outside(study: Study, group: int) -> None:
    """Fail (rather than kill the database too) if the postmaster is in ``group``."""
    from framestudy.labelstudio import postgres

    pid = postgres.postmaster_pid(study)
    assert pid is not None and postgres.postmaster_is_ours(pid, study), "no database running"
    assert os.getpgid(pid) != group, f"the postmaster {pid} is in Label Studio's group {group}"


def _group_alive(group: int) -> bool:
    """Whether a process of ``group`` is still alive (zombies do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 1 :].split()  # state, ppid, pgrp, ...
        if len(fields) > 2 and fields[2] == str(group) and fields[0] != "Z":
            return True
    return False


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 1 :].split()[:1] == ["Z"]


def stop_server(study: Study, backend: str) -> None:
    """``server stop``: Label Studio, and for ``postgresql`` its database cluster too."""
    server.stop(study)


# -- the study -------------------------------------------------------------------------------


def task_text(i: int) -> str:
    return f"Article {i}. {PHRASE} was discussed in text number {i}, among other things."


def make_load_study(root: Path, n_articles: int, template: Path | None) -> Study:
    """A study folder with the repository's schema, ``n_articles`` short articles of the
    schema's current hash, and (``template``) a copy of a migrated server's data."""
    from framestudy.schema import load_schema

    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schemas", root / "schemas", dirs_exist_ok=True)
    study = Study(root)
    schema_hash = load_schema(study.schema_source).hash
    (root / "study.yaml").write_text(f"name: load-{os.getpid()}-{root.name}\n", encoding="utf-8")
    (root / "tasks").mkdir(exist_ok=True)
    tasks = [
        {
            "data": {
                "article_id": f"a{i:04d}",
                "outlet": f"outlet-{i % 4}",
                "text": task_text(i),
                "title": f"Title {i}",
                "schema_hash": schema_hash,
            }
        }
        for i in range(n_articles)
    ]
    (root / "tasks" / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    if template is not None:
        subprocess.run(
            ["cp", "-a", str(template / ".labelstudio"), str(study.labelstudio_dir)], check=True
        )
    return study


# -- results that say who, what and which version -------------------------------------------


def result_for(coder: int, article_id: str, version: int) -> list[dict]:
    """A valid result of the bundled schema encoding (coder, article, version): the
    relevance, a genre, the evaluation of NATO enlargement, the main blamed actor and one
    LEGITIMACY span on the phrase "NATO enlargement"."""
    number = int(article_id[1:])
    start = task_text(number).index(PHRASE)
    region = f"s{coder}x{number}"

    def choice(name: str, value: str) -> dict:
        return {
            "id": f"doc-{name}",
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [value]},
        }

    return [
        choice("relevant", "yes"),
        choice("genre", GENRES[(coder + version) % len(GENRES)]),
        choice("legit_nato_enlargement", SCALE[version % len(SCALE)]),
        choice("blame_primary", ACTORS[(version // len(SCALE) + coder) % len(ACTORS)]),
        {
            "id": region,
            "from_name": "span",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": start + len(PHRASE), "text": PHRASE,
                      "labels": ["LEGITIMACY"]},
        },
    ]


def expected_values(coder: int, version: int) -> dict[str, str]:
    """The tidy table's document values of ``result_for(coder, ..., version)``."""
    return {
        "relevant": "yes",
        "genre": GENRES[(coder + version) % len(GENRES)],
        "legit_nato_enlargement": SCALE[version % len(SCALE)],
        "blame_primary": ACTORS[(version // len(SCALE) + coder) % len(ACTORS)],
    }


# -- coders ----------------------------------------------------------------------------------


@dataclass
class Coder:
    index: int
    email: str
    user_id: int
    conn: Connection  # the coder's own token; submit_annotation uses it
    http: requests.Session  # the coder's own token; GET and PATCH
    tasks: list[tuple[int, str]]  # (task id, article id) of the coder's project, in order


@dataclass
class Call:
    coder: int
    kind: str  # "open", "submit", "update"
    seconds: float
    ok: bool
    error: str = ""


@dataclass
class Ledger:
    """What the coders were told (thread-safe): per (coder email, task id) the annotation id
    and the highest version whose save was acknowledged, and every call made."""

    acked: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    submits: list[tuple[str, int, Submitted]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, email: str, task_id: int, annotation_id: int, version: int) -> None:
        with self.lock:
            old = self.acked.get((email, task_id))
            if old is None or old[1] < version:
                self.acked[(email, task_id)] = (annotation_id, version)

    def snapshot(self) -> dict[tuple[str, int], tuple[int, int]]:
        with self.lock:
            return dict(self.acked)

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


@dataclass
class Setup:
    study: Study
    backend: str
    info: server.ServerInfo
    coders: list[Coder]
    design: str
    seconds: dict[str, float]


def _coder_tasks(admin: Connection, study: Study, email: str, design: str) -> list[tuple[int, str]]:
    records = {r.coder: r for r in projects(study, admin.url)}
    record = records[email if design == "blind" else SHARED]
    tasks = remote.list_tasks(admin, record.id)
    return sorted((t.id, str(t.article_id)) for t in tasks)


def _log_in(url: str, email: str, password: str) -> tuple[str, int]:
    session = accounts.login(url, email, password)
    me = accounts.whoami(session, url)
    return api_token(session, url), int(me["id"])


def prepare(
    root: Path,
    *,
    backend: str = "sqlite",
    n_coders: int = 20,
    n_articles: int = 40,
    design: str = "blind",
    reliability_share: float = 0.25,
    template: Path | None = None,
    port: int | None = None,
) -> Setup:
    """The study, its server, ``n_coders`` coders (accounts, logged in) and the pushed tasks."""
    seconds: dict[str, float] = {}
    t0 = time.monotonic()
    study = make_load_study(root, n_articles, template)
    info = start_server(study, backend, port or server.free_port())
    seconds["server start"] = time.monotonic() - t0
    try:
        admin = connect(study)
        emails = [f"coder{j:02d}.{os.getpid()}@load.example" for j in range(1, n_coders + 1)]
        t0 = time.monotonic()
        add_coders(study, admin, emails)
        seconds["coders add"] = time.monotonic() - t0
        t0 = time.monotonic()
        push(study, admin, design=design, reliability_share=reliability_share, seed=1)
        seconds["push"] = time.monotonic() - t0
        passwords = load_coder_passwords(study)
        t0 = time.monotonic()
        coders = []
        for j, email in enumerate(emails):
            token, user_id = _log_in(info.url, email, passwords[email])
            http = requests.Session()
            http.headers["Authorization"] = f"Token {token}"
            conn = connect_to(info.url, token, max_retries=0, timeout=TIMEOUT)
            conn.user_id, conn.user_email = user_id, email
            coders.append(
                Coder(j, email, user_id, conn, http, _coder_tasks(admin, study, email, design))
            )
        seconds["log-ins"] = time.monotonic() - t0
    except BaseException:
        stop_server(study, backend)
        raise
    return Setup(study, backend, info, coders, design, seconds)


# -- one coder's work ------------------------------------------------------------------------


def _timed(ledger: Ledger, coder: Coder, kind: str, fn):
    """``fn()`` timed and recorded; transient failures (no answer, 5xx) are retried with
    growing pauses for up to TIMEOUT seconds, each failure recorded as an error."""
    deadline = time.monotonic() + TIMEOUT
    pause = 0.25
    while True:
        start = time.monotonic()
        try:
            value = fn()
        except requests.HTTPError as exc:
            answer = exc.response
            code = answer.status_code if answer is not None else 0
            text = answer.text[:160] if answer is not None else ""
            ledger.record(Call(coder.index, kind, time.monotonic() - start, False,
                               f"HTTP {code}: {text}"))
            if code < 500 or time.monotonic() > deadline:
                raise
        except requests.RequestException as exc:
            ledger.record(Call(coder.index, kind, time.monotonic() - start, False,
                               f"{type(exc).__name__}: {str(exc)[:160]}"))
            if time.monotonic() > deadline:
                raise
        else:
            ledger.record(Call(coder.index, kind, time.monotonic() - start, True))
            return value
        time.sleep(pause)
        pause = min(pause * 2, 4.0)


def open_task(ledger: Ledger, coder: Coder, url: str, task_id: int) -> dict:
    def go():
        answer = coder.http.get(f"{url}/api/tasks/{task_id}", timeout=TIMEOUT)
        answer.raise_for_status()
        return answer.json()

    return _timed(ledger, coder, "open", go)


def submit(
    ledger: Ledger, coder: Coder, task_id: int, article_id: str, patience: float = TIMEOUT
) -> Submitted:
    """Version 0 of the coder's annotation on the task, through submit_annotation."""
    start = time.monotonic()
    try:
        done = submit_annotation(
            coder.conn, task_id, result_for(coder.index, article_id, 0), lead_time=5.0,
            patience=patience,
        )
    except Exception as exc:
        ledger.record(Call(coder.index, "submit", time.monotonic() - start, False,
                           f"{type(exc).__name__}: {str(exc)[:200]}"))
        raise
    elapsed = time.monotonic() - start
    for _ in range(done.attempts - 1):  # attempts whose outcome was unknown
        ledger.record(Call(coder.index, "submit", 0.0, False, "no usable answer; retried"))
    ledger.record(Call(coder.index, "submit", elapsed, True))
    with ledger.lock:
        ledger.submits.append((coder.email, task_id, done))
    ledger.ack(coder.email, task_id, done.id, 0)
    return done


def update(
    ledger: Ledger, coder: Coder, url: str, task_id: int, article_id: str, annotation_id: int,
    version: int,
) -> None:
    def go():
        answer = coder.http.patch(
            f"{url}/api/annotations/{annotation_id}/",
            json={"result": result_for(coder.index, article_id, version), "lead_time": 5.0},
            timeout=TIMEOUT,
        )
        answer.raise_for_status()
        return answer.json()

    _timed(ledger, coder, "update", go)
    ledger.ack(coder.email, task_id, annotation_id, version)


def work(
    ledger: Ledger, coder: Coder, url: str, rounds: range, seed: int,
    progress: threading.Semaphore | None = None,
) -> None:
    """The coder's rounds (see the module doc); task ``r`` of their project in round ``r``."""
    rng = random.Random(seed * 1000 + coder.index)
    mine: list[tuple[int, str, int]] = []  # (task id, article id, annotation id)
    versions: dict[int, int] = {}
    for r in rounds:
        task_id, article_id = coder.tasks[r]
        open_task(ledger, coder, url, task_id)
        done = submit(ledger, coder, task_id, article_id)
        update(ledger, coder, url, task_id, article_id, done.id, 1)
        versions[task_id] = 1
        if mine:
            old_task, old_article, old_id = rng.choice(mine)
            versions[old_task] += 1
            update(ledger, coder, url, old_task, old_article, old_id, versions[old_task])
        mine.append((task_id, article_id, done.id))
        if progress is not None:
            progress.release()


# -- a load run ------------------------------------------------------------------------------


@dataclass
class RunReport:
    backend: str
    design: str
    coders: int
    rounds: int
    seconds: float
    requests: int
    failed: int
    throughput: float  # acknowledged requests per second
    latency_ms: dict[str, dict[str, float]]
    errors: list[dict]
    mid_pull: dict[str, Any] = field(default_factory=dict)


def latency_table(calls: list[Call]) -> dict[str, dict[str, float]]:
    """Per kind of call (and all together): n, p50, p90, p99 and max, in milliseconds."""
    out = {}
    groups: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if call.ok:
            groups[call.kind].append(call.seconds * 1000)
            groups["all"].append(call.seconds * 1000)
    for kind, values in sorted(groups.items()):
        values.sort()
        cut = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else (
            values * 99
        )
        out[kind] = {
            "n": len(values),
            "p50": round(cut[49], 1),
            "p90": round(cut[89], 1),
            "p99": round(cut[98], 1),
            "max": round(values[-1], 1),
        }
    return out


def run_rounds(
    setup: Setup,
    rounds: int,
    *,
    seed: int = 1,
    mid_pull: bool = True,
    deadline: float = 300.0,
) -> tuple[RunReport, Ledger, dict[str, Any]]:
    """All coders' ``rounds`` at once, one thread each; with ``mid_pull`` one
    :func:`framestudy.labelstudio.pull.pull` starts when half the coder-rounds are done.

    Returns the report, the ledger, and the mid-run pull: its result, the ledger's snapshot
    when it started (``before``) and when it ended (``after``).
    """
    from framestudy.labelstudio.pull import pull

    ledger = Ledger()
    url = setup.info.url
    progress = threading.Semaphore(0)
    failures: list[BaseException] = []
    pulled: dict[str, Any] = {}

    def coder_thread(coder: Coder) -> None:
        try:
            work(ledger, coder, url, range(rounds), seed, progress)
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    def pull_thread() -> None:
        half = (len(setup.coders) * rounds) // 2
        for _ in range(half):
            if not progress.acquire(timeout=deadline):
                return
        pulled["before"] = ledger.snapshot()
        start = time.monotonic()
        try:
            pulled["result"] = pull(setup.study, connect(setup.study))
        except BaseException as exc:
            failures.append(exc)
        pulled["seconds"] = time.monotonic() - start
        pulled["after"] = ledger.snapshot()

    threads = [threading.Thread(target=coder_thread, args=(c,), daemon=True) for c in setup.coders]
    watcher = threading.Thread(target=pull_thread, daemon=True) if mid_pull else None
    start = time.monotonic()
    for thread in threads:
        thread.start()
    if watcher:
        watcher.start()
    for thread in threads:
        thread.join(max(0.0, deadline - (time.monotonic() - start)))
    elapsed = time.monotonic() - start
    if watcher:
        watcher.join(max(0.0, deadline - (time.monotonic() - start)))
    if any(t.is_alive() for t in threads) or (watcher and watcher.is_alive()):
        raise TimeoutError(f"the load run did not finish within {deadline:.0f} s")
    if failures:
        raise failures[0]
    ok = [c for c in ledger.calls if c.ok]
    report = RunReport(
        backend=setup.backend,
        design=setup.design,
        coders=len(setup.coders),
        rounds=rounds,
        seconds=round(elapsed, 2),
        requests=len(ok),
        failed=len(ledger.calls) - len(ok),
        throughput=round(len(ok) / elapsed, 1),
        latency_ms=latency_table(ledger.calls),
        errors=[
            {"coder": c.coder, "kind": c.kind, "error": c.error}
            for c in ledger.calls
            if not c.ok
        ],
    )
    if "result" in pulled:
        report.mid_pull = {
            "seconds": round(pulled["seconds"], 2),
            "acknowledged_before": len(pulled["before"]),
            "exported_annotations": pulled["result"].report.annotations,
        }
    return report, ledger, pulled


# -- checking what a pull brought back -------------------------------------------------------


def decode_table(setup: Setup, tasks_of: dict[str, list[tuple[int, str]]]) -> dict[str, tuple]:
    """canonical result -> (coder email, article id, version) for every result a coder
    could have saved on their tasks."""
    out = {}
    for coder in setup.coders:
        for _task_id, article_id in tasks_of[coder.email]:
            for version in range(MAX_VERSIONS):
                out[canonical_result(result_for(coder.index, article_id, version))] = (
                    coder.email, article_id, version
                )
    return out


@dataclass
class ExportCheck:
    """Found in an export: per (coder email, task id) the annotations (id, version, key)."""

    found: dict[tuple[str, int], list[tuple[int, int, str]]]
    undecodable: list[int]  # annotation ids whose result is none a coder saved
    foreign_users: list[int]  # annotation ids by users who are not the coders

    def problems(
        self, acked: dict[tuple[str, int], tuple[int, int]], *, exact: bool
    ) -> list[str]:
        """What contradicts ``acked`` (the acknowledged saves): an acknowledged annotation
        missing, present more than once, under another id or key, or older than its last
        acknowledged version (``exact``: not exactly that version); any annotation the
        coders did not make, or of a task they were never told was saved."""
        out = [f"annotation {a}: its result is none a coder saved" for a in self.undecodable]
        out += [f"annotation {a}: by a user who is not a coder" for a in self.foreign_users]
        for (email, task_id), (annotation_id, version) in sorted(acked.items()):
            got = self.found.get((email, task_id), [])
            where = f"{email} on task {task_id}"
            if not got:
                out.append(f"{where}: acknowledged annotation {annotation_id} missing")
                continue
            if len(got) > 1:
                out.append(f"{where}: {len(got)} annotations {[g[0] for g in got]}")
            found_id, found_version, key = got[0]
            if found_id != annotation_id:
                out.append(f"{where}: annotation {found_id}, acknowledged {annotation_id}")
            if key != annotation_key(task_id, email):
                out.append(f"{where}: annotation {found_id} has key {key}, not framestudy's")
            if found_version < version or (exact and found_version != version):
                out.append(
                    f"{where}: annotation {found_id} at version {found_version}, "
                    f"acknowledged version {version}"
                )
        return out


def check_export(
    setup: Setup, tasks: list[dict], tasks_of: dict[str, list[tuple[int, str]]] | None = None
) -> ExportCheck:
    """Decode every annotation of an export (a list of task dicts)."""
    tasks_of = tasks_of or {c.email: c.tasks for c in setup.coders}
    decode = decode_table(setup, tasks_of)
    email_of = {c.user_id: c.email for c in setup.coders}
    found: dict[tuple[str, int], list[tuple[int, int, str]]] = defaultdict(list)
    undecodable, foreign = [], []
    for task in tasks:
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                continue
            email = email_of.get(ann.get("completed_by"))
            if email is None:
                foreign.append(ann["id"])
                continue
            decoded = decode.get(canonical_result(ann.get("result")))
            if decoded is None or decoded[0] != email or decoded[1] != task["data"]["article_id"]:
                undecodable.append(ann["id"])
                continue
            found[(email, int(task["id"]))].append(
                (int(ann["id"]), decoded[2], str(ann.get("unique_id")))
            )
    return ExportCheck(dict(found), undecodable, foreign)


def exported_tasks(paths) -> list[dict]:
    from framestudy.annotations import read_export

    tasks: list[dict] = []
    for path in paths:
        tasks.extend(read_export(path))
    return tasks


def table_problems(setup: Setup, table, acked: dict[tuple[str, int], tuple[int, int]]) -> list[str]:
    """The tidy table's document values of each acknowledged annotation are those of its
    last acknowledged version, under its annotation id; no other (article, coder)."""
    index = {c.email: c.index for c in setup.coders}
    article_of = {(c.email, t): a for c in setup.coders for t, a in c.tasks}
    is_doc = table["span_id"].isna() | (table["span_id"] == "")
    got: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    spans: dict[tuple[str, str], list] = defaultdict(list)
    ids: dict[tuple[str, str], set] = defaultdict(set)
    for row, doc in zip(table.itertuples(index=False), is_doc, strict=True):
        key = (row.coder, row.article_id)
        if doc:
            got[key][row.variable] = str(row.value)
        else:
            spans[key].append((row.variable, row.value, row.span_text))
        ids[key].add(str(row.annotation_id))
    out = []
    expected_keys = set()
    for (email, task_id), (annotation_id, version) in sorted(acked.items()):
        key = (email, article_of[(email, task_id)])
        expected_keys.add(key)
        want = expected_values(index[email], version)
        if got.get(key) != want:
            out.append(f"table {key}: {got.get(key)} != version {version} {want}")
        if spans.get(key) != [("span", "LEGITIMACY", PHRASE)]:
            out.append(f"table {key}: spans {spans.get(key)}")
        if ids.get(key) != {str(annotation_id)}:
            out.append(f"table {key}: annotation ids {ids.get(key)} != {annotation_id}")
    extra = set(got) - expected_keys
    if extra:
        out.append(f"table: rows of (coder, article) no coder saved: {sorted(extra)[:5]}")
    return out


def write_report(name: str, payload: dict) -> Path:
    """``build/labelstudio-load/<name>.json`` in the repository (git-ignored)."""
    from framestudy.io import atomic_write_text

    path = REPO / "build" / "labelstudio-load" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(payload, indent=2, default=str) + "\n")
    return path


def summary(report: RunReport) -> str:
    lat = report.latency_ms.get("all", {})
    kinds = Counter(e["error"].split(":")[0] for e in report.errors)
    return (
        f"{report.backend}/{report.design}: {report.coders} coders x {report.rounds} rounds, "
        f"{report.requests} requests in {report.seconds:.1f} s = {report.throughput:.1f} req/s; "
        f"latency p50 {lat.get('p50')} ms, p90 {lat.get('p90')} ms, p99 {lat.get('p99')} ms; "
        f"{report.failed} failed ({dict(kinds) or 'none'})"
    )


@contextlib.contextmanager
def running(setup: Setup):
    try:
        yield setup
    finally:
        stop_server(setup.study, setup.backend)


# -- a crash in the middle of a round --------------------------------------------------------


@dataclass
class CrashReport:
    backend: str
    coders: int
    submissions: int
    killed_after: int  # acknowledged submissions when the server was killed
    in_flight: int  # submissions sent but not answered at that moment
    restart_seconds: float
    retried: int  # submissions that needed more than one attempt
    found_stored: int  # ... of which the server already held (409 on the retry)
    seconds: float
    errors: list[dict]


def crash_round(
    setup: Setup,
    first_task: int,
    *,
    per_coder: int = 2,
    kill_after: int | None = None,
    deadline: float = 240.0,
) -> tuple[CrashReport, Ledger]:
    """Every coder submits ``per_coder`` annotations (their tasks ``first_task``...) at once;
    after ``kill_after`` of them were acknowledged (default: a quarter) the server is killed
    with SIGKILL and started again on the same study and port by framestudy. The coders
    retry as :func:`submit_annotation` does (same key, until the server answers)."""
    ledger = Ledger()
    total = len(setup.coders) * per_coder
    kill_after = total // 4 if kill_after is None else kill_after
    acks = threading.Semaphore(0)
    state = {"in_flight": 0, "at_kill": 0, "restart": 0.0}
    failures: list[BaseException] = []

    def coder_thread(coder: Coder) -> None:
        try:
            for k in range(per_coder):
                task_id, article_id = coder.tasks[first_task + k]
                with ledger.lock:
                    state["in_flight"] += 1
                submit(ledger, coder, task_id, article_id, patience=deadline / 2)
                with ledger.lock:
                    state["in_flight"] -= 1
                acks.release()
        except BaseException as exc:
            failures.append(exc)

    def killer() -> None:
        try:
            for _ in range(kill_after):
                if not acks.acquire(timeout=deadline):
                    return
            with ledger.lock:
                state["at_kill"] = state["in_flight"]
                state["killed_after"] = len(ledger.submits)
            kill_server(setup.study, setup.info, setup.backend)
            start = time.monotonic()
            setup.info = start_server(setup.study, setup.backend, setup.info.port)
            state["restart"] = time.monotonic() - start
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=coder_thread, args=(c,), daemon=True) for c in setup.coders]
    kill_thread = threading.Thread(target=killer, daemon=True)
    start = time.monotonic()
    kill_thread.start()
    for thread in threads:
        thread.start()
    for thread in [*threads, kill_thread]:
        thread.join(max(0.0, deadline - (time.monotonic() - start)))
    if any(t.is_alive() for t in [*threads, kill_thread]):
        raise TimeoutError(f"the crash round did not finish within {deadline:.0f} s")
    if failures:
        raise failures[0]
    retried = [s for _e, _t, s in ledger.submits if s.attempts > 1]
    report = CrashReport(
        backend=setup.backend,
        coders=len(setup.coders),
        submissions=total,
        killed_after=int(state.get("killed_after", 0)),
        in_flight=int(state["at_kill"]),
        restart_seconds=round(float(state["restart"]), 2),
        retried=len(retried),
        found_stored=sum(1 for s in retried if not s.created),
        seconds=round(time.monotonic() - start, 2),
        errors=[{"coder": c.coder, "kind": c.kind, "error": c.error}
                for c in ledger.calls if not c.ok],
    )
    return report, ledger


def replay(setup: Setup, ledger: Ledger) -> list[tuple[Submitted, Submitted]]:
    """Every submission of ``ledger`` sent again, as by a client that lost all the answers:
    (first outcome, the replay's outcome) pairs."""
    by_email = {c.email: c for c in setup.coders}
    article = {(c.email, t): a for c in setup.coders for t, a in c.tasks}
    again = Ledger()
    out = []
    for email, task_id, first in list(ledger.submits):
        coder = by_email[email]
        out.append((first, submit(again, coder, task_id, article[(email, task_id)])))
    return out
