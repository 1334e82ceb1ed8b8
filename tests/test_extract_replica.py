"""archive.extract against the replica portal's own truth: every article page, every field.

The replica (replica/) renders tuyengiao.vn generation-(b) pages with all the clutter of the
seed (masthead "today", menus, breadcrumb, captions twice, byline, "Phản hồi", "Các tin khác",
sidebars, footer) from a model that knows each article's real fields, so the comparison is
exact. Pages are rendered in-process (replica.pages), which is what its server sends.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urljoin

import pytest

import replica
from archive.extract import extract, is_article
from archive.vntext import nfc
from replica import pages

BASE = "https://tuyengiao.vn"
TODAY = date(2024, 5, 23)
BOILERPLATE = (
    "Phản hồi",
    "Ý kiến phản hồi của bạn",
    "Các tin khác",
    "Thư viện ảnh",
    "Liên kết website",
    "Mới nhất",
    "Xem nhiều nhất",
    "Bản quyền thuộc về",
    "Trang chủ",
    "Tags:",
    "Nguồn:",
    "In bài viết",
    "Thứ Năm, 23/5/2024",
)


@pytest.fixture(scope="module", params=[(72, 0), (250, 1)], ids=["default", "seed1"])
def site(request):  # noqa: ANN001, ANN201 - replica.Site
    """The default site, and a bigger one with another seed (other features: no sapo, image first...)."""
    n_articles, seed = request.param
    return replica.build_site(n_articles=n_articles, today=TODAY, seed=seed)


def _records(site) -> list[tuple[object, dict]]:  # noqa: ANN001
    now = datetime(2024, 5, 23, 9, 0, tzinfo=replica.model.VN_TZ)
    out = []
    for article in site.articles:
        html = pages.article_page(site, article).encode("utf-8")
        out.append(
            (article, extract(html, BASE + article.path, content_type="text/html; charset=utf-8", now=now))
        )
    return out


def test_every_replica_article_matches_its_truth(site) -> None:  # noqa: ANN001
    problems = []
    for article, rec in _records(site):
        body = article.body()
        want = {
            "title": nfc(article.title),
            "published": article.published.isoformat(),
            "author": article.author,
            "lead": body.lead,
            "category": article.category.name,
            "tags": list(article.tags),
            "source": article.source,
            "images": [{"src": urljoin(BASE, i.src), "caption": i.caption} for i in body.images],
            "related": [BASE + site.article(i).path for i in article.related],
        }
        got = {k: rec[k] for k in want}
        got["related"] = [r["url"] for r in rec["related"]]
        for key, value in want.items():
            if got[key] != value:
                problems.append(f"{article.path} {key}: want {value!r}, got {got[key]!r}")
        text = rec["text"]
        if text != "\n".join(" ".join(p.split()) for p in body.paragraphs):
            problems.append(f"{article.path} text differs")
        for snippet in BOILERPLATE:
            if snippet in text:
                problems.append(f"{article.path} text has boilerplate {snippet!r}")
        if not is_article(rec):
            problems.append(f"{article.path} not an article")
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


def test_replica_non_articles_are_not_articles(site) -> None:  # noqa: ANN001
    cat = site.categories[0]
    for html, url in (
        (pages.home(site), BASE + "/"),
        (pages.listing(site, cat, 1), f"{BASE}/{cat.slug}"),
        (pages.not_found(site, soft=True), BASE + "/van-hoa-xa-hoi/bai-da-go-110007"),
        (pages.gone(site), BASE + "/van-hoa-xa-hoi/bai-da-go-110014"),
        (pages.decoy(site, "Video"), BASE + "/video"),
    ):
        rec = extract(html, url)
        assert not is_article(rec), (url, rec["title"], rec["flags"], rec["text"][:200])
