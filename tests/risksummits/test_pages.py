"""Pages: NHS.UK error summaries on bad input, typed values kept, one record per double submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from risksummits.models import RiskSummit, SummitAction, SummitMeeting

from .factories import trigger, world

pytestmark = pytest.mark.django_db


def _trigger_data(cast, **extra):
    judged = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "form_token": "page-token-1",
        "provider": cast.providers["provider_a1"].pk,
        "concern": "Reports of unsafe staffing in the emergency department",
        "source": "media",
        "source_detail": "Local newspaper, 3 March",
        "urgency": "immediate",
        "judged_at_date-day": judged.day,
        "judged_at_date-month": judged.month,
        "judged_at_date-year": judged.year,
        "judged_at_time": judged.strftime("%H:%M"),
    }
    data.update(extra)
    return data


def test_trigger_page_creates_one_summit_on_a_double_submit(cast, client_for):
    client = client_for("member_a")
    assert client.get(reverse("risksummits:trigger")).status_code == 200
    first = client.post(reverse("risksummits:trigger"), _trigger_data(cast))
    second = client.post(reverse("risksummits:trigger"), _trigger_data(cast))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert RiskSummit.objects.count() == 1
    summit = RiskSummit.objects.get()
    assert summit.clock_hours == 24 and summit.triggered_by == cast.users["member_a"]


@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"provider": ""}, "Choose the provider the concern is about"),
        ({"concern": ""}, "Describe the concern"),
        ({"judged_at_date-year": "26"}, "Year must include 4 numbers"),
        ({"judged_at_time": "25:99"}, "Enter a real time"),
        ({"concern": "Mr John Smith of LS1 4AP was harmed"}, "Remove it before you submit"),
        ({"judged_at_date-year": str(timezone.localdate().year + 1)}, "must be in the past"),
        ({"provider": "999999"}, "Select a valid choice"),
    ],
)
def test_trigger_page_shows_field_errors_and_keeps_what_was_typed(
    cast, client_for, changes, field_text
):
    client = client_for("member_a")
    data = _trigger_data(cast, **changes)
    response = client.post(reverse("risksummits:trigger"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "nhsuk-error-summary" in body and field_text in body
    assert "<title>Error: " in body
    if changes.get("concern", "x") != "":
        assert "Local newspaper, 3 March" in body  # what was typed is kept
    assert not RiskSummit.objects.exists()


def test_member_of_another_qsg_cannot_trigger_about_provider_a1(cast, client_for):
    response = client_for("member_c").post(reverse("risksummits:trigger"), _trigger_data(cast))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not RiskSummit.objects.exists()


def test_meeting_booking_before_the_judgement_is_a_field_error(cast, client_for):
    summit = trigger(cast, hours_ago=2)
    before = timezone.localtime(summit.judged_at - dt.timedelta(days=1))
    response = client_for("secretariat_a").post(
        reverse("risksummits:meeting-book", args=[summit.pk]),
        {
            "form_token": "m1",
            "starts_at_date-day": before.day,
            "starts_at_date-month": before.month,
            "starts_at_date-year": before.year,
            "starts_at_time": "10:00",
            "format": "video",
            "venue": "Teams call",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "cannot start before the judgement" in body
    assert 'href="#id_starts_at_date-day"' in body
    assert "Teams call" in body
    assert not SummitMeeting.objects.exists()


def test_meeting_record_ending_before_it_starts_is_refused(cast, client_for):
    w = world(cast)
    start = timezone.localtime(w.held.starts_at)
    # Five minutes before the start, kept on the meeting's day (an end equal to the start is
    # refused too): near midnight five minutes earlier would be a later time that same day.
    before = max(start - dt.timedelta(minutes=5), start.replace(hour=0, minute=0))
    response = client_for("secretariat_a").post(
        reverse("risksummits:meeting-record", args=[w.summit.pk, w.held.pk]),
        {
            "starts_at_date-day": start.day,
            "starts_at_date-month": start.month,
            "starts_at_date-year": start.year,
            "starts_at_time": start.strftime("%H:%M"),
            "ends_at_time": before.strftime("%H:%M"),
            "present": [cast.users["member_a"].pk],
            "judgements": "Concern confirmed",
        },
    )
    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()


def test_action_double_submit_creates_one_action(cast, client_for):
    w = world(cast)
    client = client_for("secretariat_a")
    due = timezone.localdate() + dt.timedelta(days=5)
    data = {
        "form_token": "act-1",
        "objective": "continuity",
        "description": "Agree divert arrangements with neighbours",
        "owner_organisation": cast.orgs["nhse_a"].pk,
        "due_on-day": due.day,
        "due_on-month": due.month,
        "due_on-year": due.year,
    }
    before = SummitAction.objects.count()
    url = reverse("risksummits:action-create", args=[w.summit.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert SummitAction.objects.count() == before + 1


def test_close_page_lists_what_is_missing(cast, client_for):
    summit = trigger(cast, involves_child_safeguarding=True)
    response = client_for("secretariat_a").post(
        reverse("risksummits:close", args=[summit.pk]),
        {"outcome": "assured", "outcome_summary": "Resolved", "level_after": "no-further-action"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Local Safeguarding Children Board" in body
    assert "nhsuk-error-summary" in body
    assert RiskSummit.objects.get().status == "open"


def test_checks_page_requires_a_reason_for_not_applicable(cast, client_for):
    summit = trigger(cast)
    response = client_for("secretariat_a").post(
        reverse("risksummits:checks", args=[summit.pk]),
        {"adult_safeguarding_followed": "not_applicable", "professional_referral": "made"},
    )
    body = response.content.decode()
    assert "Say why the adult safeguarding protocol does not apply" in body
    assert "Choose the regulator" in body
    assert "Enter the date the referral was made" in body


def test_home_page_alerts_and_summits_you_take_part_in(cast, client_for):
    summit = trigger(cast, hours_ago=30)  # 48-hour clock, not booked past half-way
    body = client_for("member_a").get(reverse("qsg:home")).content.decode()
    assert "Risk summits need attention" in body
    assert "Risk summits you take part in" in body and summit.reference in body
    provider_page = client_for("member_a").get(
        reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk])
    )
    assert summit.reference in provider_page.content.decode()


def test_api_trigger_and_validation_errors(cast, client_for):
    client = client_for("cqc_a")
    url = reverse("api:risk-summit-list")
    bad = client.post(
        url,
        {
            "providers": [cast.providers["provider_a1"].pk],
            "concern": "x",
            "source": "nope",
            "urgency": "urgent",
            "judged_at": "2026-01-01T10:00:00Z",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "source" in bad.json()
    payload = {
        "providers": [cast.providers["provider_a1"].pk],
        "concern": "Inspection found unsafe medicines management",
        "source": "inspection",
        "urgency": "urgent",
        "judged_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "idempotency_key": "api-key-1",
    }
    first = client.post(url, payload, content_type="application/json")
    second = client.post(url, payload, content_type="application/json")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    future = dict(
        payload,
        idempotency_key="api-key-2",
        judged_at=(timezone.now() + dt.timedelta(days=2)).isoformat(),
    )
    refused = client.post(url, future, content_type="application/json")
    assert refused.status_code == 400 and "judged_at" in refused.json()


def test_summit_lists_take_the_same_queries_however_many_summits(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qsg import services as qsg_services

    cast.providers["provider_b2"] = qsg_services.provider_create(
        actor=None,
        ods_code="RBB",
        name="Bravo Community Trust",
        sector="community",
        qsg=cast.qsgs["b"],
        commissioners=[cast.orgs["icb_b"]],
    )
    client = client_for("regional_secretariat")
    counts = []
    # One open summit per provider: each round is about two more providers.
    for first, second in (("provider_a1", "provider_a2"), ("provider_b1", "provider_b2")):
        by = "secretariat_a" if first == "provider_a1" else "secretariat_b"
        trigger(cast, by=by, provider=first)
        trigger(cast, by=by, provider=second)
        sizes = []
        for url in (reverse("api:risk-summit-list"), reverse("risksummits:list")):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            sizes.append(len(ctx.captured_queries))
        counts.append(sizes)
    assert counts[0] == counts[1], counts
