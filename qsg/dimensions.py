"""Quality dimensions as data: the choices a profile offers and the words a code reads in.

Rows are `qsg.QualityDimension` (editable in the admin, retired rather than deleted). Intelligence
items and dashboard indicators keep a row's code. Lists and PDFs label many of them, so the labels
are read once and cached for a few seconds, as the deployment's terms are.
"""

from __future__ import annotations

import time

from django.db import DatabaseError

from .vocabulary import profile, profiles_in_force

# The rows the migrations seed (surveillance.0016 keeps its own frozen copy). Read when there is
# no database (the API schema is built without one) and to describe the codes in the schema.
SEEDED: dict[str, list[tuple[str, str]]] = {
    "2013": [
        ("safety", "Safety"),
        ("effectiveness", "Effectiveness"),
        ("experience", "Patient experience"),
    ],
    "2022": [
        ("safety", "Safe"),
        ("effectiveness", "Effective"),
        ("experience", "Positive experience"),
        ("well_led", "Well-led"),
        ("sustainable", "Sustainable"),
        ("equitable", "Equitable"),
    ],
}
# The dashboard's codes before its indicators were classed by these rows: still accepted (the
# API, its filters), and read as the code they became.
ALIASES = {"safe": "safety", "effective": "effectiveness"}
# What the API schema says a request may send, per profile (named in ENUM_NAME_OVERRIDES).
REQUEST_CODES_2013 = [*(code for code, _ in SEEDED["2013"]), *ALIASES]
REQUEST_CODES_2022 = [*(code for code, _ in SEEDED["2022"]), *ALIASES]

TTL_SECONDS = 30.0
_cache: dict[str, tuple[float, list[tuple[str, str]], dict[str, str]]] = {}


def _load() -> tuple[list[tuple[str, str]], dict[str, str]]:
    from .models import QualityDimension

    name = profile()
    hit = _cache.get(name)
    if hit is not None and time.monotonic() - hit[0] < TTL_SECONDS:
        return hit[1], hit[2]
    try:
        rows = list(
            QualityDimension.objects.order_by("sort_order", "label").values_list(
                "code", "label", "profile", "is_active"
            )
        )
    except DatabaseError:
        # No database yet (`manage.py check` generating the API schema before a migrate): the
        # profile's seeded rows, not cached.
        seeded = SEEDED[name]
        return list(seeded), dict(seeded)
    offered = [(c, label) for c, label, p, active in rows if active and p in profiles_in_force()]
    # A code's words: this profile's row, else every profile's, else another profile's (what was
    # classed under another profile keeps its dimension and shows it).
    rank = {name: 0, "": 1}
    labels: dict[str, str] = {}
    for code, label, _p, _active in sorted(rows, key=lambda r: rank.get(r[2], 2)):
        labels.setdefault(code, label)
    _cache[name] = (time.monotonic(), offered, labels)
    return offered, labels


def choices() -> list[tuple[str, str]]:
    """The dimensions offered for new writes (what is classed keeps a code no longer offered)."""
    return _load()[0]


def codes() -> list[str]:
    return [code for code, _ in choices()]


def label(code: str) -> str:
    if not code:
        return ""
    labels = _load()[1]
    return labels.get(code) or labels.get(ALIASES.get(code, ""), code)


def resolve(code: str) -> str | None:
    """The offered code a client's code names (an old alias becomes its row's code), or None."""
    code = (code or "").strip().lower()
    code = ALIASES.get(code, code)
    return code if code in codes() else None


def unknown_message(code: str) -> str:
    offered = ", ".join(codes())
    return (
        f"{code!r} is not a quality dimension of this deployment. Use one of: {offered} "
        f"(or the older codes {', '.join(ALIASES)})"
    )


def forget() -> None:
    _cache.clear()
