"""R's ``mean(x, na.rm = TRUE)``, bit for bit, for many columns at once (shared/SPC.md).

R sums in x87 extended precision row after row, divides by n, then adds a correction pass (the
extended-precision sum of (x - mean) divided by n) and rounds to double. A point lying exactly
on the mean depends on the last bit, so the engine's means and average moving ranges come from
here. Where every value of a column is a multiple of 2**e and the sum fits in 64 bits, R's sum
is exact and equals an int64 sum of the scaled values; otherwise columns are summed in
``numpy.longdouble`` row after row (checked at import). The correction pass is run only for
columns where it can change the double: an error bound shows that elsewhere the rounded
first-pass mean is already R's answer.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Workspace", "r_mean"]

LD = np.longdouble

U = float(np.finfo(LD).eps) / 2  # unit roundoff of long double (2**-64 on x86)


def check_sequential_sum() -> bool:
    """True if numpy's axis-0 longdouble sum of a 2-D array adds row after row (as R does)."""
    k = np.arange(257 * 3, dtype=np.float64).reshape(257, 3)
    x = np.sin(k * 1.7) * 10.0 ** ((k * 7) % 31 - 15)  # wide exponents: order matters
    fast = np.sum(x, axis=0, dtype=LD)
    slow = np.cumsum(x, axis=0, dtype=LD)[-1]  # accumulate is sequential by definition
    return bool(np.array_equal(fast, slow))


SUM_AXIS0_SEQUENTIAL = check_sequential_sum()


def seq_sum(z: np.ndarray) -> np.ndarray:
    """Sequential extended-precision sum of each column of a 2-D float array."""
    if z.shape[0] == 0:
        return np.zeros(z.shape[1], dtype=LD)
    if SUM_AXIS0_SEQUENTIAL and z.shape[1] >= 2:
        # C order only: on a column-major array (e.g. columns picked by fancy indexing) numpy
        # would sum each column pairwise, as it does for contiguous runs
        return np.sum(np.ascontiguousarray(z), axis=0, dtype=LD)
    # a single column would be summed pairwise by numpy; accumulate is always sequential
    return np.cumsum(z, axis=0, dtype=LD)[-1]


def low_bit_exponent(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
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


def exact_columns(n: np.ndarray, amax: np.ndarray, e_low: np.ndarray) -> np.ndarray:
    """Columns whose values, scaled by 2**-e_low, are integers whose sums fit in int64 (and so
    in the 64-bit significand of long double: R's sequential sum there is exact)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return (e_low >= -1000) & (e_low <= 1000) & (np.ldexp(amax * n, -e_low) < 2.0**62)


def finish_mean(total, n, x, valid, lo, hi, exact, need=None):
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
        w = ((n + 4.0) * dev + extra + 8.0 * (a + ad)) * (U * (1 + 2.0**-20))
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
        t = seq_sum(dev_ld)
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
    e_low = low_bit_exponent(col, lo, hi)
    total, exact, _, _ = mean_first_pass(col, valid, n, amax, e_low, Workspace())
    return float(finish_mean(total, n, col, valid, lo, hi, exact)[0])


class Workspace:
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


def scaled_ld(ints: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ints * 2**e in long double, exactly (numpy's longdouble ldexp is slow)."""
    return ints.astype(LD) * np.ldexp(1.0, e).astype(LD)


def int_sums(x, valid, cols, e_low, ws: Workspace):
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
    return scaled_ld(ints.sum(axis=0), el), ints


def mean_first_pass(x, valid, n, amax, e_low, ws: Workspace):
    """R's first-pass sums per column; returns (sums, exact mask, int matrix or None, cols)."""
    exact = exact_columns(n, amax, e_low)
    total = np.empty(n.size, dtype=LD)
    ints = None
    ex = None
    if exact.all():
        total[:], ints = int_sums(x, valid, None, e_low, ws)
    else:
        ex = np.flatnonzero(exact)
        if ex.size:
            total[ex], ints = int_sums(x, valid, ex, e_low, ws)
        other = np.flatnonzero(~exact)
        total[other] = seq_sum(np.where(valid[:, other], x[:, other], 0.0))
    return total, exact, ints, ex
