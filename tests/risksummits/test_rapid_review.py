"""The rapid quality review: the risk summit's 2022 face (one model and state machine), convened
by an ICB or a region, triggered by a concern, a level decision or a regulator's action, with a
configurable clock and cadence; its outcomes set the escalation level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from risksummits.models import RiskSummit
from risksummits.services import rapid_review as rqr
from surveillance.escalation.models import EscalationRecord
from tests.surveillance.escalation.factories import days_ago

from .factories import hold_first_meeting, trigger

pytestmark = pytest.mark.django_db

WARNING = "CQC section 29A warning notice on the emergency operations centre"


@pytest.fixture(autouse=True)
def _the_2022_profile(settings):
    """The review is the 2022 face: its words are the 2022 profile's (under 2013 they are the
    risk summit's, tests/test_profile_words.py)."""
    settings.QSG_PROFILE = "2022"


def open_review(cast, *, by="member_a", **extra):
    values = {
        "providers": [cast.providers["provider_a1"]],
        "concern": WARNING,
        "trigger": "regulator_action",
        "judged_at": timezone.now() - dt.timedelta(hours=2),
        "clock_hours": 72,
        "convened_by": cast.orgs["icb_a"],
        "meeting_interval_days": 28,
    }
    values.update(extra)
    return rqr.rapid_review_start(actor=cast.users[by], **values)


def test_a_review_is_a_summit_with_the_2022_fields(cast):
    review = open_review(cast)
    assert review.kind == "rapid_review" and review.is_rapid_review
    assert review.trigger == "regulator_action" and review.source == "inspection"
    assert review.convened_by == cast.orgs["icb_a"] and review.clock_hours == 72
    assert review.first_meeting_due == review.judged_at + dt.timedelta(hours=72)
    # The words follow the deployment's profile, whichever face: one model, one vocabulary.
    assert review.ring_label == "Lead organisation"
    assert trigger(cast, provider="provider_a2").ring_label == "Lead organisation"
    with override_settings(QSG_PROFILE="2013"):
        assert review.ring_label == "Ring-holder"
    # The summit's own rule holds for both faces: one open per provider.
    with pytest.raises(ValidationError):
        trigger(cast)


def test_review_start_checks_its_own_fields(cast):
    with pytest.raises(ValidationError) as exc:
        open_review(
            cast,
            trigger="rumour",
            convened_by=cast.orgs["cqc"],
            clock_hours=500,
            meeting_interval_days=1,
        )
    assert set(exc.value.message_dict) == {
        "trigger",
        "convened_by",
        "clock_hours",
        "meeting_interval_days",
    }
    assert not RiskSummit.objects.exists()


def test_a_review_meets_again_at_its_interval_until_closed(cast):
    review = open_review(cast)
    assert rqr.next_meeting_due(review) == review.first_meeting_due
    held = hold_first_meeting(cast, review)
    assert rqr.next_meeting_due(review) == held.starts_at + dt.timedelta(days=28)
    assert rqr.next_meeting_due(trigger(cast, provider="provider_a2")) is None


def test_outcomes_set_the_escalation_level(cast):
    review = open_review(cast)
    sec = cast.users["secretariat_a"]
    d = rqr.rapid_review_outcome(
        actor=sec,
        summit=review,
        provider=cast.providers["provider_a1"],
        level="intensive",
        decided_on=days_ago(0),
        rationale="Warning notice; governance failures confirmed by the review",
        group=cast.qsgs["r"],
        lead_organisation=cast.orgs["nhse_r"],
        review_date=days_ago(-56),
        exit_criteria=[{"text": "Warning notice lifted by CQC"}],
    )
    record = EscalationRecord.objects.get(provider=cast.providers["provider_a1"])
    assert record.level == "intensive"
    assert (d.source, d.source_reference) == ("rapid_review", review.reference)
    assert d.decided_by == f"Rapid quality review {review.reference}"
    # Coming down still needs the exit criteria met, whatever sets the level.
    with pytest.raises(ValidationError):
        rqr.rapid_review_outcome(
            actor=sec,
            summit=review,
            provider=cast.providers["provider_a1"],
            level="enhanced",
            decided_on=days_ago(0),
            rationale="Improving",
            lead_organisation=cast.orgs["icb_a"],
            review_date=days_ago(-28),
            exit_criteria=[{"text": "Board action plan delivered"}],
        )
    # A plain risk summit does not set levels; nor does a review about another provider.
    with pytest.raises(ValidationError):
        rqr.rapid_review_outcome(
            actor=sec,
            summit=trigger(cast, provider="provider_a2"),
            provider=cast.providers["provider_a2"],
            level="routine",
            rationale="x",
        )
    with pytest.raises(ValidationError):
        rqr.rapid_review_outcome(
            actor=sec,
            summit=review,
            provider=cast.providers["provider_a2"],
            level="routine",
            rationale="x",
        )


def test_pages_open_a_review_and_record_an_outcome(cast, client_for):
    client = client_for("member_a")
    url = reverse("risksummits:rapid-review-start")
    assert "Open a rapid quality review" in client.get(url).content.decode()
    now = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        url,
        {
            "form_token": "rqr-1",
            "provider": cast.providers["provider_a1"].pk,
            "trigger": "regulator_action",
            "concern": WARNING,
            "convened_by": cast.orgs["icb_a"].pk,
            "judged_at_date[day]": now.day,
            "judged_at_date[month]": now.month,
            "judged_at_date[year]": now.year,
            "judged_at_time": now.strftime("%H:%M"),
            "clock_hours": 96,
            "meeting_interval_days": 30,
        },
    )
    review = RiskSummit.objects.get(kind="rapid_review")
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert (review.clock_hours, review.meeting_interval_days) == (96, 30)

    sec = client_for("secretariat_a")
    page = sec.get(review.get_absolute_url()).content.decode()
    assert "Rapid quality review" in page and "Lead organisation" in page
    outcome = reverse(
        "risksummits:rapid-review-outcome", args=[review.pk, review.providers.get().pk]
    )
    assert outcome in page
    response = sec.post(
        outcome,
        {
            "form_token": "rqr-outcome-1",
            "level": "enhanced",
            "group": cast.qsgs["a"].pk,
            "decided_by": f"Rapid quality review {review.reference}",
            "rationale": "The review agreed enhanced surveillance",
            "lead_organisation": cast.orgs["icb_a"].pk,
            "decided_on[day]": now.day,
            "decided_on[month]": now.month,
            "decided_on[year]": now.year,
            "review_date[day]": 1,
            "review_date[month]": 1,
            "review_date[year]": now.year + 1,
            "criterion_1_text": "Warning notice lifted",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = EscalationRecord.objects.get(provider=cast.providers["provider_a1"])
    assert record.level == "enhanced"
    assert record.decisions.get().source_reference == review.reference
    # The record's page lists the review; the member who opened it sees the record's group? No:
    # member_a sees QSG A, so the record, and the review section with it.
    body = client.get(record.get_absolute_url()).content.decode()
    assert review.reference in body


def test_the_clock_reads_as_it_was_set(cast, client_for):
    """A review given 120 hours is not called "urgent: meet within 48 hours"; a 2013 summit on
    the guidance's own clock still reads as its urgency."""
    review = open_review(cast, clock_hours=120)
    assert review.clock_label == "Meet within 120 hours of the judgement"
    page = client_for("member_a").get(review.get_absolute_url()).content.decode()
    assert "Meet within 120 hours of the judgement. First meeting by" in page
    assert "within 48 hours" not in page
    summit = trigger(cast, provider="provider_a2", urgency="urgent")
    assert summit.clock_hours == 48 and summit.clock_label == summit.get_urgency_display()
