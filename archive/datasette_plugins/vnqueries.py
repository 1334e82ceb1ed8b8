"""Datasette plugin: canned query pages that wait for their input, and the ranked search's note.

Datasette runs a canned query as soon as its page is opened, parameters empty or not: the
ranked search page greeted a reader with "0 results" (and the month chart with "No dated
articles to chart.") before anything was typed, and every visit by a crawler ran the SQL. A
page request (HTML, GET) for a canned query with parameters, all of them empty, is answered
here instead: the same template (``query-archive.html``) with the title, description, example
and form, and no SQL run. Anything typed, and every ``.json`` and ``.csv``, is Datasette's own
request as before.

An example is a link that runs the query: a fixed one (``example`` in metadata.yml) where any
archive answers it, or one read from the archive being served (``example_sql``, one row whose
columns are the parameters) where only the archive knows a value worth showing, such as the
address of an article that has versions.

The ranked ``search`` query ranks at most the newest ``RANK_CAP`` matches; whether the cap
applied is said once on its page (``vn_ranked_note``), not in a column repeated on every row
of its exports.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

from datasette import Forbidden, NotFound, hookimpl
from datasette.utils import derive_named_parameters, tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup

#: The ranked search query's cap on the matches it ranks (metadata.yml's SQL: 20001, 19999).
RANK_CAP = 20_000
RANKED_QUERY = "search"
#: /<database>/<name>: where a canned query's page is (a table's too: told apart by lookup).
_QUERY_PAGE = re.compile(r"^/(?P<database>[^/.]+)/(?P<query>[^/.]+)/?$")
#: Where a page request awaiting input is sent (a route of this plugin).
FORM_PATH = "/-/vn-query-form"
_COUNT_SQL = "select count(*) from (select rowid from articles_fts where articles_fts match escape_fts(:q) limit :limit)"


async def _canned(datasette, database_route: str, name: str, actor: dict | None) -> tuple[str, dict] | None:
    """The database name and the canned query ``name`` of the database at ``database_route``."""
    try:
        database = datasette.get_database(route=tilde_decode(database_route)).name
    except KeyError:
        return None
    query = await datasette.get_canned_query(database, tilde_decode(name), actor)
    return (database, query) if query else None


async def _parameters(datasette, database: str, query: dict) -> list[str]:
    """The parameters a reader fills in: named ones, without Datasette's magic ``_`` ones."""
    names = query.get("params") or await derive_named_parameters(
        datasette.get_database(database), query["sql"]
    )
    return [name for name in dict.fromkeys(names) if not name.startswith("_")]


async def awaits_input(datasette, scope: dict) -> tuple[str, str] | None:
    """(database route, query name) when ``scope`` opens a canned query's page with nothing typed."""
    if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
        return None
    m = _QUERY_PAGE.match(scope.get("path", ""))
    if not m:
        return None
    found = await _canned(datasette, m["database"], m["query"], None)
    if found is None or found[1].get("write"):
        return None
    database, query = found
    names = await _parameters(datasette, database, query)
    args = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if not names or any(value.strip() for name in names for value in args.get(name, [])):
        return None
    return m["database"], m["query"]


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def form_when_empty(scope, receive, send):
            target = await awaits_input(datasette, scope)
            if target is not None:
                path = f"{FORM_PATH}/{target[0]}/{target[1]}"
                scope = {**scope, "path": path, "raw_path": path.encode("latin-1")}
            await app(scope, receive, send)

        return form_when_empty

    return wrap


@hookimpl
def register_routes():
    return [(f"^{FORM_PATH}/(?P<database>[^/.]+)/(?P<query>[^/.]+)$", query_form)]


async def query_form(datasette, request) -> Response:
    """The canned query's page with its form only: what Datasette shows, minus running the SQL."""
    found = await _canned(datasette, request.url_vars["database"], request.url_vars["query"], request.actor)
    if found is None:
        raise NotFound("no such query")
    database, query = found
    name = tilde_decode(request.url_vars["query"])
    visible, private = await datasette.check_visibility(
        request.actor,
        permissions=[("view-query", (database, name)), ("view-database", database), "view-instance"],
    )
    if not visible:
        raise Forbidden("You do not have permission to view this query")
    names = await _parameters(datasette, database, query)
    values = {p: request.args.get(p) or "" for p in names}
    page = datasette.urls.table(database, name)
    # Datasette's "show"/"hide" SQL switch, pointing at the query's own address
    switch = "_show_sql" if query.get("hide_sql") else "_hide_sql"
    others = [(k, v) for k in request.args if k != switch for v in request.args.getlist(k)]
    if request.args.get(switch):  # switched: the link switches back, the form keeps it
        link_args, hidden = others, Markup(f'<input type="hidden" name="{switch}" value="1">')
    else:
        link_args, hidden = [*others, (switch, "1")], Markup("")
    shown = bool(request.args.get(switch)) == bool(query.get("hide_sql"))
    allow_sql = await datasette.permission_allowed(request.actor, "execute-sql", database, default=True)
    edit_sql_url = None
    if allow_sql and ":_" not in query["sql"]:
        edit_sql_url = datasette.urls.database(database) + "?" + urlencode({"sql": query["sql"], **values})
    context = {
        "database": database,
        "canned_query": name,
        "metadata": query,
        "private": private,
        "query": {"sql": query["sql"], "params": values},
        "named_parameter_values": values,
        "editable": False,
        "allow_execute_sql": allow_sql,
        "edit_sql_url": edit_sql_url,
        "hide_sql": not shown,
        "show_hide_link": page + ("?" + urlencode(link_args) if link_args else ""),
        "show_hide_text": "hide" if shown else "show",
        "show_hide_hidden": hidden,
        "display_rows": [],
        "rows": [],
        "columns": [],
        "truncated": False,
        "database_color": lambda _database: "ff0000",
        "vn_awaiting_input": True,
    }
    templates = [f"query-{database}-{name}.html", f"query-{database}.html", "query.html"]
    html = await datasette.render_template(templates, context, request=request, view_name="query")
    return Response.html(html)


@hookimpl
def extra_template_vars(request, database, datasette) -> dict[str, Any]:
    """``vn_ranked_note()``: what the ranked search ranked, said once above its results."""
    if request is None or database is None:
        return {}

    async def vn_ranked_note() -> str | None:
        query = request.args.get("q") or ""
        if not query.strip():
            return None
        try:
            result = await datasette.get_database(database).execute(
                _COUNT_SQL, {"q": query, "limit": RANK_CAP + 1}
            )
        except Exception:  # an error the page reports already; no note
            return None
        return ranked_note(result.first()[0])

    async def vn_example(query: dict | None) -> dict[str, str]:
        return await example(datasette, database, query or {})

    note: Callable[[], Awaitable[str | None]] = vn_ranked_note
    return {"vn_ranked_note": note, "vn_rank_cap": RANK_CAP, "vn_example": vn_example}


async def example(datasette, database: str, query: dict) -> dict[str, str]:
    """The example parameters of a canned query: its fixed ``example``, else a row of ``example_sql``."""
    if query.get("example"):
        return {name: str(value) for name, value in query["example"].items()}
    if not query.get("example_sql"):
        return {}
    try:
        row = (await datasette.get_database(database).execute(query["example_sql"])).first()
    except Exception:  # an archive without the table, or too slow: no example, never a broken page
        return {}
    if row is None:
        return {}
    return {name: str(value) for name, value in zip(row.keys(), tuple(row), strict=True) if value is not None}


def ranked_note(matches: int) -> str:
    """One sentence on what was ranked, from the number of matches counted up to RANK_CAP + 1."""
    if matches > RANK_CAP:
        return (
            f"More than {RANK_CAP:,} articles match: the newest {RANK_CAP:,} of them are ranked, "
            "best first. Add a rarer word to rank over every match."
        )
    if matches == 1:
        return "1 article matches."
    return f"{matches:,} articles match, all of them ranked, best first."
