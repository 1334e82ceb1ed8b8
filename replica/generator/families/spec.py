"""What a CMS family is: the elements that carry each field of an article page, and their order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    """How one CMS family prints an article page.

    Element specs are an opening tag's inside (``'h1 class="post-title"'``); the closing tag is
    its first word. ``order`` lists the article's slots top to bottom, out of ``crumbs``,
    ``date``, ``title``, ``author_start``, ``sapo``, ``body``, ``author_end``, ``source``,
    ``tags``, ``tools`` (print and share links).
    """

    key: str
    site_name: str
    host: str
    #: The agency tag a tagged sapo opens with.
    agency: str
    #: Date-line styles of ``datefmt.STYLES`` this family prints.
    date_styles: tuple[str, ...]
    #: URL scheme of ``urls.py``.
    url: str
    #: Listing pagination style of ``site.py``.
    pagination: str
    wrap: str
    title: str
    sapo: str
    body: str
    date: str
    author: str
    tags: str
    box: str
    #: Image markup style of ``render.IMAGE_STYLES``.
    image: str
    order: tuple[str, ...] = (
        "crumbs",
        "date",
        "title",
        "sapo",
        "body",
        "author_end",
        "source",
        "tags",
        "tools",
    )
    #: The end byline as the body's last short paragraph (tuyengiao, qdnd) instead of its own element.
    author_in_body: bool = False
    #: The end byline in <strong> (qdnd, ZCMS bodies).
    author_strong: bool = False
    #: The page is a Next.js app: the article also travels as JSON ("pages" or "app" router).
    nextjs: str | None = None
    #: qdnd's trailing "*Mời bạn đọc vào chuyên mục ..." line inside the body.
    invite_line: bool = False
    #: Where the portal's boxes go: "aside" (a right column) or "below" (after the article).
    boxes_at: str = "aside"
