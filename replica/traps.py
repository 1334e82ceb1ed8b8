"""Crawler traps (``install_traps(site)``): pages that generate more pages without end.

Every page links onward to ever new URLs, so a crawler that follows links blindly never stops.
The fault listing (``/loi-kiem-thu``) links to one start of each kind, and so does ``/bay``;
``site.fault_hits`` counts the requests each kind received.

================  ==========================================================================
kind              what its pages link to
================  ==========================================================================
calendar          ``/bay/lich/Y/M/D``: the day before and after, and its month, forever
growing-query     ``/bay/tim?q=…``: the same page with one more parameter, forever
path-growth       ``/bay/lien-ket?page=1%2Fen``: the same page with ``%2Fvi`` appended (TCCS)
session-id        ``/bay/phien;jsessionid=<n>/tin``: the same page under a new session id
empty-listing     ``/bay/rong?page=N``: page N+1 of a listing that lists nothing
repeated-path     ``/bay/x/y``: ``/bay/x/y/x/y`` and so on
tag-cloud         ``/bay/tag/<word>-<n>``: twenty other tag pages
================  ==========================================================================
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from replica import pages
from replica.model import Site
from replica.responses import Response, html

ENTRY = "/bay"
KINDS = (
    "calendar",
    "growing-query",
    "path-growth",
    "session-id",
    "empty-listing",
    "repeated-path",
    "tag-cloud",
)
STARTS = {
    "calendar": "/bay/lich/2024/5/10",
    "growing-query": "/bay/tim?q=nghi-quyet",
    "path-growth": "/bay/lien-ket?page=1%2Fen",
    "session-id": "/bay/phien;jsessionid=1000/tin",
    "empty-listing": "/bay/rong?page=1",
    "repeated-path": "/bay/x/y",
    "tag-cloud": "/bay/tag/dang-1",
}


def install_traps(site: Site) -> None:
    """Register the traps on ``site`` (see the table above): their starts are listed on the
    fault listing beside the other fault URLs."""
    site.faults[ENTRY] = "traps"
    for kind in KINDS:
        site.faults[STARTS[kind]] = "trap"


def _page(site: Site, title: str, links: list[str]) -> Response:
    items = "".join(f'<li><a href="{pages.attr(u)}">{pages.text(u)}</a></li>' for u in links)
    return html(200, pages.layout(site, title, f'<h1 class="bt-zone__name">{title}</h1><ul>{items}</ul>'))


def answer(site: Site, target: str) -> Response | None:
    """The trap page at ``target`` (path and query), or None when it is no trap URL."""
    if target == ENTRY:
        return _page(site, "Bẫy", [STARTS[k] for k in KINDS])
    path, _, query = target.partition("?")
    kind = _kind(path)
    if kind is None:
        return None
    with site._lock:
        site.fault_hits[kind] += 1
    if kind == "calendar":
        parts = path.removeprefix("/bay/lich/").split("/")
        try:
            day = date(*(int(p) for p in parts[:3]))
        except (TypeError, ValueError):
            return _page(site, "Lịch", [STARTS["calendar"]])
        links = [
            f"/bay/lich/{d.year}/{d.month}/{d.day}"
            for d in (day - timedelta(days=1), day + timedelta(days=1))
        ]
        return _page(
            site, f"Lịch ngày {day.day}/{day.month}/{day.year}", [*links, f"/bay/lich/{day.year}/{day.month}"]
        )
    if kind == "growing-query":
        n = query.count("&") + 1
        return _page(site, "Tìm kiếm", [f"{target}&trang{n}={n}"])
    if kind == "path-growth":
        return _page(site, "Liên kết", [f"{target}%2Fvi"])
    if kind == "session-id":
        sid = path.removeprefix("/bay/phien;jsessionid=").split("/")[0]
        nxt = int(sid) + 1 if sid.isdigit() else 1000
        return _page(site, "Phiên", [f"/bay/phien;jsessionid={nxt}/tin"])
    if kind == "empty-listing":
        page = int(query.removeprefix("page=") or 1) if query.removeprefix("page=").isdigit() else 1
        return _page(site, f"Chuyên mục trống - trang {page}", [f"/bay/rong?page={page + 1}"])
    if kind == "repeated-path":
        return _page(site, "Đường dẫn", [path + "/x/y"])
    word = path.removeprefix("/bay/tag/")
    base = int(word.rsplit("-", 1)[-1]) if word.rsplit("-", 1)[-1].isdigit() else 1
    return _page(site, f"Thẻ {word}", [f"/bay/tag/{quote('dang')}-{base * 20 + i}" for i in range(20)])


def _kind(path: str) -> str | None:
    for prefix, kind in (
        ("/bay/lich/", "calendar"),
        ("/bay/tim", "growing-query"),
        ("/bay/lien-ket", "path-growth"),
        ("/bay/phien;", "session-id"),
        ("/bay/rong", "empty-listing"),
        ("/bay/x/", "repeated-path"),
        ("/bay/tag/", "tag-cloud"),
    ):
        if path.startswith(prefix):
            return kind
    return None
