"""archive.dates' rules one by one: 12-hour clocks, stated offsets, bounds and "now".

test_dates.py reads the formats portals print; these pin the rules that turn a format into a
moment, each with a value worked out by hand (every result is at +07:00, the site's offset,
unless a test says otherwise). A wrong hour or a day off by one here is a wrong publication
time in every record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from archive.dates import local_day, parse_iso, parse_vn_date


def iso(text: str, **kwargs) -> str | None:
    parsed = parse_vn_date(text, **kwargs)
    return parsed.iso() if parsed else None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14/9/2022 10:10 PM", "2022-09-14T22:10:00+07:00"),
        ("14/9/2022 10:10 p.m.", "2022-09-14T22:10:00+07:00"),
        ("14/9/2022 3:05 CH", "2022-09-14T15:05:00+07:00"),  # chiều: afternoon
        ("14/9/2022 11:59 am", "2022-09-14T11:59:00+07:00"),
        ("14/9/2022 12:05 AM", "2022-09-14T00:05:00+07:00"),  # five past midnight
        ("14/9/2022 12:05 SA", "2022-09-14T00:05:00+07:00"),  # sáng: morning
        ("14/9/2022 12:05 PM", "2022-09-14T12:05:00+07:00"),  # five past noon
        ("14/9/2022 12:05 A.M.", "2022-09-14T00:05:00+07:00"),
    ],
)
def test_twelve_hour_clocks(raw, expected):
    assert iso(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the stated offset decides the moment, shown at +07:00
        ("14/9/2022 10:10 (GMT+5:30)", "2022-09-14T11:40:00+07:00"),
        ("14/9/2022 10:10 GMT-5", "2022-09-14T22:10:00+07:00"),
        ("14/9/2022 10:10 UTC+14", "2022-09-14T03:10:00+07:00"),  # the largest offset there is
        ("14/9/2022 10:10 UTC+14:01", "2022-09-14T10:10:00+07:00"),  # none larger: not an offset
        # a bare date names a day, whatever the offset beside it
        ("14/9/2022 (GMT+9)", "2022-09-14T00:00:00+07:00"),
        # an offset is read only close after the date (16 characters), not further along the line
        ("14/9/2022 10:10 theo báo aGMT+9", "2022-09-14T08:10:00+07:00"),
        ("14/9/2022 10:10 theo báo abGMT+9", "2022-09-14T10:10:00+07:00"),
    ],
)
def test_stated_offsets(raw, expected):
    assert iso(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T10:00:00+05:30", "2024-05-01T11:30:00+07:00"),
        ("2024-05-01T10:00:00-03:00", "2024-05-01T20:00:00+07:00"),
        ("2024-05-01 10:00 + 07:00", "2024-05-01T10:00:00+07:00"),
        ("2024-05-01T10:00:00Z", "2024-05-01T17:00:00+07:00"),
    ],
)
def test_iso_offsets(raw, expected):
    assert parse_iso(raw).iso() == expected


def test_the_sites_offset_applies_where_none_is_stated():
    nine = timezone(timedelta(hours=9))
    assert iso("2024-05-01T10:00:00", tz=nine) == "2024-05-01T10:00:00+09:00"
    assert iso("1/5/2024 10:00", tz=nine) == "2024-05-01T10:00:00+09:00"


def test_the_earliest_year_and_the_longest_text():
    assert iso("1/1/1990") == "1990-01-01T00:00:00+07:00"
    assert iso("31/12/1989") is None
    assert iso("14/9/2022" + "x" * 1991) == "2022-09-14T00:00:00+07:00"  # 2,000 characters
    assert iso("14/9/2022 " + "x" * 1991) is None  # 2,001: not a date line


@pytest.mark.parametrize(
    "now",
    [
        datetime(2022, 9, 14, 8, 10),  # naive: read at the date's own offset
        datetime(2022, 9, 14, 1, 10, tzinfo=UTC),  # 08:10 at +07:00
    ],
)
def test_a_date_up_to_two_hours_ahead_of_now_is_kept(now):
    assert iso("14/9/2022 10:10", now=now) == "2022-09-14T10:10:00+07:00"
    assert iso("14/9/2022 10:11", now=now) is None


def test_local_day_is_the_sites_day():
    # 20:00 UTC on the 14th is 03:00 on the 15th in Vietnam
    assert local_day(datetime(2022, 9, 14, 20, 0, tzinfo=UTC)) == date(2022, 9, 15)
    # a naive time is already the site's: its day as written
    assert local_day(datetime(2022, 9, 14, 23, 0)) == date(2022, 9, 14)
