"""Per-site knowledge as data: what one portal's URLs and pages look like.

The crawler reads the URL side (which links are articles, where listings and feeds live);
the extractor reads the page side (date formats, where the byline sits). Anything that is
true of Vietnamese portals in general belongs in the shared heuristics, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SiteProfile:
    #: Slug used end to end: spider name, ``articles.site``, fixture folder.
    name: str
    #: Hostnames (without ``www.``) that belong to this site.
    hosts: tuple[str, ...]
    #: Default base URL of the live site (the crawler's default target).
    base_url: str
    #: Regexes over the URL *path* (query stripped) that identify an article page.
    article_path_patterns: tuple[str, ...] = ()
    #: Regexes over the path that identify listing (category) pages worth walking.
    listing_path_patterns: tuple[str, ...] = ()
    #: Feed paths tried when the home page advertises none.
    feed_paths: tuple[str, ...] = ("/rss", "/rss.xml", "/feed")
    #: Sitemap paths tried when robots.txt names none.
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    #: Query parameter that pages a listing (``?page=N``).
    page_param: str = "page"
    #: Optional XPath hints per record field, read by the extractor (see archive.extract):
    #: keys "title", "lead", "body", "date", "author", "source", "tags", "category". A hint
    #: that matches improves the record; one that matches nothing costs nothing, since the
    #: generic heuristics decide without it (the live markup is unverified).
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Offset of the wall-clock times the site prints, in hours east of UTC.
    utc_offset_hours: int = 7
    #: Language of the site's articles (ISO 639-1), used when the page does not say.
    language: str = "vi"
    #: Regex over the URL whose named groups y (or yy), m, d and optionally H, M, S give the
    #: publication time (baochinhphu's IDs encode it); None when URLs carry no date.
    url_date_pattern: str | None = None
    #: The page embeds its article as JSON in ``<script id="__NEXT_DATA__">`` (Next.js).
    next_data: bool = False
    #: Date lines as the site prints them (site-notes §6), with the instant each means; the
    #: extractor's parser (archive.dates) must read every one (tests/test_dates.py checks).
    date_examples: tuple[tuple[str, str], ...] = ()

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.article_path_patterns)

    def is_listing_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.listing_path_patterns)


#: A slug path segment: lowercase ASCII words joined by hyphens (Vietnamese slugs drop diacritics).
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)+"


def _cls(*names: str) -> str:
    """XPath matching any element whose class list holds one of ``names``."""
    tests = " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names)
    return f"//*[{tests}]"


TUYENGIAO = SiteProfile(
    name="tuyengiao",
    hosts=("tuyengiao.vn",),
    base_url="https://tuyengiao.vn",
    # /<category-slug>/<article-slug>-<numeric id> and the short /<article-slug>-<numeric id>;
    # unconfirmed on the live site, so a sub-category level, capitals and an .html/.aspx ending
    # (generation (a) was ASP.NET) are accepted too.
    article_path_patterns=(rf"(?i)^/(?:[a-z0-9-]+/){{0,2}}{_SLUG}-\d{{3,}}(?:\.html?|\.aspx)?/?$",),
    listing_path_patterns=(r"^/[a-z0-9]+(?:-[a-z0-9]+)*/?$",),
    # Generation (a) ASP.NET (story_*, #ArticleContent) and (b) 2022-2024 (names from a public
    # clone of the page, site-notes §1.3-1.4): hints only.
    hints={
        "title": (_cls("story_headline", "news-detail__title"),),
        "lead": (_cls("story_teaser", "news-detail__section-title"),),
        "body": ("//*[@id='ArticleContent']", _cls("story_body", "detail-blog-content")),
        "date": (_cls("story_date"), _cls("news-detail__date")),
        "author": (_cls("author__name"),),
        "source": (_cls("author__source"),),
        "tags": (_cls("story_tags", "news__tag"),),
    },
    date_examples=(
        ("Thứ Tư, 14/9/2022 10:10'(GMT+7)", "2022-09-14T10:10:00+07:00"),
        ("Thứ Năm, 19/5/2022 7:22'(GMT+7)", "2022-05-19T07:22:00+07:00"),
        ("10/07/2018 08:30", "2018-07-10T08:30:00+07:00"),
        ("01/04/2022 - 15:28 GMT+7", "2022-04-01T15:28:00+07:00"),
    ),
)

TUYENGIAODANVAN = SiteProfile(
    name="tuyengiaodanvan",
    hosts=("tuyengiaodanvan.vn",),
    base_url="https://tuyengiaodanvan.vn",
    # /vn/<slug> and /<slug>-<12+ hex id>; /vn/van-ban is the documents section, not an article
    article_path_patterns=(
        r"^/vn/(?!van-ban/?$)[a-z0-9]+(?:-[a-z0-9]+){2,}/?$",
        r"^/[a-z0-9-]+-[0-9a-f]{12,}/?$",
    ),
    listing_path_patterns=(r"^/blogs/category/type/[a-z0-9-]+/?$", r"^/vn/?$"),
    next_data=True,
    date_examples=(("Thứ Hai, 19/01/2026 08:15", "2026-01-19T08:15:00+07:00"),),
)

NHANDAN = SiteProfile(
    name="nhandan",
    hosts=("nhandan.vn",),
    base_url="https://nhandan.vn",
    article_path_patterns=(r"-post\d+\.html$",),
    listing_path_patterns=(r"^/[a-z0-9-]+/?$",),
    feed_paths=("/rss/home.rss", "/rss/tin-moi.rss"),
    hints={
        "title": (_cls("article__title"),),
        "lead": (_cls("article__sapo"),),
        "body": (_cls("article__body"),),
        "date": (_cls("article__meta") + "//time",),
        "author": (_cls("article__author"),),
        "tags": (_cls("article__tag"),),
    },
    date_examples=(
        ("2024-03-14T10:10:00+0700", "2024-03-14T10:10:00+07:00"),
        ("Thứ Năm, 14-03-2024, 10:10", "2024-03-14T10:10:00+07:00"),
    ),
)

DANGCONGSAN = SiteProfile(
    name="dangcongsan",
    hosts=("dangcongsan.vn",),
    base_url="https://dangcongsan.vn",
    article_path_patterns=(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)*[a-z0-9-]+-\d{3,}\.html$",),
    listing_path_patterns=(r"^/[a-z0-9-]+/?$",),
    feed_paths=("/rss",),
    hints={
        "title": (_cls("post-title"),),
        "lead": (_cls("post-summary"),),
        "body": (_cls("post-content"),),
        "date": (_cls("lbPublishedDate"),),
    },
    date_examples=(('"Thứ Tư, 14/09/2022 - 10:10"', "2022-09-14T10:10:00+07:00"),),
)

TAPCHICONGSAN = SiteProfile(
    name="tapchicongsan",
    hosts=("tapchicongsan.org.vn",),
    base_url="https://www.tapchicongsan.org.vn",
    # Liferay: /web/guest/<cat>/-/2018/<id>/<slug>.aspx, .../view_content, asset_publisher URLs.
    # The "2018" segment is a fixed portlet path, not the publication year.
    article_path_patterns=(
        r"/-/\d{4}/\d+/[^/]+\.aspx$",
        r"/-/\d{4}/\d+/view_content$",
        r"/chi-tiet/-/asset_publisher/[^/]+/content/[^/]+$",
    ),
    listing_path_patterns=(r"^/web/guest/[a-z0-9-]+/?$",),
    hints={
        "lead": (_cls("sumary", "summary"),),
        "body": (_cls("detailContent"),),
        "date": (_cls("publishdate"),),
        "author": (_cls("author"),),
    },
    date_examples=(("22:45, ngày 22-11-2020", "2020-11-22T22:45:00+07:00"),),
)

QDND = SiteProfile(
    name="qdnd",
    hosts=("qdnd.vn",),
    base_url="https://www.qdnd.vn",
    article_path_patterns=(rf"^/[a-z0-9-]+/(?:[a-z0-9-]+/)*{_SLUG}-\d{{3,}}/?$",),
    listing_path_patterns=(r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?/?$",),
    feed_paths=("/rss/cate/kinh-te.rss",),
    hints={
        "title": (_cls("post-title"),),
        "lead": (_cls("post-summary"),),
        "body": (_cls("post-content", "article-detail"),),
        "date": (_cls("post-date", "post-time"),),
        "author": (_cls("post-author"),),
    },
    date_examples=(("Thứ Năm, 15/09/2022 | 01:30", "2022-09-15T01:30:00+07:00"),),
)

BAOCHINHPHU = SiteProfile(
    name="baochinhphu",
    hosts=("baochinhphu.vn",),
    base_url="https://baochinhphu.vn",
    # New /<slug>-102YYMMDDhhmmssNNN.htm (the ID is the publication time); old .vgp URLs.
    article_path_patterns=(r"-102\d{15}\.htm$", r"/\d+\.vgp$"),
    listing_path_patterns=(r"^/[a-z0-9-]+\.htm$",),
    feed_paths=("/home.rss", "/rss/tin-noi-bat.rss"),
    url_date_pattern=r"-102(?P<yy>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})\d{3}\.htm",
    hints={
        "title": (_cls("detail-title"),),
        "lead": (_cls("detail-sapo"),),
        "body": (_cls("detail-content"),),
        "date": (_cls("detail-time"),),
        "author": (_cls("detail-author"),),
    },
    date_examples=(("14/09/2022 10:10", "2022-09-14T10:10:00+07:00"),),
)

PROFILES: dict[str, SiteProfile] = {
    p.name: p for p in (TUYENGIAO, TUYENGIAODANVAN, NHANDAN, DANGCONGSAN, TAPCHICONGSAN, QDND, BAOCHINHPHU)
}


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose host matches ``url``, or None for an unknown site."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    for profile in PROFILES.values():
        if host in profile.hosts or any(host.endswith("." + h) for h in profile.hosts):
            return profile
    return None
