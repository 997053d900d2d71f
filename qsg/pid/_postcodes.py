"""UK postcodes, in any case, with or without the space."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._text import HS

Candidate = tuple[str, int, int, str]

_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?P<out>[A-PR-UWYZ](?:[A-HK-Y]\d[ABEHMNPRVWXY\d]?|\d[A-HJKPSTUW\d]?))"
    rf"(?P<sp>{HS}{{0,2}})"
    r"(?P<in>\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# "a1 2nd", "b3 4th": a letter and a number before an ordinal, not a postcode.
_ORDINAL_RE = re.compile(r"(?:1st|2nd|3rd|[04-9]th)\Z", re.IGNORECASE)


def postcode_candidates(text: str) -> Iterable[Candidate]:
    for m in _POSTCODE_RE.finditer(text):
        if not m.group().isupper() and _ORDINAL_RE.match(m.group("in")):
            continue
        excerpt = m.group("out") + m.group("sp") + "*" * len(m.group("in"))
        yield "postcode", m.start(), m.end(), excerpt
