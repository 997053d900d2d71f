"""Pages: bad input gives field errors and keeps what was typed, double submits make one record,
query counts stay bounded, calendars and reminders behave."""

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from qsg import services as qsg_services
from qsg.models import Provider
from surveillance.meetings.models import (
    ActionReminder,
    AgendaItem,
    Attendance,
    Meeting,
    NotePassage,
)
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import plans as plans_services
from tests.signin import log_in

from .factories import agreed_meeting, meeting, note_with_content, quorate


def test_series_form_schedules_by_cadence_and_rejects_bad_times(cast, client_for):
    client = client_for("secretariat_a")
    url = reverse("surveillance:series-create", args=[cast.qsgs["a"].pk])
    data = {
        "title": "Area A QSG",
        "cadence": "local_2013",
        "first_date-day": "14",
        "first_date-month": "4",
        "first_date-year": "2026",
        "until-day": "31",
        "until-month": "3",
        "until-year": "2027",
        "start_time": "14:00",
        "end_time": "11:00",
        "venue": "Quarry House",
        "form_token": "tok-1",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The end time must be after the start time" in body
    assert 'value="Quarry House"' in body
    assert "<title>Error: " in body
    data["end_time"] = "16:30"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double submit
    assert Meeting.objects.filter(qsg=cast.qsgs["a"]).count() == 7


def test_attendance_rejects_overlaps_and_end_before_start(cast, client_for):
    m = meeting(cast)
    client = client_for("secretariat_a")
    url = reverse("surveillance:attendance", args=[m.pk])
    base = {"person": cast.users["member_a"].pk, "capacity": "member", "status": "present"}
    response = client.post(
        url, {**base, "present_from": "11:00", "present_to": "10:00", "form_token": "a1"}
    )
    assert "The time they left must be after the time they arrived" in response.content.decode()
    assert (
        client.post(
            url, {**base, "present_from": "10:00", "present_to": "11:00", "form_token": "a2"}
        ).status_code
        == 302
    )
    response = client.post(
        url, {**base, "present_from": "10:30", "present_to": "12:00", "form_token": "a3"}
    )
    assert "already recorded as present for part of this time" in response.content.decode()
    # Leaving and coming back is fine.
    assert (
        client.post(
            url, {**base, "present_from": "11:30", "present_to": "12:00", "form_token": "a4"}
        ).status_code
        == 302
    )
    # A repeated submit of the same form records nothing more.
    assert (
        client.post(
            url, {**base, "present_from": "11:30", "present_to": "12:00", "form_token": "a4"}
        ).status_code
        == 302
    )
    assert Attendance.objects.filter(meeting=m).count() == 2
    response = client.post(url, {"name": "", "status": "apologies", "form_token": "a5"})
    assert "Choose a person or enter their name" in response.content.decode()


def test_pid_in_free_text_is_blocked_and_the_text_kept(cast, client_for):
    m = meeting(cast)
    quorate(cast, m)
    _note, item, _ = note_with_content(cast, m)
    client = client_for("secretariat_a")
    text = "Mrs Jane Smith, DOB 12/03/1950, fell on the ward"
    response = client.post(
        reverse("surveillance:passage-create", args=[m.pk]),
        {"agenda_item": item.pk, "text": text, "foi_exemption": "", "form_token": "p1"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Record of discussion contains what looks like a date of birth" in body
    assert "Remove it before you submit" in body
    assert "Mrs Jane Smith, DOB 12/03/1950" in body
    assert not NotePassage.objects.filter(text__contains="Jane").exists()


def test_action_due_date_before_the_meeting_is_rejected(cast, client_for):
    m = meeting(cast)
    quorate(cast, m)
    note_services.meeting_note_start(actor=cast.users["secretariat_a"], meeting=m)
    past = m.date - dt.timedelta(days=1)
    response = client_for("secretariat_a").post(
        reverse("surveillance:action-create", args=[m.pk]),
        {
            "description": "Write to the trust",
            "owner_organisation": cast.orgs["icb_a"].pk,
            "due_date[day]": past.day,
            "due_date[month]": past.month,
            "due_date[year]": past.year,
            "form_token": "x1",
        },
    )
    body = response.content.decode()
    assert "The due date must be on or after the date of the meeting" in body
    assert "Write to the trust" in body


def test_agenda_builder_queries_are_bounded_with_400_providers(
    cast, client_for, django_assert_max_num_queries
):
    qsg = cast.qsgs["a"]
    Provider.objects.bulk_create(
        Provider(
            ods_code=f"Z{i:04d}",
            name=f"Care home {i}",
            sector="care_home",
            qsg=qsg,
            district=f"D{i % 7}",
        )
        for i in range(400)
    )
    past = meeting(cast, days=-30)
    quorate(cast, past)
    secretariat = cast.users["secretariat_a"]
    note = note_services.meeting_note_start(actor=secretariat, meeting=past)
    from surveillance.meetings.models import ConclusionCategory

    review = ConclusionCategory.objects.get(code="regular-review")
    for provider in Provider.objects.filter(qsg=qsg).order_by("pk")[:40]:
        note_services.conclusion_save(
            actor=secretariat,
            note=note,
            provider=provider,
            category=review,
            key_issues="x",
            rationale="y",
        )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note.refresh_from_db()
    note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)
    upcoming = meeting(cast, days=10)
    plan = plans_services.business_plan_create(
        actor=secretariat,
        qsg=qsg,
        title="Plan",
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + dt.timedelta(days=200),
    )
    plans_services.business_plan_distribute(actor=secretariat, plan=plan, group_by="district")
    client = client_for("secretariat_a")
    url = reverse("surveillance:agenda", args=[upcoming.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        response = client.get(url)
    body = response.content.decode()
    assert body.count('name="suggestion"') >= 40 + 1
    with django_assert_max_num_queries(25):
        client.get(reverse("surveillance:coverage", args=[qsg.pk]))


def test_ics_for_a_meeting_and_a_series(cast, client_for):
    m = meeting(cast, days=10)
    response = client_for("observer_a").get(reverse("surveillance:meeting-ics", args=[m.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Area A QSG meeting"
    assert str(event["LOCATION"]) == "Room 1, Quarry House"
    assert event.decoded("DTSTART") == m.starts_at
    response = client_for("secretariat_a").get(
        reverse("surveillance:qsg-ics", args=[cast.qsgs["a"].pk])
    )
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_reminders_are_sent_once_per_action_and_kind(cast, django_capture_on_commit_callbacks):
    _m, note, _ = agreed_meeting(cast, days=-40)
    action = note.actions.get()
    today = action.due_date + dt.timedelta(days=3)  # overdue
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions_services.action_reminders_send(today=today) == 1
        assert actions_services.action_reminders_send(today=today) == 0
    assert ActionReminder.objects.filter(action=action).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cqc_a@example.nhs.uk"]
    assert "A1" in mail.outbox[0].subject
    soon = action.due_date - dt.timedelta(days=3)
    assert actions_services.action_reminders_send(today=soon) == 1


def test_members_see_their_organisations_actions_on_the_home_page(cast, client_for):
    agreed_meeting(cast)
    body = client_for("cqc_a").get(reverse("qsg:home")).content.decode()
    assert "My actions" in body and "CQC to bring forward the inspection" in body
    assert "My next meetings" in body
    body = client_for("outsider").get(reverse("qsg:home")).content.decode()
    assert "My actions" not in body


def test_action_log_filters(cast, client_for):
    agreed_meeting(cast)
    client = client_for("secretariat_a")
    url = reverse("surveillance:action-list")
    assert "CQC to bring forward" in client.get(url).content.decode()
    assert "CQC to bring forward" not in client.get(url, {"overdue": "on"}).content.decode()
    assert (
        "CQC to bring forward"
        in client.get(url, {"owner_organisation": cast.orgs["cqc"].pk}).content.decode()
    )
    assert (
        "CQC to bring forward"
        not in client.get(url, {"owner_organisation": cast.orgs["icb_a"].pk}).content.decode()
    )
    assert "CQC to bring forward" in client_for("cqc_a").get(url, {"mine": "on"}).content.decode()
    assert (
        "CQC to bring forward"
        not in client_for("member_a").get(url, {"mine": "on"}).content.decode()
    )


def test_confidential_agenda_items_are_withheld_from_observers(cast, client_for):
    m = meeting(cast, days=5)
    agenda_services.agenda_item_create(
        actor=cast.users["secretariat_a"],
        meeting=m,
        title="Named consultant under GMC review",
        is_confidential=True,
    )
    url = reverse("surveillance:agenda", args=[m.pk])
    assert "Named consultant" in client_for("cqc_a").get(url).content.decode()
    observer = client_for("observer_a").get(url).content.decode()
    assert "Named consultant" not in observer and "Confidential item" in observer
    api = client_for("observer_a").get(reverse("api:agenda-item-list"), {"meeting": m.pk}).json()
    assert api["count"] == 0
    assert AgendaItem.objects.filter(meeting=m).count() == 1


def test_non_statutory_member_does_not_see_confidential_passages(cast, client_for):
    m, note, _ = agreed_meeting(cast)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    outsider_org_member = qsg_services.user_create(
        actor=None, username="other_member", organisation=cast.orgs["outsider_org"], password=None
    )
    qsg_services.membership_add(
        actor=None, qsg=cast.qsgs["a"], organisation=cast.orgs["outsider_org"]
    )
    qsg_services.role_assign(
        actor=None, qsg=cast.qsgs["a"], user=outsider_org_member, role="member"
    )
    from django.test import Client

    client = Client()
    log_in(client, outsider_org_member)
    body = client.get(reverse("surveillance:note", args=[m.pk])).content.decode()
    assert "Mortality above expected" in body
    assert "Whistleblower account" not in body
