"""Making Data Count rules (shared/SPC.md), case by case. Each expectation is derived by hand
from the rules; the arithmetic is in the comments.

Most cases sit a pattern inside a "quiet" background alternating 9, 15: its moving ranges of 6
make the limits wide (about mean +- 11 and the near-limit band about mean +- 7), so the
pattern's points are neither outside nor close unless a case says so.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.spc.codes import (
    ASSURANCES,
    POINT_TYPES,
    SPECIAL_CAUSE_TYPES,
    VARIATIONS,
    special_cause_labels,
)
from dashboard.spc.engine import compute, compute_sorted

NAN = math.nan
CC = "Common Cause"
UP = "7 Point Trend (Increasing)"
DOWN = "7 Point Trend (Decreasing)"
ABOVE = "7 Points Above CL"
BELOW = "7 Points Below CL"
TT_ABOVE = "2 in 3 Above CL"
TT_BELOW = "2 in 3 Below CL"


def bg(k: int, first: float = 9.0) -> list[float]:
    """k background points alternating 9, 15 (or 15, 9)."""
    other = 24.0 - first
    return [first if i % 2 == 0 else other for i in range(k)]


def run(values, **kw):
    n = len(values)
    facets = kw.pop("facets", None)
    dates = kw.pop("dates", None)
    if dates is None:
        dates = np.arange(n) * 31 + 18262  # day numbers
    return compute(facets if facets is not None else ["s"] * n, dates, values, **kw)


def sct(res) -> list[str]:
    return res.labels("special_cause_type")


def pt(res) -> list[str]:
    return res.labels("point_type")


def only(labels, expected: dict[int, str]) -> None:
    """labels[i] == expected[i] for listed i, Common Cause elsewhere."""
    want = [expected.get(i, CC) for i in range(len(labels))]
    assert labels == want


# ---------------------------------------------------------------------------------------------
# Labels


def test_labels_and_codes():
    assert SPECIAL_CAUSE_TYPES == (
        "Common Cause",
        "Above UCL",
        "Below LCL",
        "7 Point Trend (Increasing)",
        "7 Point Trend (Decreasing)",
        "2 in 3 Above CL",
        "2 in 3 Below CL",
        "7 Points Above CL",
        "7 Points Below CL",
    )
    assert POINT_TYPES == (
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    )
    assert set(VARIATIONS) == {
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neutral_high",
        "neutral_low",
    }
    assert ASSURANCES == ("", "consistent_pass", "consistent_fail", "inconsistent")
    assert special_cause_labels(6)[3] == "6 Point Trend (Increasing)"
    assert special_cause_labels(6)[8] == "6 Points Below CL"


# ---------------------------------------------------------------------------------------------
# Shift


SHIFT = [11.0, 13.0] * 3 + [11.0] + [9.0, 7.0] * 3 + [9.0]
# 7 above: 4 x 11 + 3 x 13 = 83; 7 below: 4 x 9 + 3 x 7 = 57; mean = 140 / 14 = 10 exactly.
# every moving range is 2: amr 2 (screening keeps all: 2 < 6.534); limits 10 +- 5.32;
# near band 10 +- 3.547: [6.45, 13.55], so 7 and 13 are not close. Alternating: no trend.


def test_shift_seven_above_then_seven_below():
    res = run(SHIFT)
    assert res.group_mean[0] == 10.0
    assert res.group_amr[0] == 2.0
    only(sct(res), {**dict.fromkeys(range(7), ABOVE), **dict.fromkeys(range(7, 14), BELOW)})
    # increase: above is improvement, below concern
    assert pt(res)[:7] == ["special_cause_improvement"] * 7
    assert pt(res)[7:] == ["special_cause_concern"] * 7
    assert res.series_labels("variation") == ["concern_low"]


def test_shift_broken_by_a_point_exactly_on_the_mean():
    values = list(SHIFT)
    values[3] = 10.0  # 13 -> 10: sum - 3
    values[10] = 10.0  # 7 -> 10: sum + 3, mean still exactly 10
    res = run(values)
    assert res.group_mean[0] == 10.0
    assert res.relative_to_mean[3] == 0 and res.relative_to_mean[10] == 0
    # runs of 3 above, on the mean, 3 above; 3 below, on the mean, 3 below. Ranges 2, 3, 1 ...:
    # amr 24/13 = 1.846, near band 10 +- 3.27: nothing close, nothing flagged.
    only(sct(res), {})


def test_six_on_one_side_is_not_a_shift():
    values = SHIFT[1:-1]  # 6 above, 6 below: mean (83 - 11 + 57 - 9) / 12 = 10
    res = run(values)
    assert res.group_mean[0] == 10.0
    only(sct(res), {})


def test_longer_shift_flags_every_point():
    values = [11.0, 13.0] * 5 + [9.0, 7.0] * 5  # 10 above, 10 below; mean 10
    res = run(values)
    only(sct(res), {**dict.fromkeys(range(10), ABOVE), **dict.fromkeys(range(10, 20), BELOW)})


# ---------------------------------------------------------------------------------------------
# Trend

RISE = [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0]


def test_trend_of_seven_rising_points_crossing_the_mean():
    values = bg(6) + RISE + bg(4)
    # 15 -> 8 falls, 14 -> 9 falls: the rising run is exactly rows 6..12.
    # mean = (72 + 77 + 48) / 17 = 11.59: the trend crosses it (8..11 below, 12..14 above).
    # ranges 5 x 6, 7, 6 x 1, 5, 3 x 6 = 66 / 16 = 4.125; near band +- 7.3: nothing close.
    res = run(values)
    only(sct(res), dict.fromkeys(range(6, 13), UP))
    rel = res.relative_to_mean[6:13].tolist()
    assert rel == [-1, -1, -1, -1, 1, 1, 1]
    assert pt(res)[6:13] == ["special_cause_improvement"] * 7


def test_trend_of_seven_falling_points():
    values = bg(6, first=15.0) + RISE[::-1] + bg(4, first=15.0)
    # background ends with 9 < 14 and restarts with 15 > 8: the falling run is rows 6..12
    res = run(values)
    only(sct(res), dict.fromkeys(range(6, 13), DOWN))
    assert pt(res)[6:13] == ["special_cause_concern"] * 7
    res = run(values, improvement="decrease")
    assert pt(res)[6:13] == ["special_cause_improvement"] * 7


def test_six_rising_points_are_not_a_trend():
    values = bg(6) + RISE[:6] + bg(4)
    only(sct(run(values)), {})


def test_a_tie_breaks_a_trend():
    values = [*bg(6), 8.0, 9.0, 10.0, 11.0, 11.0, 12.0, 13.0, 14.0, *bg(4)]
    # 8..11 (4 points) and 11..14 (4 points): no 7 strictly rising
    only(sct(run(values)), {})


def test_eight_rising_points_all_flagged():
    values = [*bg(6), 7.0, *RISE, *bg(4)]
    only(sct(run(values)), dict.fromkeys(range(6, 14), UP))


def test_peak_reads_decreasing_where_two_trend_windows_touch():
    up = [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0]
    down = [13.0, 12.0, 11.0, 10.0, 9.0, 8.0]
    values = bg(4, first=15.0) + up + down + bg(4, first=15.0)
    # rows 4..10 rise, rows 10..16 fall: all of 4..16 in a trend. Rows 4..9: next in a trend and
    # higher: Increasing. Row 10 (the peak, 14): the next point (13) is in a trend and lower, so
    # sign(next - this) = -1: Decreasing (the reference's behaviour). Rows 11..16 Decreasing.
    # mean 236/21 = 11.24, ranges 56/20 = 2.8: near band +- 4.97 = [6.27, 16.2]: nothing close;
    # below/above runs of at most 5: no shift.
    res = run(values)
    expected = {**dict.fromkeys(range(4, 10), UP), **dict.fromkeys(range(10, 17), DOWN)}
    only(sct(res), expected)


def test_trend_direction_at_the_last_point_uses_the_previous_point():
    # the last point of a rising trend (row 12) has no trend after it: sign(this - previous) = +1
    values = bg(6) + RISE + bg(4)
    assert sct(run(values))[12] == UP


def test_trend_at_the_very_start_and_end_of_a_series():
    res = run([*RISE, *bg(6, first=15.0)])  # rows 0..6 rise; 14 -> 15 rises too!
    # 8..14 then 15: rows 0..7 rise (8 points), then 15 -> 9 falls
    only(sct(res), dict.fromkeys(range(8), UP))
    res = run([*bg(6), *RISE])
    only(sct(res), dict.fromkeys(range(6, 13), UP))


# ---------------------------------------------------------------------------------------------
# Two in three

# 16 background points (sum 192) then a pattern, then 4 background points (48).
# With the pattern 14, 26, 25: mean = (192 + 65 + 48) / 23 = 13.26; ranges 15 x 6 = 90, 1, 12,
# 1, 16 (25 -> 9), 3 x 6 = 18: 138 / 22 = 6.27 (screening keeps all: 16 < 20.5);
# upl = 13.26 + 16.69 = 29.95; nupl = 13.26 + 11.12 = 24.39: 26 and 25 close, not outside.


def test_two_in_three_above():
    values = [*bg(16), 14.0, 26.0, 25.0, *bg(4)]
    res = run(values)
    assert res.close_to_limits[17] and res.close_to_limits[18]
    assert not res.outside_limits[17] and not res.outside_limits[18]
    only(sct(res), {17: TT_ABOVE, 18: TT_ABOVE})


def test_two_in_three_below():
    # mirror image around 12: x -> 24 - x (background 9, 15 maps to 15, 9)
    values = [24.0 - v for v in [*bg(16), 14.0, 26.0, 25.0, *bg(4)]]
    res = run(values)
    only(sct(res), {17: TT_BELOW, 18: TT_BELOW})
    assert pt(res)[17] == "special_cause_concern"


def test_two_in_three_needs_all_three_on_one_side():
    # rows 14..18 = 9, 30, 9, 29, 15: mean 293 / 22 = 13.32, ranges 178 / 21 = 8.48, nupl 28.35,
    # upl 35.9: 30 and 29 are close, but each of their windows holds a 9 (below the mean)
    values = [*bg(15), 30.0, 9.0, 29.0, *bg(4, first=15.0)]
    res = run(values)
    assert res.close_to_limits[15] and res.close_to_limits[17]
    only(sct(res), {})


def test_two_in_three_flags_only_the_close_points():
    # 15 (row 15, above the mean, not close), 26, 25: window rows 15..17 qualifies; row 15 is
    # not itself close, so only rows 16 and 17 are flagged
    values = [*bg(16), 26.0, 25.0, *bg(4)]
    res = run(values)
    assert not res.close_to_limits[15]
    only(sct(res), {16: TT_ABOVE, 17: TT_ABOVE})


def test_two_in_three_windows_at_the_ends():
    # at the start: rows 0..2 = 26, 25, 15: a window inside the series qualifies
    values = [26.0, 25.0, *bg(18, first=15.0)]
    res = run(values)
    only(sct(res), {0: TT_ABOVE, 1: TT_ABOVE})
    # at the end: rows 18..19 = 26, 25 after 15 (row 17): the window rows 17..19 qualifies
    values = [*bg(18), 26.0, 25.0]
    res = run(values)
    only(sct(res), {18: TT_ABOVE, 19: TT_ABOVE})


def test_one_close_point_at_the_end_is_not_two_in_three():
    # a window running past the end never qualifies: the last point alone is close
    values = [*bg(20), 26.0]
    res = run(values)
    assert res.close_to_limits[20]
    only(sct(res), {})


def test_points_beyond_the_limits_do_not_count_as_close():
    # 14, 60, 25: 60 is above the upper limit, 25 close; only one close point in the window
    values = [*bg(16), 14.0, 60.0, 25.0, *bg(4)]
    # mean = (192 + 99 + 48) / 23 = 14.74; ranges 90 + 1 + 46 + 35 + 16 + 18 = 206 / 22 = 9.36;
    # screening: 3.267 x 9.36 = 30.6: 46 and 35 screened, amr = 125 / 20 = 6.25;
    # upl = 14.74 + 16.63 = 31.37 (60 outside); nupl = 14.74 + 11.08 = 25.82: 25 not close!
    res = run(values)
    only(sct(res), {17: "Above UCL"})


def test_two_in_three_2023_variant_counts_points_beyond_the_limits():
    # 16, 60, 27: mean (192 + 103 + 48) / 23 = 14.91, all three above it; ranges 90 + 1 + 44 +
    # 33 + 18 + 18 = 204 / 22 = 9.27, screening (>= 30.3) removes 44 and 33: amr 127 / 20 = 6.35;
    # upl = 14.91 + 16.89 = 31.80 (60 outside), nupl = 14.91 + 11.26 = 26.17 (27 close)
    values = [*bg(16), 16.0, 60.0, 27.0, *bg(4)]
    res = run(values)
    assert res.close_to_limits[18] and res.outside_limits[17]
    only(sct(res), {17: "Above UCL"})
    res = run(values, two_in_three_beyond_limits=True)
    # now 60 and 27 count: the window rows 16..18 qualifies; 60 keeps Above UCL (precedence)
    only(sct(res), {17: "Above UCL", 18: TT_ABOVE})
    assert any("two_in_three" in name for name in res.options["non_default"])


# ---------------------------------------------------------------------------------------------
# Outside limits and precedence


def test_outside_limits_above_and_below():
    values = [10.0, 12.0] * 10 + [25.0, 11.0, -3.0, 11.0]
    # mean 264 / 24 = 11; ranges 19 x 2 + 13 + 14 x 3 = 93 / 23 = 4.04; screening (>= 13.2)
    # removes the three 14s: amr (38 + 13) / 20 = 2.55; limits 11 -+ 6.78 = [4.22, 17.78]
    res = run(values)
    assert res.group_amr[0] == 2.55
    labels = sct(res)
    only(labels, {20: "Above UCL", 22: "Below LCL"})
    assert pt(res)[20] == "special_cause_improvement"
    assert pt(res)[22] == "special_cause_concern"
    res = run(values, improvement="decrease")
    assert pt(res)[20] == "special_cause_concern"
    assert pt(res)[22] == "special_cause_improvement"


def test_outside_is_strict():
    # two points: mean 1.5, amr 1, limits 1.5 +- 2.66: nothing can be on a limit here; use a
    # constant series without screening: lpl = upl = mean, a point equal to it is not outside
    res = run([3.0] * 14, screen_outliers=False)
    assert res.group_lpl[0] == res.group_upl[0] == 3.0
    assert not res.outside_limits.any() and not res.limits_missing.any()


def test_precedence_outside_over_trend():
    # a rising run of 7 whose last point is above the upper limit
    values = [*bg(10), 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 60.0, *bg(4, first=15.0)]
    res = run(values)
    labels = sct(res)
    assert labels[16] == "Above UCL"
    assert labels[10:16] == [UP] * 6


def test_precedence_trend_over_two_in_three_and_shift():
    # rows 16..23 = 21, 19, 20, 21, 22, 23, 24.5, 25.5 after a background ending with 9 and
    # before one starting with 9: 8 points above the mean 14.86 (a shift), rows 17..23 rising
    # (a trend), rows 22 and 23 close (nupl about 24): the trend wins for rows 17..23 and row 16
    # is left with the shift
    values = [*bg(16, first=15.0), 21.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.5, 25.5, *bg(4)]
    res = run(values)
    assert res.close_to_limits[22] and res.close_to_limits[23]
    only(sct(res), {16: ABOVE, **dict.fromkeys(range(17, 24), UP)})


def test_precedence_two_in_three_over_shift():
    # 7 points above the mean (no trend), the last two close: those two read 2 in 3,
    # the other five 7 Points Above CL
    values = [*bg(16, first=15.0), 16.0, 18.0, 16.0, 18.0, 16.0, 26.0, 25.0, *bg(4)]
    res = run(values)
    expected = {**dict.fromkeys(range(16, 21), ABOVE), 21: TT_ABOVE, 22: TT_ABOVE}
    only(sct(res), expected)


# ---------------------------------------------------------------------------------------------
# Rebasing


def test_rebase_splits_groups():
    values = [1.0, 2.0] * 7 + [11.0, 12.0] * 7
    dates = np.arange(28) * 31 + 18262
    res = run(values, dates=dates, rebase_dates=[int(dates[14])])
    assert res.rebase_group.tolist() == [0] * 14 + [1] * 14
    assert res.group_mean.tolist() == [1.5, 11.5]
    assert res.group_amr.tolist() == [1.0, 1.0]
    only(sct(res), {})
    # without rebasing: one step (2 -> 11, screened) and ranges of 1: limits 6.5 -+ 2.66, so
    # every point is outside
    expected = {
        **dict.fromkeys(range(14), "Below LCL"),
        **dict.fromkeys(range(14, 28), "Above UCL"),
    }
    only(sct(run(values)), expected)


def test_rebase_date_equal_to_the_first_date():
    dates = np.arange(14) * 31 + 18262
    res = run([1.0, 2.0] * 7, dates=dates, rebase_dates=[int(dates[0])])
    assert res.rebase_group.tolist() == [1] * 14
    assert res.group_offsets.tolist() == [0, 14]


def test_rebase_date_not_present_is_ignored():
    dates = np.arange(14) * 31 + 18262
    res = run([1.0, 2.0] * 7, dates=dates, rebase_dates=[int(dates[5]) + 1])
    assert res.rebase_group.tolist() == [0] * 14


def test_rebase_dates_as_strings_and_per_facet():
    dates = [f"2020-{m:02d}-01" for m in range(1, 13)] + [f"2021-{m:02d}-01" for m in range(1, 13)]
    values = [1.0, 2.0] * 6 + [11.0, 12.0] * 6
    res = compute(
        ["A"] * 24 + ["B"] * 24,
        dates * 2,
        values * 2,
        rebase_dates={"A": ["2021-01-01"]},
    )
    assert res.rebase_group.tolist() == [0] * 12 + [1] * 12 + [0] * 24
    assert res.group_mean.tolist() == [1.5, 11.5, 6.5]


def test_statistics_never_cross_a_rebase():
    # a rising run across a rebase date is two runs
    values = bg(6) + RISE + bg(4)
    dates = np.arange(len(values)) * 31 + 18262
    res = run(values, dates=dates, rebase_dates=[int(dates[9])])  # rows 6..8 | 9..12
    assert UP not in sct(res)


# ---------------------------------------------------------------------------------------------
# Fix after n points


def test_fix_after_n_points_uses_the_first_n_rows_only():
    values = [10.0, 12.0] * 6 + [20.0, 21.0, 11.0]
    res = run(values, fix_after_n_points=12)
    # limits from rows 0..11: mean 11, amr 2 -> 11 -+ 5.32
    assert res.group_mean[0] == 11.0
    assert res.group_amr[0] == 2.0
    assert res.group_upl[0] == 11.0 + 2.66 * 2.0
    assert sct(res)[12:14] == ["Above UCL", "Above UCL"]
    assert res.options["fix_after_n_points"] == 12


def test_fix_after_n_points_counts_missing_rows():
    values = [10.0, 12.0] * 5 + [NAN, 100.0, 0.0]
    res = run(values, fix_after_n_points=12)
    # rows 0..11 include the NaN and 100: mean (110 + 100) / 11 = 19.09..., row 12 excluded
    assert res.group_mean[0] == pytest.approx(210 / 11)


def test_fix_after_n_points_must_be_at_least_12():
    with pytest.raises(ValueError, match="at least 12"):
        run([1.0] * 20, fix_after_n_points=11)


def test_fix_after_more_points_than_rows_uses_all():
    values = [10.0, 12.0] * 5
    assert run(values, fix_after_n_points=30).group_mean[0] == run(values).group_mean[0]


# ---------------------------------------------------------------------------------------------
# Outlier screening

SPIKE = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 10.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
# ranges: 1, 1, 1, 1, 1, 8, 9, 1, 1, 1, 1, 1: amr = 27 / 12 = 2.25; 3.267 x 2.25 = 7.35 screens
# 8 and 9: amr = 10 / 10 = 1.


def test_screening_removes_large_ranges_not_points():
    on = run(SPIKE)
    off = run(SPIKE, screen_outliers=False)
    assert on.group_amr[0] == 1.0
    assert off.group_amr[0] == 2.25
    assert on.group_mean[0] == off.group_mean[0]  # the mean is unchanged
    assert on.group_upl[0] == on.group_mean[0] + 2.66 * 1.0
    assert sct(on)[6] == "Above UCL"
    assert off.options["non_default"] == ["screen_outliers=False (MDC Excel tool)"]
    assert on.options["non_default"] == []


def test_screening_is_strict():
    # ranges 1 x 12 and one of exactly 3.267 x amr cannot be built with round numbers; instead:
    # a constant series has every range 0, and 0 < 3.267 x 0 is false: all screened
    res = run([4.0] * 15)
    assert math.isnan(res.group_amr[0])


# ---------------------------------------------------------------------------------------------
# Missing values


def test_missing_values_are_never_flagged_and_break_runs():
    values = [*bg(6), 8.0, 9.0, 10.0, NAN, 11.0, 12.0, 13.0, 14.0, *bg(4)]
    res = run(values)
    only(sct(res), {})
    assert res.value_missing[9]
    assert res.limits_missing[9] and res.relative_missing[9]
    assert not res.outside_limits[9] and res.relative_to_mean[9] == 0


def test_missing_value_breaks_a_shift_and_two_in_three():
    values = list(SHIFT)
    values[3] = NAN
    values[10] = NAN
    res = run(values)
    only(sct(res), {})
    values = [*bg(16), 26.0, NAN, 25.0, *bg(4)]
    res = run(values)
    only(sct(res), {})


def test_ranges_do_not_bridge_gaps():
    res = run([1.0, NAN, 5.0])
    assert math.isnan(res.group_amr[0])  # no two consecutive values: no range
    res = run([1.0, 2.0, NAN, 5.0, 7.0], screen_outliers=False)
    assert res.group_amr[0] == 1.5  # ranges 1 and 2, not 3 across the gap


def test_missing_everywhere():
    res = run([NAN] * 5)
    assert math.isnan(res.group_mean[0])
    only(sct(res), {})
    assert res.series_labels("variation") == ["common_cause"]


def test_missing_last_row_decides_variation():
    values = [*SHIFT, NAN]
    res = run(values)
    assert sct(res)[13] == BELOW
    assert sct(res)[14] == CC
    assert res.series_labels("variation") == ["common_cause"]


# ---------------------------------------------------------------------------------------------
# Edge cases


def test_constant_series():
    res = run([5.0] * 15)
    assert res.group_mean[0] == 5.0
    assert math.isnan(res.group_lpl[0]) and math.isnan(res.group_upl[0])
    assert res.limits_missing.all()
    assert (res.relative_to_mean == 0).all() and not res.relative_missing.any()
    only(sct(res), {})
    res = run([5.0] * 15, screen_outliers=False)
    assert res.group_lpl[0] == res.group_upl[0] == 5.0
    assert not res.outside_limits.any() and not res.limits_missing.any()
    only(sct(res), {})


def test_one_point_series():
    res = run([7.5])
    assert res.group_mean[0] == 7.5
    assert math.isnan(res.group_lpl[0])
    only(sct(res), {})
    assert res.short_group_warning.tolist() == [True]


def test_two_point_series():
    res = run([1.0, 3.0])
    assert res.group_mean[0] == 2.0
    assert res.group_amr[0] == 2.0  # 2 < 3.267 x 2: kept
    assert res.group_lpl[0] == 2.0 - 2.66 * 2.0
    only(sct(res), {})
    res = run([3.0, 3.0])
    assert math.isnan(res.group_upl[0])


def test_single_step_series_has_zero_amr():
    # ranges 0 except one step of 1, which is screened (1 >= 3.267 x 1/12): amr 0, every point
    # off the mean is outside
    values = [1.0] * 6 + [2.0] * 7
    res = run(values)
    assert res.group_amr[0] == 0.0
    assert res.outside_limits.all()


def test_short_group_warning():
    res = run([1.0, 2.0] * 6)
    assert res.short_group_warning.all()
    res = run([1.0, 2.0] * 6 + [1.0])
    assert not res.short_group_warning.any()


# ---------------------------------------------------------------------------------------------
# Neutral direction, variation, assurance


def test_neutral_direction_labels():
    values = [*bg(16), 14.0, 26.0, 25.0]
    res = run(values, improvement="neutral", targets=100.0)
    assert pt(res)[17:19] == ["special_cause_neutral_high"] * 2
    assert res.series_labels("variation") == ["neutral_high"]
    assert res.series_labels("assurance") == [""]  # no assurance for neutral
    res = run([24.0 - v for v in values], improvement="neutral")
    assert pt(res)[17:19] == ["special_cause_neutral_low"] * 2
    assert res.series_labels("variation") == ["neutral_low"]


BASE = [10.0, 12.0] * 7  # mean 11, amr 2: lpl 5.68, upl 16.32


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("increase", 20.0, "consistent_fail"),
        ("increase", 3.0, "consistent_pass"),
        ("increase", 11.0, "inconsistent"),
        ("decrease", 20.0, "consistent_pass"),
        ("decrease", 3.0, "consistent_fail"),
        ("decrease", 11.0, "inconsistent"),
        ("increase", 11.0 + 2.66 * 2.0, "inconsistent"),  # equal to upl: strict
        ("neutral", 20.0, ""),
    ],
)
def test_assurance(direction, target, assurance):
    res = run(BASE, improvement=direction, targets=target)
    assert res.group_upl[0] == 11.0 + 2.66 * 2.0
    assert res.series_labels("assurance") == [assurance]


def test_assurance_per_facet_with_a_facet_without_target():
    facets = ["A"] * 14 + ["B"] * 14 + ["C"] * 14
    res = run(
        BASE * 3, facets=facets, dates=np.tile(np.arange(14), 3), targets={"A": 20.0, "B": 3.0}
    )
    assert res.series_labels("assurance") == ["consistent_fail", "consistent_pass", "inconsistent"]
    res = run(BASE * 3, facets=facets, dates=np.tile(np.arange(14), 3))
    assert res.series_labels("assurance") == ["", "", ""]


def test_assurance_with_missing_limits_is_inconsistent():
    assert run([5.0] * 14, targets=1.0).series_labels("assurance") == ["inconsistent"]


@pytest.mark.parametrize(
    ("last", "direction", "variation"),
    [
        (30.0, "increase", "improvement_high"),
        (-8.0, "increase", "concern_low"),
        (30.0, "decrease", "concern_high"),
        (-8.0, "decrease", "improvement_low"),
        (30.0, "neutral", "neutral_high"),
        (-8.0, "neutral", "neutral_low"),
        (11.0, "increase", "common_cause"),
        (11.0, "decrease", "common_cause"),
    ],
)
def test_variation_from_the_last_point(last, direction, variation):
    res = run([*BASE, last], improvement=direction)
    assert res.series_labels("variation") == [variation]


def test_improvement_per_series():
    facets = ["A"] * 15 + ["B"] * 15
    values = [*BASE, 30.0] * 2
    res = run(
        values,
        facets=facets,
        dates=np.tile(np.arange(15), 2),
        improvement={"A": "increase", "B": "decrease"},
    )
    assert res.series_labels("variation") == ["improvement_high", "concern_high"]
    with pytest.raises(ValueError, match="no improvement direction"):
        run(values, facets=facets, dates=np.tile(np.arange(15), 2), improvement={"A": "increase"})


# ---------------------------------------------------------------------------------------------
# Series boundaries


def test_nothing_leaks_between_series():
    # alone, neither series has a special cause; glued together they would (a rising run of 7
    # across the boundary, 7 above a common mean, and a huge moving range)
    a = [*bg(10), 8.0, 9.0, 10.0]
    b = [11.0, 12.0, 13.0, 14.0, *bg(10, first=15.0)]
    glued = run(a + b)
    assert UP in sct(glued)
    both = run(a + b, facets=["A"] * len(a) + ["B"] * len(b))
    alone_a, alone_b = run(a), run(b)
    assert sct(both) == sct(alone_a) + sct(alone_b)
    assert both.group_mean.tolist() == [alone_a.group_mean[0], alone_b.group_mean[0]]
    assert both.group_amr.tolist() == [alone_a.group_amr[0], alone_b.group_amr[0]]
    assert UP not in sct(both)


def test_shift_and_two_in_three_do_not_leak():
    a = [*bg(12), 16.0, 16.0, 16.0, 26.0]  # ends with 4 above its mean (one close)
    b = [25.0, 16.0, 16.0, *bg(12, first=15.0)]  # starts with 3 above its mean (one close)
    both = run(a + b, facets=["A"] * len(a) + ["B"] * len(b))
    assert sct(both) == sct(run(a)) + sct(run(b))


def test_offsets_from_index():
    from dashboard.spc.engine import offsets_from_index

    assert offsets_from_index([0, 0, 2, 2, 2]).tolist() == [0, 2, 2, 5]
    assert offsets_from_index([0, 1], n_series=4).tolist() == [0, 1, 2, 2, 2]
    assert offsets_from_index([]).tolist() == [0]
    with pytest.raises(ValueError, match="non-decreasing"):
        offsets_from_index([1, 0])


def test_compute_sorted_with_empty_series_and_many_blocks():
    values = [*BASE, 30.0, *SHIFT]
    off = [0, 0, 15, 15, 29, 29]
    res = compute_sorted(values, off, chunk_points=5)
    assert res.series_n.tolist() == [0, 15, 0, 14, 0]
    assert res.variation.tolist() == [0, 1, 0, 4, 0]  # -, improvement_high, -, concern_low, -
    assert sct(res)[14] == "Above UCL"
    assert sct(res)[15:] == [ABOVE] * 7 + [BELOW] * 7
    assert res.last_point.tolist() == [-1, 14, -1, 28, -1]


# ---------------------------------------------------------------------------------------------
# Options beyond the reference


def test_rule_length_six():
    values = bg(6) + RISE[:6] + bg(4)
    res = run(values, rule_length=6)
    only(sct(res), dict.fromkeys(range(6, 12), "6 Point Trend (Increasing)"))
    assert res.options["non_default"] == ["rule_length=6 (trend and shift)"]
    res = run(SHIFT[1:-1], rule_length=6)  # 6 above, 6 below
    only(
        sct(res),
        {
            **dict.fromkeys(range(6), "6 Points Above CL"),
            **dict.fromkeys(range(6, 12), "6 Points Below CL"),
        },
    )


def test_defaults_are_the_reference():
    res = run(BASE)
    assert res.options == {
        "reference": "NHSRplotthedots 0.2.2 ptd_spc()",
        "fix_after_n_points": None,
        "screen_outliers": True,
        "rule_length": 7,
        "two_in_three_beyond_limits": False,
        "non_default": [],
    }


# ---------------------------------------------------------------------------------------------
# Input checks


def test_duplicate_dates_within_a_series_are_refused():
    with pytest.raises(ValueError, match="duplicate date"):
        compute(["A", "A", "B"], [1, 1, 3], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="duplicate date"):
        compute(["A", "B", "A"], [1, 1, 1], [1.0, 2.0, 3.0])


def test_unsorted_rows_give_the_same_answer_in_input_order():
    values = [*bg(6), *RISE, *bg(4)]
    dates = np.arange(len(values))
    perm = np.random.default_rng(3).permutation(len(values))
    res = run(np.array(values)[perm], dates=dates[perm])
    assert [sct(res)[i] for i in np.argsort(perm)] == sct(run(values))
    assert res.order is not None


def test_infinite_values_are_refused():
    with pytest.raises(ValueError, match="finite"):
        run([1.0, math.inf])


def test_module_docstring_example():
    import doctest

    import dashboard.spc.engine as engine

    assert doctest.testmod(engine).failed == 0
