"""Quality dimensions as data: the choices a profile offers and the words an item's code reads in.

Rows are `QualityDimension` (editable in the admin). Lists and PDFs label many items, so the
labels are read once and cached for a few seconds, as the deployment's terms are.
"""

from __future__ import annotations

import time

from django.db import DatabaseError

from qsg.vocabulary import profile, profiles_in_force

from .models import IntelligenceItem, QualityDimension

TTL_SECONDS = 30.0
_cache: dict[str, tuple[float, list[tuple[str, str]], dict[str, str]]] = {}


def _load() -> tuple[list[tuple[str, str]], dict[str, str]]:
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
        # codes every profile has, not cached.
        codes = IntelligenceItem.QualityDimension.choices
        return list(codes), dict(codes)
    offered = [(c, label) for c, label, p, active in rows if active and p in profiles_in_force()]
    # A code's words: this profile's row, else every profile's, else another profile's (an item
    # recorded under another profile keeps its dimension and shows it).
    rank = {name: 0, "": 1}
    labels: dict[str, str] = {}
    for code, label, _p, _active in sorted(rows, key=lambda r: rank.get(r[2], 2)):
        labels.setdefault(code, label)
    _cache[name] = (time.monotonic(), offered, labels)
    return offered, labels


def choices() -> list[tuple[str, str]]:
    """The dimensions offered for new writes (an item keeps a code no longer offered)."""
    return _load()[0]


def label(code: str) -> str:
    return _load()[1].get(code, code) if code else ""


def forget() -> None:
    _cache.clear()
