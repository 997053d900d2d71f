"""pandas helper around :func:`dashboard.spc.engine.compute` (pandas is imported lazily).

Example::

    from dashboard.spc.frame import compute_frame

    points, summary = compute_frame(
        df, value_field="rate", date_field="period", facet_field="org_code",
        targets={"RXX": 0.05}, improvement="decrease",
    )

``points`` has the input's index and the columns ``facet, date, value, rebase_group, mean, lpl,
upl, nlpl, nupl, outside_limits, relative_to_mean, close_to_limits, special_cause_type,
point_type, short_group_warning`` (missing values as pandas NA / NaN, nullable booleans and
integers). ``summary`` has one row per facet: ``facet, variation, assurance, n, mean, lpl, upl``
(the limits of the latest group), in facet order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import compute
from .result import SpcResult


def compute_frame(
    df,
    value_field: str,
    date_field: str,
    facet_field: str | None = None,
    **options: Any,
):
    """Run :func:`dashboard.spc.engine.compute` on a DataFrame; returns (points, summary).

    ``options`` are those of ``compute`` (``rebase_dates``, ``improvement``, ``targets``,
    ``fix_after_n_points``, ``screen_outliers``, ...).
    """
    import pandas as pd

    values = pd.to_numeric(df[value_field], errors="raise").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    dates = pd.to_datetime(df[date_field]).to_numpy(dtype="datetime64[ns]")
    facets = df[facet_field].to_numpy() if facet_field else None
    res = compute(facets, dates, values, **options)
    return points_frame(res, df.index, dates), summary_frame(res)


def points_frame(res: SpcResult, index=None, dates=None):
    """Per-point DataFrame of a result (rows in the result's order, i.e. the input's)."""
    import pandas as pd

    lim_na = res.limits_missing
    rel_na = res.relative_missing
    data = {
        "facet": res.series_ids[res.series],
        "date": dates if dates is not None else pd.NaT,
        "value": res.values,
        "rebase_group": res.rebase_group,
        "mean": res.mean,
        "lpl": res.lpl,
        "upl": res.upl,
        "nlpl": res.nlpl,
        "nupl": res.nupl,
        "outside_limits": pd.arrays.BooleanArray(res.outside_limits, lim_na),
        "relative_to_mean": pd.arrays.IntegerArray(res.relative_to_mean, rel_na),
        "close_to_limits": pd.arrays.BooleanArray(res.close_to_limits, lim_na),
        "special_cause_type": res.labels("special_cause_type"),
        "point_type": res.labels("point_type"),
        "short_group_warning": res.short_group_warning,
    }
    return pd.DataFrame(data, index=index)


def summary_frame(res: SpcResult):
    """One row per series: variation, assurance (NA when none), rows and latest limits."""
    import pandas as pd

    last_group = (
        np.searchsorted(res.group_offsets[:-1], res.series_offsets[1:] - 1, side="right") - 1
    )
    last_group = np.maximum(last_group, 0)
    has = res.series_n > 0
    assurance = res.series_labels("assurance")
    return pd.DataFrame(
        {
            "facet": res.series_ids,
            "variation": res.series_labels("variation"),
            "assurance": [a or pd.NA for a in assurance],
            "n": res.series_n,
            "mean": np.where(
                has, res.group_mean[last_group] if res.group_mean.size else np.nan, np.nan
            ),
            "lpl": np.where(
                has, res.group_lpl[last_group] if res.group_lpl.size else np.nan, np.nan
            ),
            "upl": np.where(
                has, res.group_upl[last_group] if res.group_upl.size else np.nan, np.nan
            ),
        }
    )
