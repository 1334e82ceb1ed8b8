"""``vnarchive dispatch``: portal runs over scrapyd crawl nodes (archive/dispatch.py), as a command.

A click command that archive/cli.py adds to the ``vnarchive`` group; see docs/deployment.md.
"""

from __future__ import annotations

import sys

import click

from archive import runs, store
from archive.cli import DEFAULT_DB, _check_url
from archive.profiles import PROFILES


@click.command("dispatch")
@click.argument("names", nargs=-1)
@click.option(
    "--node",
    "nodes",
    multiple=True,
    callback=lambda c, p, v: [_check_url(c, p, u) for u in v],
    help="A scrapyd node's URL (repeat for each node).",
)
@click.option("--all", "every", is_flag=True, help="Every portal of the sites file.")
@click.option("--group", help="Every portal of this schedule group (sites.toml).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option(
    "--listen",
    metavar="HOST:PORT",
    help="Where the nodes fetch their seeds: an address of this host they reach (default: loopback).",
)
@click.option(
    "--lease",
    "lease_seconds",
    type=click.FloatRange(min=1),
    help="Seconds a node may hold a portal's run (default 6 h); a lost node's portal runs again after.",
)
@click.option(
    "--stop-margin",
    type=click.FloatRange(min=0),
    help="Seconds before the lease ends that a run stops, to hand off its captures (NODE_STOP_MARGIN).",
)
@click.option(
    "--poll", "poll_seconds", type=click.FloatRange(min=0.1), help="Seconds between polls (default 5)."
)
@click.option("--attempts", "max_attempts", type=click.IntRange(min=1), help="Tries per portal (default 3).")
@click.option(
    "--fast", is_flag=True, help="No politeness delays: only for servers you own, such as the replica."
)
@click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting for every run."
)
def dispatch_command(
    names: tuple[str, ...],
    nodes: list[str],
    every: bool,
    group: str | None,
    db_path: str,
    listen: str | None,
    lease_seconds: float | None,
    stop_margin: float | None,
    poll_seconds: float | None,
    max_attempts: int | None,
    fast: bool,
    overrides: tuple[str, ...],
) -> None:
    """Crawl portals on scrapyd nodes, one run per portal, ingested into this host's archive.

    Each portal's run holds a lease (no two nodes crawl it at once); a node that is lost has its
    portals run again elsewhere once their leases expire. One summary per portal; the exit code
    is the worst run's (as for crawl --all), 1 when a portal could not be crawled at all.
    See docs/deployment.md.

    \b
    Example:
        vnarchive dispatch --all --node http://crawl-1:6800 --node http://crawl-2:6800 --db data/archive.db
    """
    from archive.crawl import FAST_SETTINGS
    from archive.dispatch import DispatchError, Options
    from archive.dispatch import dispatch as run_dispatch
    from archive.nodes import NodeError

    chosen = [p for n, p in sorted(PROFILES.items()) if every or (group and p.group == group) or n in names]
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        raise click.BadParameter(f"not in the sites file: {', '.join(unknown)}", param_hint="NAMES")
    host, sep, port = (listen or "").rpartition(":")
    if listen is not None and (not sep or not port.isdigit()):
        raise click.BadParameter(f"expected HOST:PORT, got {listen!r}", param_hint="--listen")
    settings = dict(FAST_SETTINGS) if fast else {}
    for override in overrides:
        name, sep, value = override.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {override!r}", param_hint="--set")
        settings[name] = value
    given = {
        "lease_seconds": lease_seconds,
        "stop_margin": stop_margin,
        "poll_seconds": poll_seconds,
        "max_attempts": max_attempts,
    }
    options = Options(**{k: v for k, v in given.items() if v is not None}, settings=settings)
    try:
        outcomes = run_dispatch(
            db_path,
            chosen,
            list(nodes),
            **({"listen": (host, int(port))} if listen else {}),
            options=options,
            say=lambda line: click.echo(line, err=True),
        )
    except (DispatchError, NodeError, store.ArchiveError) as exc:
        raise click.ClickException(str(exc)) from exc
    for outcome in outcomes:
        if outcome.run:
            click.echo(runs.summary(outcome.run))
        else:
            click.echo(f"{outcome.site}: not crawled: {outcome.error}")
    codes = [o.run["exit_code"] or 0 if o.run else 1 for o in outcomes]
    if len(outcomes) > 1:
        click.echo(
            f"{len(outcomes)} portals: "
            + ", ".join(f"{o.site} {o.run['status'] if o.run else 'not crawled'}" for o in outcomes)
        )
    sys.exit(max(codes, default=0))
