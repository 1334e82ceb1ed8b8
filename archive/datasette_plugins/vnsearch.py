"""Datasette plugin: Vietnamese search in the ordinary search box, fast at any archive size.

Loaded with ``--plugins-dir`` by ``archive.serve``. The query syntax lives in archive.search.

The search box sends ``?_search=``, for which Datasette selects ``rowid in (every match)``,
sorts all of them by date, then counts and facets them: seconds for a common word in a million
articles. Here ``_search`` on the articles table is renamed ``_vnsearch`` before Datasette sees
it, and this plugin's ``filters_from_request`` builds the filter instead:

- a plain search (no other filter, the default newest-first order) selects only the matches
  that make up the page, read newest first from the FTS index (``archive.search.
  newest_page_rowids``; articles.rowid is a time key), with ``_nocount=vn&_nofacet=vn`` added:
  the count of every match and the facets would cost what the rows no longer do. The page says
  how many match, exactly up to ``COUNT_CAP``; the chart counts every match from the index alone.
- anything else (filters, another sort, facets, CSV streaming) gets Datasette's own filter over
  every match, as before.
Either way the rows, their order and the pagination are Datasette's own.

Open to anyone, so bounded: a search over ``archive.search``'s limits (length, words, prefixes)
is a 400 before any SQL runs, on the table page and for ``q`` of the canned searches; the
plugin's own FTS queries run under ``sql_time_limit_ms`` like Datasette's; the SQL functions
refuse or cut huge arguments; ``_sort`` on an unknown column is a 400, not a 500.

Expensive requests (custom SQL: ``?sql=`` and ``?_where=``; wide searches, whose prefix is
shorter than ``archive.search.WIDE_PREFIX_CHARS``) may each hold one of Datasette's few SQL
threads up to the time limit. They take the *expensive lane*: ``EXPENSIVE_SLOTS`` at a time,
``EXPENSIVE_QUEUE`` more waiting (at most ``EXPENSIVE_WAIT_S``), any more answered 503 with
``Retry-After``, and their SQL runs on a thread of its own at the lowest CPU priority
(``EXPENSIVE_NICE``), not on Datasette's ``num_sql_threads``. Whoever floods the server with
them waits behind their own requests, and gets only the CPU that pages and ordinary searches
leave: on a small machine, a query running flat out on one core slowed every other request.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import re
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments
from datasette.utils import sqlite_timelimit, urlsafe_components
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from archive.search import (
    COUNT_CAP,
    QueryError,
    build_fts_query,
    capped_count,
    check_query,
    is_plain_search,
    is_wide,
    newest_page_rowids,
    sql_escape_fts,
    sql_snippet,
)

TABLE = "articles"
FTS_TABLE = "articles_fts"
#: /<database>/articles, .json or .csv: the table pages whose search this plugin answers.
_TABLE_PATH = re.compile(r"^/[^/]+/" + TABLE + r"(\.json|\.csv)?$")
#: /<database>/<canned search>, .json or .csv: the queries whose ``q`` is a search.
_SEARCH_QUERY_PATH = re.compile(r"^/[^/]+/(search|mentions_per_month)(\.json|\.csv)?$")
#: Marks the _nocount/_nofacet this plugin adds, so that a later request can tell them from a user's.
OURS = "vn"
#: /<database>, .json or .csv: where ``?sql=`` runs custom SQL.
_DATABASE_PATH = re.compile(r"^/[^/]+(\.json|\.csv)?$")
#: /<database>/<table>, .json or .csv: where ``?_where=`` adds custom SQL to a table page.
_ANY_TABLE_PATH = re.compile(r"^/[^/]+/[^/]+(\.json|\.csv)?$")
#: Expensive requests run at a time; the rest of Datasette's ``num_sql_threads`` (3) stay free.
EXPENSIVE_SLOTS = 1
#: Expensive requests that may wait for a slot; one more is answered 503 at once.
EXPENSIVE_QUEUE = 4
#: Longest wait for a slot before a 503: a few time limits, past any reader's patience.
EXPENSIVE_WAIT_S = 10.0
#: Nice value of the expensive lane's SQL thread (Linux applies it per thread; 19 = last in line).
EXPENSIVE_NICE = 19
#: Datasette's messages for a ``_sort``/``_sort_desc`` it cannot apply: the request's fault.
_BAD_SORT = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time")


# trylast: Datasette's own plugin registers escape_fts on every connection too, and whichever
# runs last wins. Without trylast ours runs first and is silently replaced.
@hookimpl(trylast=True)
def prepare_connection(conn) -> None:
    conn.create_function("escape_fts", 1, sql_escape_fts, deterministic=True)
    conn.create_function("vn_snippet", 3, sql_snippet, deterministic=True)


@hookimpl
def render_cell(value, column, table):
    """Show a query's ``snippet`` column with its <mark> tags as highlights; all else escaped."""
    if table is not None or column != "snippet" or not isinstance(value, str):
        return None
    html = str(escape(value))
    return Markup(html.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def rewrite_query_string(query_string: str) -> str:
    """``_search`` becomes ``_vnsearch``; a plain search gets ``_nocount=vn&_nofacet=vn``.

    Our own markers from an earlier page are dropped first, so adding a filter to a searched
    page brings back the count and the facets.
    """
    pairs = [
        (k, v)
        for k, v in parse_qsl(query_string, keep_blank_values=True)
        if not (k in ("_nocount", "_nofacet") and v == OURS)
    ]
    if any(k == "_search" for k, _ in pairs):  # a new search from the box replaces the old one
        pairs = [(k, v) for k, v in pairs if k != "_vnsearch"]
        pairs = [("_vnsearch" if k == "_search" else k, v) for k, v in pairs]
    args: dict[str, list[str]] = {}
    for k, v in pairs:
        args.setdefault(k, []).append(v)
    if is_plain_search(args):
        pairs += [("_nocount", OURS), ("_nofacet", OURS)]
    return urlencode(pairs)


def _searches(path: str, pairs: list[tuple[str, str]]) -> list[str]:
    """The searches a request carries: the box's ``_search``/``_vnsearch``/``_search_<column>``
    on the articles table, ``q`` of the canned searches."""
    if _TABLE_PATH.match(path):
        return [v for k, v in pairs if k in ("_search", "_vnsearch") or k.startswith("_search_")]
    if _SEARCH_QUERY_PATH.match(path):
        return [v for k, v in pairs if k == "q"]
    return []


def refused_search(path: str, query_string: str) -> str | None:
    """Why a request's search is refused (over archive.search's bounds), or None.

    Checked on the raw query string, before Datasette runs anything.
    """
    for value in _searches(path, parse_qsl(query_string, keep_blank_values=True)):
        try:
            check_query(value)
        except QueryError as exc:
            return str(exc)
    return None


def is_expensive(path: str, query_string: str) -> bool:
    """Custom SQL (``?sql=`` on a database, ``?_where=`` on a table) or a wide search.

    Decided from the request alone, before any SQL runs; a search here is one refused_search
    let through.
    """
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if _DATABASE_PATH.match(path) and any(k == "sql" for k, _ in pairs):
        return True
    if _ANY_TABLE_PATH.match(path) and any(k == "_where" for k, _ in pairs):
        return True
    return any(is_wide(value) for value in _searches(path, pairs))


class Busy(Exception):
    """The expensive lane is full; the message says so in one line."""


class _LaneState:
    """A lane's semaphore on one event loop and how many wait for it (no dataclass: Datasette
    loads plugins-dir modules without registering them in sys.modules)."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.waiting = 0


class Lane:
    """At most ``slots`` requests at a time, ``queue`` more waiting up to ``wait_s``, or Busy.

    One semaphore per event loop (a server has one; tests may start several).
    """

    def __init__(self, slots: int, queue: int, wait_s: float) -> None:
        self.slots, self.queue, self.wait_s = slots, queue, wait_s
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LaneState] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = self._states[loop] = _LaneState(asyncio.Semaphore(self.slots))
        if state.semaphore.locked() and state.waiting >= self.queue:
            raise Busy(
                f"{self.slots + self.queue} expensive requests (custom SQL, wide searches) already running or waiting"
            )
        state.waiting += 1
        try:
            await asyncio.wait_for(state.semaphore.acquire(), self.wait_s)
        except TimeoutError:
            raise Busy(
                f"no room for an expensive request (custom SQL, wide search) within {self.wait_s:g} s"
            ) from None
        finally:
            state.waiting -= 1
        try:
            yield
        finally:
            state.semaphore.release()


EXPENSIVE = Lane(EXPENSIVE_SLOTS, EXPENSIVE_QUEUE, EXPENSIVE_WAIT_S)
#: Set while an expensive request is handled: its SQL goes to the lane's own thread.
_IN_EXPENSIVE_LANE: contextvars.ContextVar[bool] = contextvars.ContextVar("vn_expensive_lane", default=False)


def _lowest_priority() -> None:
    """Thread initializer: this thread gets the CPU only when no other thread wants it."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the lane still bounds them
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), EXPENSIVE_NICE)


class LaneExecutor(Executor):
    """Datasette's SQL thread pool, with the expensive lane's queries sent to their own threads.

    Datasette submits every query to ``datasette.executor`` from the request's task, so the
    context variable set by the ASGI wrapper tells which pool a query belongs to.
    """

    def __init__(self, normal: Executor, slots: int) -> None:
        self.normal = normal
        self.expensive = ThreadPoolExecutor(
            slots, thread_name_prefix="vn-expensive", initializer=_lowest_priority
        )

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        pool = self.expensive if _IN_EXPENSIVE_LANE.get() else self.normal
        return pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.normal.shutdown(wait, cancel_futures=cancel_futures)
        self.expensive.shutdown(wait, cancel_futures=cancel_futures)


@hookimpl
def startup(datasette) -> None:
    if datasette.executor is not None and not isinstance(datasette.executor, LaneExecutor):
        datasette.executor = LaneExecutor(datasette.executor, EXPENSIVE_SLOTS)


async def _send_error(send, path: str, message: str, *, status: int, title: str, headers=None) -> None:
    """An error in the form asked for (.json: Datasette's error shape; otherwise one line of text)."""
    if path.endswith(".json"):
        error = {"ok": False, "error": message, "status": status, "title": title}
        response = Response.json(error, status=status, headers=headers)
    else:
        response = Response.text(f"{title}: {message}\n", status=status, headers=headers)
    await response.asgi_send(send)


async def _send_refusal(send, path: str, message: str) -> None:
    await _send_error(send, path, message, status=400, title="Invalid search")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rename_search(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            path = scope.get("path", "")
            query_string = scope.get("query_string", b"").decode("latin-1")
            if "search" in query_string or "q=" in query_string:
                refused = refused_search(path, query_string)
                if refused:
                    await _send_refusal(send, path, refused)
                    return
            if _TABLE_PATH.match(path) and ("search" in query_string or OURS in query_string):
                new = rewrite_query_string(query_string).encode("latin-1")
                scope = {**scope, "query_string": new}
            if not is_expensive(path, query_string):
                await app(scope, receive, send)
                return
            try:
                async with EXPENSIVE.slot():
                    token = _IN_EXPENSIVE_LANE.set(True)
                    try:
                        await app(scope, receive, send)
                    finally:
                        _IN_EXPENSIVE_LANE.reset(token)
            except Busy as exc:
                await _send_error(
                    send,
                    path,
                    f"{exc}; retry in a few seconds",
                    status=503,
                    title="Server busy",
                    headers={"Retry-After": "5"},
                )

        return rename_search

    return wrap


@hookimpl(tryfirst=True)
def handle_exception(exception):
    """``_sort`` on a column the table lacks is a bad request (400), not a server error (500).

    Datasette 0.65 raises it with its default status 500; the page it renders stays Datasette's.
    """
    bad_sort = isinstance(exception, DatasetteError) and str(exception.message).startswith(_BAD_SORT)
    if bad_sort and exception.status == 500:
        exception.status = 400
    return None


@hookimpl
def filters_from_request(request, database, table, datasette):
    if table != TABLE or not request.args.get("_vnsearch", "").strip():
        return None

    async def search_filter() -> FilterArguments:
        query = request.args["_vnsearch"]
        try:
            check_query(query)  # the ASGI wrapper already refused it; a direct call too
        except QueryError as exc:
            raise DatasetteError(str(exc), title="Invalid search", status=400) from None
        raw = request.args.get("_searchmode") == "raw"
        match = query if raw else build_fts_query(query)
        every_match = FilterArguments(
            [f"rowid in (select rowid from {FTS_TABLE} where {FTS_TABLE} match :vnmatch)"],
            {"vnmatch": match},
            [f'search matches "{query}"'],
            {"search": query},
        )
        args = {key: request.args.getlist(key) for key in request.args}
        if not is_plain_search(args):
            return every_match
        size = _page_size(request, datasette, database)
        after = _cursor_published(request.args.get("_next"))
        if size is None or after is False:
            return every_match

        limit_ms = _time_limit_ms(request, datasette)

        def newest(conn: sqlite3.Connection):
            # execute_fn has no time limit of its own: the same one as Datasette's execute()
            with sqlite_timelimit(conn, limit_ms):
                try:
                    return newest_page_rowids(conn, match, after, size), capped_count(conn, match)
                except sqlite3.OperationalError as exc:
                    if exc.args == ("interrupted",):
                        raise QueryInterrupted(exc, _NEWEST_SQL, {"vnmatch": match}) from None
                    raise

        try:
            rowids, count = await datasette.get_database(database).execute_fn(newest)
        except QueryInterrupted:
            raise
        except sqlite3.OperationalError:
            return every_match  # e.g. raw FTS5 syntax error: Datasette reports it as usual
        if rowids is None:
            return every_match
        if count > COUNT_CAP:
            how_many = f"more than {COUNT_CAP:,} articles"
        else:
            how_many = f"{count:,} article{'' if count == 1 else 's'}"
        return FilterArguments(
            ["rowid in (select value from json_each(:vnpage))"],
            {"vnpage": json.dumps(rowids)},
            [f'search matches "{query}" ({how_many}, newest first)'],
            {"search": query},
        )

    return search_filter


#: What the interrupted-query page shows for the plugin's own search.
_NEWEST_SQL = f"select rowid from {FTS_TABLE} where {FTS_TABLE} match :vnmatch order by rowid desc"


def _time_limit_ms(request, datasette) -> int:
    """``sql_time_limit_ms``, or ``?_timelimit=`` when lower, as Datasette's table view applies them."""
    limit = datasette.sql_time_limit_ms
    try:
        custom = int(request.args.get("_timelimit") or 0)
    except ValueError:
        custom = 0
    return custom if 0 < custom < limit else limit


def _page_size(request, datasette, database: str) -> int | None:
    """The page size Datasette will use for this request, or None for one it will refuse."""
    size = request.args.get("_size") or datasette.table_metadata(database, TABLE).get("size")
    if size == "max":
        return datasette.max_returned_rows
    if size is None:
        return datasette.page_size
    try:
        value = int(size)
    except ValueError:
        return None
    return value if 0 <= value <= datasette.max_returned_rows else None


def _cursor_published(token: str | None) -> str | None | bool:
    """The publication time in Datasette's ``_next`` token (``published,url``); False if not one."""
    if not token:
        return None
    components = urlsafe_components(token)
    if len(components) != 2 or token.split(",")[0] == "$null":
        return False
    return components[0]
