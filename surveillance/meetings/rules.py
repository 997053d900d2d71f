"""Pure rules of meetings: cadence, quorum, attendance times. No ORM, no I/O.

The guidance (chapter 7): local QSGs meet monthly for the first three months, then every
two months; regional QSGs meet quarterly. A series keeps the weekday and its place in the
month (e.g. "second Tuesday"), as secretariats book rooms that way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from dateutil.relativedelta import relativedelta, weekday
from dateutil.rrule import MONTHLY, rrule, rruleset

# Each cadence as phases (months after the first meeting, interval in months, how many
# meetings; None: until the end date), read by dateutil's rrule.
PHASES = {
    "monthly": [(0, 1, None)],
    "bimonthly": [(0, 2, None)],
    "quarterly": [(0, 3, None)],
    # Monthly for the first three meetings, then every two months.
    "local_2013": [(0, 1, 3), (2, 2, None)],
}
MAX_MEETINGS = 60


def nth_weekday_of(date: dt.date) -> tuple[int, int]:
    """(weekday, n): the date is the n-th such weekday of its month; a fifth one becomes "last" (-1)."""
    n = (date.day - 1) // 7 + 1
    return date.weekday(), (-1 if n == 5 else n)


def cadence_dates(rule: str, first: dt.date, until: dt.date) -> list[dt.date]:
    """Meeting dates from `first` up to and including `until` under the cadence rule, each on
    the same weekday and place in its month as the first (the last one if the first is a fifth)."""
    if rule not in PHASES:
        raise ValueError(f"unknown cadence {rule!r}")
    if until < first:
        return []
    wd, n = nth_weekday_of(first)
    start = dt.datetime.combine(first, dt.time())
    end = dt.datetime.combine(until, dt.time())
    dates = rruleset()
    for offset, interval, count in PHASES[rule]:
        dates.rrule(
            rrule(
                MONTHLY,
                interval=interval,
                byweekday=weekday(wd)(n),
                dtstart=start + relativedelta(months=offset, day=1) if offset else start,
                **({"count": count} if count else {"until": end}),
            )
        )
    return [d.date() for d in islice((d for d in dates if d <= end), MAX_MEETINGS)]


# Quorum --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    label: str
    role: str = ""
    type_ids: frozenset[int] = frozenset()
    minimum: int = 1


@dataclass(frozen=True)
class Present:
    """Someone recorded as present: their capacity and QSG roles, and their organisation's type."""

    key: str
    name: str
    roles: frozenset[str]
    organisation_type_id: int | None
    organisation_id: int | None = None


@dataclass
class RequirementResult:
    label: str
    met: bool
    by: list[str] = field(default_factory=list)
    minimum: int = 1


@dataclass
class QuorumResult:
    results: list[RequirementResult]

    @property
    def quorate(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def missing(self) -> list[str]:
        return [r.label for r in self.results if not r.met]


OBSERVER = "observer"


def quorum_roles(capacity: str, qsg_roles: Iterable[str]) -> frozenset[str]:
    """The roles someone present brings to the quorum: {"observer"} alone if they observe.

    An observer of the QSG stays an observer whatever capacity they were recorded in, and anyone
    recorded in the capacity of observer observes, whatever their role in the QSG."""
    roles = frozenset(qsg_roles)
    if capacity == OBSERVER or (roles and roles <= {OBSERVER}):
        return frozenset({OBSERVER})
    return (roles | {capacity}) - {OBSERVER}


def quorum_check(requirements: Sequence[Requirement], present: Iterable[Present]) -> QuorumResult:
    """Each requirement is met by enough distinct people present in its role or from its types.
    Observers never count, whatever their organisation (see `quorum_roles`)."""
    people = [p for p in {p.key: p for p in present}.values() if OBSERVER not in p.roles]
    results = []
    for req in requirements:
        by = [
            p.name
            for p in people
            if (req.role and req.role in p.roles)
            or (req.type_ids and p.organisation_type_id in req.type_ids)
        ]
        results.append(
            RequirementResult(
                label=req.label, met=len(by) >= req.minimum, by=by, minimum=req.minimum
            )
        )
    return QuorumResult(results=results)


# Attendance times --------------------------------------------------------------------------


def overlaps(
    spans: Iterable[tuple[dt.time | None, dt.time | None]],
    new: tuple[dt.time | None, dt.time | None],
) -> bool:
    """Does the new (from, to) span overlap any of the person's other spans? Open ends count as
    the whole meeting."""
    lo, hi = new[0] or dt.time.min, new[1] or dt.time.max
    for a, b in spans:
        a, b = a or dt.time.min, b or dt.time.max
        if lo < b and a < hi:
            return True
    return False


def format_minutes(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    if hours:
        return f"{hours} h"
    return f"{mins} min"
