"""One page -> one clean article record: trafilatura for the body, Vietnamese portal rules around it.

Staged as trafilatura's own extractor is: ``core`` checks the input and runs the finders in
order; ``page`` indexes the parsed page once; each finder (``title``, ``related``,
``taxonomy``, ``lead``, ``body``, ``media``, ``byline``, ``dating``, ``kind``) is a function of
that index and of the anchors found before it; ``patterns`` holds selectors and patterns as
data; ``bridge`` is the only module that touches trafilatura's and htmldate's internals. The
text rules live in archive.heuristics, date formats in archive.dates, byte decoding in
archive.encoding, per-site hints in archive.profiles, the record's contract in archive.record.
"""

from archive.extract.core import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract
from archive.extract.kind import is_article

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "extract", "is_article"]
