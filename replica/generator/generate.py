"""One generated page: ``variant(seed, **axes)`` -> bytes, URL, headers and the truth.

Same seed and axes, same bytes. Axes not given are drawn from the seed, so ``variant(7)`` is a
random page and ``variant(7, family="qdnd", length="brief")`` pins two axes of it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from replica.generator import axes as axes_mod
from replica.generator import content, render
from replica.generator.encode import CHARSETS, encode, strip_class_id
from replica.generator.families import family
from replica.generator.truth import Truth


@dataclass(slots=True)
class Variant:
    """A generated article page with what it must extract to."""

    seed: int
    axes: dict[str, str]
    url: str
    html: bytes
    #: The HTTP headers the page is served with (Content-Type carries the charset).
    headers: dict[str, str]
    charset: str
    truth: Truth
    story: content.Story

    @property
    def content_type(self) -> str:
        return self.headers["Content-Type"]

    def print_html(self) -> bytes:
        """The ``?print=1`` view of the same article, in the same encoding and markup axes."""
        html = render.print_page(self.story, self.charset)
        if self.axes["classless"] == "yes":
            html = strip_class_id(html)
        return encode(html, self.axes["encoding"])


def variant(
    seed: int, base: str | None = None, pool: list[content.Link] | None = None, **fixed: str
) -> Variant:
    """The page of ``seed``; ``fixed`` pins axis values, ``base`` the scheme and host it is served at.

    The default base is the family's example host (``https://<host>``), never a real portal.
    ``pool``: the other articles of a generated site, for its link boxes (``site.py``).
    """
    axes = axes_mod.draw(random.Random(f"axes:{seed}"), fixed)
    fam = family(axes["family"])
    base = base or f"https://{fam.host}"
    story = content.build(seed, axes, fam, base, pool)
    charset = CHARSETS[axes["encoding"]]
    html, chrome = render.article_page(story, charset)
    if axes["classless"] == "yes":
        html = strip_class_id(html)
    truth = story.truth
    article_lines = {truth.title, truth.lead, *truth.paragraphs}
    truth.boilerplate = [line for line in dict.fromkeys(chrome) if line not in article_lines]
    return Variant(
        seed=seed,
        axes=axes,
        url=truth.canonical_url,
        html=encode(html, axes["encoding"]),
        headers={"Content-Type": f"text/html; charset={charset}"},
        charset=charset,
        truth=truth,
        story=story,
    )


def sample(n: int, seed: int = 0, base: str | None = None, **fixed: str) -> Iterator[Variant]:
    """``n`` variants whose axis values are balanced (see ``axes.balanced``); seeds ``seed*n .. seed*n+n-1``."""
    for i, axes in enumerate(axes_mod.balanced(n, seed, fixed)):
        yield variant(seed * 1_000_003 + i, base, **axes)
