"""A paginator that counts a list as the UNION of its parts.

A list whose WHERE clause is an OR of arms (the visibility rules of `surveillance.intelligence.access`) is
counted by PostgreSQL with one BitmapOr and a bitmap heap scan, which reads one heap page per
row: seconds for tens of thousands of rows once the table outgrows memory. Counted as the UNION
of the arms' ids instead, each arm is an index-only scan over an index that covers `id`, and no
heap page is read (docs/benchmarks-intelligence.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

CountParts = Callable[[], Iterable[QuerySet]]


class UnionCountPaginator(Paginator):
    """`count_parts()` gives querysets whose union is exactly `object_list` (the same rows, each
    narrowed by the same filters); the count is the size of that union, in one query.

    Without `count_parts` it is Django's paginator.
    """

    def __init__(self, object_list, per_page, *args, count_parts: CountParts | None = None, **kw):
        super().__init__(object_list, per_page, *args, **kw)
        self.count_parts = count_parts

    @cached_property
    def count(self) -> int:
        if self.count_parts is None:
            return super().count
        return union_count(self.count_parts())


def union_count(parts: Iterable[QuerySet]) -> int:
    """How many distinct rows the querysets hold together (UNION, not UNION ALL)."""
    ids = union_of(parts)
    return 0 if ids is None else ids.count()


def union_of(parts: Iterable[QuerySet]) -> QuerySet | None:
    """The distinct primary keys of the querysets together (None if there are none)."""
    ids = [
        qs.order_by().select_related(None).prefetch_related(None).values_list("pk", flat=True)
        for qs in parts
    ]
    if not ids:
        return None
    return ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]
