"""A story printed as its family's article page (or print view): chrome, article slots, boxes, footer.

The chrome carries what the live portals carry around every article: the masthead's own "today",
menus, breadcrumb, print and share links, "Phản hồi", link boxes dated after the article, the
footer. Each printed line that is not the article is recorded in ``truth.boilerplate``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from html import escape
from urllib.parse import quote

from replica.generator import datefmt, nextjs
from replica.generator.content import Story
from replica.generator.urls import listing_path, print_url
from replica.model import CATEGORIES
from replica.vn import slugify


def t(s: str) -> str:
    """Escape a text node; quotes stay raw as on the real pages."""
    return escape(s, quote=False)


def a(s: str) -> str:
    return escape(s, quote=True)


def tag(spec: str, inner: str) -> str:
    """Wrap ``inner`` in a (possibly nested) element spec such as ``'div class="x"><span'``."""
    names = [part.split()[0] for part in spec.split("><")]
    return f"<{spec}>{inner}" + "".join(f"</{n}>" for n in reversed(names))


IMAGE_STYLES: dict[str, Callable[[str, str], str]] = {
    "picture": lambda img, cap: (
        f'<table class="picture" align="center"><tbody><tr><td class="pic">{img}</td></tr>'
        + (f'<tr><td class="caption"><p>{cap}</p></td></tr>' if cap else "")
        + "</tbody></table>"
    ),
    "tbl": lambda img, cap: (
        f'<table class="tbl-image" align="center"><tr><td>{img}</td></tr>'
        + (f'<tr><td class="td-image-desc"><p>{cap}</p></td></tr>' if cap else "")
        + "</table>"
    ),
    "figure": lambda img, cap: (
        f'<figure class="image align-center">{img}'
        + (f"<figcaption>{cap}</figcaption>" if cap else "")
        + "</figure>"
    ),
    "imgeditor": lambda img, cap: (
        '<table class="imgEditor" align="center"><tbody><tr><td>'
        + img.replace("<img ", '<img class="imgtelerik" ')
        + "</td></tr>"
        + (f'<tr class="alt_imgEditor"><td>{cap}</td></tr>' if cap else "")
        + "</tbody></table>"
    ),
    "imagebox": lambda img, cap: (
        f'<table class="imageBox"><tr><td>{img}</td></tr>'
        + (f'<tr><td class="PCaption">{cap}</td></tr>' if cap else "")
        + "</table>"
    ),
    "vcc": lambda img, cap: (
        f'<figure class="VCSortableInPreviewMode" type="Photo"><div>{img}</div>'
        + (
            f'<figcaption class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">{cap}</p></figcaption>'
            if cap
            else ""
        )
        + "</figure>"
    ),
}
_MENU_EXTRA = ("Video", "Tư liệu", "Văn bản", "Liên hệ")
_FOOTER = (
    "© Bản quyền thuộc về {site}.",
    "Giấy phép số 208/GP-BTTTT do Bộ Thông tin và Truyền thông cấp.",
    'Ghi rõ nguồn "{site}" khi phát hành lại thông tin từ website này.',
)
_FEEDBACK = ("Phản hồi", "Ý kiến phản hồi của bạn:(Không quá 1000 ký tự)", "Họ và tên", "Gửi")


class _Printer:
    """Prints one story; remembers every non-article line it prints."""

    def __init__(self, story: Story) -> None:
        self.s = story
        self.f = story.family
        self.rng = random.Random(f"render:{story.article_id}:{story.family.key}")
        self.chrome: list[str] = []
        self._body: str | None = None

    def line(self, text: str) -> str:
        """A chrome text node, recorded as boilerplate."""
        self.chrome.append(text)
        return t(text)

    # -- article slots ------------------------------------------------------------------
    def date(self) -> str:
        s = self.s
        mode = s.axes["date"]
        if mode not in ("line", "time"):
            return ""
        text = datefmt.fmt(s.date_style, s.published)
        if mode == "time":
            return tag(
                self.f.date, f'<time datetime="{s.published.replace(second=0).isoformat()}">{t(text)}</time>'
            )
        return tag(self.f.date, t(text))

    def byline(self, where: str) -> str:
        s = self.s
        if s.truth.byline is None or (where == "start") != (s.axes["byline"] == "start"):
            return ""
        self.chrome.append(s.truth.byline)
        text = t(s.truth.byline)
        if where == "start" or not self.f.author_in_body:
            return tag(self.f.author, f"<strong>{text}</strong>" if self.f.author_strong else text)
        return ""

    def body(self) -> str:
        if self._body is None:
            self._body = self._print_body()
        return self._body

    def _print_body(self) -> str:
        s = self.s
        out = []
        pending = list(s.images)
        for i, para in enumerate(s.truth.paragraphs):
            while pending and pending[0][1] <= i:
                out.append(self.image(*pending.pop(0)))
            out.append(f"<p>{t(para)}</p>")
        out += [self.image(*im) for im in pending]
        if self.f.author_in_body:
            if s.truth.byline and s.axes["byline"] != "start":
                self.chrome.append(s.truth.byline)
                inner = f"<strong>{t(s.truth.byline)}</strong>" if self.f.author_strong else t(s.truth.byline)
                out.append(f'<p style="text-align: right;">{inner}</p>')
            out.append(self.source_line(inline=True))
        if s.invite:
            out.append(f"<p><em>{self.line(s.invite)}</em></p>")
        return tag(self.f.body, "".join(out))

    def image(self, pic, _position: int, twice: bool) -> str:
        img = f'<img src="{a(pic.src)}" alt="{a(pic.caption or "")}">'
        block = IMAGE_STYLES[self.f.image](img, t(pic.caption) if pic.caption else "")
        if pic.caption:
            self.chrome.append(pic.caption)
        if twice:
            block += f'<p style="text-align: center;"><em>{t(pic.caption)}</em></p>'
        return block

    def source_line(self, inline: bool = False) -> str:
        s = self.s
        if not s.truth.source or inline != self.f.author_in_body:
            return ""
        text = "Theo " + s.truth.source if s.axes["source"] == "theo" else "Nguồn: " + s.truth.source
        self.chrome.append(text)
        return f'<p class="article-source" style="text-align: right;"><em>{t(text)}</em></p>'

    def tags(self) -> str:
        if not self.s.truth.tags:
            return ""
        links = ", ".join(f'<a href="/tag/{quote(x)}">{t(x)}</a>' for x in self.s.truth.tags)
        return tag(self.f.tags, f"<span>{self.line('Từ khóa:')}</span> {links}")

    def tools(self) -> str:
        url = self.s.truth.canonical_url
        return (
            f'<div class="article-tools"><a href="{a(print_url(url))}" rel="nofollow">{self.line("In bài viết")}</a> '
            f'<a href="https://facebook.example/sharer.php?u={quote(url, safe="")}" target="_blank">{self.line("Chia sẻ")}</a> '
            f'<a href="https://zalo.example/share?u={quote(url, safe="")}">Zalo</a></div>'
        )

    def crumbs(self) -> str:
        listing = listing_path(self.f.url, self.s.category.slug)
        return (
            f'<div class="breadcrumb"><a href="/">{self.line("Trang chủ")}</a> › '
            f'<a href="{listing}">{t(self.s.category.name)}</a></div>'
        )

    def article(self) -> str:
        s = self.s
        order = list(self.f.order)
        if "author_start" not in order:
            order.insert(order.index("sapo"), "author_start")
        parts = {
            "crumbs": self.crumbs,
            "date": self.date,
            "title": lambda: tag(self.f.title, t(s.truth.title)),
            "author_start": lambda: self.byline("start"),
            "sapo": lambda: tag(self.f.sapo, t(s.lead)) if s.lead else "",
            "body": self.body,
            "author_end": lambda: self.byline("end"),
            "source": self.source_line,
            "tags": self.tags,
            "tools": self.tools,
        }
        return tag(self.f.wrap, "\n".join(parts[name]() for name in order))

    # -- chrome -------------------------------------------------------------------------
    def boxes(self) -> str:
        out = []
        for box in self.s.boxes:
            items = []
            for link in box.links:
                when = (
                    f' <span class="time">{self.line(datefmt.fmt(self.s.date_style, link.when))}</span>'
                    if box.dated
                    else ""
                )
                teaser = f"<p>{self.line(link.teaser)}</p>" if link.teaser else ""
                items.append(f'<li><a href="{a(link.href)}">{self.line(link.title)}</a>{when}{teaser}</li>')
            out.append(tag(self.f.box, f"<h3>{self.line(box.heading)}</h3><ul>{''.join(items)}</ul>"))
        return "\n".join(out)

    def masthead(self) -> str:
        f = self.f
        menu = "".join(
            f'<li><a href="{listing_path(f.url, c.slug)}">{self.line(c.name)}</a></li>' for c in CATEGORIES
        ) + "".join(f'<li><a href="/{slugify(x)}">{self.line(x)}</a></li>' for x in _MENU_EXTRA)
        return (
            f'<div class="header-top"><span class="today">{self.line(datefmt.masthead(self.s.date_style, self.s.today))}</span>'
            f' <a href="/rss">RSS</a></div>'
            f'<header class="header"><a class="logo" href="/"><img src="/static/logo.png" alt="{a(f.site_name)}"></a>'
            f'<div class="site-name">{self.line(f.site_name)}</div></header>'
            f'<nav class="menu"><ul><li><a href="/">Trang chủ</a></li>{menu}</ul></nav>'
        )

    def feedback(self) -> str:
        head, hint, name, send = (self.line(x) for x in _FEEDBACK)
        return (
            f'<div class="feedback"><h3>{head}</h3><p>{hint}</p><form method="post" action="/phan-hoi">'
            f'<label>{name}</label><input name="name"><textarea name="body"></textarea>'
            f"<button>{send}</button></form></div>"
        )

    def footer(self) -> str:
        lines = "".join(f"<p>{self.line(x.format(site=self.f.site_name))}</p>" for x in _FOOTER)
        return f'<footer class="footer">{lines}</footer>'

    def head(self, charset: str, print_view: bool) -> str:
        s, f = self.s, self.f
        truth = s.truth
        title = f"{truth.title} - {f.site_name}"
        og_title = truth.title if len(truth.title) < 70 or f.key != "sharepoint" else truth.title[:60] + "..."
        og_url = truth.canonical_url.split("?")[0] if f.key == "dnn" else truth.canonical_url
        desc = s.lead or truth.paragraphs[0][:160]
        out = [
            f'<meta charset="{charset}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{t(title)}</title>",
            f'<meta name="description" content="{a(desc)}">',
            f'<meta property="og:title" content="{a(og_title)}">',
            f'<meta property="og:url" content="{a(og_url)}">',
            '<meta property="og:type" content="article">',
            f'<link rel="canonical" href="{a(truth.canonical_url)}">',
        ]
        if print_view:
            out.append('<meta name="robots" content="noindex">')
        iso = s.published.replace(second=0).isoformat()
        if s.axes["date"] == "meta":
            name = self.rng.choice(
                ('property="article:published_time"', 'name="pubdate"', 'itemprop="datePublished"')
            )
            out.append(f'<meta {name} content="{iso}">')
        if s.axes["date"] == "jsonld":
            out.append(self.json_ld(iso))
        out.append('<link rel="alternate" type="application/rss+xml" href="/rss">')
        return "\n".join(out)

    def json_ld(self, iso: str) -> str:
        truth = self.s.truth
        headline = escape(truth.title) if self.f.key == "vccorp" else truth.title
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": headline,
            "datePublished": iso,
            "mainEntityOfPage": truth.canonical_url,
            "publisher": {"@type": "Organization", "name": self.f.site_name},
        }
        if truth.authors:
            ld["author"] = [{"@type": "Person", "name": n} for n in truth.authors]
        return f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'

    def page(self, charset: str) -> str:
        article = self.article()
        boxes = self.boxes()
        aside = f'<aside class="sidebar">{boxes}</aside>' if self.f.boxes_at == "aside" else ""
        below = boxes if self.f.boxes_at == "below" else ""
        feedback = self.feedback() if self.f.key.startswith("tuyengiao") or self.rng.random() < 0.4 else ""
        data = nextjs.payload(self.s, self.body()) if self.f.nextjs else ""
        return (
            f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n{self.head(charset, False)}\n</head>\n<body>\n'
            f"{self.masthead()}\n"
            f'<div class="container"><div class="main-col">{article}\n{feedback}\n{below}</div>\n{aside}</div>\n'
            f"{self.footer()}\n{data}</body>\n</html>\n"
        )

    def print_page(self, charset: str) -> str:
        f = self.f
        order = [
            x
            for x in ("date", "title", "author_start", "sapo", "body", "author_end", "source")
            if x in f.order or x == "author_start"
        ]
        parts = {
            "date": self.date,
            "title": lambda: f"<h1>{t(self.s.truth.title)}</h1>",
            "author_start": lambda: self.byline("start"),
            "sapo": lambda: f"<p><strong>{t(self.s.lead)}</strong></p>" if self.s.lead else "",
            "body": self.body,
            "author_end": lambda: self.byline("end"),
            "source": self.source_line,
        }
        return (
            f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n{self.head(charset, True)}\n</head>\n'
            f'<body onload="window.print()">\n<div class="print-logo">{self.line(f.site_name)}</div>\n'
            + "\n".join(parts[n]() for n in order)
            + "\n</body>\n</html>\n"
        )


def article_page(story: Story, charset: str) -> tuple[str, list[str]]:
    """The article page's HTML (before encoding) and the chrome lines it printed."""
    printer = _Printer(story)
    return printer.page(charset), printer.chrome


def print_page(story: Story, charset: str) -> str:
    """The ``?print=1`` view: the same article in a bare template, rel=canonical to the article."""
    return _Printer(story).print_page(charset)
