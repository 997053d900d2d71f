"""A slow, obviously-correct scalar implementation of shared/SPC.md, one series at a time.

Written straight from the specification with plain loops, to check the vectorised engine
against. Missing values are None or NaN.
"""

from __future__ import annotations

import math

import numpy as np

LD = np.longdouble
NAN = math.nan


def r_mean(xs: list[float]) -> float:
    """R's mean(): long double sum, divide by n, correction pass, round to double."""
    if not xs:
        return NAN
    n = LD(len(xs))
    s = LD(0)
    for x in xs:
        s = s + LD(x)
    s = s / n
    t = LD(0)
    for x in xs:
        t = t + (LD(x) - s)
    s = s + t / n
    return float(s) + 0.0


def _missing(x) -> bool:
    return x is None or math.isnan(x)


SCT = (
    "Common Cause",
    "Above UCL",
    "Below LCL",
    "{n} Point Trend (Increasing)",
    "{n} Point Trend (Decreasing)",
    "2 in 3 Above CL",
    "2 in 3 Below CL",
    "{n} Points Above CL",
    "{n} Points Below CL",
)


def group_stats(ys: list[float], fix, screen: bool):
    fix_y = [y if (fix is None or i < fix) else NAN for i, y in enumerate(ys)]
    mean = r_mean([y for y in fix_y if not _missing(y)])
    mr = [NAN]
    for i in range(1, len(fix_y)):
        a, b = fix_y[i - 1], fix_y[i]
        mr.append(NAN if _missing(a) or _missing(b) else abs(b - a))
    amr = r_mean([m for m in mr if not math.isnan(m)])
    if screen:
        mr = [m if (not math.isnan(m) and m < 3.267 * amr) else NAN for m in mr]
        amr = r_mean([m for m in mr if not math.isnan(m)])
    c = 2 * (2.66 / 3)
    return {
        "mean": mean,
        "amr": amr,
        "lpl": mean - 2.66 * amr,
        "upl": mean + 2.66 * amr,
        "nlpl": mean - c * amr,
        "nupl": mean + c * amr,
    }


def group_points(ys, st, rule: int, beyond: bool):
    n = len(ys)
    outside, rel, close, near = [], [], [], []
    for y in ys:
        if _missing(y) or math.isnan(st["mean"]):
            rel.append(None)
        else:
            rel.append((y > st["mean"]) - (y < st["mean"]))
        if _missing(y) or math.isnan(st["lpl"]):
            outside.append(None)
            close.append(None)
            near.append(False)
        else:
            o = y > st["upl"] or y < st["lpl"]
            b = y < st["nlpl"] or y > st["nupl"]
            outside.append(o)
            close.append((not o) and b)
            near.append(b)

    trend = [False] * n
    for e in range(n - rule + 1):
        w = ys[e : e + rule]
        if any(_missing(v) for v in w):
            continue
        if all(w[k + 1] > w[k] for k in range(rule - 1)) or all(
            w[k + 1] < w[k] for k in range(rule - 1)
        ):
            for k in range(e, e + rule):
                trend[k] = True

    shift = [False] * n
    for e in range(n - rule + 1):
        w = rel[e : e + rule]
        if all(r == 1 for r in w) or all(r == -1 for r in w):
            for k in range(e, e + rule):
                shift[k] = True

    c = near if beyond else [bool(v) for v in close]
    in_q = [False] * n
    for e in range(n - 2):
        w = rel[e : e + 3]
        if sum(c[e : e + 3]) >= 2 and (all(r == 1 for r in w) or all(r == -1 for r in w)):
            for k in range(e, e + 3):
                in_q[k] = True
    two3 = [c[i] and in_q[i] for i in range(n)]

    codes = []
    for i in range(n):
        if outside[i]:
            codes.append(1 if rel[i] == 1 else 2)
        elif trend[i]:
            if i + 1 < n and trend[i + 1]:
                sign = (ys[i + 1] > ys[i]) - (ys[i + 1] < ys[i])
            elif i > 0:
                sign = (ys[i] > ys[i - 1]) - (ys[i] < ys[i - 1])
            else:
                sign = 0
            codes.append(3 if sign == 1 else 4)
        elif two3[i]:
            codes.append(5 if rel[i] == 1 else 6)
        elif shift[i]:
            codes.append(7 if rel[i] == 1 else 8)
        else:
            codes.append(0)
    return outside, rel, close, codes


def point_type(code: int, direction: int) -> str:
    sense = 0 if code == 0 else (1 if code % 2 == 1 else -1)
    if sense == 0:
        return "common_cause"
    if direction == 0:
        return "special_cause_neutral_high" if sense > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if sense * direction > 0 else "special_cause_concern"


VARIATION = {
    ("common_cause", 1): "common_cause",
    ("common_cause", -1): "common_cause",
    ("common_cause", 0): "common_cause",
    ("special_cause_improvement", 1): "improvement_high",
    ("special_cause_improvement", -1): "improvement_low",
    ("special_cause_concern", 1): "concern_low",
    ("special_cause_concern", -1): "concern_high",
    ("special_cause_neutral_high", 0): "neutral_high",
    ("special_cause_neutral_low", 0): "neutral_low",
}


def series(
    ys,
    rebase_flags=None,
    *,
    direction: int = 1,
    target=None,
    any_target: bool = False,
    fix=None,
    screen: bool = True,
    rule: int = 7,
    beyond: bool = False,
):
    """Everything for one series (values in date order). ``rebase_flags[i]``: row i's date is a
    rebase date of this series. ``any_target``: some series of the run has a target."""
    n = len(ys)
    flags = rebase_flags or [False] * n
    rg, count = [], 0
    for f in flags:
        count += bool(f)
        rg.append(count)
    out = {k: [] for k in ("rebase_group", "mean", "lpl", "upl", "outside", "rel", "close")}
    out["sct"], out["pt"] = [], []
    i = 0
    while i < n:
        j = i
        while j < n and rg[j] == rg[i]:
            j += 1
        ys_g = ys[i:j]
        st = group_stats(ys_g, fix, screen)
        outside, rel, close, codes = group_points(ys_g, st, rule, beyond)
        for k in range(j - i):
            out["rebase_group"].append(rg[i])
            out["mean"].append(st["mean"])
            out["lpl"].append(st["lpl"])
            out["upl"].append(st["upl"])
            out["outside"].append(outside[k])
            out["rel"].append(rel[k])
            out["close"].append(close[k])
            out["sct"].append(SCT[codes[k]].format(n=rule))
            out["pt"].append(point_type(codes[k], direction))
        i = j
    if n:
        out["variation"] = VARIATION[(out["pt"][-1], direction)]
        if direction == 0 or not (any_target or target is not None):
            out["assurance"] = ""
        elif target is None or math.isnan(out["upl"][-1]):
            out["assurance"] = "inconsistent"
        elif target > out["upl"][-1]:
            out["assurance"] = "consistent_fail" if direction == 1 else "consistent_pass"
        elif target < out["lpl"][-1]:
            out["assurance"] = "consistent_pass" if direction == 1 else "consistent_fail"
        else:
            out["assurance"] = "inconsistent"
    return out
