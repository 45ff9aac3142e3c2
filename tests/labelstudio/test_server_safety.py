"""The embedded server's safety checks that need no Label Studio: which process `stop` may
signal, and when a port counts as free. (The crash-and-restart test with a real server is in
test_server.py.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framestudy.errors import UserError
from framestudy.labelstudio import server
from framestudy.study import Study


@pytest.fixture
def bystander():
    """A harmless process leading its own process group, as the server would."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True
    )
    deadline = time.monotonic() + 10
    while not Path(f"/proc/{proc.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.02)  # just after exec the kernel may show an empty command line
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def record_server(study: Study, pid: int) -> Path:
    study.labelstudio_dir.mkdir(parents=True, exist_ok=True)
    path = server.state_path(study)
    path.write_text(json.dumps({"pid": pid, "port": 1, "url": "http://127.0.0.1:1"}))
    return path


def hide_command_line(monkeypatch, pid: int, how: str) -> None:
    """Make /proc/<pid>/cmdline unreadable (permission) or absent (hidepid=2)."""
    target = f"/proc/{pid}/cmdline"
    real_read, real_exists = Path.read_bytes, Path.exists

    def read_bytes(self):
        if str(self) == target:
            raise (PermissionError if how == "unreadable" else FileNotFoundError)(13, target)
        return real_read(self)

    def exists(self, *args, **kwargs):
        if str(self) == target and how == "hidden":
            return False
        return real_exists(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(Path, "exists", exists)


@pytest.mark.parametrize("how", ["unreadable", "hidden"])
def test_stop_never_signals_a_process_it_cannot_identify(tmp_path, bystander, monkeypatch, how):
    study = Study(tmp_path)
    state = record_server(study, bystander.pid)
    hide_command_line(monkeypatch, bystander.pid, how)
    with pytest.raises(UserError) as exc:
        server.stop(study)
    text = str(exc.value)
    assert f"process {bystander.pid}" in text and "nothing was signalled" in text
    assert "\n" not in text
    assert bystander.poll() is None  # still running
    assert state.exists()  # the record is kept: it may be the server after all
    with pytest.raises(UserError, match="cannot read its command line"):
        server.start(study, port=server.free_port())  # nor is a second server started
    assert bystander.poll() is None


def test_stop_leaves_another_program_alone(tmp_path, bystander):
    """A recorded PID now used by another program (PID reuse) is not signalled."""
    study = Study(tmp_path)
    state = record_server(study, bystander.pid)
    assert server.stop(study) is None
    assert bystander.poll() is None and not state.exists()
    assert not server.status(study).running


def test_a_dead_servers_record_is_cleared(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    study = Study(tmp_path)
    state = record_server(study, proc.pid)
    assert server.stop(study) is None and not state.exists()


def time_wait_port() -> int:
    """A port whose only socket is in TIME_WAIT, as a server killed after serving leaves it."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server side closes first: its end waits in TIME_WAIT
    client.close()
    listener.close()
    return port


def test_a_port_in_time_wait_is_free():
    port = time_wait_port()
    with socket.socket() as probe, pytest.raises(OSError):
        probe.bind(("127.0.0.1", port))  # a plain bind is refused: the old test said "busy"
    assert server.port_is_free(port)


@pytest.mark.parametrize("reuse", [False, True])
def test_a_listening_port_is_busy(reuse):
    with socket.socket() as sock:
        if reuse:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert not server.port_is_free(sock.getsockname()[1])
