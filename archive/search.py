"""Vietnamese full-text queries for the archive's FTS5 index, and highlighted snippets.

The index (``articles_fts``, ``unicode61 remove_diacritics 0``) holds the text as published
(``title lead text``) and folded copies (``title_fold lead_fold text_fold``: no diacritics,
đ -> d). A query typed with accents searches the exact columns, so "Đảng" never matches "đang";
a query typed without accents (or mostly without) searches the folded columns, so
"dang cong san" finds "Đảng Cộng sản". Only the query is normalised: stored text keeps the
publisher's spelling, so an exact query is expanded to every form that spelling may take
(old and new tone placement, NFC and NFD).

Datasette calls ``escape_fts(:search)`` for ``?_search=``; the ``vnsearch`` plugin registers
``build_fts_query`` under that name, so the ordinary search box speaks this syntax.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from archive.store import DATED_BASE, SLOT_BITS, wall_seconds
from archive.vntext import fold, normalize_text

EXACT_COLUMNS = "{title lead text}"
FOLD_COLUMNS = "{title_fold lead_fold text_fold}"
#: Matches no row and is valid FTS5: what an empty or all-punctuation query becomes.
MATCH_NOTHING = '""'

_OPERATORS = {"AND", "OR", "NOT"}
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»″〝〞＂", '"'))
# A quoted phrase (an unbalanced quote runs to the end), or a bare word.
_SCANNER = re.compile(r'"([^"]*)"?(\*?)|([^\s"]+)')
# Something the unicode61 tokenizer keeps as a token character: a letter or digit.
_TOKEN_CHAR = re.compile(r"[^\W_]")
_LETTER = re.compile(r"[^\W\d_]")
# A word as the tokenizer cuts it: a run of letters and digits (combining marks included).
_TOKEN_WORD = re.compile(r"[^\W_]+")

# Tone marks as combining characters; the reverse of archive.vntext.normalize_tones.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TRADITIONAL = re.compile(
    r"(?<![qQ])([oO])([" + _TONES + r"])([aAeE])(?![a-zA-Z\u0300-\u036f])"
    r"|(?<![qQ])([uU])([" + _TONES + r"])([yY])(?![a-zA-Z\u0300-\u036f])"
)


def new_style_tones(text: str) -> str:
    """Move the tone of a syllable-final oa/oe/uy to the second vowel (hóa -> hoá, thủy -> thuỷ).

    Publishers use both placements and the archive keeps whichever was published, so an exact
    query has to look for both.
    """
    decomposed = unicodedata.normalize("NFD", text)

    def move(m: re.Match) -> str:
        first, tone, second = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
        return first + second + tone

    return unicodedata.normalize("NFC", _TRADITIONAL.sub(move, decomposed))


def _has_diacritics(word: str) -> bool:
    return fold(word) != word.lower()


def _typed_with_accents(phrase: str) -> bool:
    """True when at least half the phrase's words carry diacritics (numbers do not count).

    Many Vietnamese syllables have none ("an", "Nam", "Minh"), so "công an" and "Việt Nam" are
    typed with accents; "Đảng cong san" (one accented word pasted among plain ones) is not, and
    is matched loosely.
    """
    words = [w for w in phrase.split() if _LETTER.search(w)]
    accented = sum(_has_diacritics(w) for w in words)
    return accented > 0 and accented * 2 >= len(words)


def _quote(text: str, prefix: bool) -> str:
    return '"' + text.replace('"', " ") + '"' + (" *" if prefix else "")


def _phrase(text: str, prefix: bool) -> str:
    """One phrase, as FTS5 syntax restricted to the exact or the folded columns."""
    text = " ".join(normalize_text(text).split())
    if not _typed_with_accents(text):
        return f"{FOLD_COLUMNS} : {_quote(fold(text), prefix)}"
    forms = []
    for form in (text, new_style_tones(text)):
        forms += [form, unicodedata.normalize("NFD", form)]
    variants = " OR ".join(_quote(f, prefix) for f in dict.fromkeys(forms))
    return f"{EXACT_COLUMNS} : ({variants})"


# -- bounds ----------------------------------------------------------------------------------
# A search's cost in FTS5 grows with its phrases, and much faster with its prefixes (each one
# merges the doclists of every indexed word it starts). The search box, the ranked query and
# escape_fts() in custom SQL are open to anyone, so what they accept is bounded: longer than
# this is not a search a reader types.

#: Characters in one search (the box, ``q`` of the canned queries, escape_fts()).
MAX_QUERY_CHARS = 200
#: Words in one search, over all its phrases.
MAX_TERMS = 12
#: Prefix words (``tuyên*``) in one search, and the letters each needs before its ``*``.
MAX_PREFIXES = 2
MIN_PREFIX_CHARS = 2
#: A prefix shorter than this makes a search *wide*: within the bounds, but each such prefix
#: merges the doclists of hundreds of words, so the public server runs wide searches one at a
#: time, apart from the rest (the ``vnsearch`` plugin's lane for expensive requests).
WIDE_PREFIX_CHARS = 4
#: Characters of each argument vn_snippet() reads: an article's text is far shorter; a longer
#: argument only comes from custom SQL, and the snippet is then taken from its start.
MAX_SNIPPET_CHARS = 200_000


class QueryError(ValueError):
    """A search the archive refuses to run; the message says why, in one line."""


def check_query(query: str) -> None:
    """Raise QueryError for a search over the bounds above (a clear 400, before any SQL runs)."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"search too long: {len(query):,} characters (at most {MAX_QUERY_CHARS})")
    terms = prefixes = 0
    for m in _SCANNER.finditer(unicodedata.normalize("NFC", query).translate(_QUOTES)):
        quoted, star, word = m.groups()
        if word in _OPERATORS:
            continue
        words = _TOKEN_WORD.findall(quoted if word is None else word)
        terms += len(words)
        if (star if word is None else word.endswith("*")) and words:
            prefixes += 1
            if len(words[-1]) < MIN_PREFIX_CHARS:
                raise QueryError(
                    f"prefix {words[-1]}* too short: a prefix needs at least {MIN_PREFIX_CHARS} letters"
                )
    if prefixes > MAX_PREFIXES:
        raise QueryError(f"search has {prefixes} prefix words ending in * (at most {MAX_PREFIXES})")
    if terms > MAX_TERMS:
        raise QueryError(f"search has {terms} words (at most {MAX_TERMS})")


def is_wide(query: str) -> bool:
    """Whether a search (one check_query accepts) has a prefix word shorter than WIDE_PREFIX_CHARS.

    Such a search costs the whole index's entries for that prefix (``ng*``: every word starting
    ng), far more than any phrase; a reader's prefix is usually a longer word (``tuyên truyền*``).
    """
    for m in _SCANNER.finditer(unicodedata.normalize("NFC", query[: MAX_QUERY_CHARS + 1]).translate(_QUOTES)):
        quoted, star, word = m.groups()
        words = _TOKEN_WORD.findall(quoted if word is None else word)
        if words and (star if word is None else word.endswith("*")) and len(words[-1]) < WIDE_PREFIX_CHARS:
            return True
    return False


def sql_escape_fts(query: object) -> str:
    """``escape_fts()`` as SQL sees it: build_fts_query on a bounded argument.

    A Python function called from SQL runs to its end: SQLite's progress handler (which
    enforces ``sql_time_limit_ms``) only runs between calls. Refusing long arguments keeps each
    call short, so the time limit applies to a query calling it over and over.
    """
    if query is None:
        return MATCH_NOTHING
    if not isinstance(query, str):
        raise QueryError("escape_fts() takes text")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"escape_fts(): argument of {len(query):,} characters (at most {MAX_QUERY_CHARS})")
    return build_fts_query(query)


def sql_snippet(text: object, marked_exact: object, marked_fold: object) -> str | None:
    """``vn_snippet()`` as SQL sees it: snippet() on text arguments cut to MAX_SNIPPET_CHARS."""
    args = []
    for value in (text, marked_exact, marked_fold):
        if value is not None and not isinstance(value, str):
            raise QueryError("vn_snippet() takes text")
        args.append(value[:MAX_SNIPPET_CHARS] if value else value)
    return snippet(*args)


def build_fts_query(query: str | None) -> str:
    """Turn what a researcher typed into an FTS5 query that is never a syntax error (see _build_fts_query)."""
    if query and len(query) <= MAX_QUERY_CHARS:
        return _build_cached(query)
    return _build_fts_query(query)


def _build_fts_query(query: str | None) -> str:
    """Turn what a researcher typed into an FTS5 query that is never a syntax error.

    - Consecutive words form one phrase: "công an" does not match "công tác ... an toàn".
    - ``"..."`` (or “...”) quotes a phrase explicitly; AND, OR, NOT in capitals between
      phrases are operators; a trailing ``*`` makes the word before it a prefix.
    - A phrase typed with accents (on at least half its words) is exact, in both tone
      placements and in NFC and NFD; any other phrase is folded. Punctuation is left to the tokenizer inside quotes: "05-CT/TW" is a phrase.
    """
    if not query:
        return MATCH_NOTHING
    units: list[str] = []  # phrases and operators, in order
    run: list[str] = []

    def flush(prefix: bool = False) -> None:
        text = " ".join(run)
        run.clear()
        if _TOKEN_CHAR.search(text):
            units.append(_phrase(text, prefix))

    for m in _SCANNER.finditer(query.translate(_QUOTES)):
        quoted, star, word = m.groups()
        if word is None:
            flush()
            run.append(quoted)
            flush(prefix=bool(star))
        elif word in _OPERATORS:
            flush()
            units.append(word)
        elif word.endswith("*"):
            run.append(word.rstrip("*"))
            flush(prefix=True)
        else:
            run.append(word)
    flush()
    return _join(units) or MATCH_NOTHING


# Cached: the ranked search evaluates escape_fts(:q) once per result row, in a subquery. Only
# short queries: a cache keyed by any argument held every huge one in memory for good.
_build_cached = lru_cache(maxsize=1024)(_build_fts_query)


def _join(units: list[str]) -> str:
    """Keep an operator only between two phrases; FTS5 rejects any other place."""
    out: list[str] = []
    for unit in units:
        if unit in _OPERATORS:
            if out and out[-1] not in _OPERATORS:
                out.append(unit)
        elif out and out[-1] in _OPERATORS or not out:
            out.append(unit)
        else:
            out.append("AND")
            out.append(unit)
    while out and out[-1] in _OPERATORS:
        out.pop()
    return " ".join(f"({u})" if u not in _OPERATORS else u for u in out)


# -- snippets -------------------------------------------------------------------------------

MARK_OPEN, MARK_CLOSE = "\x01", "\x02"


def _spans(marked: str | None) -> tuple[str, list[tuple[int, int]]]:
    """The text of a ``highlight(..., char(1), char(2))`` result and its marked spans."""
    plain, spans, start = [], [], 0
    length = 0
    for part in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", marked or ""):
        if part == MARK_OPEN:
            start = length
        elif part == MARK_CLOSE:
            spans.append((start, length))
        else:
            plain.append(part)
            length += len(part)
    return "".join(plain), spans


def _fold_offsets(text: str, folded: str) -> list[int] | None:
    """For each offset in ``folded`` (+1), the offset in ``text`` it came from, or None."""
    if len(text) == len(folded):
        return list(range(len(text) + 1))
    offsets = []
    for i, ch in enumerate(text):
        offsets += [i] * len(fold(ch))
    offsets.append(len(text))
    return offsets if len(offsets) == len(folded) + 1 else None


def snippet(
    text: str | None, marked_exact: str | None, marked_fold: str | None, width: int = 240
) -> str | None:
    """A window of ``text`` around the first match, matches wrapped in ``<mark>``...``</mark>``.

    FTS5's own snippet() can only show a folded match in folded text ("van hoa"); this maps it
    back onto the published text ("văn hóa"). Arguments are the body, and ``highlight()`` of the
    exact and of the folded body column with char(1)/char(2) markers. The tags are the only
    markup: the render_cell hook escapes the rest before showing it.
    """
    if not text:
        return text
    _, spans = _spans(marked_exact)
    if not spans:
        folded, fold_spans = _spans(marked_fold)
        offsets = _fold_offsets(text, folded) if fold_spans else None
        spans = [(offsets[s], offsets[e]) for s, e in fold_spans] if offsets else []
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", max(start, spans[0][1] if spans else start), end)
        end = space if space != -1 else end
    out, pos = [], start
    for s, e in spans:
        if s < pos or e > end:
            continue
        out += [text[pos:s], "<mark>", text[s:e], "</mark>"]
        pos = e
    out.append(text[pos:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


# -- newest matches first -----------------------------------------------------------------------
# archive.store gives articles.rowid a time key (newest = highest), so the FTS index hands out
# the newest matches of a search by walking its doclists backwards and stopping after a page:
# milliseconds even for a word in most articles, where ``rowid in (all matches) order by
# published`` looks up and sorts every match.

#: A search's count is exact up to this many matches, then "more than" (counting every match of
#: a common word costs as much as the search it describes).
COUNT_CAP = 10_000

#: Query-string keys that leave the articles table page a plain search: they choose how the rows
#: are shown, not which rows. Anything else (a filter, a sort, a facet, ``_where``, a column
#: search) takes Datasette's own path over every match.
PLAIN_KEYS = frozenset(
    {"_vnsearch", "_searchmode", "_next", "_size", "_shape", "_col", "_nocol", "_labels",
     "_nolabels", "_json", "_nocount", "_nofacet", "_trace", "_header", "_dl", "_timelimit"}
)  # fmt: skip


def is_plain_search(args: dict[str, list[str]], default_sort_desc: str = "published") -> bool:
    """Whether an articles page request is only a search, in the table's default order.

    ``_stream`` (CSV of every page) is not: Datasette passes the later pages' cursor to the
    table view directly, out of the plugin's sight.
    """
    for key, values in args.items():
        if key == "_sort_desc" and values == [default_sort_desc]:
            continue
        if key not in PLAIN_KEYS:
            return False
    return bool(args.get("_vnsearch", [""])[0].strip())


def newest_page_rowids(conn, match: str, after_published: str | None, size: int) -> list[int] | None:
    """Rowids of the matches that contain the next ``size`` + 1 rows, newest first.

    ``after_published`` is the publication time of the last row already shown (Datasette's
    ``_next`` cursor, None on the first page). Matches are taken from the FTS index in rowid
    (time) order, in whole seconds: Datasette orders ties within a second by url and applies its
    own cursor, so every match of the boundary seconds is handed over and Datasette picks the
    rows. Returns None where this cannot answer: a cursor that is not a date, or a page reaching
    the undated articles (which Datasette orders by url); the caller then searches every match.
    """
    top = 1 << 62
    cursor_second = None
    if after_published is not None:
        seconds = wall_seconds(after_published)
        if seconds is None:
            return None
        cursor_second = seconds
        top = DATED_BASE + ((seconds + 1) << SLOT_BITS)
    rows = conn.execute(
        "select rowid from articles_fts where articles_fts match ? and rowid < ? order by rowid desc",
        [match, top],
    )
    picked: list[int] = []
    counted = 0  # matches outside the cursor's second: rows not shown yet
    last_second = None
    for (rowid,) in rows:
        second = (rowid - DATED_BASE) >> SLOT_BITS if rowid >= DATED_BASE else None
        if counted > size and second != last_second:
            break  # enough rows, and the last second is complete
        if second is None:
            return None
        picked.append(rowid)
        last_second = second
        if second != cursor_second:
            counted += 1
    return picked


def capped_count(conn, match: str, cap: int = COUNT_CAP) -> int:
    """Number of matches, counted up to ``cap`` + 1 (more than ``cap`` shows as ``cap`` + 1)."""
    sql = "select count(*) from (select 1 from articles_fts where articles_fts match ? limit ?)"
    return conn.execute(sql, [match, cap + 1]).fetchone()[0]
