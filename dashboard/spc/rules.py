"""Making Data Count rules per point (shared/SPC.md, "Per point", "Rules", "Point type").

Every rolling rule is a window along axis 0 of a padded block (rows = points in date order,
columns = groups): shifted slices combined with ``&`` / ``|``, which cannot cross a group
boundary or a missing value because both are NaN.
"""

from __future__ import annotations

import numpy as np

from .codes import (
    BELOW_LCL,
    FLAG_CLOSE,
    FLAG_OUTSIDE,
    PT_MINUS,
    PT_PLUS,
    SHIFT_ABOVE,
    TREND_DOWN,
    TWO_IN_3_ABOVE,
)


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


def apply_rules(y, stats, direction: np.ndarray, rule: int, beyond: bool):
    """Per-point (flags, special cause code, point type) of the padded block ``y``.

    ``stats``: the columns' (mean, amr, lpl, upl, nlpl, nupl) from
    :func:`dashboard.spc.limits.group_limits`; ``direction``: improvement code per column;
    ``rule``: trend and shift length; ``beyond``: points beyond the limits count as close in
    two-in-three (MDC 2023).
    """
    rows, g = y.shape
    mean, _, lpl, upl, nlpl, nupl = stats

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
    c = near if beyond else close
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
    pt = (sct > 0).view(np.uint8) * (PT_PLUS[d1] * odd + PT_MINUS[d1] * (1 - odd))
    flags = (
        (1 + a8 - b8) + outside.view(np.uint8) * FLAG_OUTSIDE + close.view(np.uint8) * FLAG_CLOSE
    )
    return flags, sct, pt
