"""The JSON a Next.js portal ships with each article: ``__NEXT_DATA__`` (pages router) or the App
Router's ``self.__next_f.push`` chunks, whose escaped JSON holds ``"blog":{title, description, ...}``
as on tuyengiaodanvan (live-markup.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from replica.generator.content import Story


def _article(story: Story, body_html: str) -> dict:
    truth = story.truth
    out: dict = {
        "id": f"{story.article_id * 2654435761 % (1 << 96):024x}",
        "title": truth.title,
        "description": story.lead or "",
        "content": body_html,
        "slug": story.path.rsplit("/", 1)[-1],
        "status": "published",
        "type": "news",
        "rootOrgId": "64f1c2b7e4b0a1d2c3e4f5a6",
        "category": {"name": truth.category},
        "author": ", ".join(truth.authors) if truth.byline and not truth.placeholder_author else None,
        "tags": truth.tags,
    }
    if story.axes["date"] != "none":
        iso = story.published.replace(second=0).isoformat()
        out["publishDate"] = out["createdAt"] = iso
    return out


def payload(story: Story, body_html: str) -> str:
    """The script element(s) carrying the article as JSON, for the family's router."""
    article = _article(story, body_html)
    if story.family.nextjs == "pages":
        data = {
            "props": {"pageProps": {"blog": article}, "__N_SSP": True},
            "page": "/tin-tuc/[slug]",
            "query": {"slug": article["slug"]},
            "buildId": "b7Qm2xYkRz",
        }
        text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return f'<script id="__NEXT_DATA__" type="application/json">{text}</script>\n'
    rsc = (
        '1:HL["/_next/static/css/app.css","style"]\n'
        + "5:"
        + json.dumps({"blog": article}, ensure_ascii=False)
        + "\n"
    )
    cut = len(rsc) // 2
    chunks = [rsc[:cut], rsc[cut:]]
    pushes = "".join(
        "<script>self.__next_f.push("
        + json.dumps([1, chunk], ensure_ascii=False).replace("</", "<\\/")
        + ")</script>"
        for chunk in chunks
    )
    return "<script>(self.__next_f=self.__next_f||[]).push([0])</script>" + pushes + "\n"
