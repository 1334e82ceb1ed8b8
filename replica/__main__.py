"""``python -m replica``: serve a replica portal until Ctrl-C.

The first stdout line, ``Replica portal serving at http://HOST:PORT``, is flushed at once so a
parent process can read the URL (with ``--port 0``, the port the OS chose).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from replica import ReplicaServer, build_site


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the site, serve it."""
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--articles", type=int, default=72, help="number of articles (default 72)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", action="store_true", help="add the hostile URLs of replica.faults")
    parser.add_argument(
        "--today", type=date.fromisoformat, help="masthead date YYYY-MM-DD (default: the real date)"
    )
    parser.add_argument(
        "--generated", metavar="FAMILY", help="serve generated pages of one CMS family (replica.generator)"
    )
    parser.add_argument(
        "--texts",
        choices=("shared", "distinct"),
        default="shared",
        help="shared (default): bodies are variants of the text bank's base texts, near-duplicates"
        " across seeds; distinct: bodies composed per article and seed",
    )
    parser.add_argument(
        "--syndication",
        type=float,
        default=0.0,
        metavar="RATE",
        help="with --texts distinct: fraction of articles republishing a shared original (same on every seed)",
    )
    args = parser.parse_args(argv)
    if args.generated:
        from replica.generator import GeneratedSite

        site = GeneratedSite(args.generated, n_articles=args.articles, seed=args.seed)
    else:
        site = build_site(
            n_articles=args.articles,
            today=args.today,
            seed=args.seed,
            faults=args.faults,
            texts=args.texts,
            syndication=args.syndication,
        )
    server = ReplicaServer(site, host=args.host, port=args.port).start()
    print(f"Replica portal serving at {server.url}", flush=True)
    try:
        server.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
