"""``export.verify`` on manifests that lie or point elsewhere: each problem is one exact line.

test_export.py checks that tampering is noticed; these check what verify says about it, line
for line, because a researcher reads that line to know which file of a snapshot to distrust.
The expected lines are written by hand from the manifest each test builds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from archive import export
from tests.test_export import archive_db, copy_of, rewrite_manifest, snap  # noqa: F401 - fixtures


def vouch(directory: Path, name: str, data: bytes) -> None:
    """Add ``name`` to the manifest's files with the size and digest of ``data``."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("name", ["../outside.csv", "sub/inner.csv", "", ".."])
def test_a_manifest_entry_outside_the_directory_is_never_vouched_for(snap, tmp_path, name):  # noqa: F811
    """The file is there, with the vouched digest: what matters is that it is not in the snapshot."""
    copy = copy_of(snap, tmp_path)
    data = b"url\r\nhttp://example.invalid/\r\n"
    (tmp_path / "outside.csv").write_bytes(data)
    vouch(copy, name, data)
    assert export.verify(copy) == [f"{name}: not a file of this directory"]


def test_a_symlink_in_the_snapshot_is_never_vouched_for(snap, tmp_path):  # noqa: F811
    """A link to a file with the right digest: the snapshot would change when its target does."""
    copy = copy_of(snap, tmp_path)
    data = b"url\r\nhttp://example.invalid/\r\n"
    (tmp_path / "target.csv").write_bytes(data)
    (copy / "linked.csv").symlink_to(tmp_path / "target.csv")
    vouch(copy, "linked.csv", data)
    assert export.verify(copy) == ["linked.csv: not a file of this directory"]


def test_a_size_mismatch_names_both_sizes(snap, tmp_path):  # noqa: F811
    copy = copy_of(snap, tmp_path)
    vouched = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))["database"]
    (copy / "archive.db").write_bytes(b"x")
    assert export.verify(copy) == [
        f"archive.db: size 1 bytes, manifest says {vouched['bytes']}",
        f"archive.db: sha256 {hashlib.sha256(b'x').hexdigest()}, manifest says {vouched['sha256']}",
    ]


def test_row_counts_are_checked_only_where_the_manifest_gives_one(snap, tmp_path):  # noqa: F811
    """A CSV entry without "rows" is checked by size and digest alone (the count is optional)."""
    copy = copy_of(snap, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["articles.csv"]["rows"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert export.verify(copy) == []


def test_a_database_entry_that_is_not_an_object_is_one_line(snap, tmp_path):  # noqa: F811
    copy = copy_of(snap, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["database"] = "archive.db"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert export.verify(copy) == ["manifest.json: unreadable (database is not an object with a file name)"]


def test_a_manifest_that_cannot_be_read_says_why_in_words(snap, tmp_path):  # noqa: F811
    """The OS's reason ("Is a directory"), not Python's repr of the exception."""
    copy = copy_of(snap, tmp_path)
    (copy / "manifest.json").unlink()
    (copy / "manifest.json").mkdir()
    assert export.verify(copy) == ["manifest.json: unreadable (Is a directory)"]


def test_an_entry_the_os_cannot_look_up_is_one_line_and_the_rest_is_checked(snap, tmp_path):  # noqa: F811
    """A name longer than the file system allows raises on lookup; verify goes on to the other files."""
    copy = copy_of(snap, tmp_path)
    long_name = "a" * 300 + ".csv"
    vouch(copy, long_name, b"")
    (copy / "crawl_runs.csv").unlink()
    assert export.verify(copy) == ["crawl_runs.csv: missing", f"{long_name}: unreadable (File name too long)"]
