"""Article and listing URLs in each family's own shape (live-markup.md, site-notes.md §1.2 and §3).

Paths only: the host is the replica's own (or an example host), never a real portal.
"""

from __future__ import annotations

from datetime import datetime

#: SharePoint list names per category slug, as dangcongsan's 2025 lists were named.
_LISTS = {"thoi-su-chinh-tri": "Tinhoatdong", "kinh-te": "Kinhte", "van-hoa-xa-hoi": "Vanhoa"}


def _list_name(cat: str) -> str:
    return _LISTS.get(cat) or "".join(w.capitalize() for w in cat.split("-"))[:20]


def vccorp_id(published: datetime, article_id: int) -> str:
    """``102`` + yymmddhhmmss + milliseconds without leading zeros: 15 to 18 digits, as live ids are."""
    ms = article_id % 1000 if article_id % 5 else article_id % 100 // 9
    return f"102{published:%y%m%d%H%M%S}{ms if ms else ''}"


def article_path(scheme: str, cat: str, slug: str, article_id: int, published: datetime) -> str:
    """The article's path (with its query, where the family's URLs carry one)."""
    hexid = f"{article_id * 2654435761 % (1 << 48):012x}"
    paths = {
        "tg": f"/{cat}/{slug}-{article_id}",
        "tg_a": f"/{cat}/tin-tuc/{slug}-{article_id}",
        "zcms": f"/{slug}-post{article_id}.html",
        "vcc": f"/{slug}-{vccorp_id(published, article_id)}.htm",
        "dnn": (
            f"/tin-hoat-dong/{slug}.html?categoryId=1902448,1902446"
            if article_id % 3 == 0
            else f"/vi/news/{cat}/{slug}-{article_id}.html"
        ),
        "qdnd": f"/{cat}/tin-tuc/{slug}-{article_id}",
        "html_id": f"/{slug}-{article_id}.html",
        "cand": f"/{cat.split('-')[0].capitalize()}/{slug}-i{article_id}/",
        "sharepoint": f"/noidung/tintuc/Lists/{_list_name(cat)}/View_Detail.aspx?ItemID={article_id}",
        "liferay": (
            f"/media-story/-/asset_publisher/V8hhp4dK31Gf/content/{slug}"
            if article_id % 4 == 0
            else f"/web/guest/{cat.replace('-', '_')}/-/asset_publisher/V8hhp4dK31Gf/content/{slug}"
        ),
        "next_pages": f"/tin-tuc/{slug}-{hexid}",
        "next_app": f"/blogs/{slug}-{hexid}",
        "vov": f"/{cat}/{slug}-post{article_id}.vov",
        "k2": f"/{cat}/item/{article_id}-{slug}.html",
        "provincial": f"/vi/news/{cat}/{slug}-{article_id}.html",
    }
    return paths[scheme]


def listing_path(scheme: str, cat: str) -> str:
    """Page 1 of a category's listing."""
    if scheme == "sharepoint":
        return f"/noidung/tintuc/Lists/{_list_name(cat)}/View.aspx"
    if scheme == "liferay":
        return f"/web/guest/{cat.replace('-', '_')}"
    if scheme in ("dnn", "provincial"):
        return f"/vi/news/{cat}.html"
    if scheme == "next_app":
        return f"/blogs/category/type/{cat}"
    return f"/{cat}"


def page_url(style: str, listing: str, n: int) -> str:
    """Page ``n`` (1-based) of a listing, in the family's pagination style."""
    if n == 1:
        return listing
    return {
        "query": f"{listing}?page={n}",
        "p": f"{listing}/p/{n}",
        "trang": f"{listing}/trang-{n}",
        "more": f"/timelinelist{listing}/{n}.htm",
        "sharepoint": f"{listing}?Page={n}",
        "liferay": f"{listing}?_asset_publisher_cur={n}",
        "drupal": f"{listing}?page={n - 1}",
        "start": f"{listing}?start={(n - 1) * 10}",
        "next_app": f"{listing}?page={n}&size=10",
    }[style]


def print_url(url: str) -> str:
    """The print view of an article URL (``?print=1``, or ``&print=1`` after a query)."""
    return url + ("&" if "?" in url else "?") + "print=1"
