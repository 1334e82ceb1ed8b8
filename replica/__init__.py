"""A local replica of the tuyengiao.vn generation-(b) portal, for offline crawls and tests.

``build_site()`` makes a deterministic site from the hand-written text bank in ``texts/``;
``ReplicaServer`` serves it on 127.0.0.1. ``python -m replica`` does both from the shell.
"""

from replica.model import Article, Category, Site, build_site
from replica.server import ReplicaServer
from replica.texts import Image

__all__ = ["Article", "Category", "Image", "ReplicaServer", "Site", "build_site"]
