"""Generated republication, with the truth known: originals, their copies across portals, and decoys.

Built from the text bank (replica/texts.py) for archive/propagation.py's tests and bench. Two
variants of one base text share whole sentences with only places, people and numbers changed,
which is closer than real unrelated articles are; so an *original* here is composed of
sentences drawn from many variants, most from one base (its topic), a few from others, with the
stock phrases every report carries ("Thực hiện Nghị quyết…", "Đồng chí … phát biểu…"). Two
originals of one topic then share phrasing and boilerplate, as unrelated articles do, but not
their text. From an original come, on other portals and later (some undated, some at the same
minute): copies, shortened copies, excerpts (its first paragraphs only: a third of it, whose
Jaccard similarity to it is low, near-identical by containment), copies with a rewritten lead
and first paragraph, lightly edited copies, and articles of their own that embed one or two of
its paragraphs.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from replica.texts import PROVINCES, Writer, load_bank
from replica.vn import VN_TZ

CENTRAL = ("nhandan", "dangcongsan", "tuyengiao", "qdnd", "tapchicongsan")
CENTRAL_NAMES = {
    "nhandan": "Báo Nhân Dân",
    "dangcongsan": "Báo điện tử Đảng Cộng sản Việt Nam",
    "tuyengiao": "Tạp chí Tuyên giáo",
    "qdnd": "Báo Quân đội nhân dân",
    "tapchicongsan": "Tạp chí Cộng sản",
}
KINDS = ("copy", "shortened", "excerpt", "lead-rewrite", "light-edit")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
_REWRITES = (
    ("đồng chí", "ông"),
    ("Đồng chí", "Ông"),
    ("cán bộ, đảng viên", "đảng viên, cán bộ"),
    ("tổ chức", "tiến hành"),
    ("nhấn mạnh", "khẳng định"),
    ("khẩn trương", "nhanh chóng"),
    ("địa phương", "cơ sở"),
)
_BOILERPLATE = (
    "Thực hiện Nghị quyết số {n}-NQ/TW của Bộ Chính trị, các cấp ủy đảng đã quán triệt, triển khai đến từng chi bộ.",
    "Đồng chí {who}, Ủy viên Ban Thường vụ, Trưởng Ban Tuyên giáo phát biểu chỉ đạo hội nghị.",
    "Phát biểu tại hội nghị, đồng chí {who} ghi nhận, biểu dương những kết quả đã đạt được.",
    "Quán triệt sâu sắc chủ trương của Đảng, chính sách, pháp luật của Nhà nước, hệ thống chính trị vào cuộc đồng bộ.",
)


@dataclass
class Article:
    """One generated article as the archive would hold its record."""

    url: str
    site: str
    published: str | None
    title: str
    lead: str | None
    paragraphs: list[str]
    source: str | None = None
    lead_tag: str | None = None
    kind: str = "original"
    family: int = -1

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Corpus:
    """The articles and the truth: families of near-identical bodies, pairs that reuse paragraphs."""

    articles: list[Article] = field(default_factory=list)
    families: dict[int, list[str]] = field(default_factory=dict)
    #: (embedding article, article whose paragraph it embeds), every such pair.
    reuse: set[tuple[str, str]] = field(default_factory=set)


@cache
def _sentences(k: int) -> tuple[str, ...]:
    """The sentences of text-bank article ``k`` (a variant of base ``k % len(bank)``), in order."""
    writer = Writer(seed=16, n=50_000)
    day = datetime(2024, 1, 1, 8, tzinfo=VN_TZ) + timedelta(days=k % 900)
    body = writer.body(k, day, "x")
    return tuple(s.replace("\u00a0", " ") for p in body.paragraphs for s in _SENTENCE.split(p))


def _compose(rng: random.Random, topic: int, n_bank: int, taken: set[str]) -> tuple[str, list[str]]:
    """A title and paragraphs: sentences of many variants, two thirds from the topic's base.

    Articles of one topic share sentences, never a whole paragraph: the bank's variants differ
    little, and three sentences drawn alike would make two unrelated articles reuse a paragraph
    that the truth does not list. A paragraph already in ``taken`` is drawn again.
    """
    while True:
        title, paragraphs = _draw(rng, topic, n_bank)
        if taken.isdisjoint(paragraphs):
            taken.update(paragraphs)
            return title, paragraphs


def _draw(rng: random.Random, topic: int, n_bank: int) -> tuple[str, list[str]]:
    sentences: list[str] = []
    while len(sentences) < rng.randint(12, 18):
        base = topic if rng.random() < 0.67 else rng.randrange(n_bank)
        pool = _sentences(base + n_bank * rng.randrange(1, 2000))
        sentences.append(rng.choice(pool))
    if rng.random() < 0.7:
        who = f"{rng.choice(('Nguyễn', 'Trần', 'Lê', 'Phạm'))} {rng.choice(('Văn', 'Thị', 'Minh'))} {rng.choice(('Hùng', 'Lan', 'Sơn', 'Hà'))}"
        line = rng.choice(_BOILERPLATE).format(n=rng.choice((43, 44, 45, 57)), who=who)
        sentences.insert(rng.randrange(len(sentences)), line)
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    title = " ".join(sentences[0].split()[:12]).rstrip(",.")
    return title, paragraphs


def _rewrite(text: str, rng: random.Random) -> str:
    for old, new in _REWRITES:
        if rng.random() < 0.7:
            text = text.replace(old, new)
    return text


def _derive(kind: str, original: Article, rng: random.Random) -> tuple[str | None, list[str]]:
    """The lead and paragraphs of a republication of ``original`` of the given kind."""
    paragraphs = list(original.paragraphs)
    lead = original.lead
    if kind == "shortened":
        keep = max(3, round(len(paragraphs) * rng.uniform(0.5, 0.8)))
        paragraphs = paragraphs[:keep]
    elif kind == "excerpt":  # contains most of nothing but itself: near by containment alone
        keep = max(2, round(len(paragraphs) * rng.uniform(0.25, 0.45)))
        paragraphs = paragraphs[:keep]
    elif kind == "lead-rewrite":
        first = _SENTENCE.split(paragraphs[0])
        rng.shuffle(first)
        paragraphs[0] = _rewrite(" ".join(first), rng)
        lead = _rewrite(f"Theo tin từ {rng.choice(PROVINCES)[0]}, " + (original.lead or original.title), rng)
    elif kind == "light-edit":
        edited = []
        for p in paragraphs:
            sentences = _SENTENCE.split(_rewrite(p, rng))
            if len(sentences) > 2 and rng.random() < 0.3:
                del sentences[rng.randrange(len(sentences))]
            edited.append(" ".join(sentences))
        paragraphs = edited
    return lead, paragraphs


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def generate(n: int, seed: int = 16) -> Corpus:
    """About ``n`` articles: families of an original and 0-4 republications, embedders, loners."""
    rng = random.Random(seed)
    n_bank = len(load_bank())
    corpus = Corpus()
    start = datetime(2025, 1, 1, 7, tzinfo=VN_TZ)
    provincial = [f"bao-{i:02d}" for i in range(len(PROVINCES))]
    family = 0
    taken: set[str] = set()
    while len(corpus.articles) < n:
        topic = rng.randrange(n_bank)
        site = rng.choice(CENTRAL)
        moment = start + timedelta(minutes=37 * family)
        title, paragraphs = _compose(rng, topic, n_bank, taken)
        original = Article(
            url=f"https://{site}.example/a/{family}-0",
            site=site,
            published=_stamp(moment),
            title=title,
            lead=f"{title}: những kết quả bước đầu.",
            paragraphs=paragraphs,
            family=family,
        )
        members = [original]
        copies = rng.choice((0, 0, 0, 1, 1, 2, 3, 4))
        for j in range(1, copies + 1):
            kind = rng.choice(KINDS)
            lead, body = _derive(kind, original, rng)
            roll = rng.random()
            when = (
                None
                if roll < 0.1
                else moment
                if roll < 0.15
                else moment + timedelta(hours=rng.uniform(0.5, 240))
            )
            copy_site = rng.choice(provincial)
            named = rng.random() < 0.5
            members.append(
                Article(
                    url=f"https://{copy_site}.example/tin/{family}-{j}",
                    site=copy_site,
                    published=_stamp(when),
                    title=_rewrite(title, rng) if kind != "copy" else title,
                    lead=lead,
                    paragraphs=body,
                    source=f"Theo {CENTRAL_NAMES[site]}" if named and rng.random() < 0.6 else None,
                    lead_tag=None if not named or rng.random() < 0.6 else site.upper()[:4],
                    kind=kind,
                    family=family,
                )
            )
        corpus.articles.extend(members)
        corpus.families[family] = [m.url for m in members]
        if rng.random() < 0.2:
            _, own = _compose(rng, rng.randrange(n_bank), n_bank, taken)
            whole = [p for p in original.paragraphs if len(_SENTENCE.split(p)) >= 3]
            borrowed = rng.sample(whole, k=min(2, len(original.paragraphs) // 3 or 1, len(whole)))
            at = rng.randrange(len(own) + 1)
            embed_site = rng.choice(provincial)
            embedder = Article(
                url=f"https://{embed_site}.example/bai/{family}-e",
                site=embed_site,
                published=_stamp(moment + timedelta(days=rng.uniform(1, 20))),
                title=f"{rng.choice(PROVINCES)[0]}: {title.lower()}",
                lead=None,
                paragraphs=own[:at] + borrowed + own[at:],
                kind="embed",
                family=-1,
            )
            corpus.articles.append(embedder)
            for m in members:
                if set(borrowed) & set(m.paragraphs):
                    corpus.reuse.add((embedder.url, m.url))
        family += 1
    return corpus


def truth_pairs(corpus: Corpus) -> set[frozenset[str]]:
    """Every pair of articles of one family: what clusters should put together."""
    return {
        frozenset((a, b))
        for urls in corpus.families.values()
        for i, a in enumerate(urls)
        for b in urls[i + 1 :]
    }


def as_record(article: Article) -> dict:
    """The article as the extractor would hand it to archive.store.record_page."""
    return {
        "site": article.site,
        "title": article.title,
        "lead": article.lead,
        "lead_tag": article.lead_tag,
        "text": article.text,
        "source": article.source,
        "published": article.published,
        "language": "vi",
        "canonical_url": article.url,
        "flags": [],
        "extractor": "replica-propagation",
        "extractor_version": "1",
    }


def archive_corpus(db, corpus: Corpus) -> None:
    """Store every article of ``corpus`` through archive.store, as a crawl would (no crawl needed).

    Captured a second apart in corpus order, so an original is seen before its copies: a copy
    published at the same minute then still comes after it (ties go to the first seen).
    """
    from archive import store  # the replica serves pages without the archive; only this needs it

    start = datetime(2025, 6, 1)
    for i, article in enumerate(corpus.articles):
        fetched_at = (start + timedelta(seconds=i)).isoformat() + "+00:00"
        page = {
            "url": article.url,
            "status": 200,
            "kind": "article",
            "body": f"<html><body>{i}</body></html>".encode(),
            "headers": {"Content-Type": "text/html; charset=utf-8"},
            "fetched_at": fetched_at,
        }
        store.record_page(db, page, as_record(article), site=article.site)


def _ratio(hit: int, total: int) -> float:
    return hit / total if total else 1.0


def score(db, corpus: Corpus) -> dict[str, float | int]:
    """Precision and recall of the archive's clusters and reuse links against the corpus's truth.

    Cluster pairs: every two members of one cluster, against every two articles of one family.
    Reuse pairs: "reuse" links between articles of different families, against the embeddings.
    """
    predicted: set[frozenset[str]] = set()
    members: dict[int, list[str]] = {}
    for url, cluster in db.execute("select url, cluster_id from text_cluster_members"):
        members.setdefault(cluster, []).append(url)
    for urls in members.values():
        predicted |= {frozenset((a, b)) for i, a in enumerate(urls) for b in urls[i + 1 :]}
    truth = truth_pairs(corpus)
    reuse_truth = {frozenset(pair) for pair in corpus.reuse}
    reuse = {
        frozenset(row) for row in db.execute("select url_a, url_b from text_links where kind = 'reuse'")
    } - truth
    linked = {frozenset(row) for row in db.execute("select url_a, url_b from text_links")}
    return {
        "pairs": len(truth),
        "precision": _ratio(len(predicted & truth), len(predicted)),
        "recall": _ratio(len(predicted & truth), len(truth)),
        "reuse_pairs": len(reuse_truth),
        "reuse_precision": _ratio(len(reuse & reuse_truth), len(reuse)),
        "reuse_recall": _ratio(len(linked & reuse_truth), len(reuse_truth)),
    }
