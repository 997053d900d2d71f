"""From the engine's arrays to what is stored per series, and back (numpy only, no Django).

A series' points are packed into bytes with `POINT_DTYPE` (17 bytes a point); its groups
(rebase segments) are a small JSON list. `summarise()` turns one engine run over many series into
one `SeriesResult` per series; `unpack_points()` reads a stored series back for charts and the API.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from .spc.codes import ASSURANCES, POINT_TYPES, SHORT_GROUP_THRESHOLD, VARIATIONS

EPOCH = dt.date(1970, 1, 1)
EPOCH_ORDINAL = EPOCH.toordinal()

POINT_DTYPE = np.dtype(
    [
        ("day", "<i4"),  # days since 1970-01-01
        ("value", "<f8"),
        ("rebase", "<i2"),  # rebase group (0 before the first rebase date)
        ("sct", "u1"),  # special cause type code (codes.SPECIAL_CAUSE_TYPES)
        ("pt", "u1"),  # point type code (codes.POINT_TYPES)
        ("flags", "u1"),  # bits 0-1 relative to mean + 1, bit 2 outside limits, bit 3 close,
        # bit 4 provisional (published as such: it may be revised)
    ]
)
CONCERN = POINT_TYPES.index("special_cause_concern")
PROVISIONAL = 16
GROUP_FIELDS = ("start", "n", "mean", "amr", "lpl", "upl", "nlpl", "nupl")


def day_to_date(day: int) -> dt.date:
    return dt.date.fromordinal(EPOCH_ORDINAL + int(day))


def date_to_day(value: dt.date) -> int:
    return value.toordinal() - EPOCH_ORDINAL


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _nums(a: np.ndarray) -> list[float | None]:
    """`_num` of each element, as a list (NaN is the only value not equal to itself)."""
    return [None if v != v else v for v in np.asarray(a, dtype=float).tolist()]


def _dates(days: np.ndarray) -> list[dt.date]:
    """`day_to_date` of each element, as a list."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(object).tolist()


@dataclass
class SeriesResult:
    """What is stored for one series after a run of the engine."""

    series_id: int
    revision: int
    n_points: int
    first_period: dt.date | None
    latest_period: dt.date | None
    latest_value: float | None
    latest_numerator: float | None
    latest_denominator: float | None
    mean: float | None
    lpl: float | None
    upl: float | None
    target: float | None
    variation: str
    assurance: str
    latest_point_type: str
    latest_special_cause: str
    short_group: bool
    target_missed: bool | None
    last_concern_period: dt.date | None
    last_concern_label: str
    groups: list = field(default_factory=list)
    points: bytes = b""
    latest_provisional: bool = False


def empty_result(series_id: int, revision: int) -> SeriesResult:
    """A series whose observations have all gone."""
    return SeriesResult(
        series_id, revision, 0, None, None, None, None, None, None, None, None, None,
        "", "", "", "", False, None, None, "", [], b"",
    )  # fmt: skip


def summarise(
    *,
    series_ids: np.ndarray,
    revisions: np.ndarray,
    days: np.ndarray,
    numerators: np.ndarray,
    denominators: np.ndarray,
    result,
    rebase_group: np.ndarray | None = None,
    provisional: np.ndarray | None = None,
) -> list[SeriesResult]:
    """One SeriesResult per series of an engine result over rows sorted by (series, date).

    Rows may include missing periods (NaN values, see recompute.fill_gaps): they are stored
    with the points, so charts show the gap, but not counted in `n_points`. A series' first
    and last rows are always observed values.

    `result` is the SpcResult of `compute_sorted` on exactly these rows (series i is rows
    result.series_offsets[i]:[i + 1]); `days`, `numerators`, `denominators` align with the rows.
    """
    off = result.series_offsets
    n_series = off.size - 1
    values = result.values
    n = values.size
    packed = np.empty(n, dtype=POINT_DTYPE)
    packed["day"] = days
    packed["value"] = values
    packed["rebase"] = 0 if rebase_group is None else rebase_group
    packed["sct"] = result.special_cause_type
    packed["pt"] = result.point_type
    packed["flags"] = result.flags
    if provisional is not None:
        packed["flags"] |= np.where(provisional, PROVISIONAL, 0).astype(np.uint8)
    raw = packed.tobytes()
    width = POINT_DTYPE.itemsize

    labels = result.special_cause_labels
    # latest concern point of each series: max row index with a concern, -1 if none
    idx = np.where(result.point_type == CONCERN, np.arange(n), -1)
    nonempty = np.diff(off) > 0
    last_concern = np.full(n_series, -1, dtype=np.int64)
    if n:
        starts = off[:-1][nonempty]
        last_concern[nonempty] = np.maximum.reduceat(idx, starts)

    # Per-series and per-group columns are made whole (numpy) and turned into Python values
    # once per column: the loop below only gathers them.
    dates = _dates(days)
    observed = np.concatenate([[0], np.cumsum(~np.isnan(values))])
    begin, end = off[:-1], off[1:]
    last = np.where(nonempty, end - 1, 0)
    n_points = (observed[end] - observed[begin]).tolist()
    latest_value = values[last].tolist() if n else [math.nan] * n_series
    latest_num = _nums(numerators[last]) if n else [None] * n_series
    latest_den = _nums(denominators[last]) if n else [None] * n_series
    latest_prov = (
        provisional[last].tolist() if provisional is not None and n else [False] * n_series
    )
    latest_pt = result.point_type[last].tolist() if n else [0] * n_series
    latest_sct = result.special_cause_type[last].tolist() if n else [0] * n_series
    targets = _nums(result.target)
    directions = result.improvement.tolist()
    variation = result.variation.tolist()
    assurance = result.assurance.tolist()
    last_concern_l = last_concern.tolist()
    concern_sct = (
        result.special_cause_type[np.maximum(last_concern, 0)].tolist() if n else [0] * n_series
    )
    begin_l, end_l = begin.tolist(), end.tolist()

    # groups per series, in order
    goff = result.group_offsets
    gstarts = goff[:-1]
    group_rows = zip(
        np.datetime_as_string(days[gstarts].astype("datetime64[D]"), unit="D").tolist()
        if gstarts.size
        else [],
        np.diff(goff).tolist(),
        *(
            _nums(a)
            for a in (
                result.group_mean,
                result.group_amr,
                result.group_lpl,
                result.group_upl,
                result.group_nlpl,
                result.group_nupl,
            )
        ),
        strict=True,
    )
    groups_of: list[list] = [[] for _ in range(n_series)]
    for g_series, row in zip(result.group_series.tolist(), group_rows, strict=True):
        groups_of[g_series].append(list(row))

    out = []
    for i in range(n_series):
        a, b = begin_l[i], end_l[i]
        sid, rev = int(series_ids[i]), int(revisions[i])
        if a == b:
            out.append(empty_result(sid, rev))
            continue
        last_row = b - 1
        groups = groups_of[i]
        g = groups[-1]
        target = targets[i]
        direction = directions[i]
        value = latest_value[i]
        missed = None
        if target is not None and direction != 0:
            missed = value < target if direction > 0 else value > target
        lc = last_concern_l[i]
        out.append(
            SeriesResult(
                series_id=sid,
                revision=rev,
                n_points=n_points[i],
                first_period=dates[a],
                latest_period=dates[last_row],
                latest_value=value,
                latest_numerator=latest_num[i],
                latest_denominator=latest_den[i],
                mean=g[2],
                lpl=g[4],
                upl=g[5],
                target=target,
                variation=VARIATIONS[variation[i]],
                assurance=ASSURANCES[assurance[i]],
                latest_point_type=POINT_TYPES[latest_pt[i]],
                latest_special_cause=labels[latest_sct[i]],
                short_group=g[1] < SHORT_GROUP_THRESHOLD,
                target_missed=missed,
                last_concern_period=dates[lc] if lc >= a else None,
                last_concern_label=labels[concern_sct[i]] if lc >= a else "",
                groups=groups,
                points=raw[a * width : b * width],
                latest_provisional=latest_prov[i],
            )
        )
    return out


@dataclass(frozen=True)
class Point:
    period: dt.date
    value: float
    rebase_group: int
    special_cause: str
    point_type: str
    relative_to_mean: int
    outside_limits: bool
    close_to_limits: bool
    mean: float | None
    lpl: float | None
    upl: float | None
    provisional: bool = False

    @property
    def missing(self) -> bool:
        """A period with no value between two that have one (see recompute.fill_gaps)."""
        return math.isnan(self.value)


def unpack_points(points: bytes, groups: list, rule_length: int = 7) -> list[Point]:
    """The stored points of a series, each with the limits of its group."""
    from .spc.codes import special_cause_labels

    arr = np.frombuffer(bytes(points), dtype=POINT_DTYPE)
    labels = special_cause_labels(rule_length)
    out: list[Point] = []
    gi = 0
    remaining = groups[0][1] if groups else 0
    for rec in arr:
        while remaining == 0 and gi + 1 < len(groups):
            gi += 1
            remaining = groups[gi][1]
        g = groups[gi] if groups else [None, 0, None, None, None, None, None, None]
        remaining -= 1
        flags = int(rec["flags"])
        out.append(
            Point(
                period=day_to_date(int(rec["day"])),
                value=float(rec["value"]),
                rebase_group=int(rec["rebase"]),
                special_cause=labels[int(rec["sct"])],
                point_type=POINT_TYPES[int(rec["pt"])],
                relative_to_mean=(flags & 3) - 1,
                outside_limits=bool(flags & 4),
                close_to_limits=bool(flags & 8),
                provisional=bool(flags & PROVISIONAL),
                mean=g[2],
                lpl=g[4],
                upl=g[5],
            )
        )
    return out
