"""The text bank: hand-written base articles in ``texts/*.txt`` and the variants built from them.

Every article of a replica site is a *variant* ``v`` of a *base* text ``b`` (article number
``k = v * len(bank) + b``). Slots in the base text (places, people, numbers, dates) are filled per
variant, so that no paragraph, caption or sapo appears verbatim on two pages: trafilatura
caches repeated strings and a site of copies would make extraction benchmarks lie.

File format (UTF-8, NFC, one base per file): ``key: value`` header lines (``category``,
``title`` (repeatable; the first one is variant 0's), ``lead``, ``authors``, ``sources``, ``tags``
(``;``-separated), optional ``pinned: YYYY-MM-DD HH:MM feature ...`` for variant 0), a blank
line, then blocks separated by blank lines: a paragraph, ``@image | caption`` or
``? paragraph`` (left out of every third variant).

Slots: ``{name}`` from the context (:data:`CONTEXT_SLOTS`), ``{so:6.551}`` a number unique per
variant, ``{pt:94,27}`` a percentage, ``{sl:12}`` a small count; ``{name|default}`` prints
``default`` in variant 0 (how the real seed article stays verbatim). Uniqueness rests on two rules,
checked when the bank is loaded: every paragraph, caption and sapo holds a ``{so:}`` number or a
date slot, and the variants of one base are published on different days (see ``model.py``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from replica.vn import VN_TZ, dmy

FEATURES = ("lead", "author", "tags", "images", "source")

PROVINCES = (
    ("Hà Nội", True), ("Hải Phòng", True), ("Đà Nẵng", True), ("Cần Thơ", True), ("An Giang", False),
    ("Bà Rịa - Vũng Tàu", False), ("Bắc Giang", False), ("Bắc Kạn", False), ("Bạc Liêu", False),
    ("Bắc Ninh", False), ("Bến Tre", False), ("Bình Định", False), ("Bình Dương", False),
    ("Bình Phước", False), ("Bình Thuận", False), ("Cà Mau", False), ("Cao Bằng", False), ("Đắk Lắk", False),
    ("Đắk Nông", False), ("Điện Biên", False), ("Đồng Nai", False), ("Đồng Tháp", False), ("Gia Lai", False),
    ("Hà Giang", False), ("Hà Nam", False), ("Hà Tĩnh", False), ("Hải Dương", False), ("Hậu Giang", False),
    ("Hòa Bình", False), ("Hưng Yên", False), ("Khánh Hòa", False), ("Kiên Giang", False), ("Kon Tum", False),
    ("Lai Châu", False), ("Lâm Đồng", False), ("Lạng Sơn", False), ("Lào Cai", False), ("Long An", False),
    ("Nam Định", False), ("Nghệ An", False), ("Ninh Bình", False), ("Ninh Thuận", False), ("Phú Thọ", False),
    ("Phú Yên", False), ("Quảng Bình", False), ("Quảng Nam", False), ("Quảng Ngãi", False),
    ("Quảng Ninh", False), ("Quảng Trị", False), ("Sóc Trăng", False), ("Sơn La", False), ("Tây Ninh", False),
    ("Thái Bình", False), ("Thái Nguyên", False), ("Thanh Hóa", False), ("Thừa Thiên Huế", False),
    ("Tiền Giang", False), ("Trà Vinh", False), ("Tuyên Quang", False), ("Vĩnh Long", False),
    ("Vĩnh Phúc", False), ("Yên Bái", False),
)  # fmt: skip
DISTRICTS = (
    "Quận 1", "Quận 3", "Quận 4", "Quận 5", "Quận 6", "Quận 7", "Quận 8", "Quận 10", "Quận 11", "Quận 12",
    "Quận Bình Thạnh", "Quận Phú Nhuận", "Quận Tân Bình", "Quận Tân Phú", "Quận Gò Vấp", "Quận Bình Tân",
)  # fmt: skip
COMMUNES = (
    "Tân Lập", "Hòa Bình", "Quang Trung", "Đông Hưng", "Yên Sơn", "Thạch Bàn", "Phú Thịnh", "Xuân Lộc",
    "Nghĩa Hưng", "Tam Hiệp", "Vĩnh Phúc", "An Khánh", "Đức Thắng", "Minh Khai", "Hợp Thành", "Thủy An",
    "Hưng Đạo", "Phúc Thọ", "Kim Liên", "Lộc Hòa", "Trung Sơn", "Thanh Xuân", "Bình Minh", "Đồng Tâm",
)  # fmt: skip
_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Trương", "Lâm", "Hà", "Mai", "Cao", "Lương", "Tạ", "Kiều", "Chu", "Đoàn",
    "Vương", "Trịnh", "Nông",
)  # fmt: skip
_MIDDLE = (
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Xuân", "Thu", "Hồng", "Bích", "Kim",
    "Trung", "Quốc", "Mạnh", "Tiến", "Công", "Đình", "Thế", "Anh", "Việt", "Hoài", "Phương", "Thúy",
)  # fmt: skip
_GIVEN = (
    "Hùng", "Dũng", "Hải", "Long", "Thắng", "Nam", "Hà", "Lan", "Hương", "Mai", "Châu", "Tuấn", "Sơn",
    "Phong", "Bình", "Hòa", "Thủy", "Khánh", "Lộc", "Nghĩa", "Thành", "Trí", "Hạnh", "Yến", "Quỳnh", "Ánh",
    "Cường", "Vinh", "Thịnh", "Huy", "Tâm", "Hiền", "Toàn", "Kiên", "Duy", "Hưng", "Hoa", "Nga", "Phúc", "Tùng",
)  # fmt: skip
_PAGES = ("Niềm tin {quan}", "{quan} hôm nay", "Sức sống {quan}", "Tiếng nói {quan}", "{quan} nghĩa tình")

#: Slots a base text may use besides the numeric ``so``/``pt``/``sl``.
_DATE_SLOTS = frozenset({"ngay", "_ngay", "_den", "_tu_ngay", "ngay_truoc"})
CONTEXT_SLOTS = _DATE_SLOTS | {
    "tinh",
    "dv",
    "Dv",
    "uy",
    "xa",
    "quan",
    "trang",
    "thang",
    "nam",
    "nam_truoc",
    "nam_sau",
}
CONTEXT_SLOTS |= {f"nguoi{i}" for i in range(1, 6)}
_SLOT = re.compile(r"\{(\w+)(?::([^}|]*))?(?:\|([^}]*))?\}")
#: Where a sentence ends: punctuation, space, then a capital (as replica.propagation splits).
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
#: Text modes of a site (``build_site(texts=...)``, ``python -m replica --texts``).
TEXTS = ("shared", "distinct")
#: The origin of a syndicated article's text: the same on every portal that republishes it.
SHARED_ORIGIN = -1
#: Variants a composed sentence is drawn from, per base: enough that two draws rarely coincide.
_COMPOSE_VARIANTS = 5000


@dataclass(frozen=True, slots=True)
class BaseText:
    """One hand-written article with slots; see the module docstring for the file format."""

    name: str
    categories: tuple[str, ...]
    titles: tuple[str, ...]
    lead: str | None
    authors: tuple[str, ...]
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    pinned: datetime | None
    pinned_features: frozenset[str]
    #: ("p", template), ("p?", optional template) or ("img", caption template), in page order.
    blocks: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Image:
    """An image of the article body; ``src`` is a site-relative ``/Uploads/...`` path."""

    src: str
    caption: str | None


@dataclass(slots=True)
class Body:
    """The generated (or edited) text of one article: what the page body shows."""

    lead: str | None
    paragraphs: list[str]
    images: list[Image]
    #: Before which paragraph index each image stands.
    positions: list[int]


class _Context(dict):
    """Slot values; the people (the costly part) are drawn only when a template first asks for one."""

    def __init__(self, values: dict[str, str], rng: Callable[[], random.Random]) -> None:
        super().__init__(values)
        self._rng = rng

    def __missing__(self, key: str) -> str:
        if not key.startswith("nguoi") and key != "trang":
            raise KeyError(key)
        rng = self._rng()
        for i in range(1, 6):
            self[f"nguoi{i}"] = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        self["trang"] = rng.choice(_PAGES).format(quan=self["quan"])
        return self[key]


def _check_anchored(name: str, template: str) -> None:
    slots = {m.group(1) for m in _SLOT.finditer(template)}
    unknown = slots - CONTEXT_SLOTS - {"so", "pt", "sl"}
    if unknown:
        raise ValueError(f"{name}: unknown slots {sorted(unknown)} in {template[:60]!r}")
    if "so" not in slots and not slots & _DATE_SLOTS:
        raise ValueError(f"{name}: needs a {{so:}} or date slot to stay unique: {template[:60]!r}")


def parse_base(name: str, text: str) -> BaseText:
    """Parse one ``texts/*.txt`` file, refusing text that could repeat verbatim across variants."""
    head, _, body = text.strip("\n").partition("\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), []).append(value.strip())

    def listed(key: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in fields.get(key, [""])[0].split(";") if x.strip())

    pinned, pinned_features = None, frozenset()
    if "pinned" in fields:
        day, hm, *feats = fields["pinned"][0].split()
        pinned = datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=VN_TZ)
        pinned_features = frozenset(feats)
    blocks = []
    for raw in body.split("\n\n"):
        block = raw.strip("\n")
        if block.startswith("@image"):
            kind, template = "img", block.partition("|")[2].strip()
        elif block.startswith("? "):
            kind, template = "p?", block[2:]
        else:
            kind, template = "p", block
        _check_anchored(name, template)
        blocks.append((kind, template))
    lead = fields.get("lead", [None])[0]
    if lead:
        _check_anchored(name, lead)
    return BaseText(
        name=name,
        categories=tuple(fields["category"][0].split()),
        titles=tuple(fields["title"]),
        lead=lead or None,
        authors=listed("authors"),
        sources=listed("sources"),
        tags=listed("tags"),
        pinned=pinned,
        pinned_features=pinned_features,
        blocks=tuple(blocks),
    )


@cache
def load_bank() -> tuple[BaseText, ...]:
    """All base texts, in file-name order (the order fixes every generated site)."""
    folder = resources.files("replica") / "texts"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    return tuple(parse_base(f.name, f.read_text(encoding="utf-8")) for f in files)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Writer:
    """Deterministic variant text for article number ``k`` of a site of ``n`` articles.

    ``texts="shared"`` (the default): article ``k``'s body is variant ``v`` of base ``b``, so the
    variants of one base are near-duplicates of each other, within a site and across sites of
    other seeds (only places, people and numbers differ). ``texts="distinct"``: each paragraph
    keeps its place and sentence count but its sentences are drawn, per article, from random
    variants of many bases (two thirds from the article's own base, its topic), as
    replica.propagation composes its originals: articles share phrasing, not text, within and
    across seeds. With ``syndication`` > 0, that fraction of the articles (chosen per seed) carry
    the text of a shared original instead (:data:`SHARED_ORIGIN`, keyed by ``k``): sites of K
    seeds then hold about ``K * syndication`` copies of each such original.
    """

    def __init__(
        self,
        seed: int,
        n: int,
        bank: tuple[BaseText, ...] | None = None,
        texts: str = "shared",
        syndication: float = 0.0,
    ) -> None:
        if texts not in TEXTS:
            raise ValueError(f"texts must be one of {TEXTS}, not {texts!r}")
        if syndication and texts != "distinct":
            raise ValueError("syndication needs texts='distinct' (shared texts are all near-duplicates)")
        if not 0.0 <= syndication <= 1.0:
            raise ValueError(f"syndication must be within [0, 1], not {syndication}")
        self.bank = bank or load_bank()
        self.seed = seed
        self.per_base = -(-n // len(self.bank))
        self.texts = texts
        self.syndication = syndication
        self._composers: dict[int, Writer] = {}
        self._templates: dict[int, tuple[str, ...]] = {}

    def base_of(self, k: int) -> tuple[BaseText, int]:
        """The base text and variant number of article ``k``."""
        return self.bank[k % len(self.bank)], k // len(self.bank)

    def features(self, k: int) -> frozenset[str]:
        """Which optional parts (sapo, author, tags, images, source) article ``k`` shows.

        Cycling through all 32 combinations puts each one on a few pages of even a small site.
        """
        base, v = self.base_of(k)
        if v == 0 and base.pinned:
            return base.pinned_features
        pattern = (k * 13 + self.seed) % 32
        return frozenset(f for i, f in enumerate(FEATURES) if pattern >> i & 1)

    def stream(self, k: int, purpose: int) -> random.Random:
        """An RNG of its own per article and purpose (0 times, 1 people, 2 NBSPs): cheap int seeding."""
        return random.Random((self.seed * 10_000_019 + k) * 3 + purpose)

    def context(self, k: int, published: datetime) -> dict[str, str]:
        """Slot values for article ``k``: places rotate with the variant, people are drawn at random."""
        base, v = self.base_of(k)
        b = k % len(self.bank)
        tinh, city = PROVINCES[(v * 7 + b * 5 + self.seed) % len(PROVINCES)]
        day = published.date()
        ngay = dmy(day)
        values = {
            "tinh": tinh,
            "dv": f"{'thành phố' if city else 'tỉnh'} {tinh}",
            "Dv": f"{'Thành phố' if city else 'Tỉnh'} {tinh}",
            "uy": "Thành ủy" if city else "Tỉnh ủy",
            "xa": COMMUNES[(v * 3 + b) % len(COMMUNES)],
            "quan": DISTRICTS[(v + b + self.seed) % len(DISTRICTS)],
            "ngay": ngay,
            "_ngay": f" ngày {ngay}",
            "_den": f", tính đến ngày {ngay},",
            "_tu_ngay": f", kể từ ngày {ngay}",
            "ngay_truoc": dmy(day - timedelta(days=1 + k % 3)),
            "thang": f"{day.month}/{day.year}",
            "nam": str(day.year),
            "nam_truoc": str(day.year - 1),
            "nam_sau": str(day.year + 1),
        }
        return _Context(values, lambda: self.stream(k, 1))

    def fill(self, template: str, ctx: dict[str, str], v: int) -> str:
        """Replace every slot of ``template``; ``{x|default}`` keeps ``default`` in variant 0."""
        occurrence = 0

        def one(m: re.Match[str]) -> str:
            nonlocal occurrence
            name, arg, default = m.groups()
            occurrence += 1
            if v == 0 and default is not None:
                return default
            if name == "so":
                base = int(arg.replace(".", ""))
                if v == 0:
                    return _thousands(base)
                # (v * 7919) % modulus is injective for v < modulus, 7919 being a prime: near
                # ``base`` for small sites, spread wider only when there are more variants.
                modulus = max(self.per_base + 1, int(base * 0.6))
                modulus += modulus % 7919 == 0
                return _thousands(int(base * 0.7) + (v * 7919 + occurrence) % modulus)
            if name == "pt":
                whole, _, frac = arg.partition(",")
                value = float(f"{whole}.{frac or 0}")
                if v:
                    value = max(35.0, value - ((v * 37 + occurrence * 11) % 1500) / 100)
                return f"{value:.{len(frac)}f}".replace(".", ",")
            if name == "sl":
                base = int(arg)
                if v:
                    base = max(2, round(base * (0.6 + ((v * 2654435761 + occurrence) % 800) / 1000)))
                return str(base)
            return ctx[name]

        return _SLOT.sub(one, template)

    def title(self, k: int, ctx: dict[str, str]) -> str:
        """Variant 0 takes the first title; later variants rotate through the others."""
        base, v = self.base_of(k)
        titles = base.titles
        template = titles[0] if v == 0 or len(titles) == 1 else titles[1 + (v - 1) % (len(titles) - 1)]
        return self.fill(template, ctx, v)

    def byline(self, k: int, ctx: dict[str, str]) -> tuple[str | None, str | None, list[str]]:
        """Author, source and tags of article ``k`` (None / empty where its features say so)."""
        base, v = self.base_of(k)
        feats = self.features(k)
        author = base.authors[(v + self.seed) % len(base.authors)] if "author" in feats else None
        source = None
        if "source" in feats and base.sources:
            source = self.fill(base.sources[(v * 3 + self.seed) % len(base.sources)], ctx, v)
        tags: list[str] = []
        if "tags" in feats and base.tags:
            start = v % len(base.tags)
            picked = (base.tags[start:] + base.tags[:start])[: 2 + v % 3]
            tags = [self.fill(t, ctx, v) for t in picked]
        return author, source, tags

    def body(self, k: int, published: datetime, slug: str) -> Body:
        """Sapo, paragraphs and images of article ``k``, generated afresh on every call (memory-light)."""
        base, v = self.base_of(k)
        ctx = self.context(k, published)
        feats = self.features(k)
        paragraphs: list[str] = []
        images: list[Image] = []
        positions: list[int] = []
        day = published.date()
        short = "-".join(slug.split("-")[:6])
        for kind, template in base.blocks:
            if kind == "img":
                if "images" in feats:
                    n = len(images) + 1
                    src = f"/Uploads/{day.year}/{day.month}/{day.day}/{22 + k % 12}/{short}-{n}.jpg"
                    images.append(Image(src, self.fill(template, ctx, v)))
                    positions.append(len(paragraphs))
            elif kind == "p" or v % 3 != 2:
                paragraphs.append(self.fill(template, ctx, v))
        lead = self.fill(base.lead, ctx, v) if base.lead and "lead" in feats else None
        if self.texts == "distinct":
            shape = [
                len(_SENTENCE.split(t))
                for kind, t in base.blocks
                if kind == "p" or (kind == "p?" and v % 3 != 2)
            ]
            paragraphs, lead = self._compose(k, shape, lead is not None)
        if not (v == 0 and base.pinned):
            rng = self.stream(k, 2)
            if rng.random() < 0.5:
                i = rng.randrange(len(paragraphs))
                text = paragraphs[i]
                cut = text.find(" ", len(text) // 2)
                if cut > 0:
                    paragraphs[i] = text[:cut] + "\u00a0" + text[cut + 1 :]
        return Body(lead, paragraphs, images, positions)

    def _key(self, seed: int, k: int, purpose: int) -> int:
        """An RNG seed for the distinct texts, apart from :meth:`stream`'s (which multiplies by 3)."""
        return (1 << 62) + ((seed + 2) << 36) + (k << 3) + purpose

    def origin(self, k: int) -> int:
        """Whose text article ``k`` carries: this seed's, or :data:`SHARED_ORIGIN` if syndicated."""
        if self.syndication and random.Random(self._key(self.seed, k, 1)).random() < self.syndication:
            return SHARED_ORIGIN
        return self.seed

    def _composer(self, origin: int) -> Writer:
        composer = self._composers.get(origin)
        if composer is None:
            composer = Writer(origin, _COMPOSE_VARIANTS * len(self.bank), self.bank)
            self._composers[origin] = composer
        return composer

    def _sentence_templates(self, b: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Base ``b``'s paragraph templates cut into sentences: all of them, and the anchored ones.

        An anchored sentence holds a ``{so:}`` number or a date slot, so it differs between
        variants; a paragraph composed with one is never verbatim on another page.
        """
        found = self._templates.get(b)
        if found is None:
            every = [st for kind, t in self.bank[b].blocks if kind != "img" for st in _SENTENCE.split(t)]
            anchored = []
            for st in every:
                slots = {m.group(1) for m in _SLOT.finditer(st)}
                if "so" in slots or slots & _DATE_SLOTS:
                    anchored.append(st)
            found = self._templates[b] = (tuple(every), tuple(anchored))
        return found

    def _compose(self, k: int, shape: list[int], lead: bool) -> tuple[list[str], str | None]:
        """Paragraphs of ``shape[i]`` sentences each (and a one-sentence sapo) for article ``k``.

        Every sentence is a sentence template of a base (the article's own with probability 2/3)
        filled as a random variant of the origin's seed, each paragraph's first one anchored (see
        :meth:`_sentence_templates`); the draws depend on the origin and ``k`` only, so the
        copies of a syndicated original are identical.
        """
        origin = self.origin(k)
        composer = self._composer(origin)
        rng = random.Random(self._key(origin, k, 2))
        n_bank = len(self.bank)
        topic = k % n_bank
        start = datetime(2012, 1, 4, 8, tzinfo=VN_TZ)

        def sentence(anchored: bool) -> str:
            b = topic if rng.random() < 0.67 else rng.randrange(n_bank)
            template = rng.choice(self._sentence_templates(b)[anchored])
            vv = rng.randrange(1, _COMPOSE_VARIANTS)
            ctx = composer.context(vv * n_bank + b, start + timedelta(days=vv))
            return composer.fill(template, ctx, vv)

        paragraphs = [" ".join(sentence(i == 0) for i in range(n)) for n in shape]
        return paragraphs, (sentence(True) if lead else None)
