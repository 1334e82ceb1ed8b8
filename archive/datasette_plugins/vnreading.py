"""Datasette plugin: the reading room. An article's own page, its diff view and its citation.

Datasette's generic row page shows an article as 36 columns of a table (the URL as heading,
JSON lists, the text in a narrow cell). ``/<db>/articles/<url>`` is served here instead, as a
page to read and cite; ``.json`` and the other formats stay Datasette's. The archived site's
images and scripts are never loaded: the reader's browser would tell the portal who reads what.

Also here: the templates folder (archive/templates) ahead of Datasette's own, the snapshot's
identity on every page, and ``/-/databases.json`` without the server's file paths.
"""

from __future__ import annotations

from pathlib import Path

from datasette import NotFound, hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response
from jinja2 import ChoiceLoader, FileSystemLoader

from archive import citation
from archive.history import word_changes
from archive.propagation_reading import also_published
from archive.reading_room import load_article, snapshot_identity, version_pair

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TABLE = "articles"
_ARTICLE = r"^/(?P<database>[^/.]+)/" + TABLE + r"/(?P<pks>[^/.]+)"


@hookimpl
def prepare_jinja2_environment(env) -> None:
    """Our templates first: Datasette looks for table-<db>-articles.html etc. there too."""
    env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES_DIR)), env.loader])


@hookimpl
def register_routes():
    return [
        (_ARTICLE + r"$", article_page),
        (_ARTICLE + r"/diff$", diff_page),
        (_ARTICLE + r"/cite\.(?P<format>json|bib|txt)$", cite_file),
        (r"^/-/databases(?P<json>\.json)?$", databases),
    ]


@hookimpl
def extra_template_vars(datasette, database):
    """Every page knows which snapshot it shows (None for the live archive)."""
    return {"vn_snapshot": _snapshot(datasette, database)}


def _snapshot(datasette, database: str | None) -> dict[str, str] | None:
    names = [database] if database else list(datasette.databases)
    for name in names:
        db = datasette.databases.get(name)
        if db is not None and not db.is_mutable:
            identity = snapshot_identity(db.path)
            if identity:
                return identity
    return None


async def _article(datasette, request) -> tuple[str, dict]:
    database = request.url_vars["database"]
    if database not in datasette.databases:
        raise NotFound(f"no database {database}")
    await datasette.ensure_permissions(
        request.actor, [("view-table", (database, TABLE)), ("view-database", database), "view-instance"]
    )
    url = tilde_decode(request.url_vars["pks"])
    article = await datasette.get_database(database).execute_fn(lambda conn: load_article(conn, url))
    if article is None:
        raise NotFound(f"the archive holds no article {url}")
    return database, article


def _paths(datasette, database: str, url: str) -> dict[str, str]:
    base = datasette.urls.table(database, TABLE)
    page = f"{base}/{tilde_encode(url)}"
    return {"table": base, "page": page, "json": page + ".json", "cite": page + "/cite"}


async def article_page(datasette, request) -> Response:
    database, article = await _article(datasette, request)
    snapshot = _snapshot(datasette, database)
    paths = _paths(datasette, database, article["url"])
    archive_url = datasette.absolute_url(request, paths["page"])
    for link in article["related"]:
        if link["held"]:
            link["archive_path"] = _paths(datasette, database, link["target_url"])["page"]
    context = {
        "database": database,
        "article": article,
        "paths": paths,
        "snapshot": snapshot,
        "cite_text": citation.as_text(article, snapshot),
        "cite_csl": citation.as_csl_json(article, snapshot, archive_url),
        "cite_bibtex": citation.as_bibtex(article, snapshot),
    }
    # "Also published by" (issue 16): the article's text cluster and the articles reusing its paragraphs
    spread = await datasette.get_database(database).execute_fn(
        lambda conn: also_published(conn, article["url"])
    )
    for row in (spread["members"] + spread["reuse"]) if spread else []:
        row["archive_path"] = _paths(datasette, database, row["url"])["page"]
    context["also_published"] = spread
    html = await datasette.render_template("vn_article.html", context, request=request)
    return Response.html(html)


async def diff_page(datasette, request) -> Response:
    database, article = await _article(datasette, request)

    def number(name: str) -> int | None:
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else None

    pair = await datasette.get_database(database).execute_fn(
        lambda conn: version_pair(conn, article["url"], number("from"), number("to"))
    )
    context = {
        "database": database,
        "article": article,
        "paths": _paths(datasette, database, article["url"]),
        "old": pair[0] if pair else None,
        "new": pair[1] if pair else None,
        "changes": word_changes(*pair) if pair else [],
        "snapshot": _snapshot(datasette, database),
    }
    html = await datasette.render_template("vn_article_diff.html", context, request=request)
    return Response.html(html)


async def cite_file(datasette, request) -> Response:
    database, article = await _article(datasette, request)
    snapshot = _snapshot(datasette, database)
    kind = request.url_vars["format"]
    if kind == "json":
        page = datasette.absolute_url(request, _paths(datasette, database, article["url"])["page"])
        body, content_type = (
            citation.as_csl_json(article, snapshot, page),
            "application/vnd.citationstyles.csl+json",
        )
    elif kind == "bib":
        body, content_type = citation.as_bibtex(article, snapshot), "application/x-bibtex"
    else:
        body, content_type = citation.as_text(article, snapshot), "text/plain"
    return Response(body + "\n", content_type=f"{content_type}; charset=utf-8")


async def databases(datasette, request) -> Response:
    """Datasette's list of databases, with each file's name instead of its absolute path.

    A public instance should not tell the world where it keeps its files (or whose home it is in).
    """
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    listed = []
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        listed.append(
            {
                "name": name,
                "route": db.route,
                "path": Path(db.path).name if db.path else None,
                "size": db.size,
                "is_mutable": db.is_mutable,
                "is_memory": db.is_memory,
                "hash": db.hash,
                "snapshot": snapshot_identity(db.path) if not db.is_mutable else None,
            }
        )
    return Response.json(listed)
