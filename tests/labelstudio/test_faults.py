"""Faults: server down, wrong URL, bad token, 4xx, 5xx, timeouts -> one clear line each.

Label Studio's own answers (401, 404, 400) come from the session's real server. A real
server cannot be made to answer 500/503 or to hang on demand, so the client's retry and
timeout handling is exercised against a tiny local HTTP stub: that tests framestudy's
client, not Label Studio's behaviour.
"""

from __future__ import annotations

import http.server
import threading
import time
from contextlib import contextmanager

import pytest

from framestudy.errors import UserError
from framestudy.labelstudio import server
from framestudy.labelstudio.client import connect, connect_to

from .conftest import make_study, run_cli

# Only the tests that use the session's real server carry the `labelstudio` marker; the
# offline ones (stub server, retries, timeouts) run under -m "not labelstudio" too.
LABELSTUDIO = pytest.mark.labelstudio

TOKEN = "0123456789abcdef0123456789abcdef01234567"


@contextmanager
def stub(handler_body):
    """An HTTP server on a free port whose GET handler is ``handler_body(handler)``."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            handler_body(self, len(hits))

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _send(handler, code, body, content_type="application/json"):
    data = body.encode()
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_server_down():
    url = f"http://127.0.0.1:{server.free_port()}"
    start = time.monotonic()
    with pytest.raises(UserError) as exc:
        connect_to(url, TOKEN, max_retries=1)
    text = one_line(exc)
    assert f"cannot reach Label Studio at {url}" in text and "connection refused" in text
    assert time.monotonic() - start >= 0.5  # retried once with back-off before giving up


@LABELSTUDIO
def test_bad_token_is_401_and_masked(labelstudio):
    bad = "f" * 40
    with pytest.raises(UserError) as exc:
        connect_to(labelstudio.url, bad)
    text = one_line(exc)
    assert "rejected the API token" in text and "HTTP 401" in text
    assert "ffff…ffff" in text and bad not in text


def test_wrong_url_that_is_not_label_studio():
    def html(handler, _n):
        _send(handler, 200, "<html><body>hello</body></html>", "text/html")

    with stub(html) as (url, _hits), pytest.raises(UserError) as exc:
        connect_to(url, TOKEN)
    assert "is it the address of a Label Studio server" in one_line(exc)


@LABELSTUDIO
def test_wrong_path_on_the_real_server_is_404(labelstudio):
    with pytest.raises(UserError) as exc:
        connect_to(labelstudio.url + "/not-here", labelstudio.token)
    assert "HTTP 404" in one_line(exc)


@LABELSTUDIO
def test_4xx_from_label_studio_names_the_action(labelstudio):
    conn = labelstudio.admin()
    with pytest.raises(UserError) as exc:
        conn.call(
            "creating a project",
            conn.sdk.projects.create,
            title="broken config",
            label_config="<View><Choices name='x' toName='nothing'/></View>",
        )
    text = one_line(exc)
    assert "refused creating a project (HTTP 400)" in text


def test_5xx_is_retried_with_backoff_then_reported():
    def fail(handler, _n):
        _send(handler, 500, '{"detail": "boom"}')

    with stub(fail) as (url, hits), pytest.raises(UserError) as exc:
        connect_to(url, TOKEN, max_retries=2)
    text = one_line(exc)
    assert "HTTP 500" in text and "boom" in text and "after retries" in text
    assert len(hits) == 3  # the first try and two retries


def test_transient_503_recovers():
    def flaky(handler, n):
        if n == 1:
            _send(handler, 503, '{"detail": "starting"}')
        else:
            _send(handler, 200, '{"id": 7, "email": "admin@x.org"}')

    with stub(flaky) as (url, hits):
        conn = connect_to(url, TOKEN, max_retries=2)
    assert conn.user_id == 7 and len(hits) == 2


def test_timeout_is_one_line():
    def slow(handler, _n):
        time.sleep(1.5)
        _send(handler, 200, '{"id": 1}')

    with stub(slow) as (url, _hits), pytest.raises(UserError) as exc:
        connect_to(url, TOKEN, timeout=0.3, max_retries=0)
    assert "did not answer in time" in one_line(exc)


def test_external_url_without_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(UserError, match="LABEL_STUDIO_API_KEY is not"):
        connect(make_study(tmp_path, tasks=[]))


@pytest.mark.slow
def test_cli_prints_one_error_line_and_exits_2(tmp_path):
    study = make_study(tmp_path, tasks=[])
    dead = f"http://127.0.0.1:{server.free_port()}"
    out = run_cli(
        "push", cwd=study.root, env={"LABEL_STUDIO_URL": dead, "LABEL_STUDIO_API_KEY": TOKEN}
    )
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach Label Studio"), out.stderr
    assert TOKEN not in out.stderr + out.stdout
