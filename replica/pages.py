"""HTML of the replica portal, modelled on tuyengiao.vn generation (b) (2022-2024).

The chrome follows what the seed page shows, in its order: masthead with *today's* date, big
menus, breadcrumb, date line, title, sapo, body (captions twice, byline last), source, tags,
"Phản hồi", "Các tin khác", "Thư viện ảnh", "Liên kết website", "Mới nhất", footer. The class
names are invented (the real ones are unknown), so nothing downstream may rely on them.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from replica.model import Article, Category, Site
from replica.vn import date_line, dmy, header_date

PAGE_SIZE = 10
SITE_NAME = "Ban Tuyên giáo Trung ương"
#: A path shaped like an article but disallowed by robots.txt: a crawler that fetches it ignores robots.
INTERNAL_PATH = "/noi-bo/tai-lieu-noi-bo-99999"
SEARCH_HINT = "nghị quyết"
#: Menu items that are not article categories; each answers an empty listing.
DECOYS = {
    "/nhip-cau-tuyen-giao": "Nhịp cầu tuyên giáo",
    "/nghien-cuu-trao-doi": "Nghiên cứu – Trao đổi",
    "/nghien-cuu-trao-doi/ly-luan-thuc-tien": "Lý luận – Thực tiễn",
    "/nghien-cuu-trao-doi/su-kien-binh-luan": "Sự kiện – Bình luận",
    "/nghien-cuu-trao-doi/quyen-con-nguoi": "Quyền con người",
    "/the-gioi": "Thế giới",
    "/video": "Video",
    "/tu-lieu": "Tư liệu",
    "/van-ban": "Văn bản",
    "/thu-vien-anh": "Thư viện ảnh",
    "/lien-he": "Liên hệ",
}
_EXTERNAL = (
    ("https://dangcongsan.vn/", "Báo điện tử Đảng Cộng sản Việt Nam"),
    ("https://nhandan.vn/", "Báo Nhân Dân"),
    ("https://www.tapchicongsan.org.vn/", "Tạp chí Cộng sản"),
    ("https://www.qdnd.vn/", "Báo Quân đội nhân dân"),
    ("https://baochinhphu.vn/", "Báo điện tử Chính phủ"),
    ("https://www.vietnamplus.vn/", "VietnamPlus - TTXVN"),
)
_GALLERY = (
    "Sắc màu văn hóa các dân tộc vùng cao",
    "Những công trình chào mừng kỷ niệm ngày thành lập Đảng",
    "Mùa xuân trên biên giới",
)


def text(s: str) -> str:
    """Escape for a text node; quotes stay raw as on the real pages."""
    return escape(s, quote=False)


def attr(s: str) -> str:
    return escape(s, quote=True)


def teaser(article: Article, limit: int = 180) -> str:
    """The listing teaser: the sapo, else the first paragraph cut at a word."""
    source = article.lead or (article.paragraphs[0] if article.paragraphs else "")
    if len(source) <= limit:
        return source
    return source[: source.rfind(" ", 0, limit)] + "..."


def _menu(site: Site) -> str:
    items = ['<li class="bt-nav__item bt-nav__item--home"><a href="/">Trang chủ</a></li>']
    for c in site.categories:
        items.append(f'<li class="bt-nav__item"><a href="/{c.slug}">{text(c.name)}</a></li>')
    sub = "".join(
        f'<li><a href="{p}">{text(DECOYS[p])}</a></li>'
        for p in ("/nghien-cuu-trao-doi/ly-luan-thuc-tien", "/nghien-cuu-trao-doi/su-kien-binh-luan",
                  "/nghien-cuu-trao-doi/quyen-con-nguoi")
    )  # fmt: skip
    items.append(
        '<li class="bt-nav__item bt-nav__item--drop"><a href="/nghien-cuu-trao-doi">Nghiên cứu – Trao đổi</a>'
        f'<ul class="bt-nav__sub">{sub}</ul></li>'
    )
    for p in ("/nhip-cau-tuyen-giao", "/the-gioi", "/video", "/tu-lieu", "/van-ban"):
        items.append(f'<li class="bt-nav__item"><a href="{p}">{text(DECOYS[p])}</a></li>')
    items.append('<li class="bt-nav__item"><a href="javascript:void(0)">Chuyên đề</a></li>')
    items.append('<li class="bt-nav__item"><a href="#">Tiện ích</a></li>')
    return '<nav class="bt-nav"><ul class="bt-nav__list">' + "".join(items) + "</ul></nav>"


def _masthead(site: Site) -> str:
    return (
        '<div class="bt-topbar"><div class="bt-wrap">'
        f'<span class="bt-topbar__today">{header_date(site.header_today())}</span>'
        '<span class="bt-topbar__links"><a href="/">Trang chủ</a> | <a href="/lien-he">Liên hệ</a> | '
        '<a href="/rss">RSS</a></span></div></div>'
        '<header class="bt-masthead"><div class="bt-wrap">'
        f'<a class="bt-masthead__logo" href="/"><img src="/static/logo.png" alt="{SITE_NAME}"></a>'
        f'<div class="bt-masthead__name">{SITE_NAME}</div>'
        '<div class="bt-masthead__motto">Trang thông tin điện tử của Ban Tuyên giáo Trung ương</div>'
        '<form class="bt-masthead__search" action="/tim-kiem" method="get">'
        '<input type="text" name="q" placeholder="Tìm kiếm..."><button type="submit">Tìm</button></form>'
        "</div></header>" + _menu(site)
    )


def _box(title: str, inner: str, cls: str) -> str:
    return f'<section class="bt-box {cls}"><div class="bt-box__title">{title}</div>{inner}</section>'


def _links(articles: list[Article], with_dates: bool = False) -> str:
    items = []
    for a in articles:
        when = f' <span class="bt-links__date">({dmy(a.published)})</span>' if with_dates else ""
        items.append(f'<li><a href="{attr(a.path)}">{text(a.title)}</a>{when}</li>')
    return '<ul class="bt-links">' + "".join(items) + "</ul>"


def _aside(site: Site) -> str:
    """The right column, the same on every page; ends with "Mới nhất" as on the seed."""
    live = site.live()
    popular = live[3:38:7]
    tools = (
        '<ul class="bt-links">'
        f'<li><a href="/tim-kiem?q={quote(SEARCH_HINT)}">Tìm kiếm: {text(SEARCH_HINT)}</a></li>'
        f'<li><a href="{INTERNAL_PATH}">Tài liệu sinh hoạt chi bộ (nội bộ)</a></li>'
        + ('<li><a href="/loi-kiem-thu">Lỗi kiểm thử</a></li>' if site.faults else "")
        + "</ul>"
    )
    gallery = (
        '<ul class="bt-gallery">'
        + "".join(
            f'<li><a href="/thu-vien-anh"><img src="/static/gallery-{i + 1}.jpg" alt="">{text(t)}</a></li>'
            for i, t in enumerate(_GALLERY)
        )
        + "</ul>"
    )
    external = (
        '<ul class="bt-links">'
        + "".join(
            f'<li><a href="{u}" target="_blank" rel="noopener">{text(n)}</a></li>' for u, n in _EXTERNAL
        )
        + "</ul>"
    )
    return (
        '<aside class="bt-side">'
        + _box("Tiện ích", tools, "bt-box--tools")
        + _box("Xem nhiều nhất", _links(popular), "bt-box--popular")
        + _box("Thư viện ảnh", gallery, "bt-box--gallery")
        + _box("Liên kết website", external, "bt-box--external")
        + _box("Mới nhất", _links(live[:6]), "bt-box--latest")
        + "</aside>"
    )


def _footer() -> str:
    return (
        '<footer class="bt-footer"><div class="bt-wrap">'
        f"<p>© Bản quyền thuộc về {SITE_NAME}.</p>"
        "<p>Địa chỉ: Ba Đình, Hà Nội. Điện thoại: 024.3823.xxxx. Email: bbt@replica.invalid</p>"
        "<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p>"
        "</div></footer>"
    )


def layout(site: Site, title: str, main: str, head_extra: str = "") -> str:
    """The full page: head, masthead, menus, the page's own content, the aside and the footer."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n{head_extra}"
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="/rss">\n'
        '<link rel="stylesheet" href="/static/site.css">\n</head>\n<body>\n'
        + _masthead(site)
        + '\n<div class="bt-wrap bt-page"><main class="bt-main">\n'
        + main
        + "\n</main>\n"
        + _aside(site)
        + "\n</div>\n"
        + _footer()
        + "\n</body>\n</html>\n"
    )


def _crumbs(category: Category | None) -> str:
    tail = (
        f'<span class="bt-crumb__sep">›</span><a href="/{category.slug}">{text(category.name)}</a>'
        if category
        else ""
    )
    return f'<div class="bt-crumb"><a href="/">Trang chủ</a>{tail}</div>'


def _row(article: Article) -> str:
    """One listing item: thumbnail link, then title link (the 2nd <a>), date and teaser."""
    thumb = article.images[0].src if article.images else "/static/no-image.jpg"
    return (
        f'<div class="bt-row clearfix"><a class="bt-row__thumb" href="{attr(article.path)}">'
        f'<img src="{attr(thumb)}" alt=""></a><div class="bt-row__body">'
        f'<h3 class="bt-row__title"><a href="{attr(article.path)}">{text(article.title)}</a></h3>'
        f'<span class="bt-row__date">{dmy(article.published)}</span>'
        f'<p class="bt-row__teaser">{text(teaser(article))}</p></div></div>'
    )


def home(site: Site) -> str:
    """Front page: featured newest article, latest links, then a box per category."""
    live = site.live()
    parts = []
    if live:
        top = live[0]
        parts.append(
            f'<div class="bt-featured"><h2 class="bt-featured__title"><a href="{attr(top.path)}">'
            f"{text(top.title)}</a></h2><p>{text(teaser(top))}</p></div>"
        )
        parts.append(_box("Tin mới", _links(live[1:10]), "bt-box--news"))
    for c in site.categories:
        newest = site.live(c.slug)[:4]
        more = f'<a class="bt-box__more" href="/{c.slug}">Xem tiếp</a>'
        parts.append(_box(f'<a href="/{c.slug}">{text(c.name)}</a>', _links(newest) + more, "bt-box--cat"))
    return layout(site, f"{SITE_NAME} - Trang chủ", "\n".join(parts))


def _pager(base: str, page: int, pages: int) -> str:
    links = []
    if page > 1:
        links.append(f'<a href="{base}?page=1">Trang đầu</a><a href="{base}?page={page - 1}">Trang trước</a>')
    for n in range(max(1, page - 3), min(pages, page + 3) + 1):
        links.append(
            f'<span class="is-current">{n}</span>' if n == page else f'<a href="{base}?page={n}">{n}</a>'
        )
    if page < pages:
        links.append(
            f'<a href="{base}?page={page + 1}">Trang sau</a><a href="{base}?page={pages}">Trang cuối</a>'
        )
    return '<div class="bt-pager">' + "".join(links) + "</div>"


def listing(site: Site, category: Category, page: int) -> str | None:
    """Page ``page`` of a category, 10 articles newest first; None (a 404) past the last page.

    An empty category still has its page 1 (with "Chưa có bài viết"), like the decoy menu items.
    """
    articles = site.live(category.slug)
    pages = max(1, -(-len(articles) // PAGE_SIZE))
    if page > pages:
        return None
    rows = "".join(_row(a) for a in articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    main = (
        _crumbs(category)
        + f'<h1 class="bt-zone__name">{text(category.name)}</h1>'
        + f'<div class="bt-zone__list">{rows or "<p>Chưa có bài viết trong mục này.</p>"}</div>'
        + _pager(f"/{category.slug}", page, pages)
    )
    suffix = f" - Trang {page}" if page > 1 else ""
    return layout(site, f"{category.name}{suffix} - {SITE_NAME}", main)


def _image_block(src: str, caption: str | None) -> str:
    """An image table whose caption is printed twice (image note + caption cell), as on the seed."""
    if caption is None:
        return f'<table class="bt-photo" align="center"><tbody><tr><td><img src="{attr(src)}" alt=""></td></tr></tbody></table>'
    return (
        f'<table class="bt-photo" align="center"><tbody><tr><td><img src="{attr(src)}" alt="{attr(caption)}">'
        f'<div class="bt-photo__note">{text(caption)}</div></td></tr>'
        f'<tr><td class="bt-photo__desc"><p>{text(caption)}</p></td></tr></tbody></table>'
    )


def article_page(site: Site, article: Article) -> str:
    """The article page with all its clutter; variations keyed on the id keep pages unalike."""
    body = article.body()
    head_extra = ""
    if article.id % 5 == 0:  # a minority carries og: and description metas (never a publication date)
        head_extra = (
            f'<meta property="og:title" content="{attr(article.title)}">\n'
            '<meta property="og:type" content="article">\n'
            + (f'<meta name="description" content="{attr(body.lead)}">\n' if body.lead else "")
        )
    tag = "h1" if article.id % 3 == 0 else "h2"
    parts = [
        _crumbs(article.category),
        '<div class="bt-detail">',
        f'<div class="bt-detail__meta"><span class="bt-detail__time">{date_line(article.published)}</span></div>',
        f'<{tag} class="bt-detail__heading">{text(article.title)}</{tag}>',
    ]
    if body.lead:
        if article.id % 2:
            parts.append(f'<h2 class="bt-detail__summary bt-italic"><em>{text(body.lead)}</em></h2>')
        else:
            parts.append(f'<div class="bt-detail__summary"><strong>{text(body.lead)}</strong></div>')
    parts.append('<div class="bt-detail__text" id="noi-dung">')
    images = list(zip(body.positions, body.images, strict=True))
    for i, paragraph in enumerate(body.paragraphs):
        parts += [_image_block(img.src, img.caption) for pos, img in images if pos == i]
        parts.append(f'<p style="text-align: justify;">{text(paragraph)}</p>')
    parts += [_image_block(img.src, img.caption) for pos, img in images if pos >= len(body.paragraphs)]
    if article.author:
        parts.append(f'<p style="text-align: right;"><strong>{text(article.author)}</strong></p>')
    parts.append("</div>")
    if article.source:
        parts.append(f'<p class="bt-detail__origin">Nguồn: {text(article.source)}</p>')
    if article.tags:
        tags = ", ".join(f'<a href="/tim-kiem?q={quote(t)}">{text(t)}</a>' for t in article.tags)
        parts.append(f'<div class="bt-detail__labels"><span>Tags:</span> {tags}</div>')
    parts.append(
        '<div class="bt-detail__tools"><a href="javascript:window.print()">In bài viết</a> '
        '<a href="#">Gửi email</a></div></div>'
    )
    parts.append(
        _box(
            "Phản hồi",
            f'<form class="bt-feedback" method="post" action="/phan-hoi?id={article.id}">'
            '<label for="noidung">Ý kiến phản hồi của bạn:<span>(Không quá 1000 ký tự)</span></label>'
            '<textarea id="noidung" name="noidung" maxlength="1000"></textarea>'
            '<input type="text" name="hoten" placeholder="Họ và tên"> '
            '<input type="email" name="email" placeholder="Email"> '
            '<button type="submit">Gửi phản hồi</button></form>',
            "bt-box--feedback",
        )
    )
    others = [site.article(i) for i in article.related]
    parts.append(_box("Các tin khác", _links(others, with_dates=True), "bt-box--others"))
    return layout(site, f"{article.title} - {SITE_NAME}", "\n".join(parts), head_extra)


def not_found(site: Site, soft: bool = False) -> str:
    """The error page of 404s, and of "soft-404" removals (then served with status 200)."""
    note = "Bài viết không tồn tại hoặc đã bị gỡ." if soft else "Đường dẫn bạn truy cập không tồn tại."
    main = (
        '<div class="bt-error"><h1>Không tìm thấy trang</h1>'
        f'<p>{note}</p><p><a href="/">Quay về trang chủ</a></p></div>'
    )
    return layout(site, f"Không tìm thấy trang - {SITE_NAME}", main)


def gone(site: Site) -> str:
    main = '<div class="bt-error"><h1>Bài viết đã bị gỡ bỏ</h1><p><a href="/">Quay về trang chủ</a></p></div>'
    return layout(site, f"Bài viết đã bị gỡ bỏ - {SITE_NAME}", main)


def search(site: Site, query: str) -> str:
    """Title search (disallowed by robots.txt, so a polite crawler never sees it)."""
    needle = query.casefold().strip()
    hits = [a for a in site.live() if needle and needle in a.title.casefold()][:PAGE_SIZE]
    main = f'<h1 class="bt-zone__name">Kết quả tìm kiếm: {text(query)}</h1>' + (
        "".join(_row(a) for a in hits) or "<p>Không có kết quả phù hợp.</p>"
    )
    return layout(site, f"Tìm kiếm - {SITE_NAME}", main)


def internal(site: Site) -> str:
    """The robots-disallowed page: reaching it means the crawler ignored robots.txt."""
    main = (
        '<div class="bt-detail"><h2 class="bt-detail__heading">Tài liệu sinh hoạt chi bộ (nội bộ)</h2>'
        '<div class="bt-detail__text"><p>Tài liệu lưu hành nội bộ, không phổ biến ra ngoài.</p></div></div>'
    )
    return layout(site, f"Tài liệu nội bộ - {SITE_NAME}", main)


def decoy(site: Site, name: str) -> str:
    """A menu item that is not an article category: an empty section page."""
    main = (
        f'<div class="bt-crumb"><a href="/">Trang chủ</a></div><h1 class="bt-zone__name">{text(name)}</h1>'
        "<p>Chưa có bài viết trong mục này.</p>"
    )
    return layout(site, f"{name} - {SITE_NAME}", main)
