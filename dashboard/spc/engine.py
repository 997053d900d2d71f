"""Vectorised XmR statistical process control engine (Making Data Count rules).

Pure numpy: no pandas, no Django. The default output is identical, bit for bit, to the NHS-R
package NHSRplotthedots 0.2.2 ``ptd_spc()`` (see ``shared/SPC.md``).

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

``r_mean(x)``
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

Codes and labels (``code -> LABELS[code]``):

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
    "iter_compute_sorted",
    "offsets_from_index",
    "r_mean",
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
    k = np.arange(257 * 3, dtype=np.float64).reshape(257, 3)
    x = np.sin(k * 1.7) * 10.0 ** ((k * 7) % 31 - 15)  # wide exponents: order matters
    fast = np.sum(x, axis=0, dtype=LD)
    slow = np.cumsum(x, axis=0, dtype=LD)[-1]  # accumulate is sequential by definition
    return bool(np.array_equal(fast, slow))


_SUM_AXIS0_SEQUENTIAL = _check_sequential_sum()


def _seq_sum(z: np.ndarray) -> np.ndarray:
    """Sequential extended-precision sum of each column of a 2-D float array."""
    if z.shape[0] == 0:
        return np.zeros(z.shape[1], dtype=LD)
    if _SUM_AXIS0_SEQUENTIAL and z.shape[1] >= 2:
        # C order only: on a column-major array (e.g. columns picked by fancy indexing) numpy
        # would sum each column pairwise, as it does for contiguous runs
        return np.sum(np.ascontiguousarray(z), axis=0, dtype=LD)
    # a single column would be summed pairwise by numpy; accumulate is always sequential
    return np.cumsum(z, axis=0, dtype=LD)[-1]


def _low_bit_exponent(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per column, an exponent e such that every value of the column is a multiple of 2**e.

    From the smallest non-zero magnitude m (a double of exponent k has no bit below 2**(k - 53));
    integer-valued columns get at least 0 when that helps.
    """
    with np.errstate(invalid="ignore"):
        m = np.where(lo > 0, lo, np.where(hi < 0, -hi, np.nan))
        mixed = np.flatnonzero(np.isnan(m) & ~np.isnan(lo))
        if mixed.size:
            a = np.abs(y[:, mixed])
            m[mixed] = np.where(a > 0, a, np.inf).min(axis=0)
    e = np.frexp(np.where(np.isfinite(m), m, 1.0))[1].astype(np.int64) - 53
    e[~np.isfinite(m)] = 0  # no non-zero value: any exponent will do
    return e


def _exact_columns(n: np.ndarray, amax: np.ndarray, e_low: np.ndarray) -> np.ndarray:
    """Columns whose values, scaled by 2**-e_low, are integers whose sums fit in int64 (and so
    in the 64-bit significand of long double: R's sequential sum there is exact)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return (e_low >= -1000) & (e_low <= 1000) & (np.ldexp(amax * n, -e_low) < 2.0**62)


def _finish_mean(total, n, x, valid, lo, hi, exact, need=None):
    """R's ``mean()`` from its first-pass sums: ``s = sum / n`` then the correction pass.

    The correction pass (``s + sum(x - s) / n`` in long double) is run only for columns where
    it may change the double result. Elsewhere an error bound proves it cannot: R's corrected
    value lies within W of s, and no rounding boundary between doubles lies within W of s.
    W = u ((n + 4) D + (n + 4) A [first pass not exact] + 8 (A + |s|)), with u the long double
    unit roundoff, A >= mean |x| and D >= mean |x - s| (recursive summation error bounds).
    The test itself runs in doubles: r = s - round(s) is exact in a double, and the rounding
    boundaries around d = round(s) lie half a gap between doubles away from d. ``need``: mask of
    the columns wanted (others may be left unfinished).
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s = total / n
        d = s.astype(np.float64)
        r = (s - d).astype(np.float64)  # exact: s and d agree but for s's last 11 bits
        ad = np.abs(d)
        if lo is None:  # non-negative values: mean |x| is the mean
            a = ad * (1 + 2.0**-40)
            dev = np.minimum(a + ad, np.maximum(hi - d, d) + ad * 2.0**-50)
        else:
            amax = np.maximum(np.abs(lo), np.abs(hi))
            a = np.where(lo >= 0, ad, amax) * (1 + 2.0**-40)
            dev = np.minimum(a + ad, np.maximum(hi - d, d - lo) + ad * 2.0**-50)
        extra = (n + 4.0) * a
        extra[exact] = 0.0
        w = ((n + 4.0) * dev + extra + 8.0 * (a + ad)) * (_U * (1 + 2.0**-20))
        # half gaps to the neighbouring doubles of d: away from zero 2**(E - 1076) with E the
        # biased exponent of d; towards zero the same, or half that when |d| is a power of two
        bits = ad.view(np.int64)
        expo = bits >> 52
        half = ((expo - 53) << 52).view(np.float64)
        toward = np.where((bits & ((1 << 52) - 1)) == 0, half * 0.5, half)
        out = np.where(d < 0, -r, r)  # offset of s from d, away from zero
        safe = (out + w < half) & (w - out < toward)
        # relative error bounds: stay well away from the subnormal range (and 0, inf, NaN)
        safe &= (expo > 60) & (expo < 2000)
        safe |= (a == 0) & (n > 0)  # all values 0: the mean is 0
    unsafe = ~safe & (n > 0)
    if need is not None:  # only these columns are wanted
        unsafe &= need
    unsafe = np.flatnonzero(unsafe)
    if unsafe.size:
        ss = s[unsafe]
        dev_ld = np.subtract(x[:, unsafe], ss, dtype=LD)
        np.copyto(dev_ld, 0, where=~valid[:, unsafe])
        t = _seq_sum(dev_ld)
        d[unsafe] = (ss + t / n[unsafe]).astype(np.float64)
    d[n == 0] = np.nan
    return d + 0.0  # R never returns -0


def r_mean(x) -> float:
    """R's ``mean(x, na.rm = TRUE)`` of a 1-D array (NaN = missing), bit for bit."""
    col = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    valid = ~np.isnan(col)
    n = np.count_nonzero(valid, axis=0)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduce(col, axis=0) if col.size else np.full(1, np.nan)
        hi = np.fmax.reduce(col, axis=0) if col.size else np.full(1, np.nan)
    amax = np.maximum(np.abs(lo), np.abs(hi))
    e_low = _low_bit_exponent(col, lo, hi)
    total, exact, _, _ = _mean_first_pass(col, valid, n, amax, e_low, _Workspace())
    return float(_finish_mean(total, n, col, valid, lo, hi, exact)[0])


# ---------------------------------------------------------------------------------------------
# Window helpers (axis 0 of 2-D boolean arrays)
# ---------------------------------------------------------------------------------------------


def _window(a: np.ndarray, w: int, op) -> np.ndarray:
    """r[i] = op-reduction of a[i:i + w] along axis 0; shape (len(a) - w + 1, ...)."""
    n = a.shape[0]
    if w > n:
        return np.zeros((0, *a.shape[1:]), dtype=bool)
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
    out = np.zeros((rows + w - 1, *starts.shape[1:]), dtype=bool)
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


class _Workspace:
    """Reusable buffers for the large float/int arrays of a block (fresh memory costs page
    faults, which would dominate the run time)."""

    def __init__(self) -> None:
        self._bufs: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple[int, int], dtype) -> np.ndarray:
        size = shape[0] * shape[1]
        buf = self._bufs.get(name)
        if buf is None or buf.dtype != dtype or buf.size < size:
            buf = np.empty(size, dtype=dtype)
            self._bufs[name] = buf
        return buf[:size].reshape(shape)


# point type of the codes saying Above/Increasing (odd) and Below/Decreasing (even, > 0), by
# direction + 1 (decrease, neutral, increase): sense x direction +1 improvement, -1 concern
_PT_PLUS = np.array([2, 3, 1], dtype=np.uint8)
_PT_MINUS = np.array([1, 4, 2], dtype=np.uint8)


def _scaled_ld(ints: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ints * 2**e in long double, exactly (numpy's longdouble ldexp is slow)."""
    return ints.astype(LD) * np.ldexp(1.0, e).astype(LD)


def _int_sums(x, valid, cols, e_low, ws: _Workspace):
    """Exact sums of the valid values of the columns ``cols`` (None: all), scaled by
    2**-e_low into int64. Returns (sums as long double, the int matrix)."""
    xs = x if cols is None else x[:, cols]
    vs = valid if cols is None else valid[:, cols]
    el = e_low if cols is None else e_low[cols]
    sc = ws.take("scaled", xs.shape, np.float64)
    np.multiply(xs, np.ldexp(1.0, -el), out=sc)
    np.copyto(sc, 0.0, where=~vs)
    ints = ws.take("ints", xs.shape, np.int64)
    np.copyto(ints, sc, casting="unsafe")
    return _scaled_ld(ints.sum(axis=0), el), ints


def _mean_first_pass(x, valid, n, amax, e_low, ws: _Workspace):
    """R's first-pass sums per column; returns (sums, exact mask, int matrix or None, cols)."""
    exact = _exact_columns(n, amax, e_low)
    total = np.empty(n.size, dtype=LD)
    ints = None
    ex = None
    if exact.all():
        total[:], ints = _int_sums(x, valid, None, e_low, ws)
    else:
        ex = np.flatnonzero(exact)
        if ex.size:
            total[ex], ints = _int_sums(x, valid, ex, e_low, ws)
        other = np.flatnonzero(~exact)
        total[other] = _seq_sum(np.where(valid[:, other], x[:, other], 0.0))
    return total, exact, ints, ex


def _block(y: np.ndarray, direction: np.ndarray, o: _Opts, ws: _Workspace):
    """Statistics and rules for a padded block ``y`` (rows = points, columns = groups, NaN pad).

    ``direction`` is the improvement code per column. Returns per-column stats and per-point
    uint8/bool arrays (rel, outside, close, special cause code, point type).
    """
    rows, g = y.shape
    f = y if o.fix is None else y[: o.fix]
    fvalid = ~np.isnan(f)
    fn = np.count_nonzero(fvalid, axis=0)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduce(f, axis=0)
        hi = np.fmax.reduce(f, axis=0)
    amax = np.maximum(np.abs(lo), np.abs(hi))
    e_low = _low_bit_exponent(f, lo, hi)
    exact = _exact_columns(fn, amax, e_low)
    if not exact.all():
        # integer-valued columns: every value is a multiple of 2**0
        cols = np.flatnonzero(~exact & (e_low < 0))
        if cols.size:
            fc = f[:, cols]
            with np.errstate(invalid="ignore"):
                whole = np.all((fc == np.rint(fc)) | np.isnan(fc), axis=0)
            e_low[cols[whole]] = 0
    total, exact, _, _ = _mean_first_pass(f, fvalid, fn, amax, e_low, ws)
    mean = _finish_mean(total, fn, f, fvalid, lo, hi, exact)

    # moving ranges: multiples of 2**e_low too (exact differences, or rounded to a coarser ulp)
    mr = ws.take("mr", (f.shape[0] - 1, g), np.float64)
    np.subtract(f[1:], f[:-1], out=mr)
    np.abs(mr, out=mr)
    mvalid = ~np.isnan(mr)
    mn = np.count_nonzero(mvalid, axis=0)
    with np.errstate(invalid="ignore"):
        mhi = np.where(mn > 0, hi - lo, np.nan)  # no range exceeds max - min
    mtotal, mexact, mints, mex = _mean_first_pass(mr, mvalid, mn, mhi, e_low, ws)
    amr = _finish_mean(mtotal, mn, mr, mvalid, None, mhi, mexact)
    if o.screen:
        with np.errstate(invalid="ignore"):
            keep = mr < _K_SCREEN * amr
        kn = np.count_nonzero(keep, axis=0)
        changed = kn != mn
        if changed.any():
            total2 = np.empty(g, dtype=LD)
            if mints is not None:
                # screened sums of the exact columns from the same scaled integers
                kk = keep if mex is None else keep[:, mex]
                np.multiply(mints, kk, out=mints)
                sums = _scaled_ld(mints.sum(axis=0), e_low if mex is None else e_low[mex])
                if mex is None:
                    total2[:] = sums
                else:
                    total2[mex] = sums
            other = np.flatnonzero(changed & ~mexact)
            if other.size:
                total2[other] = _seq_sum(np.where(keep[:, other], mr[:, other], 0.0))
            total2[~changed] = 0  # not needed: those keep amr
            amr2 = _finish_mean(total2, kn, mr, keep, None, mhi, mexact, need=changed)
            amr[changed] = amr2[changed]
    lpl = mean - _K_LIMIT * amr
    upl = mean + _K_LIMIT * amr
    nlpl = mean - _K_NEAR * amr
    nupl = mean + _K_NEAR * amr

    with np.errstate(invalid="ignore"):
        above = y > mean
        below = y < mean
        outside = (y > upl) | (y < lpl)
        near = (y < nlpl) | (y > nupl)
        inc = y[1:] > y[:-1]
        dec = y[1:] < y[:-1]
    close = near & ~outside
    a8 = above.view(np.uint8)
    b8 = below.view(np.uint8)

    rule = o.rule
    # trend: rule - 1 consecutive strictly rising (falling) differences
    trend = _members(_window_all(inc, rule - 1) | _window_all(dec, rule - 1), rule, rows)
    # direction: sign(next - this) if this and next are in a trend, else sign(this - previous)
    up = np.zeros((rows, g), dtype=bool)
    up[1:] = inc
    if rows > 1:
        both = trend[:-1] & trend[1:]
        up[:-1] = (both & inc) | (~both & up[:-1])
    # shift: rule points on the same side of the mean
    shift = _members(_window_all(above, rule) | _window_all(below, rule), rule, rows)
    # two in three: windows of 3 on one side with at least 2 close (or beyond, 2023 variant)
    c = near if o.beyond else close
    if rows >= 3:
        c8 = c.view(np.uint8)
        ge2 = (c8[:-2] + c8[1:-1] + c8[2:]) >= 2
        q = ge2 & (_window_all(above, 3) | _window_all(below, 3))
        two3 = c & _members(q, 3, rows)
    else:
        two3 = np.zeros((rows, g), dtype=bool)

    # precedence: outside > trend > two in three > shift > common cause (arithmetic, no where)
    t = trend & ~outside
    higher = outside | trend
    w = two3 & ~higher
    higher |= two3
    s = shift & ~higher
    sct = outside.view(np.uint8) * (BELOW_LCL - a8)
    sct += t.view(np.uint8) * (TREND_DOWN - up.view(np.uint8))
    sct += w.view(np.uint8) * (TWO_IN_3_ABOVE + b8)
    sct += s.view(np.uint8) * (SHIFT_ABOVE + b8)
    # point type: codes 1, 3, 5, 7 say Above/Increasing, 2, 4, 6, 8 Below/Decreasing
    odd = sct & 1
    d1 = (direction + 1).astype(np.intp)
    pt = (sct > 0).view(np.uint8) * (_PT_PLUS[d1] * odd + _PT_MINUS[d1] * (1 - odd))
    flags = (1 + a8 - b8) + outside.view(np.uint8) * _OUTSIDE + close.view(np.uint8) * _CLOSE
    stats = (mean, amr, lpl, upl, nlpl, nupl)
    return stats, (flags, sct, pt)


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class SpcResult:
    """Result of :func:`compute`, :func:`compute_sorted` (or one chunk of
    :func:`iter_compute_sorted`).

    Stored per point (aligned with the input rows): ``values``, ``special_cause_type`` and
    ``point_type`` (uint8 codes) and ``flags`` (uint8: bits 0-1 relative_to_mean + 1, bit 2
    outside_limits, bit 3 close_to_limits). Derived per point on access (each property builds a
    new array): ``relative_to_mean`` (int8 -1/0/1), ``outside_limits``, ``close_to_limits``,
    ``series``, ``group``, ``rebase_group``, ``mean``, ``lpl``, ``upl``, ``nlpl``, ``nupl``,
    ``short_group_warning``, and the masks ``value_missing``, ``relative_missing``,
    ``limits_missing`` (where the reference has NA; the booleans are False there).

    Per group (series x rebase group, in (series, date) order): ``group_offsets`` (rows in sorted
    order; group j is sorted rows ``group_offsets[j]:group_offsets[j + 1]``), ``group_series``,
    ``group_rebase``, ``group_n``, ``group_mean``, ``group_amr`` (after screening),
    ``group_lpl``, ``group_upl``, ``group_nlpl``, ``group_nupl``.

    Per series: ``series_ids``, ``series_offsets`` (sorted rows), ``series_n`` (rows),
    ``improvement`` (+1/-1/0), ``target`` (NaN = none), ``variation`` and ``assurance`` (codes),
    ``last_point`` (row of the latest date, -1 for an empty series).

    ``options`` names every option used; ``options["non_default"]`` lists those that leave the
    reference. ``order`` (None when the input was already sorted) gives, for each sorted row, its
    input row. ``row_start`` / ``series_start`` locate a chunk of :func:`iter_compute_sorted`.
    """

    values: np.ndarray
    special_cause_type: np.ndarray
    point_type: np.ndarray
    flags: np.ndarray
    series_offsets: np.ndarray
    group_offsets: np.ndarray
    group_series: np.ndarray
    group_rebase: np.ndarray
    group_mean: np.ndarray
    group_amr: np.ndarray
    group_lpl: np.ndarray
    group_upl: np.ndarray
    group_nlpl: np.ndarray
    group_nupl: np.ndarray
    series_ids: np.ndarray
    improvement: np.ndarray
    target: np.ndarray
    variation: np.ndarray
    assurance: np.ndarray
    options: dict[str, Any]
    order: np.ndarray | None = None
    row_start: int = 0
    series_start: int = 0

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def group_n(self) -> np.ndarray:
        return np.diff(self.group_offsets)

    @property
    def series_n(self) -> np.ndarray:
        return np.diff(self.series_offsets)

    def _to_input(self, sorted_values: np.ndarray) -> np.ndarray:
        if self.order is None:
            return sorted_values
        out = np.empty_like(sorted_values)
        out[self.order] = sorted_values
        return out

    @property
    def last_point(self) -> np.ndarray:
        n = self.series_n
        last = np.where(n > 0, self.series_offsets[1:] - 1, -1)
        if self.order is not None:
            last = np.where(last >= 0, self.order[np.maximum(last, 0)], -1)
        return last

    # -- per point, derived ---------------------------------------------------------------------
    @property
    def relative_to_mean(self) -> np.ndarray:
        return (self.flags & 3).view(np.int8) - 1

    @property
    def outside_limits(self) -> np.ndarray:
        return (self.flags & _OUTSIDE) != 0

    @property
    def close_to_limits(self) -> np.ndarray:
        return (self.flags & _CLOSE) != 0

    @property
    def group(self) -> np.ndarray:
        ng = self.group_offsets.size - 1
        return self._to_input(np.repeat(np.arange(ng, dtype=np.int32), self.group_n))

    @property
    def series(self) -> np.ndarray:
        ns = self.series_offsets.size - 1
        return self._to_input(np.repeat(np.arange(ns, dtype=np.int32), self.series_n))

    def _per_point(self, per_group: np.ndarray) -> np.ndarray:
        return self._to_input(np.repeat(per_group, self.group_n))

    @property
    def rebase_group(self) -> np.ndarray:
        return self._per_point(self.group_rebase)

    @property
    def mean(self) -> np.ndarray:
        return self._per_point(self.group_mean)

    @property
    def lpl(self) -> np.ndarray:
        return self._per_point(self.group_lpl)

    @property
    def upl(self) -> np.ndarray:
        return self._per_point(self.group_upl)

    @property
    def nlpl(self) -> np.ndarray:
        return self._per_point(self.group_nlpl)

    @property
    def nupl(self) -> np.ndarray:
        return self._per_point(self.group_nupl)

    @property
    def short_group_warning(self) -> np.ndarray:
        """True where the point's group has fewer than 13 rows (trial limits)."""
        return self._per_point(self.group_n < SHORT_GROUP_THRESHOLD)

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

    # -- labels ---------------------------------------------------------------------------------
    @property
    def special_cause_labels(self) -> tuple[str, ...]:
        return special_cause_labels(self.options["rule_length"])

    def labels(self, name: str) -> list[str]:
        """Per-point labels of ``special_cause_type`` or ``point_type``."""
        table = self.special_cause_labels if name == "special_cause_type" else POINT_TYPES
        if name not in ("special_cause_type", "point_type"):
            raise ValueError(f"no per-point labels for {name!r}")
        return np.asarray(table, dtype=object)[getattr(self, name)].tolist()

    def series_labels(self, name: str) -> list[str]:
        """Per-series labels of ``variation`` or ``assurance`` (``""`` = no assurance)."""
        table = {"variation": VARIATIONS, "assurance": ASSURANCES}[name]
        return np.asarray(table, dtype=object)[getattr(self, name)].tolist()


# flags bits (bits 0-1 hold relative_to_mean + 1)
_OUTSIDE = 4
_CLOSE = 8

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


def _direction_code(v) -> int:
    if isinstance(v, str):
        try:
            return IMPROVEMENT_CODES[v]
        except KeyError:
            raise ValueError(
                f"improvement direction must be increase, decrease or neutral, not {v!r}"
            ) from None
    return int(v)


def _direction_codes(improvement, n_series: int) -> np.ndarray:
    if isinstance(improvement, str):
        improvement = _direction_code(improvement)
    arr = np.asarray(improvement)
    if arr.dtype.kind in "UO":
        arr = np.array([_direction_code(v) for v in arr.ravel()], dtype=np.int8)
    arr = np.broadcast_to(arr.astype(np.int8), (n_series,)).copy()
    if not ((arr >= -1) & (arr <= 1)).all():
        raise ValueError("improvement codes must be +1 (increase), -1 (decrease) or 0 (neutral)")
    return arr


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
        self.direction = _direction_codes(improvement, ns)
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
        self.ws = _Workspace()

    def check_values(self, p0: int, p1: int) -> None:
        if np.isinf(self.y[p0:p1]).any():
            raise ValueError("values must be finite or NaN")

    def process(self, s0: int, s1: int, flags, sct, pt, ws: _Workspace | None = None):
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
        variation[nonempty] = _VARIATION_LUT[direction + 1, pt[last]]
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
                local.ws = _Workspace()
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
