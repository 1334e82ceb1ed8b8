"""Datasette plugin: search results that read like a search engine's, under clean, citable URLs.

The vnsearch plugin answers ``?_search=`` by renaming it ``_vnsearch`` and, for a plain search,
adding ``_nocount=vn&_nofacet=vn``; Datasette then writes those into every link of the page,
and its "View and edit SQL" shows the plugin's page of rowids rather than the search. People
copy these links into notes and papers, so the HTML of the articles page is cleaned on its way
out: ``_search=`` and the user's own parameters only, and SQL that really performs the search.

The results list itself is the template ``_table-archive-articles.html`` (and, for the ranked
``search`` query, ``query-archive-search.html``); the passages it highlights come from
``vn_passages`` here. Data stays plain: the ``search`` query's passage column is
``vn_passage()``, the same window of text without markup, so its CSV and JSON carry the
published text only and the highlighting is the HTML page's business. Search-only ``*_fold``
columns are left out of the articles CSV unless ``_col`` asks for columns by name.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from archive.search import build_fts_query, sql_snippet

TABLE = "articles"
FOLD_COLUMNS = ("title_fold", "lead_fold", "text_fold")
_PAGE = re.compile(r"^/[^/]+/" + TABLE + r"/?$")
_CSV = re.compile(r"^/[^/]+/" + TABLE + r"\.csv$")
#: Our markers as they appear in an href (HTML-escaped ampersands) and as form fields.
_MARKERS = re.compile(r"(?:&amp;|&)?_no(?:count|facet)=vn(?=&|\"|')|_no(?:count|facet)=vn(?:&amp;|&)")
_HIDDEN = re.compile(r'<input type="hidden" name="(?:_nocount|_nofacet|_vnsearch)" value="[^"]*">')
_DOUBLED_QUOTES = re.compile(r"search matches &#34;&#34;(.*?)&#34;&#34;")
_EDIT_SQL = re.compile(r'(<a class="not-underlined" title=")([^"]*)(" href=")([^"]*)(">)')
_PAGE_FILTER = "rowid in (select value from json_each(:vnpage))"
_MATCH_FILTER = "rowid in (select rowid from articles_fts where articles_fts match :vnmatch)"
_SEARCH_FILTER = "rowid in (select rowid from articles_fts where articles_fts match escape_fts(:search))"

_PASSAGES_SQL = """
select a.url, vn_marked_passage(a.text, highlight(articles_fts, 2, char(1), char(2)),
                                highlight(articles_fts, 5, char(1), char(2))) as passage
from articles_fts join articles a on a.rowid = articles_fts.rowid
where articles_fts match :match and a.url in (select value from json_each(:urls))
"""
#: Where a match starts and ends in vn_marked_passage(): control characters no text shows.
MARK_OPEN, MARK_CLOSE = "\x01", "\x02"
#: Stand-ins for "<" while archive.search.snippet() inserts its <mark> tags: private-use
#: characters, the first one the text does not hold is taken.
_STAND_INS = [chr(c) for c in range(0xE000, 0xE100)]


def passage(
    text: object, marked_exact: object, marked_fold: object, marks: tuple[str, str] = ("", "")
) -> str | None:
    """The window of ``text`` vn_snippet() shows, each match between ``marks`` instead of <mark> tags.

    vn_snippet()'s tags cannot be told from a "<mark>" the article itself contains; here every
    "<" of the text stands aside while the tags go in, so the tags found after are only ours.
    """
    values = [v for v in (text, marked_exact, marked_fold) if isinstance(v, str)]
    stand_in = next((c for c in _STAND_INS if not any(c in v for v in values)), None)
    if stand_in is None:  # a text holding all 256: no marks rather than wrong ones
        out = sql_snippet(text, marked_exact, marked_fold)
        return out.replace("<mark>", "").replace("</mark>", "") if out else out

    def aside(value: object) -> object:
        return value.replace("<", stand_in) if isinstance(value, str) else value

    out = sql_snippet(aside(text), aside(marked_exact), aside(marked_fold))
    if not out:
        return out
    return out.replace("<mark>", marks[0]).replace("</mark>", marks[1]).replace(stand_in, "<")


def sql_passage(text: object, marked_exact: object, marked_fold: object) -> str | None:
    """``vn_passage()`` in SQL: the passage as plain text, what exports carry."""
    return passage(text, marked_exact, marked_fold)


def sql_marked_passage(text: object, marked_exact: object, marked_fold: object) -> str | None:
    """``vn_marked_passage()`` in SQL: the passage with each match between char(1) and char(2)."""
    return passage(text, marked_exact, marked_fold, (MARK_OPEN, MARK_CLOSE))


def marked(passage: str | None) -> Markup:
    """A passage from vn_marked_passage() as HTML: its matches in <mark>, everything else escaped."""
    html = str(escape(passage or ""))
    return Markup(html.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


@hookimpl
def prepare_connection(conn) -> None:
    conn.create_function("vn_passage", 3, sql_passage, deterministic=True)
    conn.create_function("vn_marked_passage", 3, sql_marked_passage, deterministic=True)


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if not request:
        return {}
    query = request.args.get("_vnsearch") or request.args.get("q") or ""
    raw = request.args.get("_searchmode") == "raw"

    async def vn_passages(rows) -> dict[str, Markup]:
        """url -> the highlighted passage of each row shown (rows of the articles table or a query)."""
        urls = [row["url"] for row in rows if "url" in row.keys()]  # noqa: SIM118 - sqlite3.Row: "in" tests values
        if not query.strip() or not urls or database is None:
            return {}
        params = {"match": query if raw else build_fts_query(query), "urls": json.dumps(urls)}
        try:
            result = await datasette.get_database(database).execute(_PASSAGES_SQL, params)
        except Exception:  # a raw FTS5 syntax error: the page says so already; no passages
            return {}
        return {row["url"]: marked(row["passage"]) for row in result.rows}

    def vn_article_path(url: str) -> str:
        return f"{datasette.urls.table(database, TABLE)}/{tilde_encode(url)}"

    return {
        "vn_query": query,
        "vn_plain_search": request.args.get("_nofacet") == "vn",
        "vn_passages": vn_passages,
        "vn_article_path": vn_article_path,
    }


def clean_html(html: str, query: str | None) -> str:
    """Links and forms of an articles page without vnsearch's internal parameters."""
    html = html.replace("_vnsearch=", "_search=")
    html = _MARKERS.sub("", html)
    html = _HIDDEN.sub("", html)
    # vnsearch describes a search as `search matches "…"`; a quoted phrase would read ""…""
    html = _DOUBLED_QUOTES.sub(r"search matches &#34;\1&#34;", html)
    return _EDIT_SQL.sub(lambda m: _edit_sql_link(m, query), html)


def _edit_sql_link(m: re.Match, query: str | None) -> str:
    """The "View and edit SQL" link, its SQL performing the search itself."""
    title, href = m.group(2), m.group(4)
    if "vnpage" not in href and "vnmatch" not in href:
        return m.group(0)
    path, _, query_string = href.replace("&amp;", "&").partition("?")
    pairs = []
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        if key == "sql":
            value = value.replace(_PAGE_FILTER, _SEARCH_FILTER).replace(_MATCH_FILTER, _SEARCH_FILTER)
        if key in ("vnpage", "vnmatch", "search"):
            continue
        pairs.append((key, value))
    pairs.append(("search", query or ""))
    new_href = path + "?" + urlencode(pairs, quote_via=quote).replace("&", "&amp;")
    new_title = title.replace(_PAGE_FILTER, _SEARCH_FILTER).replace(_MATCH_FILTER, _SEARCH_FILTER)
    return m.group(1) + new_title + m.group(3) + new_href + m.group(5)


def _without_fold_columns(query_string: str) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if any(k in ("_col", "_nocol") for k, _ in pairs):
        return query_string
    return urlencode(pairs + [("_nocol", c) for c in FOLD_COLUMNS])


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def clean(scope, receive, send):
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            query_string = scope.get("query_string", b"").decode("latin-1")
            if _CSV.match(path):
                scope = {**scope, "query_string": _without_fold_columns(query_string).encode("latin-1")}
            if not _PAGE.match(path):
                await app(scope, receive, send)
                return
            search = [unquote_plus(v) for k, v in _raw_pairs(query_string) if k in ("_search", "_vnsearch")]
            start: dict = {}
            body = []

            async def collect(message):
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                headers = list(start.get("headers", []))
                html = b"".join(body)
                if any(k.lower() == b"content-type" and b"text/html" in v for k, v in headers):
                    html = clean_html(html.decode("utf-8"), search[-1] if search else None).encode("utf-8")
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(html)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": html})

            await app(scope, receive, collect)

        return clean

    return wrap


def _raw_pairs(query_string: str) -> list[tuple[str, str]]:
    return [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in query_string.split("&") if p]
