"""Escalation pages and /api/v1/escalations/: the decision form, the provider timeline, the
group and regional lists, evidence filtered per reader, API filters, creation and errors."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from surveillance.escalation.models import EscalationRecord
from tests.surveillance.intelligence.factories import scenario as intelligence_scenario

from .factories import SECRET, days_ago, decide, escalation_scenario, statement

pytestmark = pytest.mark.django_db


def date_parts(name, day) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def test_secretariat_places_a_provider_through_the_page(cast, client_for):
    client = client_for("secretariat_a")
    provider = cast.providers["provider_a2"]
    url = reverse("surveillance:escalation-start", args=[provider.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Record an escalation decision" in page.content.decode()
    data = {
        "form_token": "t-1",
        "level": "enhanced",
        "group": cast.qsgs["a"].pk,
        "decided_by": "The group by consensus",
        "rationale": "District nursing caseloads well above plan",
        "lead_organisation": cast.orgs["icb_a"].pk,
        "criterion_1_text": "Caseloads back within plan",
        **date_parts("decided_on", days_ago(2)),
        **date_parts("review_date", days_ago(-60)),
    }
    response = client.post(url, data)
    record = EscalationRecord.objects.get(provider=provider)
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert record.level == "enhanced" and record.criteria.count() == 1
    # the same form sent again records nothing more
    client.post(url, data)
    assert record.decisions.count() == 1
    detail = client.get(record.get_absolute_url()).content.decode()
    assert "Caseloads back within plan" in detail and "Enhanced surveillance" in detail


def test_rejected_form_shows_the_error_summary_and_keeps_nothing(cast, client_for):
    client = client_for("secretariat_a")
    provider = cast.providers["provider_a2"]
    url = reverse("surveillance:escalation-start", args=[provider.pk])
    response = client.post(
        url,
        {
            "level": "enhanced",
            "group": cast.qsgs["a"].pk,
            "decided_by": "The group",
            "rationale": "Concern raised about Mrs Jane Smith, NHS number 943 476 5919",
            **date_parts("decided_on", days_ago(2)),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in body and "Error: " in body
    assert 'href="#criterion_1_text"' in body or "criterion_1_text" in body
    assert not EscalationRecord.objects.exists()


def test_de_escalation_refused_on_the_page_until_criteria_are_met(cast, client_for):
    record = escalation_scenario(cast)["record"]
    client = client_for("chair_a")
    url = reverse("surveillance:escalation-decide", args=[record.pk])
    base = {
        "level": "routine",
        "group": cast.qsgs["a"].pk,
        "decided_by": "The chair",
        "rationale": "Improvements sustained",
        **date_parts("decided_on", days_ago(1)),
    }
    response = client.post(url, base)
    assert response.status_code == 200 and "not yet confirmed" in response.content.decode()
    ids = [str(pk) for pk in record.criteria.values_list("pk", flat=True)]
    response = client.post(url, {**base, "criteria_met": ids})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.level == "routine"


def test_provider_page_shows_the_timeline_to_readers_only(cast, client_for):
    escalation_scenario(cast)
    url = reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk])
    body = client_for("observer_a").get(url).content.decode()
    assert 'id="escalation"' in body and SECRET in body and "Placed" in body
    assert "at a level</a>" not in body  # observers do not decide
    assert "at a level</a>" in client_for("secretariat_a").get(url).content.decode()


def test_evidence_is_shown_only_to_readers_who_may_see_it(cast, client_for):
    items = intelligence_scenario(cast)
    own = items["own"]  # member_a's organisation only: the QSG team sees it, observers do not
    record = decide(
        cast, exit_criteria=[statement()], intelligence_item_ids=[own.pk, items["shared"].pk]
    ).record
    url = record.get_absolute_url()
    assert own.reference in client_for("secretariat_a").get(url).content.decode()
    observer_page = client_for("observer_a").get(url).content.decode()
    assert own.reference not in observer_page and items["shared"].reference in observer_page
    api = client_for("observer_a").get(reverse("api:escalation-detail", args=[record.pk])).json()
    assert api["decisions"][0]["intelligence_item_ids"] == [items["shared"].pk]


def test_lists_per_group_and_region(cast, client_for):
    escalation_scenario(cast)
    a = client_for("member_a").get(
        reverse("surveillance:escalation-group", args=[cast.qsgs["a"].pk])
    )
    assert SECRET in a.content.decode()
    region = client_for("reviewer").get(
        reverse("surveillance:escalation-group", args=[cast.qsgs["r"].pk])
    )
    assert SECRET in region.content.decode() and "Area A QSG" in region.content.decode()
    b = client_for("secretariat_b").get(reverse("surveillance:escalation-index"))
    assert SECRET not in b.content.decode()


def test_api_filters_and_detail(cast, client_for):
    record = escalation_scenario(cast)["record"]
    decide(cast, "provider_b1", actor="secretariat_b", lead_organisation=cast.orgs["icb_b"],
           exit_criteria=[statement()])  # fmt: skip
    client = client_for("regional_secretariat")
    url = reverse("api:escalation-list")
    every = client.get(url).json()["results"]
    assert len(every) == 2
    only_a = client.get(url + f"?qsg={cast.qsgs['a'].pk}").json()["results"]
    assert [r["id"] for r in only_a] == [record.pk]
    assert client.get(url + "?level=intensive").json()["results"] == []
    assert client.get(url + "?level=sideways").status_code == 400
    assert client.get(url + "?provider=999999").json()["results"] == []
    detail = client.get(reverse("api:escalation-detail", args=[record.pk])).json()
    assert {c["kind"] for c in detail["criteria"]} == {"statement", "measure"}
    measure = next(c for c in detail["criteria"] if c["kind"] == "measure")
    assert measure["indicator"] == "AE_4HR" and measure["progress"]["met_for_period"] is False
    assert client_for("member_b").get(url).json()["results"][0]["provider"] == (
        cast.providers["provider_b1"].pk
    )


def _post(client, body, **headers):
    return client.post(
        reverse("api:escalation-list"), json.dumps(body), content_type="application/json",
        **headers,
    )  # fmt: skip


def test_api_records_decisions_with_the_pages_rules(cast, client_for):
    client = client_for("secretariat_a")
    body = {
        "provider": cast.providers["provider_a2"].pk,
        "level": "enhanced",
        "decided_on": days_ago(5).isoformat(),
        "decided_by": "The group by consensus",
        "rationale": "Caseloads above plan",
        "lead_organisation": cast.orgs["icb_a"].pk,
        "review_date": days_ago(-30).isoformat(),
        "exit_criteria": [
            {"text": "Caseloads within plan"},
            {"text": "Four-hour waits", "indicator": "AE_4HR", "comparison": "lte", "target": 5},
        ],
    }
    missing = _post(client, {**body, "exit_criteria": []})
    assert missing.status_code == 400 and "exit_criteria" in missing.json()
    pid = _post(client, {**body, "rationale": "NHS number 943 476 5919"})
    assert pid.status_code == 400 and "rationale" in pid.json()
    hidden_item = _post(client, {**body, "intelligence_item_ids": [987654]})
    assert hidden_item.status_code == 400 and "intelligence_item_ids" in hidden_item.json()
    bad_indicator = _post(client, {**body, "signal_indicators": ["NOPE"]})
    assert bad_indicator.status_code == 400
    created = _post(client, body, HTTP_IDEMPOTENCY_KEY="api-1")
    assert created.status_code == 201, created.content
    again = _post(client, body, HTTP_IDEMPOTENCY_KEY="api-1")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    record = EscalationRecord.objects.get(pk=created.json()["id"])
    assert record.decisions.count() == 1 and record.criteria.count() == 2
    down = _post(client, {**body, "level": "routine", "exit_criteria": [],
                          "decided_on": days_ago(1).isoformat()})  # fmt: skip
    assert down.status_code == 400 and "criteria_met" in down.json()
    # Outsiders and other groups: the provider does not exist for them.
    assert _post(client_for("secretariat_c"), body).status_code == 404


def test_the_regional_view_lists_providers_above_routine(cast, client_for):
    escalation_scenario(cast)
    url = reverse("surveillance:regional-view", args=[cast.qsgs["r"].pk])
    body = client_for("reviewer").get(url).content.decode()
    assert 'id="escalation"' in body and SECRET in body
    # regional_member has a role in the region but oversees no local group: nothing listed.
    assert SECRET not in client_for("regional_member").get(url).content.decode()


def test_a_link_from_a_meeting_preselects_it_and_ignores_others(cast, client_for):
    import datetime as dt

    from django.utils import timezone

    from surveillance.meetings.services import schedule

    meeting = schedule.meeting_create(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        title="Area A meeting",
        date=timezone.localdate() - dt.timedelta(days=1),
        start_time=dt.time(10),
        end_time=dt.time(12),
    )
    url = reverse("surveillance:escalation-start", args=[cast.providers["provider_a1"].pk])
    client = client_for("secretariat_a")
    body = client.get(url + f"?meeting={meeting.pk}").content.decode()
    assert f'value="{meeting.pk}" selected' in body
    assert client.get(url + "?meeting=99999999999999999999").status_code == 200
