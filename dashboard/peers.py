"""Peer comparison: a provider's latest value against a group of providers (numpy only).

Proportions and rates are compared with funnel-plot limits around the group's pooled value,
using the provider's own denominator (binomial for proportions, Poisson for rates); measures
with no denominator by a plain z-score against the group's mean and standard deviation.

Large NHS denominators make plain funnel limits so narrow that most providers fall outside
them (overdispersion). As in Spiegelhalter (2005) and NHS practice (SHMI, the NHS-R package
FunnelPlotR), the z-scores are checked for overdispersion after winsorising the top and bottom
10%; where the group is overdispersed an additive between-provider variance tau^2 widens every
provider's limits. `group_summary` returns phi and tau^2 so that pages can say so.

flag: +2 above the 99.8% limit, +1 above the 95% limit, 0 within, -1 / -2 below; None when
there is no comparison (group under MIN_GROUP providers, no denominator, no spread).
"""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054  # qnorm(0.975)
Z998 = 3.090232306167813  # qnorm(0.999)
MIN_GROUP = 3

FLAG_LABELS = {
    2: "above the 99.8% limit",
    1: "above the 95% limit",
    0: "within the limits",
    -1: "below the 95% limit",
    -2: "below the 99.8% limit",
}


def z_scores(
    *,
    kind: str,
    multiplier: float,
    value: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    group_n: np.ndarray,
    group_value: np.ndarray,
    group_sd: np.ndarray,
    group_numerator: np.ndarray,
    group_denominator: np.ndarray,
    group_tau2: np.ndarray | float = 0.0,
) -> np.ndarray:
    """z-score of each provider against its group (NaN: no comparison). Arrays align by row.

    group_value is the pooled value x multiplier (proportions, rates) or the mean (measures);
    group_tau2 the between-provider variance (in proportion or rate units, NaN = none).
    """
    value = np.asarray(value, dtype=float)
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind in ("proportion", "rate"):
            p0 = np.asarray(group_numerator, float) / np.asarray(group_denominator, float)
            p = num / den
            var = p0 * (1 - p0) / den if kind == "proportion" else p0 / den
            tau2 = np.nan_to_num(np.asarray(group_tau2, dtype=float), nan=0.0)
            z = (p - p0) / np.sqrt(var + tau2)
        else:
            z = (value - np.asarray(group_value, float)) / np.asarray(group_sd, float)
    z = np.where(np.isfinite(z) & (np.asarray(group_n) >= MIN_GROUP), z, np.nan)
    return z


def flags(z: np.ndarray) -> np.ndarray:
    """-2..2 per z-score; 127 where there is no comparison (stored as null)."""
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        out[z > Z95] = 1
        out[z > Z998] = 2
        out[z < -Z95] = -1
        out[z < -Z998] = -2
    out[np.isnan(z)] = 127
    return out


def group_summary(
    *,
    kind: str,
    multiplier: float,
    value: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
) -> dict:
    """n, value (pooled x multiplier, or mean), sd, numerator, denominator, phi and tau2 of a
    group of providers' values in one month."""  # fmt: skip
    value = np.asarray(value, dtype=float)
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    n = int(value.size)
    out = {
        "n": n,
        "value": float(value.mean()) if n else float("nan"),
        "sd": float(value.std(ddof=1)) if n > 1 else None,
        "numerator": None,
        "denominator": None,
        "phi": None,
        "tau2": None,
    }
    has = np.isfinite(num) & np.isfinite(den) & (den > 0)
    if kind not in ("proportion", "rate") or not has.any():
        return out
    num, den = num[has], den[has]
    snum, sden = float(num.sum()), float(den.sum())
    p0 = snum / sden
    out.update(numerator=snum, denominator=sden, value=p0 * multiplier)
    var = p0 * (1 - p0) / den if kind == "proportion" else p0 / den
    m = int(num.size)
    if m < MIN_GROUP or not np.all(var > 0):
        return out
    z = (num / den - p0) / np.sqrt(var)
    lo, hi = np.percentile(z, [10, 90])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    out["phi"] = phi
    w = 1 / var
    if m * phi > m - 1:
        out["tau2"] = max(0.0, (m * phi - (m - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    else:
        out["tau2"] = 0.0
    return out


def funnel_limits(
    *, kind: str, multiplier: float, pooled: float, denominator: float, tau2: float | None = None
) -> dict[str, float] | None:
    """95% and 99.8% limits (in display units) for one denominator around a pooled value."""
    if kind not in ("proportion", "rate") or not denominator or denominator <= 0:
        return None
    p0 = pooled / multiplier
    var = p0 * (1 - p0) / denominator if kind == "proportion" else p0 / denominator
    var += tau2 or 0.0
    if var <= 0:
        return None
    se = float(np.sqrt(var)) * multiplier
    top = multiplier if kind == "proportion" else float("inf")
    return {
        "lower_998": max(pooled - Z998 * se, 0.0),
        "lower_95": max(pooled - Z95 * se, 0.0),
        "upper_95": min(pooled + Z95 * se, top),
        "upper_998": min(pooled + Z998 * se, top),
    }


OUTLIER_FLAGS = (-2, 2)


def is_outlier(flag: int | None) -> bool:
    """The one rule for an outlier against peers or the national value: outside the 99.8%
    limits. The signals list, the agenda, the pack and the dashboard's tags all use it; a value
    outside the 95% limits only is shown as such, never as an outlier."""
    return flag in OUTLIER_FLAGS


def flag_meaning(flag: int | None, direction: str) -> str:
    """'concern', 'improvement', 'neutral' (outside, no direction), 'within' or '' (none)."""
    if flag is None:
        return ""
    if flag == 0:
        return "within"
    if direction == "neutral":
        return "neutral"
    better_high = direction == "increase"
    return "improvement" if (flag > 0) == better_high else "concern"
