"""Fields newly screened for patient-identifiable data answer as people and programs meet them:
an NHS.UK error on the field that holds it (what was typed kept), a 400 naming it on the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qsg.models import Provider
from surveillance.meetings.models import Meeting

pytestmark = pytest.mark.django_db

NHS_NUMBER = "Patient NHS number 943 476 5919"


def test_the_series_page_refuses_an_nhs_number_in_the_venue(cast, client_for):
    data = {
        "title": "Area A QSG",
        "cadence": "local_2013",
        "first_date-day": "14",
        "first_date-month": "4",
        "first_date-year": str(timezone.localdate().year + 1),
        "until-day": "31",
        "until-month": "7",
        "until-year": str(timezone.localdate().year + 1),
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": f"Quarry House, {NHS_NUMBER}",
        "form_token": "tok-pid",
    }
    url = reverse("surveillance:series-create", args=[cast.qsgs["a"].pk])
    response = client_for("secretariat_a").post(url, data)
    body = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in body
    assert "Venue contains what looks like an NHS number" in body
    assert 'href="#id_venue"' in body
    assert not Meeting.objects.filter(qsg=cast.qsgs["a"]).exists()


def test_the_provider_page_refuses_a_patient_in_the_district(cast, client_for):
    provider = cast.providers["provider_a1"]
    response = client_for("secretariat_a").post(
        reverse("qsg:provider-edit", args=[provider.pk]),
        {
            "ods_code": "RAA",
            "name": provider.name,
            "sector": "acute",
            "qsg": cast.qsgs["a"].pk,
            "district": "Mrs Margaret Holt, aged 87",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "District contains what looks like" in body
    assert Provider.objects.get(pk=provider.pk).district == ""


def test_the_profile_page_refuses_an_nhs_number_in_the_job_title(cast, client_for):
    response = client_for("member_a").post(
        reverse("qsg:profile"),
        {
            "first_name": "Member",
            "last_name": "A",
            "email": "member_a@example.nhs.uk",
            "job_title": NHS_NUMBER,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Job title contains what looks like" in body
    cast.users["member_a"].refresh_from_db()
    assert cast.users["member_a"].job_title == ""


def test_the_meetings_api_refuses_an_nhs_number_in_the_title(cast, client_for):
    response = client_for("secretariat_a").post(
        reverse("api:meeting-list"),
        {
            "qsg": cast.qsgs["a"].pk,
            "title": NHS_NUMBER,
            "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "start_time": "14:00",
            "end_time": "15:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Meeting.objects.filter(qsg=cast.qsgs["a"]).exists()
