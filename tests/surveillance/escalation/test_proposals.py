"""A level change proposed with a meeting's conclusion is made when the note is agreed, as a
decision of that meeting; the rules of decisions still hold then."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveillance.escalation import services as sv
from surveillance.escalation.models import EscalationProposal, EscalationRecord
from surveillance.meetings.models import MeetingNote
from surveillance.meetings.services import note as note_services
from tests.surveillance.meetings.factories import agree, meeting, note_with_content, quorate

from .factories import days_ago, escalation_scenario

pytestmark = pytest.mark.django_db


def draft(cast):
    m = meeting(cast, days=-3)
    quorate(cast, m)
    note, _item, conclusion = note_with_content(cast, m)
    return m, note, conclusion


def enhanced(cast, conclusion, **extra):
    return sv.proposal_save(
        actor=cast.users["secretariat_a"],
        conclusion=conclusion,
        level="enhanced",
        lead_organisation=cast.orgs["icb_a"],
        review_date=days_ago(-90),
        **extra,
    )


def test_the_agreement_of_the_note_makes_the_proposed_change(cast):
    m, note, conclusion = draft(cast)
    enhanced(cast, conclusion, exit_criteria=["Mortality back within expected range", ""])
    assert not EscalationRecord.objects.exists()
    agree(cast, note)
    record = EscalationRecord.objects.get(provider=conclusion.provider)
    decision = record.decisions.get()
    assert record.level == "enhanced" and decision.meeting == m and decision.group == m.qsg
    assert decision.decided_on == days_ago(3)
    assert decision.rationale == conclusion.rationale  # the conclusion's, none was given
    assert [c.text for c in record.criteria.all()] == ["Mortality back within expected range"]
    assert EscalationProposal.objects.get().enacted == decision


def test_a_proposal_the_rules_refuse_stops_the_agreement_until_withdrawn(cast):
    escalation_scenario(cast)  # provider_a1's triage unit: a service, not the provider
    sv.decision_record(
        actor=cast.users["secretariat_a"],
        provider=cast.providers["provider_a1"],
        level="enhanced",
        decided_on=days_ago(20),
        decided_by="The group",
        rationale="Mortality",
        lead_organisation=cast.orgs["icb_a"],
        review_date=days_ago(-20),
        exit_criteria=[{"text": "Mortality within expected range"}],
    )
    _m, note, conclusion = draft(cast)
    sv.proposal_save(actor=cast.users["secretariat_a"], conclusion=conclusion, level="routine")
    with pytest.raises(ValidationError) as exc:
        agree(cast, note)
    assert "cannot be made" in exc.value.messages[0] and "exit criterion" in exc.value.messages[0]
    assert MeetingNote.objects.get(pk=note.pk).status == "circulated"  # not agreed
    sv.proposal_save(actor=cast.users["secretariat_a"], conclusion=conclusion, level="none")
    assert not EscalationProposal.objects.exists()
    note_services.meeting_note_agree(
        actor=cast.users["chair_a"], note=MeetingNote.objects.get(pk=note.pk)
    )
    record = EscalationRecord.objects.get(provider=conclusion.provider, service="")
    assert record.level == "enhanced"


def test_proposals_are_checked_and_screened(cast):
    _m, _note, conclusion = draft(cast)
    with pytest.raises(ValidationError) as exc:
        sv.proposal_save(
            actor=cast.users["secretariat_a"],
            conclusion=conclusion,
            level="intensive",
            rationale="Raised by Mrs Jane Smith, NHS number 943 476 5919",
        )
    assert {"lead_organisation", "review_date", "rationale"} <= set(exc.value.message_dict)


def test_the_page_from_the_provider_section(cast, client_for):
    _m, _note, conclusion = draft(cast)
    client = client_for("secretariat_a")
    provider_page = client.get(reverse("qsg:provider-detail", args=[conclusion.provider_id]))
    url = reverse("surveillance:escalation-propose", args=[conclusion.pk])
    assert url in provider_page.content.decode()
    response = client.post(url, {"level": "enhanced"})
    assert response.status_code == 200 and "nhsuk-error-summary" in response.content.decode()
    response = client.post(
        url,
        {
            "level": "enhanced",
            "lead_organisation": cast.orgs["icb_a"].pk,
            "review_date[day]": days_ago(-30).day,
            "review_date[month]": days_ago(-30).month,
            "review_date[year]": days_ago(-30).year,
            "exit_criteria_1": "Mortality within range",
        },
    )
    assert response.status_code == 302
    assert EscalationProposal.objects.get(conclusion=conclusion).level == "enhanced"
    assert client_for("member_a").get(url).status_code in (403, 404)
    assert client_for("outsider").get(url).status_code == 404


def test_removing_a_conclusion_removes_its_proposal(cast, client_for):
    """It was a 500 (ProtectedError), found by the canary crawl's writes."""
    m, _note, conclusion = draft(cast)
    enhanced(cast, conclusion)
    url = reverse("surveillance:conclusion-delete", args=[m.pk, conclusion.pk])
    response = client_for("secretariat_a").post(url)
    assert response.status_code == 302
    assert not EscalationProposal.objects.exists()
    assert not type(conclusion).objects.filter(pk=conclusion.pk).exists()
