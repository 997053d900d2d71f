"""The real NHS England files in shared/data, loaded as the demo loads them (dashboard.demo), for
a few real trusts: A&E and quarterly KH03 bed occupancy for 2016-2019; RTT and the three cancer
standards for 2022-2026, with missing months, provisional months, the October 2023 cancer
redefinition and the Manchester merger of October 2017 (RM2 and RW3 into R0A)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import demo, recompute, services
from dashboard.models import ColumnMapping, ProviderSuccession, SpcSeries
from dashboard.results import unpack_points
from qsg import services as qsg_services
from qsg.demo import shared_dir

pytestmark = pytest.mark.django_db

CODES = ("R0A", "RM2", "RW3")


def _raw(name: str) -> pd.DataFrame:
    return pd.read_csv(shared_dir() / "data" / name, dtype={"type": str})


@pytest.fixture
def real(cast, tmp_path):
    for code in CODES:
        qsg_services.provider_create(
            actor=None, ods_code=code, name=f"{code} NHS Trust", sector="acute", qsg=cast.qsgs["a"]
        )
    analyst = cast.users["member_b"]
    for k, spec in enumerate(demo.FILES):
        path = tmp_path / f"{k}-{spec.file}"
        path.write_bytes(demo.demo_rows(spec, set(CODES)))
        batch = services.import_file(
            actor=analyst,
            path=str(path),
            mapping=ColumnMapping.objects.get(name=spec.mapping),
            source=spec.source,
        )
        assert batch.outcome == "loaded", (spec.mapping, list(batch.row_errors.all()[:5]))
    recompute.run()
    return cast


def _series(code: str, indicator: str) -> SpcSeries:
    return SpcSeries.objects.select_related("indicator", "provider").get(
        provider__ods_code=code, indicator__code=indicator
    )


def _points(code: str, indicator: str):
    s = _series(code, indicator)
    return unpack_points(s.points, s.groups)


def test_ae_and_quarterly_bed_occupancy_are_the_published_figures(real):
    ae = _raw("ae_attendances.csv")
    ae = ae[(ae.org_code == "R0A") & (ae.type == "1")].sort_values("period")
    points = _points("R0A", "AE_4HR")
    assert [p.period.isoformat() for p in points] == ae.period.tolist()
    assert [p.value for p in points] == pytest.approx(
        (ae.breaches / ae.attendances * 100).tolist(), rel=1e-12
    )
    kh = _raw("kh03_overnight_beds.csv")
    kh = kh[(kh.org_code == "R0A") & (kh.sector == "general_and_acute")]
    kh = kh[(kh.period >= "2016-04-01") & (kh.period <= "2019-01-01")].sort_values("period")
    beds = _series("R0A", "BED_OCCUPANCY")
    points = unpack_points(beds.points, beds.groups)
    assert [p.period for p in points] == [
        dt.date(2017, 10, 1), dt.date(2018, 1, 1), dt.date(2018, 4, 1), dt.date(2018, 7, 1),
        dt.date(2018, 10, 1), dt.date(2019, 1, 1),
    ]  # fmt: skip
    assert [p.value for p in points] == pytest.approx(
        (kh.beds_occupied / kh.beds_available * 100).tolist(), rel=1e-12
    )
    assert beds.indicator.period_label(beds.latest_period) == "Q4 2018-19"
    assert _series("RM2", "BED_OCCUPANCY").latest_period == dt.date(2017, 7, 1)


def test_rtt_against_92_percent_with_missing_months_and_the_52_week_count(real):
    rtt = _raw("rtt_incomplete_pathways.csv")
    rtt = rtt[rtt.org_code == "R0A"].sort_values("period")
    assert len(rtt) == 46, "three months missing in the published file"
    series = _series("R0A", "RTT_WITHIN_18WK")
    points = unpack_points(series.points, series.groups)
    assert len(points) == 49 and series.n_points == 46
    missing = [p.period.isoformat() for p in points if p.missing]
    expected = sorted(
        set(pd.date_range("2022-04-01", "2026-04-01", freq="MS").strftime("%Y-%m-%d"))
        - set(rtt.period)
    )
    assert missing == expected
    last = rtt.iloc[-1]
    assert series.latest_value == pytest.approx(
        last.within_18_weeks / last.incomplete_pathways * 100
    )
    assert series.target == 92.0 and series.assurance
    waits = _series("R0A", "RTT_OVER_52WK")
    assert waits.latest_value == last.over_52_weeks
    assert waits.indicator.improvement_direction == "decrease"


def test_cancer_standards_rebase_in_october_2023_and_mark_provisional_months(real, client_for):
    cwt = _raw("cancer_waiting_times.csv")
    cwt = cwt[(cwt.org_code == "R0A") & (cwt.standard == "CMB62")].sort_values("period")
    series = _series("R0A", "CANCER_62D")
    assert [g[0] for g in series.groups] == ["2022-04-01", "2023-10-01"]
    assert series.target == 85.0
    points = unpack_points(series.points, series.groups)
    provisional = {p.period.isoformat() for p in points if p.provisional}
    assert provisional == set(cwt.period[cwt.data_status == "provisional"])
    assert min(provisional) == "2025-10-01" and series.latest_provisional
    # the 28-day standard was not redefined: one group
    assert len(_series("R0A", "CANCER_FDS28").groups) == 1
    page = client_for("member_a").get(f"/dashboard/providers/{series.provider_id}/CANCER_62D/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "for every provider: In October 2023 NHS England replaced" in body
    assert "Apr 2026 (provisional)" in body or "April 2026 (provisional)" in body
    assert "Provisional" in body  # the chart's legend


def test_both_sides_of_a_merger_are_charted(real, client_for):
    assert ProviderSuccession.objects.filter(successor="R0A").count() == 2
    client = client_for("member_a")
    r0a = _series("R0A", "AE_4HR")
    body = client.get(f"/dashboard/providers/{r0a.provider_id}/AE_4HR/").content.decode()
    assert body.count("Both sides of the change") == 2
    assert "RM2 to R0A" in body and "RW3 to R0A" in body
    assert "Took over from" in body
    rm2 = _series("RM2", "AE_4HR")
    assert rm2.latest_period == dt.date(2017, 9, 1)
    body = client.get(f"/dashboard/providers/{rm2.provider_id}/").content.decode()
    assert "Succeeded by" in body and "1 October 2017" in body
    # a reader who cannot see the predecessor does not get its chart
    body = client_for("member_b").get(f"/dashboard/providers/{r0a.provider_id}/AE_4HR/")
    assert body.status_code == 404


def test_the_matrix_shows_every_real_indicator_with_its_latest_period(real, client_for):
    body = client_for("member_a").get(f"/dashboard/qsgs/{real.qsgs['a'].pk}/").content.decode()
    for name in ("A&amp;E experience", "Bed occupancy", "RTT: waiting under 18 weeks",
                 "RTT: waiting over 52 weeks", "Cancer: 28-day faster diagnosis",
                 "Cancer: 31-day treatment", "Cancer: 62-day treatment"):  # fmt: skip
        assert name in body, name
    assert "latest Q4 2018-19" in body and "latest Apr 2026" in body and "latest Mar 2019" in body
    assert "7 indicators with data" in body


def test_a_successor_the_demo_lacks_is_created_in_its_predecessors_qsg(cast):
    from qsg.models import Provider

    qsg_services.provider_create(
        actor=None, ods_code="RD3", name="RD3 NHS Trust", sector="acute", qsg=cast.qsgs["b"]
    )
    assert demo.ensure_successors() >= 1  # R0D, and RH5 for the cast's RBA
    created = Provider.objects.get(ods_code="R0D")
    assert created.qsg == cast.qsgs["b"] and created.sector == "acute"
    assert demo.ensure_successors() == 0
