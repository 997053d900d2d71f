"""Periods as data: quarterly and annual indicators import, chart, judge and signal as monthly
ones do; the SPC rules count points (quarters here), and a missing period breaks the runs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from dashboard import importing, periods, selectors, services
from dashboard.models import ImportRowError, Indicator, SpcSeries
from dashboard.results import unpack_points
from dashboard.spc.engine import compute

from .helpers import load

pytestmark = pytest.mark.django_db

HEADER = "provider,indicator,period,value,numerator,denominator\n"


def test_period_labels_and_arithmetic():
    q3 = dt.date(2018, 10, 1)
    assert periods.label(q3, "quarterly") == "Q3 2018-19"
    assert periods.label(dt.date(2019, 1, 1), "quarterly") == "Q4 2018-19"
    assert periods.label(dt.date(2019, 4, 1), "quarterly") == "Q1 2019-20"
    assert periods.label(q3, "quarterly", long=True) == "Q3 2018-19 (October to December 2018)"
    assert periods.label(dt.date(2019, 3, 1), "monthly") == "Mar 2019"
    assert periods.label(dt.date(2019, 3, 1), "monthly", long=True) == "March 2019"
    assert periods.label(dt.date(1999, 4, 1), "annual") == "1999-00"
    assert periods.label(dt.date(2018, 4, 1), "annual", long=True) == (
        "2018-19 (April 2018 to March 2019)"
    )
    assert periods.start_of(dt.date(2019, 2, 17), "quarterly") == dt.date(2019, 1, 1)
    assert periods.start_of(dt.date(2019, 2, 17), "annual") == dt.date(2018, 4, 1)
    assert periods.start_of(dt.date(2019, 5, 17), "annual") == dt.date(2019, 4, 1)
    assert periods.end_of(dt.date(2018, 10, 1), "quarterly") == dt.date(2018, 12, 31)
    assert periods.grid(dt.date(2018, 4, 1), dt.date(2019, 1, 1), "quarterly") == [
        dt.date(2018, 4, 1), dt.date(2018, 7, 1), dt.date(2018, 10, 1), dt.date(2019, 1, 1)
    ]  # fmt: skip
    assert periods.is_start(dt.date(2019, 1, 1), "quarterly")
    assert not periods.is_start(dt.date(2019, 2, 1), "quarterly")
    assert periods.is_start(dt.date(2019, 4, 1), "annual")
    assert not periods.is_start(dt.date(2019, 1, 1), "annual")


def test_period_texts_are_read_in_every_published_style():
    cells = pd.Series(
        ["2019-03", "2019-03-01", "2019-03-01 00:00:00", "Mar-26", "March 2026", "Mar 2026",
         "2018-19 Q3", "Q3 2018-19", "2018/19 Q4", "Q1 2019/2020", "2018-19", "2018/2019",
         "2018-20 Q1", "Q5 2018-19", "2019-13", "13-Mar", "", "2018-19 Q3 extra"]
    )  # fmt: skip
    month, ok, length = importing._months(cells)
    as_dates = [
        dt.date(int(m) // 12, int(m) % 12 + 1, 1) if good else None
        for m, good in zip(month, ok, strict=True)
    ]
    assert as_dates == [
        dt.date(2019, 3, 1), dt.date(2019, 3, 1), dt.date(2019, 3, 1), dt.date(2026, 3, 1),
        dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2018, 10, 1), dt.date(2018, 10, 1),
        dt.date(2019, 1, 1), dt.date(2019, 4, 1), dt.date(2018, 4, 1), dt.date(2018, 4, 1),
        None, None, None, None, None, None,
    ]  # fmt: skip
    assert length[:12].tolist() == [1] * 6 + [3] * 4 + [12] * 2
    frequency = np.array(["monthly"] * 6 + ["quarterly"] * 4 + ["annual"] * 2, dtype=object)
    assert importing.period_fits(month[:12], frequency, length[:12]).all()
    # a quarter's name for a monthly indicator, a year's for a quarterly one: refused
    assert not importing.period_fits(month[6:7], np.array(["monthly"]), length[6:7]).any()
    assert not importing.period_fits(month[10:11], np.array(["quarterly"]), length[10:11]).any()
    assert not importing.period_fits(np.array([2019 * 12 + 1]), np.array(["quarterly"]))[0]
    assert not importing.period_fits(np.array([2019 * 12 + 0]), np.array(["annual"]))[0]


@pytest.fixture
def beds(db):
    ind = Indicator.objects.get(code="BED_OCCUPANCY")
    assert ind.frequency == "quarterly", "the migration makes KH03 bed occupancy quarterly"
    return ind


def _quarters(start: dt.date, n: int) -> list[dt.date]:
    return [periods.add(start, "quarterly", k) for k in range(n)]


def _bed_rows(code: str, values, start=dt.date(2014, 4, 1), style="date") -> list[str]:
    rows = []
    for day, v in zip(_quarters(start, len(values)), values, strict=True):
        if v is None:
            continue
        text = day.isoformat() if style == "date" else periods.label(day, "quarterly")
        occupied = round(v * 10)
        rows.append(f"{code},BED_OCCUPANCY,{text},,{occupied},1000")
    return rows


def _csv(rows) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


# 13 quarters around 88%, then 7 quarters above the mean: a shift of 7 points, 21 months long.
BASE = [88.0, 87.5, 88.6, 87.9, 88.3, 87.7, 88.1, 88.4, 87.6, 88.2, 87.8, 88.5, 87.9]
SHIFT = [88.9, 88.7, 89.0, 88.8, 88.6, 88.9, 88.7]


def test_a_quarterly_series_is_judged_by_points_not_months(cast, beds):
    values = BASE + SHIFT
    batch = load(cast.users["member_b"], _csv(_bed_rows("RAA", values, style="label")))
    assert batch.outcome == "loaded", list(ImportRowError.objects.values_list("message", flat=True))
    series = SpcSeries.objects.get(provider__ods_code="RAA", indicator=beds)
    points = unpack_points(series.points, series.groups)
    assert [p.period for p in points] == _quarters(dt.date(2014, 4, 1), 20)
    assert series.n_points == 20
    ref = compute(None, [p.period for p in points], [p.value for p in points])
    assert [p.special_cause for p in points] == ref.labels("special_cause_type")
    # seven quarters above the mean are a shift: the rule counts points, not 21 months
    labels = [p.special_cause for p in points]
    assert labels[-7:] == ["7 Points Above CL"] * 7
    assert series.variation == "neutral_high"  # occupancy is neither better nor worse
    assert series.latest_period == dt.date(2019, 1, 1)
    assert beds.period_label(series.latest_period) == "Q4 2018-19"


def test_six_quarters_above_the_mean_are_not_a_shift(cast, beds):
    values = BASE + SHIFT[:6] + [87.9]
    load(cast.users["member_b"], _csv(_bed_rows("RAA", values)))
    points = unpack_points(
        *SpcSeries.objects.filter(provider__ods_code="RAA", indicator=beds)
        .values_list("points", "groups")
        .get()
    )
    assert "7 Points Above CL" not in [p.special_cause for p in points]


def test_a_missing_quarter_breaks_the_run_and_shows_as_a_gap(cast, beds, client_for):
    values = BASE + SHIFT[:3] + [None] + SHIFT[3:]  # 7 above the mean, with a gap among them
    batch = load(cast.users["member_b"], _csv(_bed_rows("RAA", values)))
    assert batch.rows_created == 20
    series = SpcSeries.objects.get(provider__ods_code="RAA", indicator=beds)
    points = unpack_points(series.points, series.groups)
    assert len(points) == 21 and series.n_points == 20
    gap = points[16]
    assert gap.missing and gap.period == dt.date(2018, 4, 1)
    assert gap.special_cause == "Common Cause" and gap.point_type == "common_cause"
    assert "7 Points Above CL" not in [p.special_cause for p in points]
    # the engine's answer with the gap as a missing value
    ref = compute(None, [p.period for p in points], [np.nan if v is None else v for v in values])
    assert [p.special_cause for p in points] == ref.labels("special_cause_type")
    page = client_for("member_a").get(f"/dashboard/providers/{series.provider_id}/BED_OCCUPANCY/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Q1 2018-19" in body and "No data" in body and "Q1 2019-20" in body
    assert "20 quarters from Q1 2014-15" in body and "1 quarter missing" in body
    api = client_for("member_a").get(
        "/api/v1/spc/", {"provider": "RAA", "indicator": "BED_OCCUPANCY"}
    )
    assert api.status_code == 200, api.content
    data = api.json()
    assert data["indicator"]["frequency"] == "quarterly"
    assert data["points"][16]["value"] is None and data["points"][16]["missing"] is True
    assert data["points"][-1]["period_label"] == "Q1 2019-20"


def test_a_period_that_does_not_start_a_quarter_is_refused(cast, beds):
    rows = [*_bed_rows("RAA", BASE[:3]), "RAA,BED_OCCUPANCY,2015-02-01,,880,1000"]
    rows += ["RAA,BED_OCCUPANCY,2015-13,,880,1000", "RAA,AE_4HR,2018-19 Q3,,100,1000"]
    batch = load(cast.users["member_b"], _csv(rows), recompute_now=False)
    assert batch.outcome == "rejected"
    errors = {e.row_number: e.message for e in ImportRowError.objects.filter(batch=batch)}
    assert "does not start a quarter" in errors[5]
    assert "is not a period" in errors[6]
    assert "The indicator is monthly" in errors[7]  # a quarter's name for a monthly indicator


def test_matrix_and_signals_name_the_latest_quarter(cast, beds, client_for):
    from .helpers import ae_rows, csv_bytes

    # read as "lower is better" here, so that a high point is a concern (a signal)
    services.indicator_update(
        actor=cast.users["member_b"], indicator=beds, improvement_direction="decrease"
    )
    load(cast.users["member_b"], csv_bytes(ae_rows("RAA", n=27, start=dt.date(2016, 1, 1))))
    # the quarterly series ends with a point far above its limits in Q4 2018-19 (Jan-Mar 2019)
    load(cast.users["member_b"], _csv(_bed_rows("RAA", [*BASE, 97.0], start=dt.date(2015, 10, 1))))
    series = SpcSeries.objects.get(provider__ods_code="RAA", indicator=beds)
    assert series.latest_period == dt.date(2019, 1, 1)
    body = client_for("member_a").get(f"/dashboard/qsgs/{cast.qsgs['a'].pk}/").content.decode()
    assert "latest Q4 2018-19" in body and "latest Mar 2018" in body
    assert "Quarterly" in body
    # signals since March 2019: the quarter January to March 2019 ends after it, so it counts
    found = selectors.signals_since(cast.users["member_a"], cast.qsgs["a"], dt.date(2019, 3, 1))
    beds_signals = [s for s in found if s.indicator_code == "BED_OCCUPANCY"]
    assert beds_signals and beds_signals[0].period_label.startswith("Q4 2018-19")
    # after the quarter ended, nothing
    later = selectors.signals_since(cast.users["member_a"], cast.qsgs["a"], dt.date(2019, 4, 1))
    assert not [s for s in later if s.indicator_code == "BED_OCCUPANCY"]


def test_rebase_a_quarterly_series_from_a_quarter_only(cast, beds):
    load(cast.users["member_b"], _csv(_bed_rows("RAA", BASE)))
    provider = SpcSeries.objects.get(provider__ods_code="RAA", indicator=beds).provider
    analyst = cast.users["member_b"]
    with pytest.raises(ValidationError, match="first day of a quarter"):
        services.rebase_add(
            actor=analyst, provider=provider, indicator=beds, period=dt.date(2015, 2, 1),
            reason="New wards",
        )  # fmt: skip
    services.rebase_add(
        actor=analyst, provider=provider, indicator=beds, period=dt.date(2015, 4, 1),
        reason="New wards",
    )  # fmt: skip


def test_the_frequency_of_an_indicator_with_data_cannot_change(cast, beds):
    analyst = cast.users["member_b"]
    load(analyst, _csv(_bed_rows("RAA", BASE[:4])), recompute_now=False)
    with pytest.raises(ValidationError, match="already has data"):
        services.indicator_update(actor=analyst, indicator=beds, frequency="monthly")
    empty = Indicator.objects.get(code="SHMI")
    services.indicator_update(actor=analyst, indicator=empty, frequency="annual")
    assert Indicator.objects.get(code="SHMI").frequency == "annual"
