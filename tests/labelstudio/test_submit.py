"""Creating something whose answer is lost: retried, it is stored once.

Against the session's real server, through a small relay on 127.0.0.1 that passes every
request on to Label Studio and every answer back -- except the answer to the first POST to
one endpoint (annotations, projects, the sign-up form), which it drops: the request was carried out, and the
client sees the connection close with no answer, as when a server dies right after saving.
That is the case a client cannot tell apart from "not stored".
"""

from __future__ import annotations

import http.server
import threading
import uuid
from contextlib import contextmanager

import pytest
import requests

from framestudy.errors import UserError
from framestudy.labelstudio import accounts, remote
from framestudy.labelstudio.client import connect_to
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.labelstudio.projects import ProjectSpec, ensure_project, find_by_title
from framestudy.labelstudio.push import push
from framestudy.labelstudio.submit import annotation_key, coders_annotations, submit_annotation
from framestudy.settings import projects

from .conftest import REPO, coder_connection, coder_emails, make_study, synthetic_tasks

pytestmark = pytest.mark.labelstudio

_HOP = {"host", "content-length", "connection", "transfer-encoding", "content-encoding"}


@contextmanager
def relay_losing_first_answer(target: str, endpoint: str = "/annotations"):
    """A relay to ``target``; the answer to the first POST to a path ending in ``endpoint``
    is dropped after Label Studio has carried the request out. Yields (url, log of
    (method, path, status or "lost"))."""
    log: list[tuple[str, str, object]] = []
    lost: list[bool] = []

    class Relay(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            answer = requests.request(
                self.command, target + self.path, data=body, headers=headers, timeout=60,
                allow_redirects=False,
            )
            path = self.path.split("?")[0].rstrip("/")
            posting = self.command == "POST" and path.endswith(endpoint)
            if posting and not lost:
                lost.append(True)
                log.append((self.command, self.path, "lost"))
                self.close_connection = True
                return  # carried out, but no answer
            log.append((self.command, self.path, answer.status_code))
            content = answer.content
            self.send_response(answer.status_code)
            for key, value in answer.raw.headers.items():  # each Set-Cookie on its own
                if key.lower() not in _HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PATCH = _forward  # noqa: N815 - http.server's naming

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", log
    finally:
        httpd.shutdown()
        httpd.server_close()


def _choice(value: str) -> list[dict]:
    return [{"id": "d1", "from_name": "relevant", "to_name": "text", "type": "choices",
             "value": {"choices": [value]}}]


@pytest.fixture(scope="module")
def coder_tasks(labelstudio, tmp_path_factory):
    """A pushed study with one coder: (study, coder e-mail, the coder's task ids)."""
    study = make_study(tmp_path_factory.mktemp("submit") / "s", tasks=synthetic_tasks(6))
    admin = labelstudio.admin()
    [coder] = coder_emails(1)
    add_coders(study, admin, [coder])
    push(study, admin, design="blind", reliability_share=1.0, seed=1)
    (record,) = projects(study, labelstudio.url)
    return study, coder, sorted(t.id for t in remote.list_tasks(admin, record.id))


def _mine(labelstudio, study, coder, task_id):
    conn = coder_connection(study, labelstudio.url, coder)
    return coders_annotations(conn, task_id, conn.user_id)


def test_a_lost_answer_retried_blindly_stores_a_second_annotation(labelstudio, coder_tasks):
    """Why submit_annotation exists: the SDK's own back-off re-posts after a lost answer."""
    study, coder, tasks = coder_tasks
    token = coder_connection(study, labelstudio.url, coder).token
    with relay_losing_first_answer(labelstudio.url) as (url, log):
        blind = connect_to(url, token, max_retries=2)
        blind.sdk.annotations.create(id=tasks[0], result=_choice("yes"))
    assert [entry[2] for entry in log if entry[0] == "POST"] == ["lost", 201]
    assert len(_mine(labelstudio, study, coder, tasks[0])) == 2


def test_submit_annotation_after_a_lost_answer_stores_exactly_one(labelstudio, coder_tasks):
    study, coder, tasks = coder_tasks
    token = coder_connection(study, labelstudio.url, coder).token
    with relay_losing_first_answer(labelstudio.url) as (url, log):
        careful = connect_to(url, token)  # the SDK's default back-off: submit turns it off
        done = submit_annotation(careful, tasks[1], _choice("yes"), lead_time=3.0)
    # The first POST was stored and its answer lost; the retry carried the same key and was
    # refused as a duplicate (409), so the stored one is returned.
    assert [entry[2] for entry in log if entry[0] == "POST"] == ["lost", 409]
    assert (done.created, done.same, done.attempts) == (False, True, 2)
    mine = _mine(labelstudio, study, coder, tasks[1])
    assert [a["id"] for a in mine] == [done.id]


def test_submitting_again_returns_the_stored_annotation_and_stores_nothing(
    labelstudio, coder_tasks
):
    study, coder, tasks = coder_tasks
    conn = coder_connection(study, labelstudio.url, coder)
    first = submit_annotation(conn, tasks[2], _choice("no"))
    assert (first.created, first.same, first.attempts) == (True, True, 1)
    again = submit_annotation(conn, tasks[2], _choice("no"))
    assert (again.created, again.same, again.id) == (False, True, first.id)
    other = submit_annotation(conn, tasks[2], _choice("yes"))  # one annotation per task
    assert (other.created, other.same, other.id) == (False, False, first.id)
    skip = submit_annotation(conn, tasks[3], [], was_cancelled=True)
    assert skip.created and submit_annotation(conn, tasks[3], [], was_cancelled=True).same
    assert [a["id"] for a in _mine(labelstudio, study, coder, tasks[2])] == [first.id]
    assert [a["id"] for a in _mine(labelstudio, study, coder, tasks[3])] == [skip.id]


def test_the_key_depends_on_task_and_coder_only():
    assert annotation_key(7, "Ana@Uni.example") == annotation_key(7, "ana@uni.example ")
    assert annotation_key(7, "ana@uni.example") != annotation_key(8, "ana@uni.example")
    assert annotation_key(7, "ana@uni.example") != annotation_key(7, "ben@uni.example")


def test_a_project_whose_creation_answer_is_lost_is_created_once(labelstudio):
    """push's project creation: a lost answer is followed by a look-up, not a second POST."""
    title = f"lost answer {uuid.uuid4().hex[:8]}"
    spec = ProjectSpec(
        coder="x@uni.example",
        title=title,
        label_config=(REPO / "schemas" / "framing.xml").read_text(encoding="utf-8"),
        instruction="",
        maximum_annotations=1,
    )
    with relay_losing_first_answer(labelstudio.url, "/api/projects") as (url, log):
        ensured = ensure_project(connect_to(url, labelstudio.token), spec, None)
    assert [entry[2] for entry in log if entry[0] == "POST"] == ["lost"]
    found = find_by_title(labelstudio.admin(), title)
    assert [p["id"] for p in found] == [ensured.record.id] and ensured.created


def test_a_coder_whose_sign_up_answer_is_lost_keeps_the_stored_password(labelstudio, tmp_path):
    """coders add: the account was made but the answer lost; the next run finds the account,
    and the password framestudy stored before sending the form is the account's."""
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(1))
    [coder] = coder_emails(1)
    with (
        relay_losing_first_answer(labelstudio.url, "/user/signup") as (url, log),
        pytest.raises(UserError, match="cannot reach Label Studio"),
    ):
        add_coders(study, connect_to(url, labelstudio.token), [coder])
    assert ("POST", "lost") in {(entry[0], entry[2]) for entry in log}
    [again] = add_coders(study, labelstudio.admin(), [coder])
    assert (again.account, again.password_stored) == ("existing", True)
    password = load_coder_passwords(study)[coder]
    accounts.login(labelstudio.url, coder, password)  # UserError if it were not the password
