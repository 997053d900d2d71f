"""Issue 15, findings 2 and 3: summit records stay in step with one rule each (risksummits.rules).

One open summit per provider; meetings numbered by date; the clock's deadline for the first
meeting; who holds the ring now; no closure with a meeting still booked; documents versioned as
issued.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qsg import services as qsg_services
from qsg.models import OrganisationType
from risksummits import rules
from risksummits.models import (
    Participant,
    RiskSummit,
    SummitMeeting,
    SummitProvider,
    TimelineEvent,
)
from risksummits.selectors import closure_document
from risksummits.services.closure import summit_close
from risksummits.services.documents import document_request
from risksummits.services.meetings import meeting_book, meeting_cancel, meeting_record
from risksummits.services.ring_holder import ring_holder_confirm, ring_holder_propose
from risksummits.services.trigger import referrals_pick_up
from surveillance.meetings.services import note as note_services
from tests.surveillance.meetings import factories as meetings

from .factories import hold_first_meeting, ready_to_close, standing, trigger

pytestmark = pytest.mark.django_db


def _book(cast, summit, when, **extra):
    return meeting_book(
        actor=cast.users["secretariat_a"], summit=summit, starts_at=when, format="video", **extra
    )


def _titles(summit) -> list[tuple[str, dt.datetime]]:
    rows = SummitMeeting.objects.filter(summit=summit).order_by("number")
    return [(m.title, m.starts_at) for m in rows]


# Meetings numbered by date ---------------------------------------------------------------------


def test_meetings_are_numbered_by_date_not_booking_order(cast):
    summit = trigger(cast, hours_ago=2)  # 48-hour clock: the deadline is 46 hours away
    later = timezone.now() + dt.timedelta(hours=40)
    earlier = timezone.now() + dt.timedelta(hours=20)
    first_booked = _book(cast, summit, later)
    second_booked = _book(cast, summit, earlier)
    assert second_booked.title == "First meeting"
    assert _titles(summit) == [("First meeting", earlier), ("Follow-up meeting 1", later)]
    assert TimelineEvent.objects.filter(summit=summit, verb="meetings_renumbered").exists()

    # Cancelling the earliest makes the next one the first; the cancelled one is not numbered
    # among them.
    meeting_cancel(actor=cast.users["secretariat_a"], meeting=second_booked, reason="Chair ill")
    first_booked.refresh_from_db()
    assert first_booked.title == "First meeting"
    second_booked.refresh_from_db()
    assert second_booked.title == "Cancelled meeting"

    # Recording a meeting at another time (it moved) renumbers too.
    held_at = max(summit.judged_at, timezone.now() - dt.timedelta(minutes=30))
    third = _book(cast, summit, timezone.now() + dt.timedelta(hours=30))
    assert third.title == "First meeting"
    meeting_record(
        actor=cast.users["secretariat_a"],
        meeting=first_booked,
        starts_at=held_at,
        ends_at=held_at + dt.timedelta(minutes=20),
        chaired_by="Chair A",
        discussion="Brought forward",
        judgements="Potential serious failure",
        present=[cast.users["secretariat_a"]],
        shared_with_provider=False,
    )
    first_booked.refresh_from_db()
    third.refresh_from_db()
    assert (first_booked.title, third.title) == ("First meeting", "Follow-up meeting 1")
    # The closure report lists them in the same order.
    titles = [m["title"] for m in closure_document(summit)["meetings"]]
    assert titles == ["First meeting", "Follow-up meeting 1", "Cancelled meeting"]


def test_moving_a_booked_meeting_renumbers_and_keeps_the_clock(cast):
    from risksummits.services.meetings import meeting_move

    summit = trigger(cast, hours_ago=2)
    first = _book(cast, summit, timezone.now() + dt.timedelta(hours=20))
    second = _book(cast, summit, timezone.now() + dt.timedelta(hours=40))
    # Moving the first past the second makes the second the first meeting.
    moved = meeting_move(
        actor=cast.users["secretariat_a"],
        meeting=first,
        starts_at=timezone.now() + dt.timedelta(hours=44),
    )
    second.refresh_from_db()
    assert (second.title, moved.title) == ("First meeting", "Follow-up meeting 1")
    assert TimelineEvent.objects.filter(summit=summit, verb="meeting_moved").exists()
    # Moving the first past the other one, beyond the deadline, needs no reason: the other
    # (within the clock) is the first meeting then.
    moved = meeting_move(
        actor=cast.users["secretariat_a"],
        meeting=second,
        starts_at=timezone.now() + dt.timedelta(days=4),
    )
    assert moved.title == "Follow-up meeting 1" and moved.late_reason == ""
    # With only a late meeting left, moving it again needs the reason.
    meeting_cancel(actor=cast.users["secretariat_a"], meeting=first, reason="Not needed")
    with pytest.raises(ValidationError) as refused:
        meeting_move(
            actor=cast.users["secretariat_a"],
            meeting=second,
            starts_at=timezone.now() + dt.timedelta(days=5),
        )
    assert "late_reason" in refused.value.message_dict
    moved = meeting_move(
        actor=cast.users["secretariat_a"],
        meeting=second,
        starts_at=timezone.now() + dt.timedelta(days=5),
        late_reason="The trust's board meets that week",
    )
    assert moved.title == "First meeting"
    assert moved.late_reason == "The trust's board meets that week"


# The clock -----------------------------------------------------------------------------------


def test_a_first_meeting_after_the_clock_needs_a_recorded_reason(cast):
    summit = trigger(cast, hours_ago=2)
    late = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        _book(cast, summit, late)
    assert "late_reason" in refused.value.message_dict
    assert "must be held by" in refused.value.message_dict["late_reason"][0]
    assert not SummitMeeting.objects.filter(summit=summit).exists()

    meeting = _book(cast, summit, late, late_reason="The CQC inspector is in court until then")
    assert meeting.late_reason == "The CQC inspector is in court until then"
    event = TimelineEvent.objects.get(summit=summit, verb="meeting_booked")
    assert "after the clock's deadline" in event.text and "in court" in event.text
    # A follow-up after the deadline is not the first meeting: no reason needed.
    follow_up = _book(cast, summit, late + dt.timedelta(days=2))
    assert follow_up.late_reason == "" and follow_up.title == "Follow-up meeting 1"
    # An earlier meeting within the clock becomes the first; then no reason is needed.
    in_time = _book(cast, summit, timezone.now() + dt.timedelta(hours=30))
    assert in_time.title == "First meeting" and in_time.late_reason == ""


def test_booking_page_asks_why_a_late_first_meeting_is_late(cast, client_for):
    summit = trigger(cast, hours_ago=2)
    client = client_for("secretariat_a")
    url = reverse("risksummits:meeting-book", args=[summit.pk])
    page = client.get(url).content.decode()
    assert "why can the members not meet in time" in page
    late = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "form_token": "late-1",
        "starts_at_date-day": late.day,
        "starts_at_date-month": late.month,
        "starts_at_date-year": late.year,
        "starts_at_time": "10:00",
        "format": "video",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "nhsuk-error-summary" in body and "must be held by" in body
    assert not SummitMeeting.objects.filter(summit=summit).exists()
    booked = client.post(url, dict(data, form_token="late-2", late_reason="No room until then"))
    assert booked.status_code == 302
    meeting = SummitMeeting.objects.get(summit=summit)
    assert meeting.late_reason == "No room until then"
    detail = client.get(reverse("risksummits:detail", args=[summit.pk])).content.decode()
    assert "The first meeting is after the clock&#39;s deadline" in detail
    assert "The reason recorded: No room until then" in detail


def test_trigger_page_points_to_the_open_summit_on_the_provider_field(cast, client_for):
    summit = trigger(cast)
    client = client_for("member_a")
    judged = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        reverse("risksummits:trigger"),
        {
            "form_token": "second-1",
            "provider": cast.providers["provider_a1"].pk,
            "concern": "Another report about the maternity unit",
            "source": "media",
            "urgency": "urgent",
            "judged_at_date-day": judged.day,
            "judged_at_date-month": judged.month,
            "judged_at_date-year": judged.year,
            "judged_at_time": judged.strftime("%H:%M"),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        'href="#id_provider"' in body and f"Risk summit {summit.reference} is already open" in body
    )
    assert "Another report about the maternity unit" in body  # what was typed is kept
    assert RiskSummit.objects.count() == 1


# The ring-holder ---------------------------------------------------------------------------------


def _tda(cast):
    tda = qsg_services.organisation_create(
        actor=None, name="NHS TDA North", type=OrganisationType.objects.get(code="nhs-tda")
    )
    qsg_services.membership_add(actor=None, qsg=cast.qsgs["a"], organisation=tda)
    return tda


def test_only_the_ring_holder_now_holds_the_ring_on_page_api_and_pdf(cast, client_for):
    tda = _tda(cast)
    summit = trigger(cast)
    assert summit.ring_holder == tda
    ring_holder_propose(
        actor=cast.users["secretariat_a"],
        standing=standing(cast, "secretariat_a", summit),
        organisation=cast.orgs["nhse_a"],
        reason="The area team leads for this trust",
    )
    summit = ring_holder_confirm(
        actor=cast.users["chair_a"], summit=summit, note="Agreed on the call"
    )
    roles = {
        p.organisation_id: rules.participant_role(summit, p)
        for p in Participant.objects.filter(summit=summit)
    }
    assert roles[cast.orgs["nhse_a"].pk] == "Holds the ring"
    assert roles[tda.pk] == "Core member of the QSG"
    assert list(roles.values()).count("Holds the ring") == 1
    # An organisation added only because it was proposed keeps that basis, not the title.
    added_as_holder = Participant(organisation=tda, basis=Participant.Basis.RING_HOLDER)
    assert rules.participant_role(summit, added_as_holder) == "Was proposed to hold the ring"

    client = client_for("secretariat_a")
    page = client.get(reverse("risksummits:detail", args=[summit.pk])).content.decode()
    table = page[page.index('id="participant-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("Holds the ring") == 1
    row = table[table.index(tda.name) :]
    assert row[: row.index("</tr>")].count("Holds the ring") == 0

    api = client.get(reverse("api:risk-summit-participants", args=[summit.pk])).json()
    holding = [p["organisation_name"] for p in api if p["role"] == "Holds the ring"]
    assert holding == [cast.orgs["nhse_a"].name]

    pdf_roles = {p["organisation"]: p["basis"] for p in closure_document(summit)["participants"]}
    assert pdf_roles[tda.name] != "Holds the ring"
    assert pdf_roles[cast.orgs["nhse_a"].name] == "Holds the ring"


# Closure ---------------------------------------------------------------------------------------


def test_a_summit_cannot_close_with_a_meeting_still_booked(cast):
    summit = trigger(cast)
    ready_to_close(cast, summit)
    booked = _book(cast, summit, timezone.now() + dt.timedelta(days=2))
    close = {
        "actor": cast.users["chair_a"],
        "summit": summit,
        "outcome": "assured",
        "outcome_summary": "Staffing restored",
        "level_after": "regular-review",
    }
    with pytest.raises(ValidationError) as refused:
        summit_close(**close)
    assert any("still booked" in m for m in refused.value.messages)
    assert RiskSummit.objects.get(pk=summit.pk).is_open
    assert not rules.stage(summit).can_close

    meeting_cancel(actor=cast.users["secretariat_a"], meeting=booked, reason="No longer needed")
    closed = summit_close(**close)
    assert closed.status == RiskSummit.Status.CLOSED
    assert rules.stage(closed).name == rules.CLOSED and rules.stage(closed).allowed == set()


# PDF versions ------------------------------------------------------------------------------


def test_documents_are_versioned_as_issued_not_by_internal_revision(cast):
    summit = trigger(cast)
    ready_to_close(cast, summit)
    closed = summit_close(
        actor=cast.users["chair_a"],
        summit=summit,
        outcome="assured",
        outcome_summary="Staffing restored",
        level_after="regular-review",
    )
    assert closed.revision > 3  # many changes along the way
    manager = standing(cast, "secretariat_a", closed)
    report, queued = document_request(
        actor=cast.users["secretariat_a"], standing=manager, kind="closure"
    )
    assert queued and report.version == 1
    again, queued = document_request(
        actor=cast.users["chair_a"], standing=standing(cast, "chair_a", closed), kind="closure"
    )
    assert again.pk == report.pk and not queued


def test_a_meeting_record_gets_version_two_when_its_record_changes(cast):
    summit = trigger(cast)
    held = hold_first_meeting(cast, summit)
    manager = standing(cast, "secretariat_a", summit)
    first, _ = document_request(
        actor=cast.users["secretariat_a"], standing=manager, kind="meeting", meeting=held
    )
    for _ in range(3):  # three corrections, printed once at the end
        held = meeting_record(
            actor=cast.users["secretariat_a"],
            meeting=held,
            starts_at=held.starts_at,
            ends_at=held.ends_at,
            chaired_by="Chair A",
            discussion=held.discussion + " Corrected.",
            judgements=held.judgements,
            present=[cast.users["secretariat_a"]],
            shared_with_provider=False,
        )
    second, _ = document_request(
        actor=cast.users["secretariat_a"], standing=manager, kind="meeting", meeting=held
    )
    assert (first.version, second.version) == (1, 2)


# One open summit per provider ----------------------------------------------------------------


def test_a_meeting_conclusion_about_a_provider_with_an_open_summit_links_to_it(cast):
    summit = trigger(cast)
    concern = summit.concern
    _meeting, _note, conclusion = meetings.agreed_meeting(cast, conclusion="risk-summit")
    report: dict = {}
    assert referrals_pick_up(report=report) == 1
    assert report == {"opened": 0, "linked": 1}
    assert RiskSummit.objects.count() == 1
    assert list(note_services.risk_summit_referrals_pending()) == []
    summit.refresh_from_db()
    assert summit.concern == concern
    linked = TimelineEvent.objects.get(summit=summit, verb="referral_linked")
    assert "already open" in linked.text
    texts = " ".join(TimelineEvent.objects.filter(summit=summit).values_list("text", flat=True))
    assert conclusion.rationale not in texts
    # Picking up again changes nothing.
    referrals_pick_up()
    assert TimelineEvent.objects.filter(summit=summit, verb="referral_linked").count() == 1


def test_a_second_direct_trigger_is_refused_naming_the_summit_only_to_those_who_see_it(cast):
    summit = trigger(cast)
    with pytest.raises(ValidationError) as refused:
        trigger(cast, by="cqc_a", concern="Another report about the maternity unit")
    message = refused.value.message_dict["providers"][0]
    assert summit.reference in message and "already open" in message

    other = trigger(cast, by="secretariat_b", provider="provider_b1")
    # member_a's ICB commissions provider_b1, so she may trigger; she does not see QSG B's summit.
    with pytest.raises(ValidationError) as hidden:
        trigger(cast, by="member_a", provider="provider_b1")
    message = hidden.value.message_dict["providers"][0]
    assert "already open" in message and other.reference not in message
    assert RiskSummit.objects.count() == 2


def test_the_database_keeps_one_open_summit_per_provider(cast):
    first = trigger(cast)
    second = trigger(cast, provider="provider_a2")
    with pytest.raises(IntegrityError), transaction.atomic():
        SummitProvider.objects.create(risksummit=second, provider=cast.providers["provider_a1"])
    # Once the first is closed, a new summit about the provider may open.
    ready_to_close(cast, first)
    summit_close(
        actor=cast.users["chair_a"],
        summit=first,
        outcome="assured",
        outcome_summary="Staffing restored",
        level_after="regular-review",
    )
    again = trigger(cast, concern="A new concern, months later")
    assert again.pk != first.pk and again.is_open


def test_a_confidential_conclusion_is_not_copied_into_a_new_summit(cast):
    m = meetings.meeting(cast)
    meetings.quorate(cast, m)
    note, item, c = meetings.note_with_content(cast, m, conclusion="risk-summit")
    note_services.conclusion_save(
        actor=cast.users["secretariat_a"],
        note=note,
        conclusion=c,
        provider=c.provider,
        category=c.category,
        key_issues=c.key_issues,
        rationale="A named midwife told us in confidence about the night rota",
        agenda_item=item,
        foi_exemption=meetings.exemption("s41"),
    )
    meetings.agree(cast, note)
    assert referrals_pick_up() == 1
    summit = RiskSummit.objects.get()
    assert "in confidence" not in summit.concern
    assert "confidential" in summit.concern


# Transferred actions -------------------------------------------------------------------------


def test_a_transferred_action_lands_on_the_qsgs_action_log_linked_both_ways(cast, client_for):
    from risksummits.models import SummitAction
    from risksummits.services.actions import action_create, action_update
    from surveillance.meetings.models import Action

    summit = trigger(cast)
    action = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="improvement",
        description="Maternity improvement plan, reviewed monthly",
        owner_organisation=cast.orgs["icb_a"],
        owner=cast.users["member_a"],
        due_on=timezone.localdate() + dt.timedelta(days=60),
    )
    # The owner records progress, but moving an action onto the QSG's log is for those who
    # run the summit.
    with pytest.raises(ValidationError):
        action_update(
            actor=cast.users["member_a"],
            standing=standing(cast, "member_a", summit),
            action=action,
            status="transferred",
        )
    manager = standing(cast, "secretariat_a", summit)
    action = action_update(
        actor=cast.users["secretariat_a"], standing=manager, action=action, status="transferred"
    )
    logged = Action.objects.get(qsg=cast.qsgs["a"])
    assert action.transferred_action_id == logged.pk
    assert logged.description == "Maternity improvement plan, reviewed monthly"
    assert (
        logged.owner == cast.users["member_a"] and logged.owner_organisation == cast.orgs["icb_a"]
    )
    assert logged.due_date == action.due_on and logged.is_open
    assert logged.provider == cast.providers["provider_a1"]
    assert logged.transferred_from == f"Risk summit {summit.reference}, action {action.number}"
    assert logged.transferred_from_url == reverse("risksummits:action", args=[summit.pk, action.pk])
    assert logged.reference in action.transferred_to and logged.is_confidential
    # Its progress now lives on the log: the summit's copy does not change any more.
    with pytest.raises(ValidationError):
        action_update(
            actor=cast.users["secretariat_a"], standing=manager, action=action, status="done"
        )
    assert SummitAction.objects.get(pk=action.pk).status == "transferred"

    # On the log: the owner (a statutory member) sees it and its source; an observer from the
    # local authority does not, as the summit is confidential.
    member = client_for("member_a")
    listing = member.get(reverse("surveillance:action-list")).content.decode()
    assert "Maternity improvement plan" in listing and summit.reference in listing
    detail = member.get(reverse("surveillance:action-update", args=[logged.pk]))
    assert detail.status_code == 200
    assert logged.transferred_from_url in detail.content.decode()
    observer = client_for("observer_a")
    assert (
        "Maternity improvement plan"
        not in observer.get(reverse("surveillance:action-list")).content.decode()
    )
    assert observer.get(reverse("surveillance:action-update", args=[logged.pk])).status_code == 404
