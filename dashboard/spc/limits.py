"""Centre line and process limits of each group (shared/SPC.md, "Centre line and limits").

Columns of a padded block are groups (series x rebase group), rows their points in date order,
NaN where missing or padding. Means follow R (:mod:`.rmean`).
"""

from __future__ import annotations

import numpy as np

from .rmean import (
    LD,
    Workspace,
    exact_columns,
    finish_mean,
    low_bit_exponent,
    mean_first_pass,
    scaled_ld,
    seq_sum,
)

# Constants exactly as the reference writes them.
K_LIMIT = 2.66
K_SCREEN = 3.267
K_NEAR = 2 * (2.66 / 3)


def group_limits(y: np.ndarray, fix: int | None, screen: bool, ws: Workspace):
    """Per column of the padded block ``y``: (mean, amr, lpl, upl, nlpl, nupl).

    ``fix``: only the first ``fix`` rows set the limits (None: all). ``screen``: drop moving
    ranges of at least 3.267 times their mean, once (the reference's default).
    """
    g = y.shape[1]
    f = y if fix is None else y[:fix]
    fvalid = ~np.isnan(f)
    fn = np.count_nonzero(fvalid, axis=0)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduce(f, axis=0)
        hi = np.fmax.reduce(f, axis=0)
    amax = np.maximum(np.abs(lo), np.abs(hi))
    e_low = low_bit_exponent(f, lo, hi)
    exact = exact_columns(fn, amax, e_low)
    if not exact.all():
        # integer-valued columns: every value is a multiple of 2**0
        cols = np.flatnonzero(~exact & (e_low < 0))
        if cols.size:
            fc = f[:, cols]
            with np.errstate(invalid="ignore"):
                whole = np.all((fc == np.rint(fc)) | np.isnan(fc), axis=0)
            e_low[cols[whole]] = 0
    total, exact, _, _ = mean_first_pass(f, fvalid, fn, amax, e_low, ws)
    mean = finish_mean(total, fn, f, fvalid, lo, hi, exact)

    # moving ranges: multiples of 2**e_low too (exact differences, or rounded to a coarser ulp)
    mr = ws.take("mr", (f.shape[0] - 1, g), np.float64)
    np.subtract(f[1:], f[:-1], out=mr)
    np.abs(mr, out=mr)
    mvalid = ~np.isnan(mr)
    mn = np.count_nonzero(mvalid, axis=0)
    with np.errstate(invalid="ignore"):
        mhi = np.where(mn > 0, hi - lo, np.nan)  # no range exceeds max - min
    mtotal, mexact, mints, mex = mean_first_pass(mr, mvalid, mn, mhi, e_low, ws)
    amr = finish_mean(mtotal, mn, mr, mvalid, None, mhi, mexact)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr < K_SCREEN * amr
        kn = np.count_nonzero(keep, axis=0)
        changed = kn != mn
        if changed.any():
            total2 = np.empty(g, dtype=LD)
            if mints is not None:
                # screened sums of the exact columns from the same scaled integers
                kk = keep if mex is None else keep[:, mex]
                np.multiply(mints, kk, out=mints)
                sums = scaled_ld(mints.sum(axis=0), e_low if mex is None else e_low[mex])
                if mex is None:
                    total2[:] = sums
                else:
                    total2[mex] = sums
            other = np.flatnonzero(changed & ~mexact)
            if other.size:
                total2[other] = seq_sum(np.where(keep[:, other], mr[:, other], 0.0))
            total2[~changed] = 0  # not needed: those keep amr
            amr2 = finish_mean(total2, kn, mr, keep, None, mhi, mexact, need=changed)
            amr[changed] = amr2[changed]
    lpl = mean - K_LIMIT * amr
    upl = mean + K_LIMIT * amr
    nlpl = mean - K_NEAR * amr
    nupl = mean + K_NEAR * amr
    return mean, amr, lpl, upl, nlpl, nupl
