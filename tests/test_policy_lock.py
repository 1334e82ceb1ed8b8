import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from archive.lock import ArchiveLock, LockHeld
from crawler import policy

NOW = datetime(2024, 5, 23, 12, 0, tzinfo=UTC)


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat()


@pytest.mark.parametrize(
    ("published_ago", "checked_ago", "due"),
    [
        (timedelta(hours=20), timedelta(hours=7), True),  # a day-old article: every 6 hours
        (timedelta(hours=20), timedelta(hours=2), False),
        (timedelta(days=10), timedelta(hours=25), True),  # ten days old: daily
        (timedelta(days=10), timedelta(hours=12), False),
        (timedelta(days=60), timedelta(days=3), False),  # two months old: weekly
        (timedelta(days=800), timedelta(days=30), False),  # old: every 90 days
        (timedelta(days=800), timedelta(days=91), True),
    ],
)
def test_newer_articles_are_rechecked_more_often(published_ago, checked_ago, due):
    state = {"published": iso(published_ago), "last_checked": iso(checked_ago)}
    assert policy.recheck_due(state, NOW) is due


def test_never_checked_is_due_and_first_seen_stands_in_for_missing_date():
    assert policy.recheck_due({"last_checked": None}, NOW)
    state = {"published": None, "first_seen": iso(timedelta(days=1)), "last_checked": iso(timedelta(hours=3))}
    assert not policy.recheck_due(state, NOW)


def test_sitemap_lastmod_against_last_check():
    state = {"last_checked": "2024-05-01T03:00:00+00:00"}
    assert policy.changed_since_check("2024-05-01T11:00:00+07:00", state) is True
    assert policy.changed_since_check("2024-05-01T09:00:00+07:00", state) is False
    assert policy.changed_since_check(None, state) is None
    assert policy.changed_since_check("yesterday", state) is None


def test_lock_excludes_a_second_holder_and_names_the_first(tmp_path):
    db = tmp_path / "archive.db"
    with ArchiveLock(db), pytest.raises(LockHeld, match="pid"):
        ArchiveLock(db).acquire()
    with ArchiveLock(db) as again:
        assert again.stale_holder is None


def test_lock_of_a_killed_process_is_taken_over(tmp_path):
    db = tmp_path / "archive.db"
    code = (
        "import os, sys; from archive.lock import ArchiveLock; "
        f"ArchiveLock({str(db)!r}).acquire(); os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    left = json.loads((tmp_path / "archive.db.lock").read_text())
    assert left["pid"]
    with ArchiveLock(db) as lock:
        assert lock.stale_holder["pid"] == left["pid"]
