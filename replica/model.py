"""The replica portal's content: categories, articles, and the edits a test makes to them.

Articles hold only what listings need (title, dates, byline); the body is regenerated from the
text bank on each access, so a 50,000-article site is built in about a second and stays small.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from hashlib import sha1

from replica.texts import Body, Image, Writer
from replica.vn import VN_TZ, slugify

#: How a removed article answers: a plain 404, 410 Gone, a 302 to the home page, or a 200 "not found" page.
REMOVAL_MODES = ("404", "410", "redirect-home", "soft-404")
_EDITABLE = frozenset(
    {"title", "lead", "paragraphs", "author", "source", "tags", "images", "published", "modified", "related"}
)
#: The newest publication day of a default site; the oldest is 2022-01-03 (further back for big sites).
_LAST_DAY = date(2024, 5, 20)
_FIRST_DAY = date(2022, 1, 3)
_FIRST_ID = 110_000


@dataclass(frozen=True, slots=True)
class Category:
    """A section of the portal: ``/<slug>`` lists its articles."""

    slug: str
    name: str


CATEGORIES = (
    Category("thoi-su-chinh-tri", "Thời sự chính trị"),
    Category("bao-ve-nen-tang-tu-tuong-cua-dang", "Bảo vệ nền tảng tư tưởng của Đảng"),
    Category("hoc-va-lam-theo-bac", "Học và làm theo Bác"),
    Category("van-hoa-xa-hoi", "Văn hóa - Xã hội"),
    Category("khoa-giao", "Khoa giáo"),
    Category("kinh-te", "Kinh tế"),
)


@dataclass(eq=False, slots=True)
class Article:
    """One article page at ``/<category-slug>/<slug>-<id>``.

    ``lead``, ``paragraphs`` and ``images`` are generated on access until an edit stores them.
    Editing the title keeps ``slug`` and ``path``, as CMSs keep published URLs.
    """

    id: int
    slug: str
    category: Category
    title: str
    published: datetime
    modified: datetime
    author: str | None
    source: str | None
    tags: list[str]
    related: list[int]
    status: str = "live"
    #: The removal mode while ``status == "removed"``.
    removal: str | None = None
    _writer: Writer | None = field(default=None, repr=False)
    _k: int = field(default=-1, repr=False)
    _body: Body | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return f"/{self.category.slug}/{self.slug}-{self.id}"

    def body(self) -> Body:
        """The stored body after an edit, else a freshly generated one."""
        if self._body is not None:
            return self._body
        assert self._writer is not None, "an article without a body must come from a Writer"
        return self._writer.body(self._k, self.published, self.slug)

    @property
    def lead(self) -> str | None:
        return self.body().lead

    @property
    def paragraphs(self) -> list[str]:
        return self.body().paragraphs

    @property
    def images(self) -> list[Image]:
        return self.body().images

    def content_key(self) -> tuple:
        """Everything the article page shows of this article; its hash is the page's ETag."""
        body = self.body()
        return (
            self.id, self.path, self.title, body.lead, tuple(body.paragraphs), tuple(body.images),
            tuple(body.positions), self.author, self.source, tuple(self.tags), tuple(self.related),
            self.published, self.modified, self.status,
        )  # fmt: skip

    def etag(self) -> str:
        """A strong ETag that changes exactly when the article's content changes."""
        return '"' + sha1(repr(self.content_key()).encode("utf-8")).hexdigest()[:24] + '"'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Article) and self.content_key() == other.content_key()

    def __hash__(self) -> int:
        return hash(self.id)


class Site:
    """All articles (newest first) plus the state tests change: edits, removals, restorations.

    Thread-safe: the server reads while a test edits.
    """

    def __init__(self, articles: list[Article], today: date | None, seed: int) -> None:
        self.categories = list(CATEGORIES)
        self._articles = articles
        self._by_id = {a.id: a for a in articles}
        self._by_slug = {c.slug: c for c in self.categories}
        self.today = today
        self.seed = seed
        #: Fault URLs (path -> kind) of ``build_site(faults=True)``, and requests seen per fault path.
        self.faults: dict[str, str] = {}
        self.fault_hits: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._live_cache: dict[str | None, list[Article]] = {}

    @property
    def articles(self) -> list[Article]:
        """All articles, removed ones included, newest first."""
        return list(self._articles)

    def article(self, article_id: int) -> Article:
        """The article with this id (KeyError if there is none)."""
        return self._by_id[article_id]

    def category(self, slug: str) -> Category | None:
        return self._by_slug.get(slug)

    def header_today(self) -> date:
        """The masthead's date: the fixed ``today`` if given, else the real one (re-read per page)."""
        return self.today or date.today()

    def live(self, category: str | None = None) -> list[Article]:
        """Live articles, newest first, of one category or of all; what listings, sitemaps and RSS show."""
        with self._lock:
            if category not in self._live_cache:
                self._live_cache[category] = [
                    a
                    for a in self._articles
                    if a.status == "live" and (category is None or a.category.slug == category)
                ]
            return self._live_cache[category]

    def edit(self, article_id: int, **changes: object) -> Article:
        """Change fields of an article, as an editor would; ``modified`` moves to now unless given."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise TypeError(f"cannot edit {sorted(unknown)}; editable: {sorted(_EDITABLE)}")
        with self._lock:
            article = self._by_id[article_id]
            body = article.body()
            body = Body(body.lead, list(body.paragraphs), list(body.images), list(body.positions))
            if "lead" in changes:
                body.lead = changes.pop("lead")
            if "paragraphs" in changes:
                body.paragraphs = list(changes.pop("paragraphs"))
            if "images" in changes:
                body.images = list(changes.pop("images"))
            n_par = len(body.paragraphs)
            if len(body.positions) != len(body.images):
                body.positions = [i * n_par // max(1, len(body.images)) for i in range(len(body.images))]
            body.positions = [min(p, n_par) for p in body.positions]
            article._body = body
            now = datetime.now(VN_TZ).replace(microsecond=0)
            modified = changes.pop("modified", None) or max(now, article.modified + timedelta(seconds=1))
            for name, value in changes.items():
                setattr(article, name, value)
            article.modified = modified
            return article

    def remove(self, article_id: int, how: str = "404") -> None:
        """Take an article down; ``how`` (see REMOVAL_MODES) decides what its URL answers afterwards."""
        if how not in REMOVAL_MODES:
            raise ValueError(f"how must be one of {REMOVAL_MODES}, not {how!r}")
        with self._lock:
            article = self._by_id[article_id]
            article.status, article.removal = "removed", how
            self._live_cache.clear()

    def restore(self, article_id: int) -> None:
        """Put a removed article back, unchanged, in listings, sitemaps and RSS."""
        with self._lock:
            article = self._by_id[article_id]
            article.status, article.removal = "live", None
            self._live_cache.clear()


def _hour(k: int, rng: random.Random) -> int:
    """Office hours mostly, but every eighth article lands between 00:00 and 06:59 local time.

    Those expose archives that store UTC and lose a day.
    """
    if k % 8 == 3:
        return rng.randrange(7)
    return rng.choice((7, 8, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 15, 16, 17, 19, 20, 21, 22, 23))


def _related(ordered: list[Article], by_category: dict[str, list[Article]]) -> None:
    """The "Các tin khác" links: the next five older articles of the category, topped up from the site."""
    position = {id(a): i for cat in by_category.values() for i, a in enumerate(cat)}
    for article in ordered:
        same = by_category[article.category.slug]
        i = position[id(article)]
        picks = [a.id for a in same[i + 1 : i + 6]]
        if len(picks) < 5:
            picks += [a.id for a in same[:i]][: 5 - len(picks)]
        for other in ordered:
            if len(picks) >= 5:
                break
            if other.id != article.id and other.id not in picks:
                picks.append(other.id)
        article.related = picks


def build_site(
    n_articles: int = 72,
    today: date | None = None,
    seed: int = 0,
    faults: bool = False,
    texts: str = "shared",
    syndication: float = 0.0,
) -> Site:
    """Build a deterministic replica site: same arguments, same articles, byte for byte.

    Args:
        n_articles: how many articles (any size; 50,000 builds in about a second).
        today: the masthead's date; None means the real date at each request.
        seed: changes which places, people, numbers and times each article gets.
        faults: add the hostile URLs of ``replica.faults``; the articles stay the same.
        texts: "shared" (the default): every article's body is a variant of one of the text
            bank's few base texts, a near-duplicate of the other variants of that base here and
            on sites of other seeds; "distinct": bodies composed per article and seed (see
            ``replica.texts.Writer``), so that sites of different seeds share no text.
        syndication: with ``texts="distinct"``, the fraction of articles whose body is a shared
            original's, the same on every seed that picks it (republication across portals).
    """
    writer = Writer(seed, n_articles, texts=texts, syndication=syndication)
    bank_size = len(writer.bank)
    per_base = writer.per_base
    # Each base's variants fall on different days: the date slots then keep paragraphs unique.
    span = max((_LAST_DAY - _FIRST_DAY).days, per_base + 5)
    first_day = _LAST_DAY - timedelta(days=span)
    drafts = []
    for k in range(n_articles):
        base, v = writer.base_of(k)
        rng = writer.stream(k, 0)
        if v == 0 and base.pinned:
            published = base.pinned
        else:
            offset = int((v + (k % bank_size) / bank_size) * span / per_base)
            clock = time(_hour(k, rng), rng.randrange(60))
            published = datetime.combine(first_day + timedelta(days=offset), clock, VN_TZ)
        edited = rng.random() < 0.4
        modified = published + timedelta(minutes=rng.randrange(5, 4000)) if edited else published
        drafts.append((published, k, modified))
    drafts.sort()
    articles = []
    for rank, (published, k, modified) in enumerate(drafts):
        base, v = writer.base_of(k)
        ctx = writer.context(k, published)
        title = writer.title(k, ctx)
        author, source, tags = writer.byline(k, ctx)
        article_id = _FIRST_ID + rank * 7 + (k * 31 + seed) % 7
        category = CATEGORIES[[c.slug for c in CATEGORIES].index(base.categories[v % len(base.categories)])]
        articles.append(
            Article(
                id=article_id,
                slug=slugify(title),
                category=category,
                title=title,
                published=published,
                modified=modified,
                author=author,
                source=source,
                tags=tags,
                related=[],
                _writer=writer,
                _k=k,
            )
        )
    articles.reverse()
    by_category: dict[str, list[Article]] = {c.slug: [] for c in CATEGORIES}
    for article in articles:
        by_category[article.category.slug].append(article)
    _related(articles, by_category)
    site = Site(articles, today, seed)
    if faults:
        from replica.faults import install  # faults renders pages, which import this module

        install(site)
    return site
