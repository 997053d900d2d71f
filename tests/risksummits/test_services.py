"""Trigger, ring-holder, clock alerts, closure rules and referrals: the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from risksummits import handoff
from risksummits.models import (
    Participant,
    Representative,
    RiskSummit,
    SentAlert,
    SummitAction,
    TimelineEvent,
)
from risksummits.services.actions import action_create, action_update
from risksummits.services.alerts import alerts_send
from risksummits.services.closure import summit_close
from risksummits.services.judgement import checks_record
from risksummits.services.meetings import meeting_book, meeting_record
from risksummits.services.ring_holder import ring_holder_defaults_apply, ring_holder_position
from risksummits.services.trigger import referrals_pick_up, summit_trigger

from .factories import hold_first_meeting, ready_to_close, standing, trigger

pytestmark = pytest.mark.django_db


def test_trigger_proposes_participants_people_and_ring_holder(cast):
    summit = trigger(cast)
    orgs = set(
        Participant.objects.filter(summit=summit).values_list("organisation__name", flat=True)
    )
    assert {
        cast.orgs["icb_a"].name,
        cast.orgs["nhse_a"].name,
        cast.orgs["cqc"].name,
        cast.orgs["la_a"].name,
        cast.orgs["hw_a"].name,
    } <= orgs
    linked = set(
        Representative.objects.filter(summit=summit).values_list("user__username", flat=True)
    )
    assert linked == {"secretariat_a", "chair_a", "member_a", "cqc_a", "observer_a"}
    assert "regional_member" not in linked  # the CQC takes part; she is not named on QSG A
    # No NHS TDA in QSG A: NHS England's area team (the convenor) is proposed, and says why.
    assert summit.ring_holder == cast.orgs["nhse_a"]
    assert summit.ring_holder_status == RiskSummit.RingHolderStatus.PROPOSED
    assert "NHS England" in summit.ring_holder_basis
    assert summit.reference.startswith("RS-")
    assert summit.clock_hours == 48
    assert TimelineEvent.objects.filter(summit=summit, verb="triggered").exists()


def test_ring_holder_rule_prefers_a_member_of_the_matching_type(cast):
    from qsg import services as qsg_services
    from qsg.models import OrganisationType

    tda = qsg_services.organisation_create(
        actor=None, name="NHS TDA North", type=OrganisationType.objects.get(code="nhs-tda")
    )
    qsg_services.membership_add(actor=None, qsg=cast.qsgs["a"], organisation=tda)
    summit = trigger(cast)
    assert summit.ring_holder == tda
    assert "NHS Trust Development Authority" in summit.ring_holder_basis


def test_double_submit_with_one_token_creates_one_summit(cast):
    first = trigger(cast, form_token="tok-1")
    second = trigger(cast, form_token="tok-1")
    assert first.pk == second.pk
    assert RiskSummit.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("concern", {"concern": "Patient NHS number 943 476 5919 was harmed"}, "NHS number"),
        ("judged_at", {"judged_at": timezone.now() + dt.timedelta(days=1)}, "in the past"),
        ("concern", {"concern": "   "}, "Describe the concern"),
    ],
)
def test_trigger_rejects_bad_input_by_field(cast, field, values, message):
    with pytest.raises(ValidationError) as caught:
        trigger(cast, **values)
    assert message in " ".join(caught.value.message_dict[field])
    assert not RiskSummit.objects.exists()


def test_providers_from_two_qsgs_are_refused(cast):
    with pytest.raises(ValidationError) as caught:
        summit_trigger(
            actor=cast.users["member_a"],
            providers=[cast.providers["provider_a1"], cast.providers["provider_b1"]],
            concern="x",
            source="media",
            urgency="urgent",
            judged_at=timezone.now(),
        )
    assert "providers" in caught.value.message_dict


def test_meeting_before_the_judgement_is_refused(cast):
    summit = trigger(cast, hours_ago=2)
    with pytest.raises(ValidationError) as caught:
        meeting_book(
            actor=cast.users["secretariat_a"],
            summit=summit,
            starts_at=summit.judged_at - dt.timedelta(hours=1),
            format="video",
        )
    assert "before the judgement" in caught.value.message_dict["starts_at"][0]


def test_default_ring_holder_after_the_agreement_window_is_set_once(cast):
    summit = trigger(cast)
    Participant.objects.filter(summit=summit).update(ring_holder_position="")
    RiskSummit.objects.filter(pk=summit.pk).update(ring_holder=cast.orgs["icb_a"])
    early = summit.triggered_at + dt.timedelta(hours=23)
    assert ring_holder_defaults_apply(now=early) == 0
    late = summit.triggered_at + dt.timedelta(hours=25)
    mail.outbox.clear()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        assert ring_holder_defaults_apply(now=late) == 1
        assert ring_holder_defaults_apply(now=late) == 0
    summit.refresh_from_db()
    assert summit.ring_holder == cast.orgs["nhse_a"]  # the QSG's convening NHS England team
    assert summit.ring_holder_status == RiskSummit.RingHolderStatus.DEFAULTED
    assert "by default" in summit.ring_holder_basis
    assert "24 hours" in summit.ring_holder_basis
    assert SentAlert.objects.filter(summit=summit, kind="ring_holder_default").count() == 1
    assert TimelineEvent.objects.filter(summit=summit, verb="ring_holder_defaulted").count() == 1


def test_agreed_ring_holder_is_not_overridden_by_the_default(cast):
    summit = trigger(cast)
    for name in ("secretariat_a", "member_a", "cqc_a", "observer_a"):
        s = standing(cast, name, summit)
        if s.participant and s.participant.ring_holder_position != "agree":
            ring_holder_position(actor=cast.users[name], standing=s, position="agree")
    summit.refresh_from_db()
    # Every organisation with named people agreed (Healthwatch A has none, so is not asked).
    assert summit.ring_holder_status == RiskSummit.RingHolderStatus.AGREED
    assert TimelineEvent.objects.filter(summit=summit, verb="ring_holder_agreed").count() == 1
    later = summit.triggered_at + dt.timedelta(days=3)
    assert ring_holder_defaults_apply(now=later) == 0


def test_objection_needs_a_reason(cast):
    summit = trigger(cast)
    with pytest.raises(ValidationError) as caught:
        ring_holder_position(
            actor=cast.users["member_a"],
            standing=standing(cast, "member_a", summit),
            position="object",
        )
    assert "comment" in caught.value.message_dict


def test_deadline_alerts_fire_once_and_stop_when_the_meeting_is_held(
    cast, django_capture_on_commit_callbacks
):
    summit = trigger(cast, hours_ago=1, urgency=RiskSummit.Urgency.IMMEDIATE)
    assert summit.clock_hours == 24
    not_yet = summit.judged_at + dt.timedelta(hours=6)
    assert alerts_send(now=not_yet) == 0
    half = summit.judged_at + dt.timedelta(hours=13)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_send(now=half) == 1
        assert alerts_send(now=half) == 0
    assert any("not booked" in m.subject for m in mail.outbox)
    overdue = summit.judged_at + dt.timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_send(now=overdue) == 1
        assert alerts_send(now=overdue + dt.timedelta(hours=5)) == 0
    assert SentAlert.objects.filter(summit=summit).count() == 2

    # A second summit whose meeting is held in time gets no alert at all.
    other = trigger(cast, by="cqc_a", provider="provider_a2", hours_ago=3)
    hold_first_meeting(cast, other)
    assert alerts_send(now=other.judged_at + dt.timedelta(hours=60)) == 0
    assert not SentAlert.objects.filter(summit=other).exists()


def test_a_held_meeting_stops_further_deadline_alerts(cast):
    summit = trigger(cast, hours_ago=1)
    assert alerts_send(now=summit.judged_at + dt.timedelta(hours=30)) == 1
    hold_first_meeting(cast, summit)
    assert alerts_send(now=summit.judged_at + dt.timedelta(hours=60)) == 0
    kinds = list(SentAlert.objects.filter(summit=summit).values_list("kind", flat=True))
    assert kinds == ["meeting_not_booked"]


def test_overdue_action_alert_once(cast, django_capture_on_commit_callbacks):
    summit = trigger(cast)
    hold_first_meeting(cast, summit)
    action = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="safeguard",
        description="Extra midwives on nights",
        owner_organisation=cast.orgs["icb_a"],
        owner=cast.users["member_a"],
        due_on=timezone.localdate(),
    )
    later = timezone.now() + dt.timedelta(days=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_send(now=later) == 1
        assert alerts_send(now=later) == 0
    owner_mail = [m for m in mail.outbox if "member_a@example.nhs.uk" in m.to]
    assert owner_mail and "was due on" in owner_mail[0].subject
    assert "Extra midwives" not in owner_mail[0].body  # links, not content
    assert SentAlert.objects.get(action=action).kind == "action_overdue"


def _close(cast, summit):
    return summit_close(
        actor=cast.users["chair_a"],
        summit=summit,
        outcome="improving",
        outcome_summary="Staffing restored; the QSG keeps it under review",
        level_after="regular-review",
    )


def test_child_safeguarding_summit_cannot_close_without_the_lscb_answer(cast):
    summit = trigger(cast, involves_child_safeguarding=True)
    ready_to_close(cast, summit)
    with pytest.raises(ValidationError) as caught:
        _close(cast, summit)
    assert any("Local Safeguarding Children Board" in m for m in caught.value.messages)
    with pytest.raises(ValidationError) as caught:
        checks_record(
            actor=cast.users["secretariat_a"],
            summit=summit,
            lscb_notified="not_applicable",
            lscb_reason="n/a",
        )
    assert "lscb_notified" in caught.value.message_dict
    checks_record(
        actor=cast.users["secretariat_a"],
        summit=summit,
        lscb_notified="yes",
        lscb_notified_on=timezone.localdate(),
    )
    closed = _close(cast, summit)
    assert closed.status == RiskSummit.Status.CLOSED
    assert closed.level_after == "regular-review"


def test_closure_requires_every_action_closed_or_transferred(cast):
    summit = trigger(cast)
    ready_to_close(cast, summit)
    first = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="improvement",
        description="Improvement plan",
        owner_organisation=cast.orgs["icb_a"],
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    second = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="continuity",
        description="Divert if needed",
        owner_organisation=cast.orgs["nhse_a"],
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as caught:
        _close(cast, summit)
    assert any("still open: 1, 2" in m for m in caught.value.messages)
    manager = standing(cast, "secretariat_a", summit)
    action_update(actor=cast.users["secretariat_a"], standing=manager, action=first, status="done")
    action_update(
        actor=cast.users["secretariat_a"], standing=manager, action=second, status="transferred"
    )
    assert _close(cast, summit).status == RiskSummit.Status.CLOSED
    with pytest.raises(ValidationError):
        meeting_book(
            actor=cast.users["secretariat_a"],
            summit=summit,
            starts_at=timezone.now(),
            format="video",
        )
    assert (
        SummitAction.objects.filter(summit=summit, status__in=["done", "transferred"]).count() == 2
    )


def _referral(cast, referral_id=501, meeting_id=77):
    return handoff.Referral(
        id=referral_id,
        provider_id=cast.providers["provider_a1"].pk,
        qsg_id=cast.qsgs["a"].pk,
        meeting_id=meeting_id,
        meeting_label="Area A QSG meeting of 3 March 2026",
        rationale="The group concluded a risk summit is required",
        created_at=timezone.now() - dt.timedelta(hours=1),
    )


def test_claiming_a_referral_twice_creates_one_summit(cast, monkeypatch):
    claims: dict[int, str] = {}

    def claim(*, referral_id, reference):
        holder = claims.setdefault(referral_id, reference)
        return holder == reference

    monkeypatch.setattr(handoff, "claim_referral", claim)
    referral = _referral(cast)
    monkeypatch.setattr(handoff, "pending_referrals", lambda qsg_ids=None: [referral])
    assert referrals_pick_up() == 1
    again = referrals_pick_up()
    assert RiskSummit.objects.count() == 1
    summit = RiskSummit.objects.get()
    assert again == 1  # found, not made again
    assert summit.referral_id == 501 and summit.origin == RiskSummit.Origin.MEETING
    assert claims == {501: summit.reference}
    # A re-agreed note (a new version) repeats the conclusion: the same summit takes it.
    repeat = _referral(cast, referral_id=502, meeting_id=77)
    monkeypatch.setattr(handoff, "pending_referrals", lambda qsg_ids=None: [repeat])
    referrals_pick_up()
    assert RiskSummit.objects.count() == 1
    assert claims[502] == summit.reference


def test_pid_is_blocked_in_meeting_records(cast):
    summit = trigger(cast)
    meeting = meeting_book(
        actor=cast.users["secretariat_a"],
        summit=summit,
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        format="video",
    )
    with pytest.raises(ValidationError) as caught:
        meeting_record(
            actor=cast.users["secretariat_a"],
            meeting=meeting,
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at + dt.timedelta(minutes=30),
            chaired_by="Chair",
            discussion="Mrs Jane Smith, born 12/03/1950, was harmed",
            judgements="Serious",
            present=[cast.users["secretariat_a"]],
            shared_with_provider=False,
        )
    assert "discussion" in caught.value.message_dict


def test_closure_puts_the_level_on_the_providers_timeline_for_those_who_may_know(cast, client_for):
    from surveillance.meetings import access as access_meetings
    from surveillance.meetings import selectors as selectors_meetings
    from surveillance.meetings.models import SurveillanceLogEntry

    summit = trigger(cast)
    ready_to_close(cast, summit)
    closed = _close(cast, summit)
    provider = cast.providers["provider_a1"]
    assert RiskSummit.objects.get(pk=closed.pk).level_recorded
    [entry] = SurveillanceLogEntry.objects.filter(provider=provider)
    assert entry.source == "risk_summit" and entry.source_reference == summit.reference
    assert entry.category.code == "regular-review" and entry.meeting_id is None
    assert entry.is_confidential
    # the level now keeps the provider on every agenda of its QSG
    assert provider in [p for p, _ in selectors_meetings.providers_under_review(cast.qsgs["a"])]
    # the secretariat sees it on the provider's timeline; a member not in the summit does not
    assert list(access_meetings.surveillance_log_for(cast.users["secretariat_a"], provider)) == [
        entry
    ]
    assert not access_meetings.surveillance_log_for(cast.users["observer_a"], provider).exists()
    page = client_for("secretariat_a").get(f"/providers/{provider.pk}/").content.decode()
    assert f"on closing risk summit {summit.reference}" in page
    page = client_for("observer_a").get(f"/providers/{provider.pk}/").content.decode()
    assert "on closing risk summit" not in page
    # recording twice changes nothing
    from risksummits import handoff

    assert handoff.record_level_after(
        provider_id=provider.pk,
        qsg_id=summit.qsg_id,
        level_code="regular-review",
        decided_on=timezone.localdate(),
        rationale="again",
        reference=summit.reference,
    )
    assert SurveillanceLogEntry.objects.filter(provider=provider).count() == 1
