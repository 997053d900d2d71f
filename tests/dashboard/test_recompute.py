"""Recompute: stored results equal the engine's, conditional writes, peers, rebases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db.models import F

from dashboard import peers, recompute, services
from dashboard.models import Indicator, Observation, PeerStat, Rebase, SpcSeries
from dashboard.results import unpack_points
from dashboard.spc.engine import compute

from .helpers import ae_rows, csv_bytes, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(cast):
    rows = ae_rows("RAA", n=30, shift_at=20, shift=0.06) + ae_rows("RBA", n=30, base=0.12)
    rows += ae_rows("RCA", n=30, base=0.08) + ae_rows("RAB", n=30, base=0.1)
    return load(cast.users["member_b"], csv_bytes(rows))


def test_stored_points_are_exactly_the_engines_answer(loaded):
    series = SpcSeries.objects.select_related("indicator").get(provider__ods_code="RAA")
    obs = list(
        Observation.objects.filter(provider__ods_code="RAA")
        .order_by("period")
        .values_list("period", "value")
    )
    ref = compute(
        None,
        [p for p, _ in obs],
        [v for _, v in obs],
        improvement="decrease",
        targets=series.indicator.target,
    )
    points = unpack_points(series.points, series.groups)
    assert [p.value for p in points] == [v for _, v in obs]
    assert [p.special_cause for p in points] == ref.labels("special_cause_type")
    assert [p.point_type for p in points] == ref.labels("point_type")
    assert [p.mean for p in points] == ref.mean.tolist()
    assert [p.upl for p in points] == ref.upl.tolist()
    assert series.variation == ref.series_labels("variation")[0] == "concern_high"
    assert series.assurance == ref.series_labels("assurance")[0]
    assert series.last_concern_period == obs[-1][0]
    assert series.target_missed is True  # ~16% against a 5% target


def test_a_stale_write_is_skipped_and_the_series_stays_dirty(loaded):
    series = SpcSeries.objects.get(provider__ods_code="RBA")
    chunk = [(series.pk, series.data_revision, series.n_points)]
    results = recompute.compute_chunk(chunk)
    # new data arrives while the (slow) recompute is working
    SpcSeries.objects.filter(pk=series.pk).update(data_revision=F("data_revision") + 1)
    assert recompute.write_results(results) == (0, 1)
    series.refresh_from_db()
    assert not series.is_current
    counts = recompute.run()
    assert counts["series"] == 1
    series.refresh_from_db()
    assert series.is_current


def test_two_recomputes_of_the_same_revision_write_the_same_result(loaded):
    series = SpcSeries.objects.get(provider__ods_code="RCA")
    chunk = [(series.pk, series.data_revision, series.n_points)]
    first, second = recompute.compute_chunk(chunk), recompute.compute_chunk(chunk)
    assert recompute.write_results(first) == (1, 0)
    before = SpcSeries.objects.filter(pk=series.pk).values().get()
    assert recompute.write_results(second) == (1, 0)
    after = SpcSeries.objects.filter(pk=series.pk).values().get()
    before.pop("computed_at"), after.pop("computed_at")
    assert before == after


def test_full_recompute_touches_every_series_and_is_repeatable(loaded):
    before = {s.pk: (bytes(s.points), s.variation) for s in SpcSeries.objects.all()}
    counts = recompute.run(full=True)
    assert counts["series"] == 4 and counts["points"] == 120 and counts["skipped"] == 0
    after = {s.pk: (bytes(s.points), s.variation) for s in SpcSeries.objects.all()}
    assert before == after


def _row_versions() -> dict[str, str]:
    """Each series' physical row version (PostgreSQL's ctid): any UPDATE of a row moves it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.ods_code, s.ctid::text FROM dashboard_spcseries s "
            "JOIN qsg_provider p ON p.id = s.provider_id"
        )
        return dict(cursor.fetchall())


def test_one_providers_new_month_recomputes_and_rewrites_only_its_series(loaded, cast):
    before = _row_versions()
    untouched = {s["id"]: s for s in SpcSeries.objects.exclude(provider__ods_code="RBA").values()}
    month = ae_rows("RBA", n=31, base=0.12)[-1:]  # the 31st month, for RBA alone
    batch = load(cast.users["member_b"], csv_bytes(month), recompute_now=False)
    assert batch.series_changed == 1
    dirty = SpcSeries.objects.exclude(computed_revision=F("data_revision"))
    assert list(dirty.values_list("provider__ods_code", flat=True)) == ["RBA"]

    counts = recompute.run()

    assert counts["series"] == 1 and counts["points"] == 31 and counts["skipped"] == 0
    # The others' comparisons stand (their latest month's groups did not change): only RBA's
    # row is written, once for its result and once for its peers.
    assert counts["peer_series"] == 1
    # Nor are the others compared again: the new month's groups moved, theirs did not.
    assert counts["peer_compared"] == 1
    after = _row_versions()
    assert {code for code in before if before[code] != after[code]} == {"RBA"}
    assert {
        s["id"]: s for s in SpcSeries.objects.exclude(provider__ods_code="RBA").values()
    } == untouched
    rba = SpcSeries.objects.get(provider__ods_code="RBA")
    assert rba.is_current and rba.n_points == 31 and rba.peer_n == 1


def test_a_revised_value_in_the_others_latest_month_compares_them_all_again(loaded, cast):
    before = dict(SpcSeries.objects.values_list("provider__ods_code", "national_z"))
    row = ae_rows("RAA", n=30, shift_at=20, shift=0.06)[-1].split(",")
    row[4] = str(int(row[4]) + 400)  # RAA's latest month, which is every provider's latest
    load(cast.users["member_b"], csv_bytes([",".join(row)]), recompute_now=False)

    counts = recompute.run()

    assert counts["series"] == 1
    assert counts["peer_compared"] == 4 and counts["peer_series"] == 4
    after = dict(SpcSeries.objects.values_list("provider__ods_code", "national_z"))
    assert all(after[code] != before[code] for code in before)  # the pooled value moved


def test_peer_comparison_uses_funnel_limits_around_the_pooled_value(loaded, cast):
    series = SpcSeries.objects.get(provider__ods_code="RAA")
    national = PeerStat.objects.get(
        indicator__code="AE_4HR", period=series.peer_period, group="national"
    )
    obs = Observation.objects.filter(indicator__code="AE_4HR", period=series.peer_period)
    assert national.n == 4
    pooled = sum(o.numerator for o in obs) / sum(o.denominator for o in obs)
    assert national.value == pytest.approx(pooled * 100)
    p = series.latest_numerator / series.latest_denominator
    se = np.sqrt(pooled * (1 - pooled) / series.latest_denominator + (national.tau2 or 0))
    assert series.national_z == pytest.approx((p - pooled) / se)
    assert series.national_flag == peers.flags(np.array([series.national_z]))[0]
    acute = PeerStat.objects.get(indicator__code="AE_4HR", period=series.peer_period, group="acute")
    assert acute.n == 3  # RAB is a community provider
    community = SpcSeries.objects.get(provider__ods_code="RAB")
    assert community.peer_n == 1 and community.peer_z is None and community.peer_flag is None


def test_peers_pure_functions():
    z = peers.z_scores(
        kind="proportion",
        multiplier=100,
        value=np.array([10.0, 30.0]),
        numerator=np.array([100.0, 300.0]),
        denominator=np.array([1000.0, 1000.0]),
        group_n=np.array([5, 5]),
        group_value=np.array([20.0, 20.0]),
        group_sd=np.array([np.nan, np.nan]),
        group_numerator=np.array([1000.0, 1000.0]),
        group_denominator=np.array([5000.0, 5000.0]),
    )
    assert z == pytest.approx([-7.90569415, 7.90569415])
    assert peers.flags(z).tolist() == [-2, 2]
    assert peers.flags(np.array([1.0, 2.0, -2.0, np.nan])).tolist() == [0, 1, -1, 127]
    limits = peers.funnel_limits(kind="proportion", multiplier=100, pooled=20.0, denominator=1000)
    assert limits["upper_95"] == pytest.approx(20 + 1.959964 * np.sqrt(0.2 * 0.8 / 1000) * 100)
    assert peers.flag_meaning(2, "decrease") == "concern"
    assert peers.flag_meaning(-1, "decrease") == "improvement"
    assert peers.flag_meaning(2, "neutral") == "neutral"
    # overdispersed group: tau2 > 0 widens the limits
    rng = np.random.default_rng(1)
    den = np.full(40, 10_000.0)
    num = np.round(den * rng.uniform(0.05, 0.30, 40))
    g = peers.group_summary(
        kind="proportion", multiplier=100, value=num / den * 100, numerator=num, denominator=den
    )
    assert g["phi"] > 10 and g["tau2"] > 0
    g2 = peers.group_summary(
        kind="proportion",
        multiplier=100,
        value=np.full(40, 20.0),
        numerator=np.full(40, 2000.0),
        denominator=den,
    )
    assert g2["tau2"] == 0.0


def test_changing_the_target_rejudges_every_series(loaded, cast):
    indicator = Indicator.objects.get(code="AE_4HR")
    services.indicator_update(actor=cast.users["member_b"], indicator=indicator, target=50.0)
    assert not SpcSeries.objects.filter(data_revision=F("computed_revision")).exists()
    recompute.run()
    assert set(SpcSeries.objects.values_list("assurance", flat=True)) == {"consistent_pass"}


def test_a_rebase_starts_new_limits(loaded, cast):
    series = SpcSeries.objects.get(provider__ods_code="RAA")
    provider, indicator = series.provider, Indicator.objects.get(code="AE_4HR")
    period = unpack_points(series.points, series.groups)[20].period
    services.rebase_add(
        actor=cast.users["member_b"],
        provider=provider,
        indicator=indicator,
        period=period,
        reason="New pathway",
    )
    recompute.run()
    series.refresh_from_db()
    assert len(series.groups) == 2 and series.groups[1][0] == period.isoformat()
    points = unpack_points(series.points, series.groups)
    assert {p.rebase_group for p in points[:20]} == {0} and {
        p.rebase_group for p in points[20:]
    } == {1}
    assert points[0].mean != points[-1].mean
    assert series.short_group  # 10 points since the rebase: trial limits
    assert Rebase.objects.count() == 1


def test_recompute_job_records_counts_and_duration(loaded, cast):
    job = services.recompute_request(actor=cast.users["member_b"], full=True)
    again = services.recompute_request(actor=cast.users["member_b"], full=True)
    assert again.pk == job.pk, "a request while one is waiting joins it"
    services.recompute_run(job_id=job.pk)
    job.refresh_from_db()
    assert (
        job.status == "succeeded" and job.counts["series"] == 4 and job.duration_seconds is not None
    )
    assert job.key is None
    assert services.recompute_run(job_id=job.pk) is None, "a finished job is not run again"


def test_series_whose_data_went_are_emptied(loaded):
    series = SpcSeries.objects.get(provider__ods_code="RCA")
    Observation.objects.filter(provider=series.provider).delete()
    SpcSeries.objects.filter(pk=series.pk).update(data_revision=F("data_revision") + 1)
    recompute.run()
    series.refresh_from_db()
    assert series.n_points == 0 and series.variation == "" and series.latest_value is None


def test_month_helpers():
    from dashboard.selectors import month_before

    assert month_before(dt.date(2019, 3, 1)) == dt.date(2019, 2, 1)
    assert month_before(dt.date(2019, 1, 1)) == dt.date(2018, 12, 1)
