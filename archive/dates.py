"""Vietnamese date strings -> timezone-aware datetimes (day-first, Asia/Ho_Chi_Minh, no DST).

Portals print dates in a dozen shapes ("Thứ Tư, 14/9/2022 10:10'(GMT+7)", "22:45, ngày 22-11-2020",
"Ngày 14 tháng 9 năm 2022", ISO with odd spacing). Generic parsers read some of them month-first,
lose the time, or turn "năm" (year / five) into numbers, so the archive parses them itself with
strict patterns. Wall-clock times stay local: 01:30 on 15/9 is the 15th at +07:00, never the 14th.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from archive.vntext import clean_line

#: Vietnam's offset; Asia/Ho_Chi_Minh has had no DST since 1975.
VN_TZ = timezone(timedelta(hours=7))
#: Dates later than ``now`` by more than this are rejected (clock skew, time zone slips).
FUTURE_SLACK = timedelta(hours=2)
#: Earliest year accepted: nothing on these portals predates the web.
MIN_YEAR = 1990


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: the aware datetime, whether a time of day was given, and the raw string."""

    value: datetime
    has_time: bool
    raw: str

    def iso(self) -> str:
        """ISO 8601 with offset; a date-only value reads as local midnight."""
        return self.value.isoformat()


_TIME = r"(?P<H>\d{1,2})\s*(?:[:hg]|giờ)\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?|SA|CH)\b)?"
_DMY = r"(?P<d>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})"
_MONTH_WORDS = r"(?P<d>\d{1,2})\s+[Tt]háng\s+(?P<m>\d{1,2})\s*[,/]?\s*(?:năm\s+)?(?P<y>\d{4})"
_NGAY = r"(?:[Nn]gày\s+)?"
#: Offsets written next to Vietnamese dates: "(GMT+7)", "GMT+07:00", "UTC+7".
_GMT = re.compile(r"(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<mm>\d{2}))?", re.I)

_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ]\s*(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\s*\d{2}\s*:?\s*\d{2}(?!\d))?)?"
)
# Time before date: "10:10 14/09/2022", "22:45, ngày 22-11-2020", "Cập nhật: 10:10, 14/09/2022".
_TIME_DATE = re.compile(_TIME + r"[^\d]{0,12}?" + _NGAY + _DMY + r"(?!\d)")
# Date then optional time: "14/9/2022 10:10'(GMT+7)", "14/09/2022 | 10:10", "01/04/2022 - 15:28".
_DATE_TIME = re.compile(r"(?<!\d)" + _DMY + r"(?!\d)(?:[^\d]{0,8}?" + _TIME + r")?")
# "Ngày 14 tháng 9 năm 2022", "08 Tháng 9 2021 15:09", "14 tháng 9, 2022".
_WORDS_TIME = re.compile(r"(?<!\d)" + _MONTH_WORDS + r"(?!\d)(?:[^\d]{0,10}?" + _TIME + r")?")
_TIME_WORDS = re.compile(_TIME + r"[^\d]{0,12}?" + _NGAY + _MONTH_WORDS + r"(?!\d)")


def _offset(text: str) -> timezone | None:
    """The offset a "GMT+7"-style marker states, if any."""
    m = _GMT.search(text)
    if not m:
        return None
    minutes = int(m["h"]) * 60 + int(m["mm"] or 0)
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=minutes if m["sign"] == "+" else -minutes))


def _iso_offset(tz: str) -> timezone:
    if tz == "Z":
        return UTC
    digits = re.sub(r"\D", "", tz)
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(timedelta(minutes=minutes if tz.strip().startswith("+") else -minutes))


def _build(groups: dict, tz: timezone, raw: str, out_tz: timezone) -> ParsedDate | None:
    """Assemble and validate; impossible dates (31/2, 25:00) give None."""
    try:
        y, m, d = int(groups["y"]), int(groups["m"]), int(groups["d"])
        has_time = groups.get("H") is not None
        hour = int(groups["H"]) if has_time else 0
        minute = int(groups["M"]) if has_time else 0
        second = int(groups.get("S") or 0)
        ampm = (groups.get("ampm") or "").replace(".", "").upper()
        if ampm in ("PM", "CH") and hour < 12:
            hour += 12
        elif ampm in ("AM", "SA") and hour == 12:
            hour = 0
        if y < MIN_YEAR:
            return None
        value = datetime(y, m, d, hour, minute, second, tzinfo=tz)
    except (ValueError, TypeError):
        return None
    # A bare date names a local day: keep the day, whatever the stated offset.
    value = value.astimezone(out_tz) if has_time else value.replace(tzinfo=out_tz)
    return ParsedDate(value, has_time, raw)


def parse_iso(text: str, *, tz: timezone = VN_TZ) -> ParsedDate | None:
    """ISO 8601 as found in meta tags and JSON-LD ("+0700", "Z", "2026-10-07 07:49 + 07:00").

    Naive timestamps are read as local time of ``tz``; offsets are converted to ``tz``.
    """
    raw = clean_line(text) or ""
    m = _ISO.search(raw)
    if not m:
        return None
    stated = _iso_offset(m["tz"]) if m["tz"] else tz
    return _build(m.groupdict(), stated, raw, tz)


def parse_vn_date(
    text: str | None, *, tz: timezone = VN_TZ, now: datetime | None = None
) -> ParsedDate | None:
    """The first date in ``text``, read day-first as Vietnamese portals write it.

    Args:
        text: a short string such as a date line or a meta value.
        tz: the site's offset, used when the string states none (Vietnam: +07:00).
        now: when given, dates later than ``now`` (plus a small slack) are rejected.

    Returns:
        The parsed date, or None when there is no complete day-month-year date (a year or a
        month alone never counts) or the date is impossible or in the future.
    """
    raw = clean_line(text)
    if not raw or len(raw) > 2000:
        return None
    parsed = parse_iso(raw, tz=tz)
    if parsed is None:
        candidates = []
        for pattern in (_TIME_DATE, _DATE_TIME, _TIME_WORDS, _WORDS_TIME):
            m = pattern.search(raw)
            if m:
                candidates.append(m)
        if not candidates:
            return None
        # The leftmost match is the date the string leads with; on a tie, the longer (with time).
        m = min(candidates, key=lambda c: (c.start(), -(c.end() - c.start())))
        stated = _offset(raw[m.start() : m.end() + 16]) or tz
        parsed = _build(m.groupdict(), stated, raw, tz)
    if parsed is None or not is_plausible(parsed, now):
        return None
    return parsed


def is_plausible(parsed: ParsedDate, now: datetime | None) -> bool:
    """Not in the future (beyond a small slack) relative to ``now``."""
    if now is None:
        return True
    if now.tzinfo is None:
        now = now.replace(tzinfo=parsed.value.tzinfo)
    return parsed.value <= now + FUTURE_SLACK


def local_day(now: datetime, tz: timezone = VN_TZ) -> date:
    """The calendar day ``now`` falls on at the site (for spotting a header's "today")."""
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(tz).date()


_UPDATED = re.compile(r"(?:Cập\s+nhật|Cập\s+nhập|Sửa\s+đổi|Chỉnh\s+sửa|Updated?)\s*(?:lúc|ngày)?\s*:?", re.I)


def split_updated(text: str) -> tuple[str, str | None]:
    """Split a date line into its published part and its "Cập nhật" (modified) part."""
    m = _UPDATED.search(text)
    if not m:
        return text, None
    return text[: m.start()], text[m.end() :]
