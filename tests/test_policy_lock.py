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


TIERS = [  # (an age inside the tier, its re-check interval), from README "Scheduled runs"
    (timedelta(days=1), timedelta(hours=6)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=60), timedelta(days=7)),
    (timedelta(days=200), timedelta(days=30)),
    (timedelta(days=800), timedelta(days=90)),
]


@pytest.mark.parametrize(("published_ago", "every"), TIERS)
def test_each_tier_is_due_exactly_at_its_interval(published_ago, every):
    """Every tier, weekly and monthly included: not due a second early, due on the dot."""
    early = {"published": iso(published_ago), "last_checked": iso(every - timedelta(seconds=1))}
    on_time = {"published": iso(published_ago), "last_checked": iso(every)}
    assert (policy.recheck_due(early, NOW), policy.recheck_due(on_time, NOW)) == (False, True)
    assert policy.recheck_interval(NOW - published_ago, NOW) == every


@pytest.mark.parametrize(
    ("age", "every"),
    [
        (timedelta(days=2) - timedelta(seconds=1), timedelta(hours=6)),
        (timedelta(days=2), timedelta(days=1)),
        (timedelta(days=14) - timedelta(seconds=1), timedelta(days=1)),
        (timedelta(days=14), timedelta(days=7)),
        (timedelta(days=90) - timedelta(seconds=1), timedelta(days=7)),
        (timedelta(days=90), timedelta(days=30)),
        (timedelta(days=365) - timedelta(seconds=1), timedelta(days=30)),
        (timedelta(days=365), timedelta(days=90)),
    ],
)
def test_tier_boundaries_belong_to_the_older_tier(age, every):
    assert policy.recheck_interval(NOW - age, NOW) == every


def test_an_article_without_any_date_is_checked_at_the_slowest_rate():
    assert policy.recheck_interval(None, NOW) == timedelta(days=90)
    state = {"published": None, "first_seen": None, "last_checked": iso(timedelta(days=89))}
    assert policy.recheck_due(state, NOW) is False
    assert policy.recheck_due({**state, "last_checked": iso(timedelta(days=90))}, NOW) is True


def test_parse_time_reads_utc_offsets_and_refuses_junk():
    assert policy.parse_time("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert policy.parse_time("2024-05-01T10:00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)  # naive = UTC
    assert policy.parse_time("2024-05-01T17:00:00+07:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert policy.parse_time(NOW) is NOW
    assert [policy.parse_time(v) for v in (None, "", "not a date")] == [None, None, None]


def test_never_checked_is_due_and_first_seen_stands_in_for_missing_date():
    assert policy.recheck_due({"last_checked": None}, NOW)
    state = {"published": None, "first_seen": iso(timedelta(days=1)), "last_checked": iso(timedelta(hours=3))}
    assert not policy.recheck_due(state, NOW)
    # seen a day ago, checked 7 h ago: due on the 6-hour tier (the 90-day rate if first_seen were ignored)
    assert policy.recheck_due({**state, "last_checked": iso(timedelta(hours=7))}, NOW)
    # a publish date, when there is one, wins over first_seen
    old = {**state, "published": iso(timedelta(days=800)), "last_checked": iso(timedelta(hours=7))}
    assert not policy.recheck_due(old, NOW)


def test_sitemap_lastmod_against_last_check():
    state = {"last_checked": "2024-05-01T03:00:00+00:00"}
    assert policy.changed_since_check("2024-05-01T11:00:00+07:00", state) is True
    assert policy.changed_since_check("2024-05-01T09:00:00+07:00", state) is False
    assert policy.changed_since_check("2024-05-01T10:00:00+07:00", state) is False  # same instant
    assert policy.changed_since_check(None, state) is None
    assert policy.changed_since_check("yesterday", state) is None
    assert policy.changed_since_check("2024-05-01T11:00:00+07:00", {"last_checked": None}) is None


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
