"""Date strings exactly as the live portals print them (live-markup.md "Dates" and per-portal notes).

Each style is a function of a local datetime; date-only styles say so, because the truth of a page
that prints only a day is local midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
#: qdnd and Joomla print the weekday's second word in lower case ("Chủ nhật", "Thứ hai").
_WEEKDAYS_LOWER = tuple(w.split()[0] + " " + w.split()[1].lower() for w in _WEEKDAYS)


def _wd(d: date, lower: bool = False) -> str:
    return (_WEEKDAYS_LOWER if lower else _WEEKDAYS)[d.weekday()]


def _ampm(t: datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


#: style -> (formatter, has_time). The example in each comment is the portal string it copies.
STYLES: dict[str, tuple[Callable[[datetime], str], bool]] = {
    # tuyengiao (b): "Thứ Sáu, 10/5/2024 10:50'(GMT+7)"
    "tg_b": (lambda t: f"{_wd(t)}, {t.day}/{t.month}/{t.year} {t.hour}:{t.minute:02d}'(GMT+7)", True),
    # tuyengiao (a), block-sc: "Thứ Tư, 14/09/2022 - 10:10"
    "wd_dmy_dash_hm": (lambda t: f"{_wd(t)}, {t:%d/%m/%Y - %H:%M}", True),
    # nhandan (ZCMS): "Thứ Ba, ngày 14/01/2025 - 06:01"
    "wd_ngay_dmy_hm": (lambda t: f"{_wd(t)}, ngày {t:%d/%m/%Y - %H:%M}", True),
    # baochinhphu (VCCorp): "02/01/2026 15:21"
    "dmy_hm": (lambda t: f"{t:%d/%m/%Y %H:%M}", True),
    # TCCS (Liferay): "22:45, ngày 22-11-2020"
    "hm_ngay_dmy": (lambda t: f"{t:%H:%M}, ngày {t:%d-%m-%Y}", True),
    # qdnd .post-date: "Chủ nhật, 04/01/2026" (a day only)
    "wd_dmy": (lambda t: f"{_wd(t, lower=True)}, {t:%d/%m/%Y}", False),
    # qdnd .post-subinfo: "04/01/2026" (a day only)
    "dmy": (lambda t: f"{t:%d/%m/%Y}", False),
    # vov (Drupal): "Thứ Ba, 22:35, 26/08/2025"
    "wd_hm_dmy": (lambda t: f"{_wd(t)}, {t:%H:%M, %d/%m/%Y}", True),
    # DNN lbPublishedDate: "Thứ Sáu, 10/05/2024, 10:50"
    "wd_dmy_hm": (lambda t: f"{_wd(t)}, {t:%d/%m/%Y, %H:%M}", True),
    # provincial boards: "14/09/2022 | 10:10"
    "dmy_pipe_hm": (lambda t: f"{t:%d/%m/%Y | %H:%M}", True),
    # cand (UIkit): "14:30 14/01/2025"
    "hm_dmy": (lambda t: f"{t:%H:%M %d/%m/%Y}", True),
    # provincial boards: "Ngày 14 tháng 9 năm 2022" (a day only)
    "words": (lambda t: f"Ngày {t.day} tháng {t.month} năm {t.year}", False),
    # Joomla K2: "Thứ hai, 14 Tháng 1 2025 06:01"
    "k2": (lambda t: f"{_wd(t, lower=True)}, {t.day:02d} Tháng {t.month} {t.year} {t:%H:%M}", True),
    # SharePoint #ngaytao: "14/01/2025 6:01:00 AM"
    "dmy_ampm": (lambda t: f"{t:%d/%m/%Y} {_ampm(t)}", True),
    # MasterCMS format_time: "10/5/2024 10:50 (GMT+7)"
    "dmy_gmt": (lambda t: f"{t.day}/{t.month}/{t.year} {t:%H:%M} (GMT+7)", True),
}


def fmt(style: str, when: datetime) -> str:
    """``when`` (local time) in ``style``."""
    return STYLES[style][0](when)


def has_time(style: str) -> bool:
    return STYLES[style][1]


def masthead(style: str, today: date) -> str:
    """The header's "today": the weekday and day in the family's own day format (never a publish date)."""
    if style in ("words", "k2"):
        return f"{_wd(today)}, ngày {today.day} tháng {today.month} năm {today.year}"
    if style == "tg_b":
        return f"{_wd(today)}, {today.day}/{today.month}/{today.year}"
    return f"{_wd(today)}, {today:%d/%m/%Y}"
