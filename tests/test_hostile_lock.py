"""Issue 13, item 8: the lock file is ours, whatever was left at its path.

A symlink at ``archive.db.lock`` must not be followed (opening it for writing truncated its
target), and a lock file holding something other than what a run writes must not crash every
later run with a traceback.
"""

from __future__ import annotations

import os

import pytest

from archive.lock import ArchiveLock, LockError, LockHeld
from tests.crawling import vnarchive


def test_a_symlink_at_the_lock_path_is_refused_and_its_target_untouched(tmp_path):
    db = tmp_path / "archive.db"
    target = tmp_path / "precious.txt"
    target.write_text("do not truncate me\n")
    (tmp_path / "archive.db.lock").symlink_to(target)
    with pytest.raises(LockError, match="symlink"):
        ArchiveLock(db).acquire()
    assert target.read_text() == "do not truncate me\n"


def test_a_dangling_symlink_creates_nothing(tmp_path):
    db = tmp_path / "archive.db"
    (tmp_path / "archive.db.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(LockError):
        ArchiveLock(db).acquire()
    assert not (tmp_path / "elsewhere").exists()


def test_a_directory_or_fifo_at_the_lock_path_is_a_clear_error(tmp_path):
    (tmp_path / "a.db.lock").mkdir()
    with pytest.raises(LockError, match="not a regular file"):
        ArchiveLock(tmp_path / "a.db").acquire()
    os.mkfifo(tmp_path / "b.db.lock")
    with pytest.raises(LockError, match="not a regular file"):
        ArchiveLock(tmp_path / "b.db").acquire()


@pytest.mark.parametrize(
    "content",
    [b"[1, 2]", b"42", b'"pid"', b"null", b'{"pid": [1]}', b"\xff\xfe garbage \x00", b"{" * 100_000],
)
def test_unexpected_lock_content_is_taken_over(tmp_path, content):
    db = tmp_path / "archive.db"
    (tmp_path / "archive.db.lock").write_bytes(content)
    with ArchiveLock(db) as lock:
        assert lock.stale_holder is None or isinstance(lock.stale_holder, dict)
    # and a second holder still gets the one-line LockHeld, naming the first
    with ArchiveLock(db), pytest.raises(LockHeld, match=f"pid {os.getpid()}"):
        ArchiveLock(db).acquire()


def test_the_cli_says_one_line_for_a_symlinked_lock(tmp_path):
    db = tmp_path / "archive.db"
    target = tmp_path / "precious.txt"
    target.write_text("keep\n")
    (tmp_path / "archive.db.lock").symlink_to(target)
    result = vnarchive("crawl", "--base-url", "http://127.0.0.1:9", "--db", str(db), timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "symlink" in result.stderr
    assert target.read_text() == "keep\n"
