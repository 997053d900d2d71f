"""The optional pandas helper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.spc.frame import compute_frame


def test_compute_frame_matches_engine_labels():
    df = pd.DataFrame(
        {
            "org": ["B"] * 15 + ["A"] * 15,
            "period": list(pd.date_range("2020-01-01", periods=15, freq="MS")) * 2,
            "rate": [10.0, 12.0] * 7 + [30.0] + [1.0, 2.0] * 7 + [None],
        },
        index=np.arange(100, 130),
    )
    points, summary = compute_frame(df, "rate", "period", "org", targets={"B": 50.0})
    assert list(points.index) == list(df.index)
    assert points.loc[114, "special_cause_type"] == "Above UCL"
    assert points.loc[114, "point_type"] == "special_cause_improvement"
    assert points.loc[129, "outside_limits"] is pd.NA
    assert points.loc[129, "relative_to_mean"] is pd.NA
    assert points.loc[100, "mean"] == pytest.approx(184 / 15)
    assert summary["facet"].tolist() == ["A", "B"]
    assert summary["variation"].tolist() == ["common_cause", "improvement_high"]
    assert summary["assurance"].tolist()[1] == "consistent_fail"
    assert summary["assurance"].tolist()[0] == "inconsistent"
    assert summary["n"].tolist() == [15, 15]
