"""Generated article pages whose truth is known by construction, varying every axis independently.

``variant(seed, **axes)`` makes one page (bytes, URL, headers, truth); ``sample(n)`` a balanced
sample of the axes; ``check(record, truth)`` compares an extracted record with the truth field by
field; ``GeneratedSite`` serves one family's generated articles as a portal through the replica.
"""

from replica.generator.axes import AXES
from replica.generator.check import FIELDS, check
from replica.generator.generate import Variant, sample, variant
from replica.generator.site import GeneratedSite
from replica.generator.truth import Picture, Truth

__all__ = ["AXES", "FIELDS", "GeneratedSite", "Picture", "Truth", "Variant", "check", "sample", "variant"]
