"""Vectorised XmR statistical process control engine (Making Data Count rules).

Pure numpy: no pandas, no Django. The default output is identical, bit for bit, to the NHS-R
package NHSRplotthedots 0.2.2 ``ptd_spc()`` (see ``shared/SPC.md``).

Public API
----------
``compute(series_ids, dates, values, *, rebase_dates=None, improvement="increase", targets=None,
fix_after_n_points=None, screen_outliers=True, rule_length=7, two_in_three_beyond_limits=False)``
    Any order of rows; returns an :class:`SpcResult` whose per-point arrays are aligned with the
    input rows. Dates are anything numpy turns into ``datetime64[D]`` (``datetime.date``,
    ``"YYYY-MM-DD"`` strings, ``datetime64``) or integer day numbers.

``compute_sorted(values, series_offsets, *, rebase_group=None, improvement=1, targets=None, ...)``
    The engine itself, for rows already sorted by (series, date): series ``i`` is
    ``values[series_offsets[i]:series_offsets[i + 1]]``. ``improvement`` and ``targets`` are
    scalars or per-series arrays (direction codes +1/-1/0, targets NaN = none).

Example::

    >>> import numpy as np
    >>> from dashboard.spc.engine import compute
    >>> r = compute(["A"] * 15, np.arange(15) + 18262, [1.0] * 14 + [9.0], targets={"A": 20.0})
    >>> r.labels("special_cause_type")[-1], r.labels("point_type")[-1]
    ('Above UCL', 'special_cause_improvement')
    >>> r.series_labels("variation"), r.series_labels("assurance")
    (['improvement_high'], ['consistent_fail'])

Codes and labels (``code -> LABELS[code]``):

* ``special_cause_type``: ``SPECIAL_CAUSE_TYPES`` 0 ``Common Cause``, 1 ``Above UCL``,
  2 ``Below LCL``, 3 ``7 Point Trend (Increasing)``, 4 ``7 Point Trend (Decreasing)``,
  5 ``2 in 3 Above CL``, 6 ``2 in 3 Below CL``, 7 ``7 Points Above CL``, 8 ``7 Points Below CL``
  (with ``rule_length=6`` the labels say 6; see ``SpcResult.special_cause_labels``).
* ``point_type``: ``POINT_TYPES`` 0 ``common_cause``, 1 ``special_cause_improvement``,
  2 ``special_cause_concern``, 3 ``special_cause_neutral_high``, 4 ``special_cause_neutral_low``.
* ``variation`` (per series): ``VARIATIONS`` 0 ``common_cause``, 1 ``improvement_high``,
  2 ``improvement_low``, 3 ``concern_high``, 4 ``concern_low``, 5 ``neutral_high``,
  6 ``neutral_low``.
* ``assurance`` (per series): ``ASSURANCES`` 0 ``""`` (none), 1 ``consistent_pass``,
  2 ``consistent_fail``, 3 ``inconsistent``.
* improvement direction: ``IMPROVEMENT_CODES`` increase +1, decrease -1, neutral 0.

Missing values (NaN) are allowed anywhere: never flagged, and they break every run, trend, window
and moving range they fall in. Per-point booleans that are missing in the reference (NA) are
``False`` here, with the masks ``limits_missing`` / ``relative_missing`` telling which.

Design
------
Groups (series x rebase group) are processed in blocks of about ``chunk_points`` cells. A block is a
padded matrix of shape (rows, groups): column j holds group j's points in date order, padded with
NaN. Every rolling rule is then a window along axis 0 (shifted slices combined with ``&``/``|``),
which cannot cross a group boundary or a missing value because both are NaN. Means follow R's
``mean()``: an x87 extended-precision sequential sum, divide by n, a correction pass, rounding to
double. The sequential sum is ``numpy.sum(axis=0, dtype=longdouble)`` over the padded matrix (numpy
adds row after row; checked at import). The correction pass is only run for groups where it can
change the double result: an error bound shows that elsewhere the rounded first-pass mean is
already R's answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "ASSURANCES",
    "IMPROVEMENT_CODES",
    "POINT_TYPES",
    "SHORT_GROUP_THRESHOLD",
    "SPECIAL_CAUSE_TYPES",
    "VARIATIONS",
    "SpcResult",
    "compute",
    "compute_sorted",
    "special_cause_labels",
]

LD = np.longdouble

# ---------------------------------------------------------------------------------------------
# Labels and codes
# ---------------------------------------------------------------------------------------------


def special_cause_labels(rule_length: int = 7) -> tuple[str, ...]:
    """Labels of the special cause codes for a given trend/shift rule length."""
    n = int(rule_length)
    return (
        "Common Cause",
        "Above UCL",
        "Below LCL",
        f"{n} Point Trend (Increasing)",
        f"{n} Point Trend (Decreasing)",
        "2 in 3 Above CL",
        "2 in 3 Below CL",
        f"{n} Points Above CL",
        f"{n} Points Below CL",
    )


SPECIAL_CAUSE_TYPES = special_cause_labels(7)
COMMON_CAUSE, ABOVE_UCL, BELOW_LCL, TREND_UP, TREND_DOWN, TWO_IN_3_ABOVE, TWO_IN_3_BELOW = range(7)
SHIFT_ABOVE, SHIFT_BELOW = 7, 8

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCES = ("", "consistent_pass", "consistent_fail", "inconsistent")
IMPROVEMENT_CODES = {"increase": 1, "decrease": -1, "neutral": 0}
SHORT_GROUP_THRESHOLD = 13  # ptd_spc.warning_threshold

# sense of each special cause code: +1 Above/Increasing, -1 Below/Decreasing, 0 Common Cause
_SENSE = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)
# point type by [direction + 1, special cause code]
_POINT_TYPE_LUT = np.empty((3, 9), dtype=np.uint8)
for _d in (-1, 0, 1):
    for _c, _s in enumerate(_SENSE):
        if _s == 0:
            _pt = 0
        elif _d == 0:
            _pt = 3 if _s > 0 else 4
        else:
            _pt = 1 if _s * _d > 0 else 2
        _POINT_TYPE_LUT[_d + 1, _c] = _pt
# variation by [direction + 1, point type]
_VARIATION_LUT = np.array(
    [
        [0, 2, 3, 5, 6],  # decrease: improvement -> improvement_low, concern -> concern_high
        [0, 0, 0, 5, 6],  # neutral
        [0, 1, 4, 5, 6],  # increase: improvement -> improvement_high, concern -> concern_low
    ],
    dtype=np.uint8,
)

# Constants exactly as the reference writes them.
_K_LIMIT = 2.66
_K_SCREEN = 3.267
_K_NEAR = 2 * (2.66 / 3)

# ---------------------------------------------------------------------------------------------
# R's mean()
# ---------------------------------------------------------------------------------------------

_U = float(np.finfo(LD).eps) / 2  # unit roundoff of long double (2**-64 on x86)


def _check_sequential_sum() -> bool:
    """True if numpy's axis-0 longdouble sum of a 2-D array adds row after row (as R does)."""
    rng = np.random.default_rng(12345)
    x = rng.normal(size=(257, 3)) * 10.0 ** rng.integers(-15, 15, size=(257, 3))
    fast = np.sum(x, axis=0, dtype=LD)
    slow = np.cumsum(x, axis=0, dtype=LD)[-1]  # accumulate is sequential by definition
    return bool(np.array_equal(fast, slow))


_SUM_AXIS0_SEQUENTIAL = _check_sequential_sum()


def _seq_sum(z: np.ndarray) -> np.ndarray:
    """Sequential extended-precision sum of each column of a 2-D float array."""
    if z.shape[0] == 0:
        return np.zeros(z.shape[1], dtype=LD)
    if _SUM_AXIS0_SEQUENTIAL and z.shape[1] >= 2:
        return np.sum(z, axis=0, dtype=LD)
    # a single column would be summed pairwise by numpy; accumulate is always sequential
    return np.cumsum(z, axis=0, dtype=LD)[-1]


def _r_mean(x: np.ndarray, valid: np.ndarray, n: np.ndarray, abs_mean: np.ndarray | None = None):
    """R's ``mean(x, na.rm = TRUE)`` of every column of ``x`` (rows = points, NaN = missing).

    ``valid`` is ``~isnan(x)``, ``n`` its column counts. ``abs_mean`` is the mean of |x| per column
    when the caller knows it (None: x is non-negative, so it is the mean itself).
    """
    z = np.where(valid, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = _seq_sum(z) / n  # long double, as R: s /= n
        d = s.astype(np.float64)
        if abs_mean is None:
            a = np.abs(d)
        else:
            a = abs_mean
        a = a * (1 + 2.0**-40)
        # |R's corrected value - s| <= (2n + 1) u A + (n + 2) u |s| (recursive summation bounds);
        # take (2n + 8) u (A + |s|), and check that no rounding boundary of doubles lies that
        # close to s: then R's correction pass cannot change the double it returns.
        w = ((2.0 * n + 8.0) * _U) * (a + np.abs(d)) * (1 + 2.0**-30)
        dl = d.astype(LD)
        hi_mid = dl + (np.nextafter(d, np.inf).astype(LD) - dl) * 0.5
        lo_mid = dl - (dl - np.nextafter(d, -np.inf).astype(LD)) * 0.5
        wl = w.astype(LD)
        safe = (s - wl > lo_mid) & (s + wl < hi_mid)
        # bounds use relative errors: keep away from the subnormal range
        safe &= (a + np.abs(d) >= 2.0**-900) | (a == 0)
    unsafe = np.flatnonzero(~safe & (n > 0))
    if unsafe.size:
        xs = x[:, unsafe]
        vs = valid[:, unsafe]
        ss = s[unsafe]
        dev = np.subtract(xs, ss, dtype=LD)  # (x - s) in long double
        dev[~vs] = 0
        t = _seq_sum(dev)
        d[unsafe] = (ss + t / n[unsafe]).astype(np.float64)
    d[n == 0] = np.nan
    return d + 0.0  # R never returns -0


# ---------------------------------------------------------------------------------------------
# Window helpers (axis 0 of 2-D boolean arrays)
# ---------------------------------------------------------------------------------------------


def _window(a: np.ndarray, w: int, op) -> np.ndarray:
    """r[i] = op-reduction of a[i:i + w] along axis 0; shape (len(a) - w + 1, ...)."""
    n = a.shape[0]
    if w > n:
        return np.zeros((0,) + a.shape[1:], dtype=bool)
    r, span = a, 1
    while span * 2 <= w:
        r = op(r[:-span], r[span:])
        span *= 2
    rest = w - span
    if rest:
        r = op(r[: r.shape[0] - rest], r[rest:])
    return r


def _window_all(a: np.ndarray, w: int) -> np.ndarray:
    return _window(a, w, np.logical_and)


def _members(starts: np.ndarray, w: int, rows: int) -> np.ndarray:
    """Points covered by a qualifying window: starts[e] flags window a[e:e + w]; shape (rows, ...)."""
    out = np.zeros((rows + w - 1,) + starts.shape[1:], dtype=bool)
    out[w - 1 : w - 1 + starts.shape[0]] = starts
    return _window(out, w, np.logical_or)


# ---------------------------------------------------------------------------------------------
# One block: padded matrix (rows, groups)
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Opts:
    fix: int | None
    screen: bool
    rule: int
    beyond: bool


def _block(y: np.ndarray, direction: np.ndarray, o: _Opts):
    """Statistics and rules for a padded block ``y`` (rows = points, columns = groups, NaN pad).

    ``direction`` is the improvement code per column. Returns per-column stats and per-point arrays.
    """
    rows, g = y.shape
    f = y if o.fix is None else y[: o.fix]
    fvalid = ~np.isnan(f)
    fn = np.count_nonzero(fvalid, axis=0)
    with np.errstate(invalid="ignore"):
        fabs = np.where(fvalid, np.abs(f), 0.0).sum(axis=0) / fn
    mean = _r_mean(f, fvalid, fn, fabs)

    mr = np.abs(f[1:] - f[:-1])
    mvalid = ~np.isnan(mr)
    mn = np.count_nonzero(mvalid, axis=0)
    amr = _r_mean(mr, mvalid, mn)
    if o.screen:
        with np.errstate(invalid="ignore"):
            keep = mr < _K_SCREEN * amr
        kn = np.count_nonzero(keep, axis=0)
        changed = np.flatnonzero(kn != mn)
        if changed.size:
            sub_keep = keep[:, changed]
            sub = np.where(sub_keep, mr[:, changed], np.nan)
            amr[changed] = _r_mean(sub, sub_keep, kn[changed])
    lpl = mean - _K_LIMIT * amr
    upl = mean + _K_LIMIT * amr
    nlpl = mean - _K_NEAR * amr
    nupl = mean + _K_NEAR * amr

    with np.errstate(invalid="ignore"):
        above = y > mean
        below = y < mean
        outside = (y > upl) | (y < lpl)
        near = (y < nlpl) | (y > nupl)
    close = near & ~outside
    rel = above.view(np.int8) - below.view(np.int8)

    rule = o.rule
    # trend: rule - 1 consecutive strictly rising (falling) differences
    with np.errstate(invalid="ignore"):
        inc = y[1:] > y[:-1]
        dec = y[1:] < y[:-1]
    tw = _window_all(inc, rule - 1) | _window_all(dec, rule - 1)
    trend = _members(tw, rule, rows)
    # direction: sign(next - this) if this and next are in a trend, else sign(this - previous)
    up = np.zeros((rows, g), dtype=bool)
    up[1:] = inc
    if rows > 1:
        both = trend[:-1] & trend[1:]
        up[:-1] = np.where(both, inc, up[:-1])
    # shift: rule points on the same side of the mean
    sw = _window_all(above, rule) | _window_all(below, rule)
    shift = _members(sw, rule, rows)
    # two in three: windows of 3 on one side with at least 2 close (or beyond, 2023 variant)
    c = near if o.beyond else close
    if rows >= 3:
        c8 = c.view(np.uint8)
        ge2 = (c8[:-2] + c8[1:-1] + c8[2:]) >= 2
        q = ge2 & (_window_all(above, 3) | _window_all(below, 3))
        two3 = c & _members(q, 3, rows)
    else:
        two3 = np.zeros((rows, g), dtype=bool)

    # precedence: outside > trend > two in three > shift > common cause
    b8 = below.view(np.uint8)
    sct = shift.view(np.uint8) * (SHIFT_ABOVE + b8)
    sct = np.where(two3, TWO_IN_3_ABOVE + b8, sct)
    sct = np.where(trend, TREND_DOWN - up.view(np.uint8), sct)
    sct = np.where(outside, BELOW_LCL - above.view(np.uint8), sct).astype(np.uint8, copy=False)
    if g and np.all(direction == direction[0]):
        pt = _POINT_TYPE_LUT[int(direction[0]) + 1].take(sct)
    else:
        pt = _POINT_TYPE_LUT.reshape(-1).take(sct + (9 * (direction + 1)).astype(np.uint8))
    stats = (mean, amr, lpl, upl, nlpl, nupl)
    points = (rel, outside, close, sct, pt)
    return stats, points


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class SpcResult:
    """Result of :func:`compute` / :func:`compute_sorted`.

    Per point (aligned with the input rows): ``values``, ``series`` (index into ``series_ids``),
    ``group`` (index into the ``group_*`` arrays), ``relative_to_mean`` (int8 -1/0/1),
    ``outside_limits``, ``close_to_limits`` (bool), ``special_cause_type`` and ``point_type``
    (uint8 codes). Properties give ``rebase_group``, ``mean``, ``lpl``, ``upl``, ``nlpl``,
    ``nupl``, ``short_group_warning`` and the missing masks per point.

    Per group (series x rebase group, in sorted order): ``group_series``, ``group_rebase``,
    ``group_n`` (rows), ``group_mean``, ``group_amr`` (after screening), ``group_lpl``,
    ``group_upl``, ``group_nlpl``, ``group_nupl``.

    Per series: ``series_ids``, ``series_n`` (rows), ``improvement`` (+1/-1/0), ``target`` (NaN =
    none), ``variation`` and ``assurance`` (codes), ``last_point`` (row of the latest date).

    ``options`` names every option used, ``non_default`` those that leave the reference.
    """

    values: np.ndarray
    series: np.ndarray
    group: np.ndarray
    relative_to_mean: np.ndarray
    outside_limits: np.ndarray
    close_to_limits: np.ndarray
    special_cause_type: np.ndarray
    point_type: np.ndarray
    group_series: np.ndarray
    group_rebase: np.ndarray
    group_n: np.ndarray
    group_mean: np.ndarray
    group_amr: np.ndarray
    group_lpl: np.ndarray
    group_upl: np.ndarray
    group_nlpl: np.ndarray
    group_nupl: np.ndarray
    series_ids: np.ndarray
    series_n: np.ndarray
    improvement: np.ndarray
    target: np.ndarray
    variation: np.ndarray
    assurance: np.ndarray
    last_point: np.ndarray
    options: dict[str, Any]

    # -- per point, derived -------------------------------------------------------------------
    @property
    def rebase_group(self) -> np.ndarray:
        return self.group_rebase[self.group]

    @property
    def mean(self) -> np.ndarray:
        return self.group_mean[self.group]

    @property
    def lpl(self) -> np.ndarray:
        return self.group_lpl[self.group]

    @property
    def upl(self) -> np.ndarray:
        return self.group_upl[self.group]

    @property
    def nlpl(self) -> np.ndarray:
        return self.group_nlpl[self.group]

    @property
    def nupl(self) -> np.ndarray:
        return self.group_nupl[self.group]

    @property
    def short_group_warning(self) -> np.ndarray:
        """True where the point's group has fewer than 13 rows (trial limits)."""
        return (self.group_n < SHORT_GROUP_THRESHOLD)[self.group]

    @property
    def value_missing(self) -> np.ndarray:
        return np.isnan(self.values)

    @property
    def relative_missing(self) -> np.ndarray:
        """Where ``relative_to_mean`` is missing (NA in the reference)."""
        return np.isnan(self.values) | np.isnan(self.mean)

    @property
    def limits_missing(self) -> np.ndarray:
        """Where ``outside_limits`` and ``close_to_limits`` are missing (NA in the reference)."""
        return np.isnan(self.values) | np.isnan(self.lpl)

    @property
    def special_cause_labels(self) -> tuple[str, ...]:
        return special_cause_labels(self.options["rule_length"])

    _LABELS = {
        "point_type": POINT_TYPES,
        "variation": VARIATIONS,
        "assurance": ASSURANCES,
    }

    def labels(self, name: str) -> list[str]:
        """Per-point labels of ``special_cause_type`` or ``point_type``."""
        table = self.special_cause_labels if name == "special_cause_type" else self._LABELS[name]
        return np.asarray(table, dtype=object)[getattr(self, name)].tolist()

    def series_labels(self, name: str) -> list[str]:
        """Per-series labels of ``variation`` or ``assurance``."""
        return np.asarray(self._LABELS[name], dtype=object)[getattr(self, name)].tolist()


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
    o = _Opts(fix_after_n_points, bool(screen_outliers), rule_length, bool(two_in_three_beyond_limits))
    return o, options


def _direction_codes(improvement, n_series: int) -> np.ndarray:
    if isinstance(improvement, str):
        improvement = _direction_code(improvement)
    arr = np.asarray(improvement)
    if arr.dtype.kind in "UO":
        arr = np.array([_direction_code(v) for v in arr.ravel()], dtype=np.int8)
    arr = np.broadcast_to(arr.astype(np.int8), (n_series,)).copy()
    if not np.isin(arr, (-1, 0, 1)).all():
        raise ValueError("improvement codes must be +1 (increase), -1 (decrease) or 0 (neutral)")
    return arr


def _direction_code(v) -> int:
    if isinstance(v, str):
        try:
            return IMPROVEMENT_CODES[v]
        except KeyError:
            raise ValueError(
                f"improvement direction must be increase, decrease or neutral, not {v!r}"
            ) from None
    return int(v)


def _plan_blocks(gstart: np.ndarray, glen: np.ndarray, chunk: int):
    """Split the groups into blocks: (uniform, a, b) for contiguous runs of groups of one
    length, or (False, group indices) for groups of similar lengths gathered together."""
    ng = glen.size
    if ng == 0:
        return []
    blocks = []
    if glen.min() == glen.max():
        per = max(1, chunk // max(1, int(glen[0])))
        for a in range(0, ng, per):
            blocks.append((True, a, min(ng, a + per)))
        return blocks
    # classes of lengths within a factor of two, so that padding at most doubles the cells
    cls = np.ceil(np.log2(np.maximum(glen, 1))).astype(np.int64)
    order = np.argsort(cls, kind="stable")
    cls_sorted = cls[order]
    bounds = np.flatnonzero(np.diff(cls_sorted)) + 1
    for members in np.split(order, bounds):
        top = int(glen[members].max())
        per = max(1, chunk // max(1, top))
        for a in range(0, members.size, per):
            blocks.append((False, members[a : a + per]))
    return blocks


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
) -> SpcResult:
    """Run the engine on rows sorted by (series, date).

    ``values``: float64, NaN = missing. ``series_offsets``: int array of length n_series + 1,
    starting at 0 and ending at len(values). ``rebase_group``: per point, non-decreasing within a
    series (None: all 0). ``improvement``: direction code or name, scalar or per series.
    ``targets``: None, a number or a per-series array (NaN = no target for that series).
    """
    o, options = _options(fix_after_n_points, screen_outliers, rule_length, two_in_three_beyond_limits)
    y = np.ascontiguousarray(values, dtype=np.float64)
    if np.isinf(y).any():
        raise ValueError("values must be finite or NaN")
    n = y.size
    off = np.asarray(series_offsets, dtype=np.int64)
    if off.ndim != 1 or off.size < 1 or off[0] != 0 or off[-1] != n or np.any(np.diff(off) < 0):
        raise ValueError("series_offsets must rise from 0 to len(values)")
    ns = off.size - 1
    series_n = np.diff(off)
    direction = _direction_codes(improvement, ns)
    if targets is None:
        target = np.full(ns, np.nan)
        has_target = False
    else:
        target = np.broadcast_to(np.asarray(targets, dtype=np.float64), (ns,)).copy()
        has_target = bool((~np.isnan(target)).any())

    # series index per point and group boundaries
    series = np.repeat(np.arange(ns, dtype=np.int32), series_n)
    first = np.zeros(n, dtype=bool)
    first[off[:-1][series_n > 0]] = True
    if rebase_group is None:
        rg = None
        gfirst = first
    else:
        rg = np.asarray(rebase_group, dtype=np.int32)
        if rg.shape != (n,):
            raise ValueError("rebase_group must have one entry per value")
        gfirst = first.copy()
        gfirst[1:] |= rg[1:] != rg[:-1]
    gstart = np.flatnonzero(gfirst)
    ng = gstart.size
    glen = np.diff(np.append(gstart, n))
    group = (np.cumsum(gfirst, dtype=np.int64) - 1).astype(np.int32)
    gseries = series[gstart] if ng else np.zeros(0, dtype=np.int32)
    grebase = rg[gstart] if rg is not None else np.zeros(ng, dtype=np.int32)
    gdir = direction[gseries]

    stats = np.full((6, ng), np.nan)
    rel = np.zeros(n, dtype=np.int8)
    outside = np.zeros(n, dtype=bool)
    close = np.zeros(n, dtype=bool)
    sct = np.zeros(n, dtype=np.uint8)
    pt = np.zeros(n, dtype=np.uint8)
    outs = (rel, outside, close, sct, pt)

    for blk in _plan_blocks(gstart, glen, int(chunk_points)):
        if blk[0]:
            _, a, b = blk
            rows = int(glen[a])
            p0, p1 = int(gstart[a]), int(gstart[a]) + rows * (b - a)
            pad = np.ascontiguousarray(y[p0:p1].reshape(b - a, rows).T)
            cols = slice(a, b)
            st, pts = _block(pad, gdir[a:b], o)
            stats[:, cols] = st
            for dst, src in zip(outs, pts, strict=True):
                dst[p0:p1].reshape(b - a, rows)[...] = src.T
        else:
            idx = blk[1]
            lens = glen[idx]
            rows = int(lens.max())
            k = np.arange(rows)[:, None]
            mask = k < lens[None, :]
            flat = (gstart[idx][None, :] + k)[mask]
            pad = np.full((rows, idx.size), np.nan)
            pad[mask] = y[flat]
            st, pts = _block(pad, gdir[idx], o)
            stats[:, idx] = st
            for dst, src in zip(outs, pts, strict=True):
                dst[flat] = src[mask]

    mean, amr, lpl, upl, nlpl, nupl = stats
    # per series: the latest row decides
    nonempty = series_n > 0
    last = np.where(nonempty, off[1:] - 1, -1)
    variation = np.zeros(ns, dtype=np.uint8)
    assurance = np.zeros(ns, dtype=np.uint8)
    lp = last[nonempty]
    variation[nonempty] = _VARIATION_LUT[direction[nonempty] + 1, pt[lp]]
    if has_target:
        lg = group[lp]
        t = target[nonempty]
        d = direction[nonempty]
        a_code = np.full(lp.size, 3, dtype=np.uint8)  # inconsistent (limits or target missing)
        with np.errstate(invalid="ignore"):
            over = t > upl[lg]
            under = t < lpl[lg]
        a_code[over & (d == 1)] = 2
        a_code[over & (d == -1)] = 1
        a_code[under & (d == 1)] = 1
        a_code[under & (d == -1)] = 2
        a_code[d == 0] = 0
        assurance[nonempty] = a_code
    if series_ids is None:
        series_ids = np.arange(ns)
    return SpcResult(
        values=y,
        series=series,
        group=group,
        relative_to_mean=rel,
        outside_limits=outside,
        close_to_limits=close,
        special_cause_type=sct,
        point_type=pt,
        group_series=gseries,
        group_rebase=grebase,
        group_n=glen,
        group_mean=mean,
        group_amr=amr,
        group_lpl=lpl,
        group_upl=upl,
        group_nlpl=nlpl,
        group_nupl=nupl,
        series_ids=np.asarray(series_ids),
        series_n=series_n,
        improvement=direction,
        target=target,
        variation=variation,
        assurance=assurance,
        last_point=last,
        options=options,
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
            return arr[change], np.cumsum(change) - 1
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
        csum = np.cumsum(hit, dtype=np.int64)
        before = np.concatenate(([0], csum))[off[:-1]]  # rebase count before each series
        rebase_group = (csum - np.repeat(before, np.diff(off))).astype(np.int32)

    if isinstance(improvement, Mapping):
        try:
            direction = [_direction_code(improvement[k]) for k in uniq.tolist()]
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
    )
    if order is not None:
        inv = np.empty_like(order)
        inv[order] = np.arange(n)
        for name in (
            "values",
            "series",
            "group",
            "relative_to_mean",
            "outside_limits",
            "close_to_limits",
            "special_cause_type",
            "point_type",
        ):
            setattr(res, name, getattr(res, name)[inv])
        res.last_point = np.where(res.last_point >= 0, order[res.last_point], -1)
    return res
