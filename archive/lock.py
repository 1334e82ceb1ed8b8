"""One crawl at a time per archive: an OS lock that dies with its holder.

``flock`` is released by the kernel when the process ends, however it ends, so a run killed
with SIGKILL leaves no lock behind to clear by hand; the file's text (pid, host, start time)
only tells the next run whom it is waiting for, or whose stale lock it took over.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


class LockError(Exception):
    """The lock file cannot be made (an unusable directory); the message says why."""


class LockHeld(LockError):
    """Another live process holds the lock; the message names it."""


class ArchiveLock:
    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self.handle: IO[str] | None = None
        #: The holder recorded in a lock file left by a process that is gone, if any.
        self.stale_holder: dict | None = None

    def acquire(self) -> ArchiveLock:
        handle = self._open()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(handle)
            handle.close()
            raise LockHeld(
                f"another crawl holds {self.path} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
                f"since {holder.get('since', '?')})"
            ) from None
        previous = _read(handle)
        if previous.get("pid"):
            self.stale_holder = previous
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        self.handle = handle
        return self

    def _open(self) -> IO[str]:
        """The lock file, opened without following a symlink and only if it is a regular file.

        Whoever can write the archive's directory could leave a symlink here; following it would
        let the crawl truncate any file its user may write. O_NONBLOCK: a FIFO would otherwise
        hang the open.
        """
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            if self.path.is_symlink():
                raise LockError(f"cannot use the lock {self.path}: it is a symlink (remove it)") from None
            if self.path.exists() and not self.path.is_file():
                raise LockError(f"cannot use the lock {self.path}: not a regular file (remove it)") from None
            raise LockError(f"cannot create the lock {self.path}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise LockError(f"cannot use the lock {self.path}: not a regular file (remove it)")
        os.set_blocking(fd, True)
        return open(fd, "r+", encoding="utf-8", errors="replace")  # noqa: SIM115 - held until release()

    def release(self) -> None:
        if self.handle is not None:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.flush()
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


#: A lock file we wrote is under 200 bytes; anything longer was not written by a run.
_MAX_LOCK_TEXT = 4096


def _read(handle: IO[str]) -> dict:
    """The holder a run recorded in the file, or {} for anything else found there."""
    handle.seek(0)
    text = handle.read(_MAX_LOCK_TEXT + 1)
    if len(text) > _MAX_LOCK_TEXT:
        return {}
    try:
        holder = json.loads(text or "{}")
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}
