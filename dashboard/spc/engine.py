"""Vectorised XmR statistical process control engine (Making Data Count rules).

Pure numpy: no pandas, no Django. The default output is identical, bit for bit, to the NHS-R
package NHSRplotthedots 0.2.2 ``ptd_spc()`` (see ``shared/SPC.md``).

This module runs the engine (input checks, chunks of whole series, padded blocks). The concepts
live beside it: :mod:`.codes` (codes and labels), :mod:`.rmean` (R's ``mean()``),
:mod:`.limits` (centre line and limits per group), :mod:`.rules` (the rules per point, point
types) and :mod:`.result` (:class:`SpcResult`).

Public API
----------
``compute(series_ids, dates, values, *, rebase_dates=None, improvement="increase", targets=None,
fix_after_n_points=None, screen_outliers=True, rule_length=7, two_in_three_beyond_limits=False,
chunk_points=100_000) -> SpcResult``
    Rows in any order; the per-point arrays of the result follow the input rows. ``series_ids``
    any labels numpy can sort (None: one series, ``"no facet"``); dates anything numpy turns into
    ``datetime64[D]`` (``datetime.date``, ``"YYYY-MM-DD"``, ``datetime64``) or integer day
    numbers; values floats, NaN = missing. ``rebase_dates``: dates for every series or a mapping
    series -> dates. ``improvement``: a direction or a mapping series -> direction. ``targets``:
    a number or a mapping series -> number. Duplicate dates within a series: ``ValueError``.

``compute_sorted(values, series_offsets, *, rebase_group=None, improvement=1, targets=None,
..., series_ids=None) -> SpcResult``
    The engine itself, for rows already sorted by (series, date): series ``i`` is
    ``values[series_offsets[i]:series_offsets[i + 1]]``; ``rebase_group`` per point;
    ``improvement`` and ``targets`` scalars or one per series (codes +1/-1/0; NaN = no target).

``iter_compute_sorted(...)``
    The same, yielding one :class:`SpcResult` per chunk of whole series (bounded memory).

``offsets_from_index(series_index, n_series=None)``
    ``series_offsets`` from a non-decreasing series index per row.

``rmean.r_mean(x)``
    R's ``mean(x, na.rm = TRUE)``, bit for bit.

:class:`SpcResult` holds per point ``special_cause_type`` and ``point_type`` codes (uint8) and
derives ``relative_to_mean``, ``outside_limits``, ``close_to_limits``, ``mean``, ``lpl``,
``upl``, ``rebase_group``, ``short_group_warning`` and missing masks; per group the statistics
(``group_mean``, ``group_lpl``, ...); per series ``variation`` and ``assurance`` codes; and
``options`` (names of the options used, ``options["non_default"]`` those that leave the
reference). ``labels(name)`` / ``series_labels(name)`` turn codes into the reference's strings.

Example::

    >>> from dashboard.spc.engine import compute
    >>> r = compute(["A"] * 15, range(15), [1.0, 2.0] * 7 + [9.0], targets={"A": 20.0})
    >>> r.labels("special_cause_type")[-1], r.labels("point_type")[-1]
    ('Above UCL', 'special_cause_improvement')
    >>> r.series_labels("variation"), r.series_labels("assurance")
    (['improvement_high'], ['consistent_fail'])
    >>> float(r.group_mean[0]), float(r.group_upl[0])
    (2.0, 4.66)

Codes and labels (``code -> LABELS[code]``, in :mod:`.codes`):

* ``special_cause_type``: ``SPECIAL_CAUSE_TYPES`` 0 ``Common Cause``, 1 ``Above UCL``,
  2 ``Below LCL``, 3 ``7 Point Trend (Increasing)``, 4 ``7 Point Trend (Decreasing)``,
  5 ``2 in 3 Above CL``, 6 ``2 in 3 Below CL``, 7 ``7 Points Above CL``, 8 ``7 Points Below CL``
  (with ``rule_length=6`` the labels say 6: ``SpcResult.special_cause_labels``).
* ``point_type``: ``POINT_TYPES`` 0 ``common_cause``, 1 ``special_cause_improvement``,
  2 ``special_cause_concern``, 3 ``special_cause_neutral_high``, 4 ``special_cause_neutral_low``.
* ``variation`` (per series): ``VARIATIONS`` 0 ``common_cause``, 1 ``improvement_high``,
  2 ``improvement_low``, 3 ``concern_high``, 4 ``concern_low``, 5 ``neutral_high``,
  6 ``neutral_low``.
* ``assurance`` (per series): ``ASSURANCES`` 0 ``""`` (none), 1 ``consistent_pass``,
  2 ``consistent_fail``, 3 ``inconsistent``.
* improvement direction: ``IMPROVEMENT_CODES`` increase +1, decrease -1, neutral 0.

Options beyond the reference (never the default; each named in ``options["non_default"]``):
``screen_outliers=False`` (MDC Excel tool), ``rule_length=6`` (trend and shift of 6), and
``two_in_three_beyond_limits=True`` (MDC 2023: points beyond the limits count as close).

Missing values (NaN) are allowed anywhere: never flagged, and they break every run, trend, window
and moving range they fall in. Per-point booleans that are missing in the reference (NA) are
``False`` here, with the masks ``limits_missing`` / ``relative_missing`` telling which.

Design
------
Input is cut into chunks of whole series (about ``chunk_points`` points; a longer series alone).
A chunk's groups (series x rebase group) form padded matrices of shape (rows, groups): column j
holds group j's points in date order, padded with NaN. Every rolling rule is a window along
axis 0 (shifted slices combined with ``&`` / ``|``), which cannot cross a group boundary or a
missing value because both are NaN. Large float buffers are reused from chunk to chunk.

Means follow R's ``mean()``: an x87 extended-precision sequential sum, divide by n, a correction
pass, rounding to double. Where every value of a group is a multiple of 2**e and the sum fits in
64 bits, R's sum is exact and equals an int64 sum of the scaled values; otherwise the engine sums
in ``numpy.longdouble`` row after row (checked at import). The correction pass is run only for
groups where it can change the double: an error bound shows that elsewhere the rounded
first-pass mean is already R's answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from .codes import VARIATION_LUT, direction_code, direction_codes
from .limits import group_limits
from .result import SpcResult
from .rmean import Workspace
from .rules import apply_rules

__all__ = [
    "DEFAULT_CHUNK_POINTS",
    "compute",
    "compute_sorted",
    "iter_compute_sorted",
    "offsets_from_index",
]


@dataclasses.dataclass
class _Opts:
    fix: int | None
    screen: bool
    rule: int
    beyond: bool


def _block(y: np.ndarray, direction: np.ndarray, o: _Opts, ws: Workspace):
    """Statistics and rules for a padded block ``y`` (rows = points, columns = groups, NaN pad).

    ``direction`` is the improvement code per column. Returns per-column stats and per-point
    uint8 arrays (flags, special cause code, point type).
    """
    stats = group_limits(y, o.fix, o.screen, ws)
    return stats, apply_rules(y, stats, direction, o.rule, o.beyond)


# ---------------------------------------------------------------------------------------------
# Engine on sorted input
# ---------------------------------------------------------------------------------------------

DEFAULT_CHUNK_POINTS = 100_000


def _options(fix_after_n_points, screen_outliers, rule_length, two_in_three_beyond_limits):
    if fix_after_n_points is not None:
        if isinstance(fix_after_n_points, bool) or int(fix_after_n_points) != fix_after_n_points:
            raise ValueError("fix_after_n_points must be an integer")
        fix_after_n_points = int(fix_after_n_points)
        if fix_after_n_points < 12:
            raise ValueError("fix_after_n_points must be at least 12")
    rule_length = int(rule_length)
    if rule_length < 2:
        raise ValueError("rule_length must be at least 2")
    options = {
        "reference": "NHSRplotthedots 0.2.2 ptd_spc()",
        "fix_after_n_points": fix_after_n_points,
        "screen_outliers": bool(screen_outliers),
        "rule_length": rule_length,
        "two_in_three_beyond_limits": bool(two_in_three_beyond_limits),
    }
    non_default = []
    if not screen_outliers:
        non_default.append("screen_outliers=False (MDC Excel tool)")
    if rule_length != 7:
        non_default.append(f"rule_length={rule_length} (trend and shift)")
    if two_in_three_beyond_limits:
        non_default.append("two_in_three_beyond_limits=True (MDC 2023 two-in-three variant)")
    options["non_default"] = non_default
    o = _Opts(
        fix_after_n_points, bool(screen_outliers), rule_length, bool(two_in_three_beyond_limits)
    )
    return o, options


def _plan_blocks(gstart: np.ndarray, glen: np.ndarray, chunk: int):
    """Split groups into blocks: (True, a, b) for a contiguous run of groups of one length, or
    (False, group indices) for groups of lengths within a factor of two, gathered together (so
    that padding at most doubles the cells)."""
    ng = glen.size
    if ng == 0:
        return []
    blocks = []
    if glen.min() == glen.max():
        per = max(1, chunk // max(1, int(glen[0])))
        for a in range(0, ng, per):
            blocks.append((True, a, min(ng, a + per)))
        return blocks
    cls = np.ceil(np.log2(np.maximum(glen, 1))).astype(np.int64)
    order = np.argsort(cls, kind="stable")
    bounds = np.flatnonzero(np.diff(cls[order])) + 1
    for members in np.split(order, bounds):
        top = int(glen[members].max())
        per = max(1, chunk // max(1, top))
        for a in range(0, members.size, per):
            blocks.append((False, members[a : a + per]))
    return blocks


def offsets_from_index(series_index, n_series: int | None = None) -> np.ndarray:
    """Series offsets for :func:`compute_sorted` from a non-decreasing series index per row
    (0 .. n_series - 1; series without rows get empty ranges)."""
    idx = np.asarray(series_index, dtype=np.int64).reshape(-1)
    if idx.size and (np.any(idx[1:] < idx[:-1]) or idx[0] < 0):
        raise ValueError("series_index must be non-negative and non-decreasing")
    ns = (int(idx[-1]) + 1 if idx.size else 0) if n_series is None else int(n_series)
    return np.searchsorted(idx, np.arange(ns + 1), side="left").astype(np.int64)


def _series_chunks(off: np.ndarray, chunk: int) -> list[tuple[int, int]]:
    """Runs of whole series of about ``chunk`` points each."""
    ns = off.size - 1
    if ns <= 0:
        return []
    marks = np.arange(chunk, int(off[-1]), chunk)
    cuts = np.concatenate(([0], np.searchsorted(off, marks), [ns]))
    cuts = cuts[np.concatenate(([True], cuts[1:] > cuts[:-1]))]  # (np.unique imports numpy.ma)
    c = cuts.tolist()
    return [(c[i], c[i + 1]) for i in range(len(c) - 1)]


class _Run:
    """Validated input of one engine run, processed chunk by chunk."""

    def __init__(
        self,
        values,
        series_offsets,
        rebase_group,
        improvement,
        targets,
        fix_after_n_points,
        screen_outliers,
        rule_length,
        two_in_three_beyond_limits,
        chunk_points,
        series_ids,
    ) -> None:
        self.o, self.options = _options(
            fix_after_n_points, screen_outliers, rule_length, two_in_three_beyond_limits
        )
        y = np.asarray(values, dtype=np.float64).reshape(-1)
        if not y.flags.c_contiguous:
            y = np.ascontiguousarray(y)
        self.y = y
        self.n = n = y.size
        off = np.asarray(series_offsets, dtype=np.int64).reshape(-1)
        if off.size < 1 or off[0] != 0 or off[-1] != n or np.any(np.diff(off) < 0):
            raise ValueError("series_offsets must rise from 0 to len(values)")
        self.off = off
        self.ns = ns = off.size - 1
        self.direction = direction_codes(improvement, ns)
        if targets is None:
            self.target = np.full(ns, np.nan)
        else:
            self.target = np.broadcast_to(np.asarray(targets, dtype=np.float64), (ns,)).copy()
        self.has_target = bool((~np.isnan(self.target)).any())
        if rebase_group is None:
            self.rg = None
        else:
            self.rg = np.asarray(rebase_group, dtype=np.int32).reshape(-1)
            if self.rg.size != n:
                raise ValueError("rebase_group must have one entry per value")
        self.chunk = max(1, int(chunk_points))
        self.series_ids = np.arange(ns) if series_ids is None else np.asarray(series_ids)
        self.ws = Workspace()

    def check_values(self, p0: int, p1: int) -> None:
        if np.isinf(self.y[p0:p1]).any():
            raise ValueError("values must be finite or NaN")

    def process(self, s0: int, s1: int, flags, sct, pt, ws: Workspace | None = None):
        """Process series s0..s1, writing per-point codes into the chunk-sized output arrays."""
        off, o = self.off, self.o
        ws = self.ws if ws is None else ws
        p0, p1 = int(off[s0]), int(off[s1])
        y = self.y[p0:p1]
        self.check_values(p0, p1)
        n = p1 - p0
        loff = off[s0 : s1 + 1] - p0
        slen = np.diff(loff)
        nonempty = slen > 0
        if self.rg is None:
            gstart = loff[:-1][nonempty]
            gseries = np.arange(s0, s1, dtype=np.int64)[nonempty]
            grebase = np.zeros(gstart.size, dtype=np.int32)
        else:
            rg = self.rg[p0:p1]
            first = np.zeros(n, dtype=bool)
            first[loff[:-1][nonempty]] = True
            first[1:] |= rg[1:] != rg[:-1]
            gstart = np.flatnonzero(first)
            gseries = s0 + np.searchsorted(loff, gstart, side="right") - 1
            grebase = rg[gstart]
        glen = np.diff(np.append(gstart, n))
        gdir = self.direction[gseries]
        stats = np.full((6, gstart.size), np.nan)
        for blk in _plan_blocks(gstart, glen, max(self.chunk, n)):
            if blk[0]:
                _, a, b = blk
                rows = int(glen[a])
                q0 = int(gstart[a])
                q1 = q0 + rows * (b - a)
                pad = ws.take("pad", (rows, b - a), np.float64)
                np.copyto(pad, y[q0:q1].reshape(b - a, rows).T)
                st, pts = _block(pad, gdir[a:b], o, ws)
                stats[:, a:b] = st
                for dst, src in zip((flags, sct, pt), pts, strict=True):
                    dst[q0:q1].reshape(b - a, rows)[...] = src.T
            else:
                idx = blk[1]
                lens = glen[idx]
                rows = int(lens.max())
                k = np.arange(rows)[:, None]
                mask = k < lens[None, :]
                flat = (gstart[idx][None, :] + k)[mask]
                pad = ws.take("pad", (rows, idx.size), np.float64)
                pad.fill(np.nan)
                pad[mask] = y[flat]
                st, pts = _block(pad, gdir[idx], o, ws)
                stats[:, idx] = st
                for dst, src in zip((flags, sct, pt), pts, strict=True):
                    dst[flat] = src[mask]

        # per series: the latest row decides
        variation = np.zeros(s1 - s0, dtype=np.uint8)
        assurance = np.zeros(s1 - s0, dtype=np.uint8)
        last = loff[1:][nonempty] - 1
        direction = self.direction[s0:s1][nonempty]
        variation[nonempty] = VARIATION_LUT[direction + 1, pt[last]]
        if self.has_target:
            lg = np.searchsorted(gstart, last, side="right") - 1
            t = self.target[s0:s1][nonempty]
            code = np.full(last.size, 3, dtype=np.uint8)  # inconsistent (limits/target missing)
            with np.errstate(invalid="ignore"):
                over = t > stats[3][lg]
                under = t < stats[2][lg]
            code[over & (direction == 1)] = 2
            code[over & (direction == -1)] = 1
            code[under & (direction == 1)] = 1
            code[under & (direction == -1)] = 2
            code[direction == 0] = 0
            assurance[nonempty] = code
        return gstart, gseries, grebase, stats, variation, assurance

    def result(self, s0, s1, values, flags, sct, pt, gstart, gseries, grebase, stats, var, ass):
        p0 = int(self.off[s0])
        n = int(self.off[s1]) - p0
        mean, amr, lpl, upl, nlpl, nupl = stats
        return SpcResult(
            values=values,
            special_cause_type=sct,
            point_type=pt,
            flags=flags,
            series_offsets=self.off[s0 : s1 + 1] - p0,
            group_offsets=np.append(gstart, n),
            group_series=(gseries - s0).astype(np.int32),
            group_rebase=grebase,
            group_mean=mean,
            group_amr=amr,
            group_lpl=lpl,
            group_upl=upl,
            group_nlpl=nlpl,
            group_nupl=nupl,
            series_ids=self.series_ids[s0:s1],
            improvement=self.direction[s0:s1],
            target=self.target[s0:s1],
            variation=var,
            assurance=ass,
            options=self.options,
            row_start=p0,
            series_start=s0,
        )


_RUN_DOC = """
    ``values``: float64, NaN = missing, rows sorted by (series, date). ``series_offsets``: int
    array of length n_series + 1 rising from 0 to len(values): series i is
    ``values[series_offsets[i]:series_offsets[i + 1]]``. ``rebase_group``: per point, constant or
    rising within a series (None: all 0); a change starts a new group. ``improvement``: direction
    name or code (+1 increase, -1 decrease, 0 neutral), scalar or one per series. ``targets``:
    None, a number, or one per series (NaN = none). ``fix_after_n_points``: None or >= 12.
    ``screen_outliers``, ``rule_length`` (trend and shift length, 7 in the reference) and
    ``two_in_three_beyond_limits`` (MDC 2023 variant) as in :func:`compute`. ``chunk_points``:
    about how many points are processed at once (whole series; a longer series alone).
    ``workers`` (compute_sorted, compute): threads processing chunks side by side (default 1).
"""


def compute_sorted(
    values,
    series_offsets,
    *,
    rebase_group=None,
    improvement=1,
    targets=None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    rule_length: int = 7,
    two_in_three_beyond_limits: bool = False,
    chunk_points: int = DEFAULT_CHUNK_POINTS,
    series_ids=None,
    workers: int = 1,
) -> SpcResult:
    run = _Run(
        values,
        series_offsets,
        rebase_group,
        improvement,
        targets,
        fix_after_n_points,
        screen_outliers,
        rule_length,
        two_in_three_beyond_limits,
        chunk_points,
        series_ids,
    )
    n, ns = run.n, run.ns
    flags = np.empty(n, dtype=np.uint8)
    sct = np.empty(n, dtype=np.uint8)
    pt = np.empty(n, dtype=np.uint8)
    parts = []
    variation = np.zeros(ns, dtype=np.uint8)
    assurance = np.zeros(ns, dtype=np.uint8)
    chunks = _series_chunks(run.off, run.chunk)

    def job(chunk, ws=None):
        s0, s1 = chunk
        p0, p1 = int(run.off[s0]), int(run.off[s1])
        return run.process(s0, s1, flags[p0:p1], sct[p0:p1], pt[p0:p1], ws)

    if workers > 1 and len(chunks) > 1:
        # chunks are independent and write disjoint slices; numpy releases the GIL in its loops
        import threading
        from concurrent.futures import ThreadPoolExecutor

        local = threading.local()

        def threaded(chunk):
            if not hasattr(local, "ws"):
                local.ws = Workspace()
            return job(chunk, local.ws)

        with ThreadPoolExecutor(max_workers=int(workers)) as pool:
            done = list(pool.map(threaded, chunks))
    else:
        done = [job(chunk) for chunk in chunks]
    for (s0, s1), (gstart, gseries, grebase, stats, var, ass) in zip(chunks, done, strict=True):
        parts.append((gstart + int(run.off[s0]), gseries, grebase, stats))
        variation[s0:s1] = var
        assurance[s0:s1] = ass
    if parts:
        gstart = np.concatenate([p[0] for p in parts])
        gseries = np.concatenate([p[1] for p in parts])
        grebase = np.concatenate([p[2] for p in parts])
        stats = np.concatenate([p[3] for p in parts], axis=1)
    else:
        gstart = gseries = np.zeros(0, dtype=np.int64)
        grebase = np.zeros(0, dtype=np.int32)
        stats = np.zeros((6, 0))
    return run.result(
        0, ns, run.y, flags, sct, pt, gstart, gseries, grebase, stats, variation, assurance
    )


compute_sorted.__doc__ = (
    """Run the engine on rows sorted by (series, date); returns an :class:`SpcResult`.
"""
    + _RUN_DOC
)


def iter_compute_sorted(
    values,
    series_offsets,
    *,
    rebase_group=None,
    improvement=1,
    targets=None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    rule_length: int = 7,
    two_in_three_beyond_limits: bool = False,
    chunk_points: int = DEFAULT_CHUNK_POINTS,
    series_ids=None,
    copy: bool = False,
):
    run = _Run(
        values,
        series_offsets,
        rebase_group,
        improvement,
        targets,
        fix_after_n_points,
        screen_outliers,
        rule_length,
        two_in_three_beyond_limits,
        chunk_points,
        series_ids,
    )
    for s0, s1 in _series_chunks(run.off, run.chunk):
        p0, p1 = int(run.off[s0]), int(run.off[s1])
        size = (1, p1 - p0)
        flags = run.ws.take("out_flags", size, np.uint8)[0]
        sct = run.ws.take("out_sct", size, np.uint8)[0]
        pt = run.ws.take("out_pt", size, np.uint8)[0]
        parts = run.process(s0, s1, flags, sct, pt)
        if copy:
            flags, sct, pt = flags.copy(), sct.copy(), pt.copy()
        yield run.result(s0, s1, run.y[p0:p1], flags, sct, pt, *parts)


iter_compute_sorted.__doc__ = (
    """Like :func:`compute_sorted`, but yields one :class:`SpcResult` per chunk of whole series,
    so that memory stays bounded whatever the input size. Offsets in a chunk result are relative
    to the chunk (``row_start``, ``series_start`` locate it). Unless ``copy=True``, the per-point
    code arrays of a chunk are reused buffers, overwritten by the next chunk.
"""
    + _RUN_DOC
)


# ---------------------------------------------------------------------------------------------
# Convenience: any order, series labels, dates
# ---------------------------------------------------------------------------------------------


def _day_numbers(dates) -> np.ndarray:
    arr = np.asarray(dates)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[D]").view(np.int64)
    return np.asarray(arr, dtype="datetime64[D]").view(np.int64)


def _factorize(ids) -> tuple[np.ndarray, np.ndarray]:
    """(unique labels sorted, code per row)."""
    arr = np.asarray(ids)
    if arr.size == 0:
        return arr, np.zeros(0, dtype=np.int64)
    if arr.dtype.kind in "iufUSb":
        same = arr[1:] == arr[:-1]
        if np.all(same | (arr[1:] > arr[:-1])):  # already sorted: no sort needed
            change = np.concatenate(([True], ~same))
            return arr[change], np.cumsum(change.view(np.uint8), dtype=np.int64) - 1
    uniq, codes = np.unique(arr, return_inverse=True)
    return uniq, codes.reshape(-1)


def compute(
    series_ids,
    dates,
    values,
    *,
    rebase_dates=None,
    improvement="increase",
    targets=None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    rule_length: int = 7,
    two_in_three_beyond_limits: bool = False,
    chunk_points: int = DEFAULT_CHUNK_POINTS,
    workers: int = 1,
) -> SpcResult:
    """XmR chart statistics and Making Data Count rules for many series at once.

    ``series_ids``: one label per row (None: a single series, labelled ``"no facet"``).
    ``dates``: one date per row, unique within a series. ``values``: numbers, NaN = missing.
    ``rebase_dates``: None, a sequence of dates for every series, or a mapping series label ->
    sequence of dates. A rebase date starts a new group; dates absent from a series are ignored.
    ``improvement``: ``"increase"`` (default, as the reference), ``"decrease"``, ``"neutral"``,
    or a mapping series label -> direction (every series must be present).
    ``targets``: None, a number for every series, or a mapping series label -> number (a series
    absent from the mapping or mapped to None has no target).

    Rows may come in any order; the per-point arrays of the result follow the input rows.
    Raises ``ValueError`` on a duplicate date within a series.
    """
    vals = np.asarray(values, dtype=np.float64).reshape(-1)
    n = vals.size
    days = _day_numbers(dates).reshape(-1)
    if series_ids is None:
        uniq, codes = np.array(["no facet"]), np.zeros(n, dtype=np.int64)
        if n == 0:
            uniq = uniq[:0]
    else:
        uniq, codes = _factorize(series_ids)
        codes = codes.reshape(-1)
    if days.size != n or codes.size != n:
        raise ValueError("series_ids, dates and values must have the same length")
    ns = uniq.size

    dcodes = np.diff(codes)
    ddays = np.diff(days)
    if np.all((dcodes > 0) | ((dcodes == 0) & (ddays > 0))):
        order = None
    else:
        order = np.lexsort((days, codes))
        codes, days, vals = codes[order], days[order], vals[order]
        dup = (codes[1:] == codes[:-1]) & (days[1:] == days[:-1])
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise ValueError(f"duplicate date within series {uniq[codes[i]]!r}")
    off = np.searchsorted(codes, np.arange(ns + 1), side="left")

    rebase_group = None
    if rebase_dates is not None:
        if isinstance(rebase_dates, Mapping):
            pos = {k: i for i, k in enumerate(uniq.tolist())}
            keys = []
            for sid, ds in rebase_dates.items():
                if sid in pos and ds is not None and len(ds):
                    keys.append(pos[sid] * (1 << 32) + (_day_numbers(ds).reshape(-1) + (1 << 31)))
            if keys:
                allkeys = np.concatenate(keys)
                hit = np.isin(codes * (1 << 32) + (days + (1 << 31)), allkeys)
            else:
                hit = np.zeros(n, dtype=bool)
        else:
            hit = np.isin(days, _day_numbers(rebase_dates).reshape(-1))
        csum = np.cumsum(hit.view(np.uint8), dtype=np.int64)  # (a bool cumsum is slow)
        before = np.concatenate(([0], csum))[off[:-1]]  # rebase count before each series
        rebase_group = (csum - np.repeat(before, np.diff(off))).astype(np.int32)

    if isinstance(improvement, Mapping):
        try:
            direction = [direction_code(improvement[k]) for k in uniq.tolist()]
        except KeyError as e:
            raise ValueError(f"no improvement direction for series {e.args[0]!r}") from None
    else:
        direction = improvement
    if isinstance(targets, Mapping):
        target = np.array(
            [np.nan if targets.get(k) is None else float(targets[k]) for k in uniq.tolist()],
            dtype=np.float64,
        )
    else:
        target = targets

    res = compute_sorted(
        vals,
        off,
        rebase_group=rebase_group,
        improvement=direction,
        targets=target,
        fix_after_n_points=fix_after_n_points,
        screen_outliers=screen_outliers,
        rule_length=rule_length,
        two_in_three_beyond_limits=two_in_three_beyond_limits,
        chunk_points=chunk_points,
        series_ids=uniq,
        workers=workers,
    )
    if order is not None:
        inv = np.empty_like(order)
        inv[order] = np.arange(n)
        res.values = np.asarray(values, dtype=np.float64).reshape(-1)
        res.flags = res.flags[inv]
        res.special_cause_type = res.special_cause_type[inv]
        res.point_type = res.point_type[inv]
        res.order = order
    return res
