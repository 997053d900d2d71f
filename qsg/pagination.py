"""A paginator that counts a list as the UNION of its parts, or only up to a cap.

A list whose WHERE clause is an OR of arms (the visibility rules of `surveillance.intelligence.access`) is
counted by PostgreSQL with one BitmapOr and a bitmap heap scan, which reads one heap page per
row: seconds for tens of thousands of rows once the table outgrows memory. Counted as the UNION
of the arms' ids instead, each arm is an index-only scan over an index that covers `id`, and no
heap page is read (docs/benchmarks-intelligence.md).

A search has to read its matches from the table however it is counted; counted only up to a cap
(`count_cap`), it reads at most that many: the page then says "more than" and pages through the
best matches up to the cap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

CountParts = Callable[[], Iterable[QuerySet]]


class UnionCountPaginator(Paginator):
    """`count_parts()` gives querysets whose union is exactly `object_list` (the same rows, each
    narrowed by the same filters); the count is the size of that union, in one query.

    `count_cap`: count at most this many rows (then `capped` is True, `count` is the cap, and
    the pages reach the first `count_cap` rows only); `capped_order`: the order of a list whose
    count was capped (a cheaper one than ranking every match, for instance). Without either it is
    Django's paginator.
    """

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        count_parts: CountParts | None = None,
        count_cap: int | None = None,
        capped_order: Sequence | None = None,
        **kw,
    ):
        super().__init__(object_list, per_page, *args, **kw)
        self.count_parts = count_parts
        self.count_cap = count_cap
        self.capped_order = capped_order
        self.capped = False

    def page(self, number):
        number = self.validate_number(number)  # counts first: the order may depend on it
        if self.capped and self.capped_order:
            self.object_list = self.object_list.order_by(*self.capped_order)
        return super().page(number)

    @cached_property
    def count(self) -> int:
        if self.count_cap is not None:
            n = capped_count(self.object_list, self.count_cap + 1)
            self.capped = n > self.count_cap
            return min(n, self.count_cap)
        if self.count_parts is None:
            return super().count
        return union_count(self.count_parts())


def capped_count(qs: QuerySet, limit: int) -> int:
    """How many rows `qs` holds, counting no further than `limit` (one query)."""
    ids = qs.order_by().select_related(None).prefetch_related(None).values("pk")
    return ids[:limit].count()


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
