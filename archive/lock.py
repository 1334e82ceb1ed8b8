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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        except OSError as exc:
            raise LockError(f"cannot create the lock {self.path}: {exc.strerror or exc}") from exc
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


def _read(handle: IO[str]) -> dict:
    handle.seek(0)
    try:
        return json.loads(handle.read() or "{}")
    except ValueError:
        return {}
