"""framestudy.io: atomic writes, the modes of what they leave behind, the folder sync."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from framestudy import io
from framestudy.labelstudio import credentials
from framestudy.study import Study


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring it afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)

    def set_to(mask: int) -> None:
        os.umask(mask)

    yield set_to
    os.umask(saved)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_generated_files_get_the_mode_open_would_give(tmp_path, umask, mask, expected):
    umask(mask)
    plain = tmp_path / "plain.txt"
    with open(plain, "w") as fh:  # what the user's own tools would produce
        fh.write("x")
    assert mode(plain) == expected
    written = [
        io.atomic_write_text(tmp_path / "a.txt", "text"),
        io.atomic_write_bytes(tmp_path / "b.bin", b"\0"),
        io.atomic_write_json(tmp_path / "c.json", {"a": 1}),
        io.atomic_write_csv(tmp_path / "d.csv", pd.DataFrame({"a": [1]})),
    ]
    assert [mode(p) for p in written] == [expected] * 4
    # replacing a file gives the same mode again, and leaves no temporary file behind
    io.atomic_write_text(tmp_path / "a.txt", "new")
    assert mode(tmp_path / "a.txt") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.txt", "b.bin", "c.json", "d.csv", "plain.txt"
    ]


def test_secrets_stay_owner_only_whatever_the_umask(tmp_path, umask):
    umask(0o002)
    study = Study(tmp_path)
    credentials.save_admin(study, credentials.AdminCredentials.generate())
    credentials.save_coder_password(study, "ana@x.org", "pw")
    assert mode(credentials.credentials_path(study)) == 0o600
    assert mode(credentials.coder_passwords_path(study)) == 0o600
    assert mode(study.labelstudio_dir) == 0o700
    assert mode(io.atomic_write_text(tmp_path / "s", "secret", private=True)) == 0o600


def test_the_folder_is_synced_after_the_rename(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        return real_fsync(fd)

    def replace(src, dst):
        events.append("replace")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    io.atomic_write_text(tmp_path / "sub" / "f.txt", "x")
    assert events == ["fsync-file", "replace", "fsync-dir"]
