"""A deployment's terms, read from one place.

The 2013 guidance and the 2022 National Quality Board guidance name the same things differently
(QSG / System Quality Group, regional QSG / Regional Quality Group, risk summit / rapid quality
review, ring-holder / lead organisation, Local Safeguarding Children Board / safeguarding
partnership). A deployment picks a profile with the `QSG_PROFILE` setting ("2013" by default, or
"2022"); administrators override any single term as data (`qsg.Term`, in the admin). Pages call
`term(key)` (a Jinja global); nothing else names these things.
"""

from __future__ import annotations

import time

from django.conf import settings

PROFILES: dict[str, dict[str, str]] = {
    "2013": {
        "qsg": "QSG",
        "qsgs": "QSGs",
        "qsg_long": "Quality Surveillance Group",
        "local_qsg": "local QSG",
        "regional_qsg": "regional QSG",
        "risk_summit": "risk summit",
        "risk_summits": "risk summits",
        "ring_holder": "ring-holder",
        "safeguarding_board": "Local Safeguarding Children Board",
    },
    "2022": {
        "qsg": "SQG",
        "qsgs": "Quality groups",
        "qsg_long": "System Quality Group",
        "local_qsg": "System Quality Group",
        "regional_qsg": "Regional Quality Group",
        "risk_summit": "rapid quality review",
        "risk_summits": "rapid quality reviews",
        "ring_holder": "lead organisation",
        "safeguarding_board": "safeguarding partnership",
    },
}
KEYS = tuple(PROFILES["2013"])
TTL_SECONDS = 30.0
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def profile() -> str:
    value = str(getattr(settings, "QSG_PROFILE", "2013"))
    return value if value in PROFILES else "2013"


def terms() -> dict[str, str]:
    """The profile's terms with the administrators' overrides (cached for a few seconds)."""
    name = profile()
    hit = _cache.get(name)
    if hit is not None and time.monotonic() - hit[0] < TTL_SECONDS:
        return hit[1]
    from .models import Term

    out = dict(PROFILES[name])
    out.update(dict(Term.objects.filter(key__in=KEYS).values_list("key", "label")))
    _cache[name] = (time.monotonic(), out)
    return out


def term(key: str, *, capital: bool = False) -> str:
    text = terms().get(key, key)
    return text[:1].upper() + text[1:] if capital else text


def forget() -> None:
    """Drop the cache (after an administrator's change, and in tests)."""
    _cache.clear()
