"""A summit raised from an intelligence item links it (issue 14, build 1), and its concern and
source follow the item: a person on the summit who may not read the item reads "1 item not
shared with your organisation" instead, on the page, in the API and in the printed report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from risksummits import access, selectors
from risksummits.models import RiskSummit
from surveillance.intelligence.access import withheld_ids
from tests.surveillance.intelligence.factories import Distribution, released

pytestmark = pytest.mark.django_db

NOT_SHARED = "1 item not shared with your organisation"
CONCERN = "Rowan ward bank staff unpaid and leaving mid-shift"


def _body(cast, **extra):
    return {
        "providers": [cast.providers["provider_a1"].pk],
        "concern": CONCERN,
        "source": RiskSummit.Source.QSG_INTELLIGENCE,
        "source_detail": "Rowan ward finance report",
        "urgency": RiskSummit.Urgency.URGENT,
        "judged_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        **extra,
    }


def test_a_hidden_source_item_is_refused_as_a_missing_one(cast, client_for):
    item = released(cast, distribution=Distribution.ORGANISATION)  # member_a's organisation
    client = client_for("cqc_a")  # may trigger, may not read the item
    hidden = client.post(
        "/api/v1/risk-summits/", _body(cast, source_item=item.pk), content_type="application/json"
    )
    missing = client.post(
        "/api/v1/risk-summits/", _body(cast, source_item=10**9), content_type="application/json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    assert not RiskSummit.objects.exists()


def test_the_concern_follows_the_item_it_was_raised_from(cast, client_for):
    item = released(cast, distribution=Distribution.ORGANISATION)
    created = client_for("secretariat_a").post(
        "/api/v1/risk-summits/", _body(cast, source_item=item.pk), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    summit = RiskSummit.objects.get(pk=created.json()["id"])
    assert summit.source_item_id == item.pk and summit.intelligence_item_ids == [item.pk]
    checked = {True: 0, False: 0}
    for username, user in cast.users.items():
        client = client_for(username)
        page = client.get(f"/risk-summits/{summit.pk}/")
        if page.status_code == 404:
            continue
        api = client.get(f"/api/v1/risk-summits/{summit.pk}/").json()
        reads = not withheld_ids(user, [item.pk])
        checked[reads] += 1
        body = page.content.decode()
        assert (CONCERN in body) is reads, username
        assert ("Rowan ward finance report" in body) is reads, username
        if reads:
            assert api["concern"] == CONCERN and api["source_item"] == item.pk, username
        else:
            assert NOT_SHARED in body, username
            assert api["concern"] == NOT_SHARED, username
            assert api["source_item"] is None and api["source_detail"] == "", username
    assert checked[True] and checked[False], checked
    # One printed report serves everyone on the summit: it leaves the words out.
    document = selectors.closure_document(summit)
    assert document["concern"] == NOT_SHARED
    assert access.summit_audience_withheld(summit) == {item.pk}


def _page_trigger(client, cast, reference: str):
    judged = timezone.localtime() - dt.timedelta(hours=1)
    return client.post(
        "/risk-summits/new/",
        {
            "form_token": "source-page-1",
            "provider": cast.providers["provider_a1"].pk,
            "concern": CONCERN,
            "source": RiskSummit.Source.QSG_INTELLIGENCE,
            "source_detail": "",
            "source_item": reference,
            "urgency": RiskSummit.Urgency.URGENT,
            "judged_at_date-day": judged.day,
            "judged_at_date-month": judged.month,
            "judged_at_date-year": judged.year,
            "judged_at_time": judged.strftime("%H:%M"),
        },
    )


def test_the_trigger_page_links_an_item_by_reference_and_refuses_a_hidden_one(cast, client_for):
    item = released(cast, distribution=Distribution.ORGANISATION)
    hidden = _page_trigger(client_for("cqc_a"), cast, item.reference).content.decode()
    missing = _page_trigger(client_for("cqc_a"), cast, "INT-1999-000001").content.decode()
    error = "Enter the reference of an intelligence item you can see"
    assert error in hidden and error in missing
    assert not RiskSummit.objects.exists()
    response = _page_trigger(client_for("secretariat_a"), cast, item.reference.lower())
    assert response.status_code == 302, response.content.decode()[:2000]
    summit = RiskSummit.objects.get()
    assert summit.source_item_id == item.pk and summit.intelligence_item_ids == [item.pk]


def test_a_summit_from_a_meeting_referral_carries_the_conclusion_items(cast):
    from risksummits.services.trigger import referrals_pick_up
    from tests.surveillance.intelligence.test_derived_visibility import (
        _ticked_into_agenda,
        concluded_under,
    )
    from tests.surveillance.meetings.factories import agree

    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    agree(
        cast, concluded_under(cast, m, agenda_item, category_code="risk-summit", rationale=CONCERN)
    )
    assert referrals_pick_up() == 1
    summit = RiskSummit.objects.get()
    assert summit.intelligence_item_ids == [item.pk]
    assert access.summit_as_read(cast.users["secretariat_a"], summit).concern == CONCERN
    assert access.summit_as_read(cast.users["cqc_a"], summit).concern == NOT_SHARED


def test_a_closure_report_carrying_a_restricted_item_is_in_its_access_log(
    cast, client_for, django_capture_on_commit_callbacks
):
    """Issue 14, build 6: the printed report carries the concern of an item shared with the
    region, so each download is a read of the item in the access log the secretariat reads."""
    from django.core.files.storage import default_storage

    from qsg.models import Job
    from risksummits.services.documents import document_request
    from surveillance.intelligence.models import IntelligenceAccess

    from .factories import standing
    from .test_pdf import _close

    item = released(cast, distribution=Distribution.REGION)
    created = client_for("secretariat_a").post(
        "/api/v1/risk-summits/", _body(cast, source_item=item.pk), content_type="application/json"
    )
    summit = _close(cast, RiskSummit.objects.get(pk=created.json()["id"]))
    assert not access.summit_audience_withheld(summit)  # everyone on it reads the item
    with django_capture_on_commit_callbacks(execute=True):
        closure, _ = document_request(
            actor=cast.users["chair_a"], standing=standing(cast, "chair_a", summit), kind="closure"
        )
    job = Job.objects.get(pk=closure.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert default_storage.exists(job.counts["path"])
    assert closure.snapshot["intelligence_item_ids"] == [item.pk]
    logged = IntelligenceAccess.objects.filter(item=item, user__username="member_a", channel="pdf")
    assert not logged.exists()
    download = client_for("member_a").get(
        f"/risk-summits/{summit.pk}/documents/{closure.pk}/download/"
    )
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert logged.count() == 1
