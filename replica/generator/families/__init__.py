"""The CMS families of live-markup.md, as data: which element carries which field, in what order.

A family is markup hints, never a contract: the same page with every class and id stripped
(the ``classless`` axis) must still yield the same record.
"""

from replica.generator.families.spec import Family
from replica.generator.families.table import FAMILIES


def family(key: str) -> Family:
    """The family called ``key`` (KeyError names the known ones)."""
    try:
        return FAMILIES[key]
    except KeyError:
        raise KeyError(f"unknown family {key!r}; families: {', '.join(FAMILIES)}") from None


__all__ = ["FAMILIES", "Family", "family"]
