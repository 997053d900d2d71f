"""Escalation in the local report to the region (issue 16): the providers of the group's
footprint above routine quality surveillance, and the decisions since the previous report, read
by the region on the report's page, in the API and side by side in the regional view, in each
profile's words; an intelligence item's words only for readers who may read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from qsg import services as qsg_services
from qsg import vocabulary
from surveillance.regional import services as sv
from tests.cast import add_national
from tests.surveillance.escalation.factories import (
    RATIONALE,
    SECRET,
    days_ago,
    decide,
    escalation_scenario,
    statement,
)
from tests.surveillance.intelligence.factories import scenario as intelligence_scenario

pytestmark = pytest.mark.django_db

ESCALATED = f"Alpha General Hospital, {SECRET}: Enhanced surveillance since"


@pytest.fixture(autouse=True)
def _fresh_words():
    vocabulary.forget()
    yield
    vocabulary.forget()


def _report(cast, qsg_key="a", *, start=90, end=0, submit=True):
    actor = cast.users[f"secretariat_{qsg_key}"]
    today = timezone.localdate()
    report = sv.local_report_draft(
        actor=actor,
        qsg=cast.qsgs[qsg_key],
        period_start=today - dt.timedelta(days=start),
        period_end=today - dt.timedelta(days=end),
    )
    return sv.local_report_submit(actor=actor, report=report) if submit else report


def _escalation(report) -> str:
    return report.sections.get(key="escalation").text


def test_the_report_gives_each_level_and_the_decisions_since_the_last_report(cast):
    record = escalation_scenario(cast)["record"]  # decided 30 days ago, two exit criteria
    text = _escalation(_report(cast))
    review = record.review_date
    assert (
        f"{ESCALATED} {record.level_since:%-d %B %Y}; lead organisation Alpha Integrated Care "
        f"Board; review by {review:%-d %B %Y}; exit criteria met: 0 of 2."
    ) in text
    assert f"Decided {days_ago(30):%-d %B %Y} by Area A QSG: placed at Enhanced surveillance." in (
        text
    )
    assert RATIONALE in text
    assert "Alpha Community Services" not in text  # no record: routine, nothing to say
    # A report for an earlier period gives the levels as they were then: none yet.
    earlier = _report(cast, start=200, end=100, submit=False)
    assert (
        "0 providers above routine quality surveillance" in earlier.sections.get(key="summary").text
    )
    assert _escalation(earlier) == ""


def test_decisions_before_the_previous_report_are_not_repeated(cast):
    decide(cast, decided_on=days_ago(60), exit_criteria=[statement()])
    _report(cast, start=120, end=45)  # the previous report, to 45 days ago
    decide(
        cast, level="enhanced", decided_on=days_ago(20), rationale="Reviewed: still short-staffed"
    )
    text = _escalation(_report(cast, start=44, end=0))
    assert "Alpha General Hospital: Enhanced surveillance since" in text
    assert "Reviewed: still short-staffed" in text and "reviewed at Enhanced surveillance" in text
    assert f"Decided {days_ago(60):%-d %B %Y}" not in text
    # Back to routine in the period: still reported, as a change.
    decide(
        cast,
        level="routine",
        decided_on=days_ago(5),
        rationale="Criteria met",
        criteria_met=list(
            cast.providers["provider_a1"].escalations.get().criteria.values_list("pk", flat=True)
        ),
    )
    redrafted = _report(cast, start=30, end=0, submit=False)
    text = _escalation(redrafted)
    assert "Alpha General Hospital: Routine quality surveillance since" in text
    assert "Enhanced surveillance to Routine quality surveillance. Criteria met" in text


def test_a_provider_led_by_another_group_is_in_this_groups_report(cast):
    """Provider A1 is led by QSG A and sits in QSG B's footprint too: B reports its level."""
    escalation_scenario(cast)
    qsg_services.provider_update(
        actor=None, provider=cast.providers["provider_a1"], other_qsgs=[cast.qsgs["b"]]
    )
    assert ESCALATED in _escalation(_report(cast, "b"))


def test_a_decisions_words_from_restricted_intelligence_never_reach_the_region(cast, client_for):
    items = intelligence_scenario(cast)
    secret_rationale = "Whistleblower named the ward sister on nights"
    decide(
        cast,
        exit_criteria=[statement()],
        rationale=secret_rationale,
        intelligence_item_ids=[items["own"].pk, items["hidden_source"].pk],
    )
    report = _report(cast)
    assert secret_rationale not in _escalation(report)
    assert items["own"].summary not in _escalation(report)
    assert "Alpha General Hospital: Enhanced surveillance since" in _escalation(report)
    for who in ("reviewer", "secretariat_a", "member_a"):
        page = client_for(who).get(report.get_absolute_url()).content.decode()
        api = client_for(who).get(reverse("api:local-report-detail", args=[report.pk])).json()
        for body in (page, str(api)):
            assert "Alpha General Hospital: Enhanced surveillance since" in body
            assert secret_rationale not in body and items["own"].summary not in body


@pytest.mark.parametrize("profile", ["2013", "2022"])
def test_page_api_and_regional_view_read_it_back_in_the_profiles_words(cast, client_for, profile):
    with override_settings(QSG_PROFILE=profile):
        escalation_scenario(cast)
        report = _report(cast)
        heading = "Escalation levels"
        page = client_for("reviewer").get(report.get_absolute_url()).content.decode()
        assert heading in page and ESCALATED in page and RATIONALE in page
        api = client_for("reviewer").get(reverse("api:local-report-detail", args=[report.pk]))
        section = next(s for s in api.json()["sections"] if s["key"] == "escalation")
        assert section["title"] == heading and ESCALATED in section["text"]
        view = client_for("reviewer").get(
            reverse("surveillance:regional-view", args=[cast.qsgs["r"].pk])
        )
        body = view.content.decode()
        assert heading in body and ESCALATED in body
        summits = "Rapid quality reviews" if profile == "2022" else "Risk summits"
        assert f">{summits}</th>" in body  # the side-by-side rows speak the profile's words


def test_outsiders_get_404_and_the_national_team_reads_it(cast, client_for):
    escalation_scenario(cast)
    report = _report(cast)
    for who in ("secretariat_c", "outsider", "trust_c"):
        assert client_for(who).get(report.get_absolute_url()).status_code == 404
        api = client_for(who).get(reverse("api:local-report-detail", args=[report.pk]))
        assert api.status_code == 404
        view = client_for(who).get(reverse("surveillance:regional-view", args=[cast.qsgs["r"].pk]))
        assert view.status_code == 404
    # secretariat_b sees the region's other local group only: A's report is not theirs.
    assert client_for("secretariat_b").get(report.get_absolute_url()).status_code == 404
    add_national(cast)
    page = client_for("national_reviewer").get(report.get_absolute_url())
    assert page.status_code == 200 and ESCALATED in page.content.decode()
    assert "Comment on the report" not in page.content.decode()
