"""The ``vnarchive`` command: crawl, extract, serve and export the archive."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from archive import runs, store
from archive.profiles import PROFILES

DEFAULT_DB = "data/archive.db"


def _check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An absolute http(s) URL with a host, or a clear usage error (never a traceback later)."""
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise click.BadParameter(f"not a URL: {value!r} ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"expected an http(s) URL with a host, got {value!r}")
    return value


def _site_or_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A name from the sites file, or the http(s) address of any portal (tuyengiao when none is given)."""
    if value is None:
        return None
    if "://" in value:
        return _check_url(ctx, param, value) or value
    if value not in PROFILES:
        raise click.BadParameter(
            f"{value!r} is neither a site of the sites file ({', '.join(sorted(PROFILES))}) nor an http(s) address"
        )
    return value


PORT = click.IntRange(0, 65535)
#: The demo edits the 2nd and 5th newest articles and removes the 8th (smaller replicas: no edits).
DEMO_MIN_ARTICLES = 8


@click.group()
@click.version_option(package_name="vnarchive")
def cli() -> None:
    """An archive of Vietnamese propaganda-agency portals: crawl, extract, version, search, export."""


@cli.command()
@click.argument("site", required=False, callback=_site_or_address)
@click.option(
    "--base-url", callback=_check_url, help="Root of the portal to crawl (default: the live site of SITE)."
)
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option(
    "--fast", is_flag=True, help="No politeness delays: only for a server you own, such as the replica."
)
@click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting for this run."
)
@click.option("--quiet", is_flag=True, help="Only warnings from Scrapy (for cron).")
@click.option("--all", "every", is_flag=True, help="Every portal of the sites file, at once, in one process.")
@click.option("--group", help="Every portal of this schedule group (sites.toml), at once.")
def crawl(
    site: str,
    base_url: str | None,
    db_path: str,
    fast: bool,
    overrides: tuple[str, ...],
    quiet: bool,
    every: bool,
    group: str | None,
) -> None:
    """Crawl SITE (a name from sites.toml, or any portal's address) and print the run's summary.

    The exit code says how the run went (see the README): 0 ok, 3 partial failures,
    4 blocked by the site, 5 nothing extracted, 6 field coverage warning, 7 interrupted,
    8 another crawl holds the lock. With --all or --group, one run per portal, one summary
    each, and the exit code of the worst run.

    \b
    Examples:
        vnarchive crawl tuyengiao --base-url http://127.0.0.1:8765 --db data/archive.db --fast
        vnarchive crawl https://bantuyengiao.cantho.gov.vn --db data/archive.db
        vnarchive crawl --group provincial --db data/archive.db
    """
    from archive.crawl import FAST_SETTINGS, run_crawl, run_crawls
    from archive.lock import LockError, LockHeld

    settings = dict(FAST_SETTINGS) if fast else {}
    for override in overrides:
        name, sep, value = override.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {override!r}", param_hint="--set")
        settings[name] = value
    if every or group:
        names = [name for name, p in sorted(PROFILES.items()) if every or p.group == group]
        if not names:
            groups = sorted({p.group for p in PROFILES.values()})
            raise click.BadParameter(
                f"no portal in group {group!r} (groups: {', '.join(groups)})", param_hint="--group"
            )
        crawling, start = ", ".join(names), lambda: run_crawls(names, db_path, settings=settings, quiet=quiet)
    else:
        site = site or _site_or_address(click.get_current_context(), None, "tuyengiao")
        crawling = site

        def start() -> list[dict]:
            run = run_crawl(site, db_path, base_url=base_url, settings=settings, quiet=quiet)
            return [run] if run else []

    try:
        done = start()
    except LockHeld as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(runs.EXIT_CODES["locked"])
    except (LockError, store.ArchiveError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not done:
        raise click.ClickException(f"the crawl of {crawling!r} did not start (see the messages above)")
    click.echo("\n".join(runs.summary(run) for run in done))
    if len(done) > 1:
        click.echo(f"{len(done)} portals: " + ", ".join(f"{r['spider']} {r['status']}" for r in done))
    sys.exit(max(r["exit_code"] or 0 for r in done))


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def sites(db_path: str) -> None:
    """List the portals (sites.toml, and any crawled by address) with their last run and articles.

    \b
    Example:
        vnarchive sites --db data/archive.db
    """
    from archive.sites import site_overview

    try:
        rows = site_overview(PROFILES, db_path if Path(db_path).exists() else None)
    except store.ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'site':<28} {'group':<11} {'articles':>8}  last run")
    for row in rows:
        last = row["last_run"]
        run = (
            f"{last['id']} {last['status']} (exit {last['exit_code']}) {last['started_at']}"
            if last
            else "never"
        )
        click.echo(f"{row['name']:<28} {row['group']:<11} {row['articles']:>8}  {run}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--url",
    required=True,
    callback=_check_url,
    help="The URL the page was fetched from (resolves links, picks the site profile).",
)
@click.option(
    "--content-type", help="The HTTP Content-Type it was served with, if known (may name the charset)."
)
def extract(file: str, url: str, content_type: str | None) -> None:
    """Print the record extracted from one saved page, as one JSON object.

    \b
    Example:
        vnarchive extract page.html --url https://tuyengiao.vn/van-hoa-xa-hoi/bai-viet-123
    """
    from archive.extract import extract as extract_record

    try:
        html = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror or exc}") from exc
    record = extract_record(html, url, content_type=content_type)
    try:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    except OSError as exc:
        raise click.ClickException(f"cannot write the record: {exc.strerror or exc}") from exc


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def reextract(db_path: str) -> None:
    """Re-run extraction over the stored raw captures, without crawling.

    An improved extractor upgrades the whole archive: each article whose record changes gets
    a new version (its old records stay); unchanged ones are left alone.

    \b
    Example:
        vnarchive reextract --db data/archive.db
    """
    from archive import propagation
    from archive.extract import extract as extract_record
    from archive.extract import is_article

    db = _open_existing(db_path)
    counts: dict[str, int] = {}
    for row in store.current_captures(db):
        body = store.load_body(db, row["sha256"])
        record = extract_record(body, row["final_url"] or row["url"], content_type=row["content_type"])
        outcome = store.apply_reextraction(db, row["url"], record if is_article(record) else None)
        counts[outcome] = counts.get(outcome, 0) + 1
    total = sum(counts.values())
    click.echo(
        f"re-extracted {total} articles: {counts.get('changed', 0)} changed, "
        f"{counts.get('unchanged', 0)} unchanged, {counts.get('not-article', 0)} no longer recognised as articles"
    )
    placed = propagation.propagate(db)  # changed texts move in (or out of) their text clusters
    click.echo(
        f"propagation: {placed['placed']} articles placed (new or changed), {placed['clusters']} text clusters in all"
    )


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def propagate(db_path: str) -> None:
    """Find the same text across portals: place new and changed articles in text clusters.

    The batch step after each crawl run: only articles not yet placed (or changed since) are
    read; the index lives in the archive, so nothing is recomputed. Idempotent.

    \b
    Example:
        vnarchive propagate --db data/archive.db
    """
    from archive import propagation

    counts = propagation.propagate(_open_existing(db_path))
    click.echo(
        f"placed {counts['placed']} articles ({counts['short']} too short to compare); "
        f"{counts['clusters']} text clusters, {counts['links']} links"
    )


@cli.command()
@click.argument("url", callback=_check_url)
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--from", "from_version", type=int, help="Older version (default: the one before --to).")
@click.option("--to", "to_version", type=int, help="Newer version (default: the latest).")
@click.option("--lines", is_flag=True, help="A unified diff of whole paragraphs instead of marked words.")
def diff(url: str, db_path: str, from_version: int | None, to_version: int | None, lines: bool) -> None:
    """Show what changed between two versions of an article.

    Changed words are marked inside their paragraph, as git's --word-diff does:
    [-deleted-]{+inserted+}. An article seen in one version only has nothing to compare:
    that is said, and the exit code is 0.

    \b
    Example:
        vnarchive diff https://tuyengiao.vn/van-hoa-xa-hoi/bai-viet-113371 --db data/archive.db
    """
    from archive.history import diff_versions, versions, word_diff_text
    from archive.urls import canonical_url

    db = _open_existing(db_path)
    history = {v["version"]: v for v in versions(db, canonical_url(url))}
    if not history:
        raise click.ClickException(f"no article {url} in {db_path}")
    if len(history) == 1 and from_version is None and to_version is None:
        [only] = history.values()
        click.echo(f"{url} has one version (captured {only['captured_at']}): nothing has changed")
        return
    new = to_version or max(history)
    old = from_version or new - 1
    for number in (old, new):
        if number not in history:
            raise click.ClickException(
                f"{url} has no version {number} (it has {', '.join(map(str, sorted(history)))})"
            )
    show = diff_versions if lines else word_diff_text
    text = show(history[old], history[new])
    click.echo(text or f"versions {old} and {new} have the same text")


@cli.command()
@click.option("--port", default=8765, show_default=True, type=PORT, help="Port of the replica portal.")
@click.option("--datasette-port", default=8001, show_default=True, type=PORT, help="Port of Datasette.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option(
    "--articles",
    default=72,
    show_default=True,
    type=click.IntRange(min=1),
    help="Size of the replica portal.",
)
@click.option("--no-serve", is_flag=True, help="Stop after the crawl (for scripts and tests).")
def demo(port: int, datasette_port: int, db_path: str, articles: int, no_serve: bool) -> None:
    """The main job, offline: serve the replica portal, crawl it, then browse the archive.

    Starts the replica of tuyengiao.vn on 127.0.0.1 and crawls it into DB. On a new archive it
    then edits two articles and removes one on the replica, as an editor would, and crawls
    again: the archive shows an edited and a removed article from the start. It prints each
    run's summary and serves the archive with Datasette on 127.0.0.1 until Ctrl-C.

    \b
    Example:
        vnarchive demo --db data/archive.db
    """
    from archive.crawl import FAST_SETTINGS, run_crawl
    from archive.lock import LockError
    from archive.serve import serve
    from replica import ReplicaServer, build_site

    try:  # an unusable --db is refused before anything starts
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        db = store.open_db(db_path)
        fresh = not db["crawl_runs"].count
        db.conn.close()
    except store.ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot create {db_path}: {exc.strerror or exc}") from exc
    site = build_site(n_articles=articles)
    if not fresh and len(site.articles) >= DEMO_MIN_ARTICLES:  # as the first demo left it
        _demo_changes(site)
    try:
        replica = ReplicaServer(site, host="127.0.0.1", port=port).start()
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve the replica on 127.0.0.1:{port}: {exc.strerror or exc}"
        ) from exc

    def crawl(settings: dict[str, str]) -> dict:
        try:
            run = run_crawl("tuyengiao", db_path, base_url=replica.url, settings=settings, quiet=True)
        except (LockError, store.ArchiveError) as exc:
            raise click.ClickException(str(exc)) from exc
        if run is None:
            raise click.ClickException("the crawl did not start (see the messages above)")
        click.echo(runs.summary(run))
        return run

    try:
        click.echo(f"Replica portal: {replica.url} ({len(site.articles)} articles)")
        run = crawl(dict(FAST_SETTINGS))
        if fresh and run["exit_code"] == 0 and len(site.articles) >= DEMO_MIN_ARTICLES:
            changed = _demo_changes(site)
            click.echo(f"The replica's editors: {'; '.join(changed)}. Crawling again:")
            run = crawl({**FAST_SETTINGS, "RECHECK_ALL": "True"})
        if no_serve:
            sys.exit(run["exit_code"])
        click.echo(
            f"Datasette: http://127.0.0.1:{datasette_port}/{Path(db_path).stem}/articles  (Ctrl-C to stop)"
        )
        serve(db_path, host="127.0.0.1", port=datasette_port)
    finally:
        replica.stop()


def _demo_changes(site) -> list[str]:
    """Edit two articles and remove one on the replica, the same way every time; say what was done.

    One edit changes a few words (the title and a sentence), the other adds a paragraph: the
    two kinds of change the diff view has to show. Dates are fixed so that a second demo on the
    same archive finds the replica as the first left it.
    """
    from datetime import timedelta

    newest = site.articles
    first, second, gone = newest[1], newest[4], newest[7]
    paragraphs = list(first.paragraphs)
    paragraphs[0] = paragraphs[0].replace(" ", " đã ", 1)
    site.edit(
        first.id,
        title=first.title + " (cập nhật)",
        paragraphs=paragraphs,
        modified=first.modified + timedelta(days=1),
    )
    site.edit(
        second.id,
        paragraphs=[*second.paragraphs, "Bài viết được bổ sung thông tin sau khi đăng."],
        modified=second.modified + timedelta(days=1),
    )
    site.remove(gone.id, "404")
    return [f"edited {first.path}", f"edited {second.path}", f"removed {gone.path} (now 404)"]


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write to."
)
@click.option(
    "--max-mb",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Start a new file past this size.",
)
@click.option("--wacz", is_flag=True, help="Write one WACZ package (WARCs, CDXJ index, pages, datapackage).")
def warc(db_path: str, out_dir: str, max_mb: int, wacz: bool) -> None:
    """Write every capture as WARC 1.1 (rotating .warc.gz files), or as one WACZ package.

    Bodies are stored decoded, and the records say so (WARC-Payload-Transformed); DB may be a
    snapshot's database, whose WACZ then names the snapshot and its manifest's sha256.

    \b
    Examples:
        vnarchive warc --db data/archive.db --out data/warc
        vnarchive warc --db data/snapshots/snapshot-…/archive.db --out data/wacz --wacz
    """
    from archive.warc import WarcError, export_warc

    try:
        if wacz:
            from archive.wacz import write_wacz

            stem = (
                Path(db_path).parent.name if Path(db_path).parent.name.startswith("snapshot-") else "archive"
            )
            click.echo(write_wacz(db_path, Path(out_dir) / f"{stem}.wacz"))
            return
        summary = export_warc(db_path, out_dir, max_bytes=max_mb * 1_000_000)
    except WarcError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in summary.files:
        click.echo(path)
    records = ", ".join(f"{n} {t}" for t, n in sorted(summary.records.items()))
    click.echo(f"{summary.captures} captures: {records}; {summary.skipped} without an HTTP answer left out")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
def ingest(files: tuple[str, ...], db_path: str) -> None:
    """Import the HTML captures of WARC or WACZ FILES (any crawler's) into the archive, extracted.

    Records are taken in WARC-Date order; a record already archived is skipped, so ingesting a
    file twice adds nothing. Each file is one run (spider "ingest:<file name>"). A crawl node's
    hand-off (NAME.handoff.jsonl, its WARC files beside it) is one run of its portal.

    \b
    Example:
        vnarchive ingest crawl-2019.warc.gz --db data/archive.db
    """
    from archive.handoff import RECORDS_SUFFIX, HandoffError, read_handoff
    from archive.ingest import IngestError, ingest_file, ingest_handoff
    from archive.lock import LockError

    for file in files:
        try:
            if file.endswith(RECORDS_SUFFIX):
                handoff = read_handoff(Path(file))
                run = ingest_handoff(db_path, handoff, [Path(file).with_name(n) for n in handoff.warc])
                click.echo(f"{file}: run {run['id']} ({run['spider']}): {run['status']}")
                continue
            summary = ingest_file(db_path, file)
        except (IngestError, HandoffError, LockError, store.ArchiveError) as exc:
            raise click.ClickException(str(exc)) from exc
        counts = ", ".join(f"{n} {k}" for k, n in sorted(summary.counts.items())) or "no HTTP records"
        click.echo(
            f"{file}: run {summary.run_id}: {counts}; {summary.placed} articles placed in text clusters"
        )


def _open_existing(db_path: str):
    try:
        return store.open_db(db_path, create=False)
    except store.ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def _register_publishing_commands() -> None:
    from archive.publish_cli import export_command, serve_command, snapshot_command, verify_command

    for command in (serve_command, export_command, snapshot_command, verify_command):
        cli.add_command(command)


_register_publishing_commands()


def _register_dispatch_command() -> None:
    from archive.dispatch_cli import dispatch_command

    cli.add_command(dispatch_command)


_register_dispatch_command()
