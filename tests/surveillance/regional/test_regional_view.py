"""The regional view: recurring themes, providers under review, liaison, visibility; and
regional recommendations reaching the local QSG's next agenda and pack."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import AgendaItem
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import schedule as schedule_services
from surveillance.regional import selectors as sr
from surveillance.regional import services as sv

from .factories import agreed_note, period

pytestmark = pytest.mark.django_db


def _overview(cast, username):
    start, end = period()
    return sr.regional_overview(cast.users[username], cast.qsgs["r"], start=start, end=end)


def test_recurring_theme_is_one_raised_in_two_local_qsgs(cast):
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the wards at night", publish=True)
    agreed_note(
        cast, "b", "provider_b1", key_issues="Staffing shortfalls in theatres", publish=True
    )
    agreed_note(cast, "a", "provider_a2", key_issues="Maternity triage delays", publish=True)
    # Another region's QSG raising maternity does not make it recurring in this one.
    agreed_note(cast, "c", "provider_c1", key_issues="Maternity staffing", publish=True)

    themes = {t.theme: t for t in _overview(cast, "reviewer")["themes"]}
    assert set(themes) == {"Staffing and workforce"}
    assert themes["Staffing and workforce"].qsgs == ["Area A QSG", "Area B QSG"]
    assert themes["Staffing and workforce"].conclusions == 2


def test_recurring_theme_from_intelligence_shared_with_the_region(cast):
    from surveillance.intelligence.models import IntelligenceItem
    from tests.surveillance.intelligence.factories import released

    Distribution = IntelligenceItem.Distribution
    released(cast, distribution=Distribution.REGION)  # staffing, in QSG A
    agreed_note(cast, "b", "provider_b1", key_issues="Staffing in theatres", publish=True)
    themes = {t.theme: t for t in _overview(cast, "reviewer")["themes"]}
    assert themes["Staffing and workforce"].intelligence == 1
    assert themes["Staffing and workforce"].conclusions == 1


def test_intelligence_the_region_may_not_see_makes_no_theme(cast):
    from surveillance.intelligence.models import IntelligenceItem
    from tests.surveillance.intelligence.factories import released

    released(cast, distribution=IntelligenceItem.Distribution.QSG)  # A's members only
    agreed_note(cast, "b", "provider_b1", key_issues="Staffing in theatres", publish=True)
    assert _overview(cast, "reviewer")["themes"] == []


def test_recurring_themes_from_intelligence_and_conclusions_together():
    """Pure: an intelligence theme in one QSG and a conclusion in another make a recurrence."""
    item = SimpleNamespace(
        pk=1, qsg_id=10, theme_id=1, theme=SimpleNamespace(label="Infection control")
    )
    conclusion = SimpleNamespace(
        key_issues="C. difficile cases: infection control lapses",
        rationale="",
        intelligence_item_ids=[],
        note=SimpleNamespace(meeting=SimpleNamespace(qsg_id=20)),
    )
    lone = SimpleNamespace(pk=2, qsg_id=10, theme_id=2, theme=SimpleNamespace(label="Governance"))
    rows = sr.recurring_themes(
        intelligence=[item, lone],
        conclusions=[conclusion],
        vocabulary={"Staffing": ("staffing",)},
        qsg_names={10: "Ten", 20: "Twenty"},
    )
    assert [(r.theme, r.qsgs, r.intelligence, r.conclusions) for r in rows] == [
        ("Infection control", ["Ten", "Twenty"], 1, 1)
    ]


def test_regular_review_and_liaison_across_the_region(cast):
    # Bravo Royal Infirmary sits in B's footprint and is also commissioned by Alpha ICB (in A).
    agreed_note(cast, "b", "provider_b1", key_issues="Sepsis screening missed", publish=True)
    overview = _overview(cast, "reviewer")
    assert [r["provider"].name for r in overview["review"]] == ["Bravo Royal Infirmary"]
    liaison = overview["liaison"]
    assert [r["provider"].name for r in liaison] == ["Bravo Royal Infirmary"]
    assert liaison[0]["commissioned_from"] == [
        {"qsg": "Area A QSG", "organisations": ["Alpha Integrated Care Board"]}
    ]


def test_regional_member_sees_only_what_access_allows(cast):
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing", publish=True)
    overview = _overview(cast, "regional_member")
    assert overview["locals"] == []
    assert overview["hidden_locals"] == 2
    assert overview["review"] == [] and overview["liaison"] == []


def test_another_regions_people_get_404(cast, client_for):
    start, end = period()
    report = sv.local_report_draft(
        actor=cast.users["secretariat_a"], qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    sv.local_report_submit(actor=cast.users["secretariat_a"], report=report)
    for username in ("secretariat_c", "member_c", "outsider"):
        client = client_for(username)
        assert client.get(f"/regional/regions/{cast.qsgs['r'].pk}/").status_code == 404
        assert client.get(report.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/local-reports/{report.pk}/").status_code == 404
        assert client.get("/api/v1/local-reports/").json()["count"] == 0
    page = client_for("reviewer").get(f"/regional/regions/{cast.qsgs['r'].pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert report.get_absolute_url() in body
    assert "No report submitted for the period: Area B QSG." in body


def test_recommendation_appears_on_the_next_local_agenda_once(cast):
    sec = cast.users["secretariat_a"]
    rec = sv.recommendation_send(
        actor=cast.users["regional_secretariat"],
        region=cast.qsgs["r"],
        local_qsg=cast.qsgs["a"],
        provider=cast.providers["provider_a1"],
        title="Review discharge complaints",
        text="Two local QSGs raised discharge complaints.",
    )
    today = timezone.localdate()
    upcoming = schedule_services.meeting_create(
        actor=sec,
        qsg=cast.qsgs["a"],
        title="Next meeting",
        date=today + dt.timedelta(days=14),
        start_time=dt.time(10),
        end_time=dt.time(12),
    )
    later = schedule_services.meeting_create(
        actor=sec,
        qsg=cast.qsgs["a"],
        title="The one after",
        date=today + dt.timedelta(days=60),
        start_time=dt.time(10),
        end_time=dt.time(12),
    )
    sources = {k: s for k, _, s in selectors_meetings.agenda_suggestions(sec, upcoming)}
    assert [s.title for s in sources["regional_feedback"]] == [
        "Regional feedback: Review discharge complaints"
    ]
    token = sources["regional_feedback"][0].token
    assert agenda_services.agenda_add_suggestions(actor=sec, meeting=upcoming, tokens=[token]) == 1
    assert agenda_services.agenda_add_suggestions(actor=sec, meeting=upcoming, tokens=[token]) == 0
    item = AgendaItem.objects.get(meeting=upcoming, source="regional_feedback")
    assert list(item.providers.all()) == [cast.providers["provider_a1"]]
    assert "Two local QSGs raised discharge complaints." in item.description

    # The pack's regional feedback for that meeting; not again for the one after.
    feedback = sr.regional_feedback_for_meeting(sec, upcoming)
    assert [(f["id"], f["from_qsg"]) for f in feedback] == [(rec.pk, "Test North regional QSG")]
    assert sr.regional_feedback_for_meeting(sec, later) == []
    later_sources = {k: s for k, _, s in selectors_meetings.agenda_suggestions(sec, later)}
    assert later_sources["regional_feedback"] == []
    # Nothing for someone who does not see the QSG, or for QSG B.
    assert sr.regional_feedback_for_meeting(cast.users["secretariat_c"], upcoming) == []
    b_meeting = schedule_services.meeting_create(
        actor=cast.users["secretariat_b"],
        qsg=cast.qsgs["b"],
        title="B meeting",
        date=today + dt.timedelta(days=14),
        start_time=dt.time(10),
        end_time=dt.time(12),
    )
    assert sr.regional_feedback_for_meeting(cast.users["secretariat_b"], b_meeting) == []


def test_recommendation_is_for_this_regions_locals_only(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        sv.recommendation_send(
            actor=cast.users["regional_secretariat"],
            region=cast.qsgs["r"],
            local_qsg=cast.qsgs["c"],
            title="Not ours",
            text="C is in the South.",
        )
    assert "local_qsg" in error.value.message_dict


def test_regional_view_queries_do_not_grow_with_the_region(cast, client_for):
    """The regional page reads every local QSG's conclusions, actions, intelligence and reports:
    its query count must stay the same however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = client_for("reviewer")
    url = reverse("surveillance:regional-view", args=[cast.qsgs["r"].pk])

    def count() -> int:
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # Every part of the page in use once: both local QSGs, a provider both share, overdue actions.
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the wards", publish=True)
    agreed_note(cast, "b", "provider_b1", key_issues="Staffing in theatres", publish=True)
    agreed_note(cast, "a", "provider_a2", key_issues="Maternity triage", overdue_action="Audit")
    few = count()
    # Then more of everything.
    for days, provider in ((-20, "provider_a1"), (-30, "provider_b1"), (-40, "provider_a2")):
        agreed_note(
            cast,
            provider[-2],
            provider,
            key_issues="Complaints and staffing",
            days=days,
            overdue_action="Report back",
            publish=True,
        )
    assert count() == few
