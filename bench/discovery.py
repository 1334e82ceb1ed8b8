"""Crawling a portal from its address alone: how much of it is found, and what the finding costs.

For the hand-made replica and each generated family (``replica.generator``), a portal of N
articles is served on 127.0.0.1 and crawled with no profile at all (``vnarchive crawl
http://127.0.0.1:PORT``), twice. Reported per site:

- articles: how many the site has, archived, missing, and archived rows that are no article of
  the site (a listing judged an article, say);
- fetches of the first run by what they were: articles, the listings/sitemaps/feeds/robots/home
  that led to them (any page that answered 200 and is no article counts as a listing: the
  captures do not say which led to what), and the rest ("waste": dead links, pages judged not
  articles, failures); the waste share is the issue's measure (target at most 15%);
- print/AMP renderings requested (target 0);
- the second run, on the unchanged site: article bodies fetched again (target 0: conditional
  requests and sitemap dates), and its exit code.

Usage::

    .venv/bin/python bench/discovery.py                       # replica + every family, 60 articles
    .venv/bin/python bench/discovery.py --families dnn vccorp --articles 200 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.urls import canonical_url  # noqa: E402
from replica import ReplicaServer, build_site  # noqa: E402
from replica.generator.families import FAMILIES  # noqa: E402
from replica.generator.site import GeneratedSite  # noqa: E402

LEADS = ("robots", "sitemap", "feed", "home", "listing")


def crawl(url: str, db: Path) -> int:
    exe = Path(sys.executable).with_name("vnarchive")
    done = subprocess.run([str(exe), "crawl", url, "--db", str(db), "--fast", "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)  # fmt: skip
    return done.returncode


def measure(name: str, site: object, truth_paths: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(site, port=0) as server:
        db = Path(tmp) / "archive.db"
        first = crawl(server.url, db)
        requests_first = len(server.requests)
        prints = sum("print=1" in p or "/amp" in p for _, p, _ in server.requests)
        second = crawl(server.url, db)
        conn = sqlite3.connect(db)
        truth = {canonical_url(server.url + p) for p in truth_paths}
        archived = {r[0] for r in conn.execute("select url from articles")}
        rows = conn.execute(
            "select c.kind, c.outcome, c.status, c.url, exists(select 1 from articles a where a.capture_id = c.id)"
            " from captures c where run_id = 1"
        ).fetchall()
        article_fetches = sum(1 for _, outcome, *_ in rows if outcome in ("new", "changed", "unchanged"))
        leads = sum(
            1 for kind, outcome, status, url, _ in rows
            if outcome not in ("new", "changed", "unchanged")
            and (kind in LEADS or (kind == "page" and status == 200 and outcome == "stored"))
        )  # fmt: skip
        waste = len(rows) - article_fetches - leads
        refetched = conn.execute(
            "select count(*) from captures where run_id = 2 and kind in ('article', 'page') and status = 200"
            " and url in (select url from articles)"
        ).fetchone()[0]
        return {
            "site": name,
            "articles": len(truth),
            "archived": len(archived & truth),
            "missing": len(truth - archived),
            "not_articles_archived": len(archived - truth),
            "fetches": len(rows),
            "requests_seen_by_server": requests_first,
            "article_fetches": article_fetches,
            "lead_fetches": leads,
            "waste_fetches": waste,
            "waste_share": round(waste / len(rows), 3) if rows else 0,
            "renderings_requested": prints,
            "exit_codes": [first, second],
            "second_run_article_bodies": refetched,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--families", nargs="*", default=None, help="generated families (default: all)")
    parser.add_argument("--no-replica", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    if not args.no_replica:
        site = build_site(n_articles=args.articles)
        results.append(measure("replica", site, [a.path for a in site.articles]))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    for key in args.families if args.families is not None else list(FAMILIES):
        generated = GeneratedSite(key, n_articles=args.articles)
        results.append(measure(key, generated, [e.path for e in generated.entries]))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    header = f"{'site':<14} {'arts':>5} {'got':>5} {'miss':>5} {'extra':>5} {'fetch':>6} {'waste%':>7} {'print':>5} {'exit':>6} {'rerun':>5}"
    print(header)
    for r in results:
        print(
            f"{r['site']:<14} {r['articles']:>5} {r['archived']:>5} {r['missing']:>5} {r['not_articles_archived']:>5}"
            f" {r['fetches']:>6} {100 * r['waste_share']:>6.1f}% {r['renderings_requested']:>5}"
            f" {'/'.join(map(str, r['exit_codes'])):>6} {r['second_run_article_bodies']:>5}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
