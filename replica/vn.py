"""Vietnamese date and slug forms exactly as the generation-(b) portal prints them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

#: The portal's clock: Asia/Ho_Chi_Minh has had no DST since 1975, so a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7))

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def dmy(d: date) -> str:
    """``14/9/2022``: day and month without zero padding, as in listings and "Các tin khác"."""
    return f"{d.day}/{d.month}/{d.year}"


def header_date(d: date) -> str:
    """``Thứ Năm, 23/5/2024``: the masthead's date, which is the day of viewing, not of publishing."""
    return f"{_WEEKDAYS[d.weekday()]}, {dmy(d)}"


def date_line(dt: datetime) -> str:
    """``Thứ Tư, 14/9/2022 10:10'(GMT+7)``: the article's own publication line (local time)."""
    local = dt.astimezone(VN_TZ)
    return f"{header_date(local.date())} {local.hour}:{local.minute:02d}'(GMT+7)"


def slugify(text: str) -> str:
    """ASCII slug the way Vietnamese CMSs make them: diacritics dropped, đ -> d, words hyphenated."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_SLUG.sub("-", ascii_text).strip("-")
