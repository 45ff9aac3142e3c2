"""Study files: atomic output (a reader never sees a half-written file), and reading back
a small JSON object file (:func:`read_json`: the server state, credentials, the push ledger).

Every file framestudy writes goes through here: the content is written to a temporary
file in the same folder, flushed to disk, then moved over the target in one step
(``os.replace``), and the folder itself is synced so the new name survives a crash. An
interrupted command leaves either the old file or the new one.

The temporary file's permissions are what the target ends up with, so they are set
explicitly: an ordinary file gets the mode ``open()`` would give a new file (``0666``
less the process umask, e.g. ``0644`` under umask ``022``); a secret is written with
``private=True`` and is ``0600`` (owner only) from its first byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framestudy.errors import UserError

if TYPE_CHECKING:  # pandas is only needed by the caller that hands over a DataFrame
    import pandas as pd

PRIVATE_MODE = 0o600


def current_umask() -> int:
    """The process umask (read without changing it where the OS allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # POSIX offers no read-only query: set and restore at once
    os.umask(mask)
    return mask


def ordinary_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def sync_dir(folder: str | os.PathLike) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where unsupported."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - e.g. Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, private: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The file gets the ordinary mode for a new file (the umask applies), or ``0600`` with
    ``private=True`` (for passwords and tokens).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; the rename keeps the mode, so set the final one first.
        os.chmod(tmp, PRIVATE_MODE if private else ordinary_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_dir(path.parent)
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, private: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (no newline translation)."""
    return atomic_write_bytes(path, text.encode("utf-8"), private=private)


def atomic_write_json(path: str | os.PathLike, obj: Any, *, private: bool = False) -> Path:
    """Write ``obj`` as indented, key-stable UTF-8 JSON, atomically."""
    return atomic_write_text(
        path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n", private=private
    )


def atomic_write_csv(path: str | os.PathLike, df: pd.DataFrame) -> Path:
    """Write ``df`` as CSV (no index, ``\\n`` line ends), atomically."""
    return atomic_write_text(path, df.to_csv(index=False, lineterminator="\n"))


def read_input_text(path: str | os.PathLike, what: str, fix: str) -> str:
    """The text of an input file another stage wrote, or a UserError saying that it is
    missing, unreadable or empty and how to make it (``fix``, e.g. "run `framestudy ...`")."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: missing {what} -- {fix}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: unreadable {what} ({exc}) -- {fix}") from None
    if not text.strip():
        raise UserError(f"{path}: the {what} is empty -- {fix}")
    return text


def read_json(path: Path, what: str) -> dict | None:
    """A JSON object from ``path``, None if the file does not exist."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: unreadable {what} ({exc}) -- fix or delete the file") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: the {what} must be a JSON object -- fix or delete the file")
    return data


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits (read in 1 MiB blocks): how every
    provenance record names a file's exact content."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
