"""The article a variant prints, drawn from the replica's text bank: text, byline, dates, images, boxes.

Everything here is decided before any markup, so the truth is known by construction; ``render``
only prints it. One ``random.Random`` per variant, seeded by the variant's seed, fixes it all.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from replica.generator import datefmt
from replica.generator.families import Family
from replica.generator.truth import Picture, Truth
from replica.generator.urls import article_path, vccorp_id
from replica.model import CATEGORIES, Category
from replica.texts import BaseText, Writer, load_bank
from replica.vn import VN_TZ, slugify

#: Link boxes a portal prints around an article (the seed's and the live portals' headings).
BOX_HEADINGS = (
    "Các tin khác", "Tin liên quan", "Mới nhất", "Đọc nhiều", "Tin cùng chuyên mục", "Xem nhiều nhất",
    "Thư viện ảnh", "Liên kết website", "Tin nổi bật",
)  # fmt: skip
ROLES = ("Bài và ảnh:", "Tin, ảnh:", "Bài, ảnh:", "Tin và ảnh:", "Bài:")
PLACEHOLDERS = ("PV", "BTV", "ĐCSVN", "Ban biên tập", "Nhóm PV")
SOURCES = ("TTXVN", "VOV", "Báo Nhân Dân", "Báo Quân đội nhân dân", "Báo điện tử Chính phủ", "Báo Hà Tĩnh")
INVITE = "*Mời bạn đọc vào chuyên mục {cat} xem các tin, bài liên quan."
#: Paragraph counts per ``length`` value; ``long`` also stops at 20,000 characters.
PARAGRAPHS = {"brief": (1, 2), "short": (3, 5), "medium": (6, 12), "long": (13, 30)}
MAX_CHARS = 20_000
_FIRST_DAY = date(2019, 1, 2)
_SPAN_DAYS = 2_370  # to 2025-06, so that the masthead day (up to 500 days later) is never in the future
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ỸĐ])")
_WRITER_SIZE = 18 * 60


@dataclass(slots=True)
class Link:
    """One entry of a link box: another article, dated after this one."""

    href: str
    title: str
    when: datetime
    teaser: str | None


@dataclass(slots=True)
class Box:
    heading: str
    links: list[Link]
    dated: bool


@dataclass(slots=True)
class Story:
    """Everything a page of this variant prints, plus the truth an extractor must recover."""

    truth: Truth
    family: Family
    axes: dict[str, str]
    path: str
    category: Category
    #: The real publication time, printed or not depending on the ``date`` axis.
    published: datetime
    date_style: str
    today: date
    #: The sapo as printed (None when the ``sapo`` axis is "absent").
    lead: str | None
    #: (picture, index of the paragraph it precedes, caption printed twice).
    images: list[tuple[Picture, int, bool]]
    boxes: list[Box]
    article_id: int
    invite: str | None = None


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def _pool(writer: Writer, k: int, published: datetime, slug: str, rng: random.Random) -> list[str]:
    """Distinct paragraphs from several base texts, some split at a sentence for shorter ones."""
    out: list[str] = []
    for j in range(4):
        for p in writer.body(k + j, published, slug).paragraphs:
            parts = sentences(p)
            if len(parts) >= 4 and rng.random() < 0.25:
                cut = len(parts) // 2
                out += [" ".join(parts[:cut]), " ".join(parts[cut:])]
            else:
                out.append(p)
    return list(dict.fromkeys(out))


def _paragraphs(length: str, pool: list[str], rng: random.Random) -> list[str]:
    if length == "brief":
        parts = [s for p in pool[:3] for s in sentences(p)]
        first = parts.pop(0)
        while len(first) < 80 and parts:
            first += " " + parts.pop(0)
        out = [first]
        if rng.random() < 0.5 and parts:
            out.append(parts[0])
        return out
    low, high = PARAGRAPHS[length]
    out, total = [], 0
    for p in pool[: rng.randint(low, high)]:
        if total + len(p) > MAX_CHARS:
            break
        out.append(p)
        total += len(p)
    return out


def _names(writer: Writer, rng: random.Random) -> list[str]:
    authors = sorted({a for b in writer.bank for a in b.authors})
    return rng.sample(authors, 2 if rng.random() < 0.2 else 1)


def _byline(kind: str, writer: Writer, rng: random.Random) -> tuple[str | None, list[str], bool]:
    """(the printed line, the names as printed, placeholder?) for one ``byline`` axis value."""
    if kind == "none":
        return None, [], False
    if kind == "placeholder":
        who = rng.choice(PLACEHOLDERS)
        return who, [who], True
    names = _names(writer, rng)
    upper = kind == "upper" or (kind == "role" and rng.random() < 0.5)
    if upper:
        names = [n.upper() for n in names]
    line = " - ".join(names)
    if kind == "role":
        role = rng.choice(ROLES)
        line = f"{role.upper() if upper and rng.random() < 0.5 else role} {line}"
    return line, names, False


def _captions(writer: Writer, k: int, published: datetime, n: int, rng: random.Random) -> list[str | None]:
    bank, out = writer.bank, []
    ctx = writer.context(k, published)
    v = writer.base_of(k)[1]
    for i in range(len(bank)):
        base: BaseText = bank[(k + i) % len(bank)]
        out += [writer.fill(t, ctx, v) for kind, t in base.blocks if kind == "img"]
        if len(out) >= n:
            break
    return [c if rng.random() > 0.15 else None for c in dict.fromkeys(out)][:n]


def _boxes(
    fam: Family, writer: Writer, published: datetime, today: date, count: int, rng: random.Random, base: str
) -> list[Box]:
    """``count`` link boxes of 3-6 other articles, each dated between this one and the masthead's day."""
    boxes = []
    end = datetime.combine(today, time(23, 0), VN_TZ)
    for heading in rng.sample(BOX_HEADINGS, count):
        links = []
        for _ in range(rng.randint(3, 6)):
            when = published + (end - published) * rng.uniform(0.02, 1.0)
            when = when.replace(second=0, microsecond=0)
            k2 = rng.randrange(_WRITER_SIZE)
            ctx = writer.context(k2, when)
            title = writer.title(k2, ctx)
            b, v = writer.base_of(k2)
            teaser = writer.fill(b.lead, ctx, v) if b.lead and rng.random() < 0.5 else None
            cat = CATEGORIES[k2 % len(CATEGORIES)].slug
            href = base + article_path(fam.url, cat, slugify(title), 200_000 + k2, when)
            links.append(Link(href, title, when, teaser))
        boxes.append(Box(heading, links, dated=rng.random() < 0.6))
    return boxes


def _site_boxes(pool: list[Link], published: datetime, count: int, rng: random.Random) -> list[Box]:
    """Link boxes drawn from a generated site's own articles: newer ones first, as portals show them."""
    newer = [x for x in pool if x.when > published]
    older = [x for x in pool if x.when < published]
    boxes = []
    for heading in rng.sample(BOX_HEADINGS, count):
        n = rng.randint(3, 6)
        picks = rng.sample(newer, min(n, len(newer)))
        picks += rng.sample(older, min(n - len(picks), len(older)))
        boxes.append(
            Box(heading, sorted(picks, key=lambda x: x.when, reverse=True), dated=rng.random() < 0.6)
        )
    return boxes


def build(
    seed: int, axes: dict[str, str], family: Family, base: str, pool: list[Link] | None = None
) -> Story:
    """The story of variant ``seed`` with these axis values, for a page served at ``base``.

    ``pool``: a generated site's articles (site-relative hrefs), for link boxes that lead somewhere.
    """
    rng = random.Random(f"story:{seed}")
    writer = Writer(seed % 1009, _WRITER_SIZE, load_bank())
    k = rng.randrange(_WRITER_SIZE)
    day = _FIRST_DAY + timedelta(days=rng.randrange(_SPAN_DAYS))
    hour = rng.randrange(7) if rng.random() < 0.12 else rng.randrange(7, 24)
    published = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), VN_TZ)
    today = day + timedelta(days=rng.randint(1, 500))
    ctx = writer.context(k, published)
    title = writer.title(k, ctx)
    slug = slugify(title)
    base_text, v = writer.base_of(k)
    category = next(c for c in CATEGORIES if c.slug == base_text.categories[v % len(base_text.categories)])
    article_id = 100_000 + seed % 900_000
    path = article_path(family.url, category.slug, slug, article_id, published)

    texts = _pool(writer, k, published, slug, rng)
    paragraphs = _paragraphs(axes["length"], texts, rng)
    lead = None
    if axes["sapo"] != "absent":
        lead = writer.fill(base_text.lead, ctx, v) if base_text.lead else sentences(texts[-1])[0]
        if axes["sapo"] == "tagged":
            lead = family.agency + lead
    line, names, placeholder = _byline(axes["byline"], writer, rng)

    source = rng.choice(SOURCES) if axes["source"] != "none" else None

    style = rng.choice(family.date_styles) if rng.random() < 0.75 else rng.choice(sorted(datefmt.STYLES))
    if family.nextjs and not datefmt.has_time(style):  # the JSON always carries a time of day
        style = family.date_styles[0]
    stated: datetime | None = published.replace(second=0)
    has_time = True
    if axes["date"] == "line" and not datefmt.has_time(style):
        stated, has_time = published.replace(hour=0, minute=0, second=0), False
    if axes["date"] == "none":
        stated = published if family.url == "vcc" and vccorp_id(published, article_id) in path else None

    n_images = {"none": 0, "few": rng.randint(1, 3), "few-twice": rng.randint(1, 3)}.get(axes["images"])
    n_images = rng.randint(4, 10) if n_images is None else n_images
    twice = axes["images"].endswith("twice")
    images = []
    short = "-".join(slug.split("-")[:6])
    for i, caption in enumerate(_captions(writer, k, published, n_images, rng)):
        src = f"{base}/Uploads/{day.year}/{day.month}/{day.day}/{22 + i}/{short}-{i + 1}.jpg"
        images.append(
            (Picture(src, caption), i * len(paragraphs) // max(1, n_images), twice and caption is not None)
        )
    n_boxes = {"none": 0, "few": rng.randint(1, 3), "many": rng.randint(4, 8)}[axes["sidebars"]]
    if pool is None:
        boxes = _boxes(family, writer, published, today, n_boxes, rng, base)
    else:
        boxes = _site_boxes([x for x in pool if x.href != path], published, n_boxes, rng)
    tags = []
    if base_text.tags and rng.random() < 0.5:
        tags = list(dict.fromkeys(writer.fill(t, ctx, v) for t in base_text.tags))[: rng.randint(2, 4)]

    truth = Truth(
        title=title, lead=lead, agency=family.agency if axes["sapo"] == "tagged" else None,
        paragraphs=paragraphs, authors=names, placeholder_author=placeholder, byline=line,
        source=source, published=stated, published_has_time=has_time, published_day=day, category=category.name, tags=tags,
        images=[p for p, _, _ in images], canonical_url=base + path,
    )  # fmt: skip
    story = Story(
        truth=truth, family=family, axes=axes, path=path, category=category, published=published,
        date_style=style, today=today, lead=lead, images=images, boxes=boxes, article_id=article_id,
    )  # fmt: skip
    if family.invite_line:
        story.invite = INVITE.format(cat=category.name)
    return story
