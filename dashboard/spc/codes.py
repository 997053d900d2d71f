"""Codes and labels of the SPC engine's output (shared/SPC.md), and the lookup tables that turn
rule hits into point types and a series' variation.

Per-point special cause types and point types, per-series variation and assurance are small
integer codes (uint8); these tuples give the reference's strings for them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ASSURANCES",
    "IMPROVEMENT_CODES",
    "POINT_TYPES",
    "SHORT_GROUP_THRESHOLD",
    "SPECIAL_CAUSE_TYPES",
    "VARIATIONS",
    "direction_code",
    "direction_codes",
    "special_cause_labels",
]


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
VARIATION_LUT = np.array(
    [
        [0, 2, 3, 5, 6],  # decrease: improvement -> improvement_low, concern -> concern_high
        [0, 0, 0, 5, 6],  # neutral
        [0, 1, 4, 5, 6],  # increase: improvement -> improvement_high, concern -> concern_low
    ],
    dtype=np.uint8,
)


# point type of the codes saying Above/Increasing (odd) and Below/Decreasing (even, > 0), by
# direction + 1 (decrease, neutral, increase): sense x direction +1 improvement, -1 concern
PT_PLUS = np.array([2, 3, 1], dtype=np.uint8)
PT_MINUS = np.array([1, 4, 2], dtype=np.uint8)

# flags bits (bits 0-1 hold relative_to_mean + 1)
FLAG_OUTSIDE = 4
FLAG_CLOSE = 8


def direction_code(v) -> int:
    if isinstance(v, str):
        try:
            return IMPROVEMENT_CODES[v]
        except KeyError:
            raise ValueError(
                f"improvement direction must be increase, decrease or neutral, not {v!r}"
            ) from None
    return int(v)


def direction_codes(improvement, n_series: int) -> np.ndarray:
    if isinstance(improvement, str):
        improvement = direction_code(improvement)
    arr = np.asarray(improvement)
    if arr.dtype.kind in "UO":
        arr = np.array([direction_code(v) for v in arr.ravel()], dtype=np.int8)
    arr = np.broadcast_to(arr.astype(np.int8), (n_series,)).copy()
    if not ((arr >= -1) & (arr <= 1)).all():
        raise ValueError("improvement codes must be +1 (increase), -1 (decrease) or 0 (neutral)")
    return arr
