"""The meetings API uses the same rules and services as the pages."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from surveillance.meetings.models import Meeting
from surveillance.meetings.services import note as note_services

from .factories import agreed_meeting, exemption, meeting


def test_secretariat_creates_and_changes_meetings_members_cannot(cast, client_for):
    url = reverse("api:meeting-list")
    data = {
        "qsg": cast.qsgs["a"].pk,
        "title": "Extraordinary meeting",
        "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "start_time": "14:00",
        "end_time": "15:00",
    }
    response = client_for("secretariat_a").post(url, data, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (
        client_for("member_a").post(url, data, content_type="application/json").status_code == 403
    )
    assert (
        client_for("secretariat_b").post(url, data, content_type="application/json").status_code
        == 404
    )
    bad = {**data, "end_time": "13:00"}
    response = client_for("secretariat_a").post(url, bad, content_type="application/json")
    assert response.status_code == 400
    assert "end_time" in response.json()
    assert Meeting.objects.filter(title="Extraordinary meeting").count() == 1


def test_attendance_api_rejects_overlaps_with_field_errors(cast, client_for):
    m = meeting(cast)
    url = reverse("api:attendance-list")
    row = {
        "meeting": m.pk,
        "user": cast.users["member_a"].pk,
        "organisation": cast.orgs["icb_a"].pk,
        "status": "present",
        "present_from": "10:00",
        "present_to": "11:00",
    }
    client = client_for("secretariat_a")
    assert client.post(url, row, content_type="application/json").status_code == 201
    response = client.post(url, {**row, "present_from": "10:30"}, content_type="application/json")
    assert response.status_code == 400
    assert "present_from" in response.json()


def test_conclusions_api_hides_drafts_and_confidential_ones(cast, client_for):
    _m, note, conclusion = agreed_meeting(cast)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    note = note_services.meeting_note_revise(
        actor=cast.users["secretariat_a"], note=note, reason="Mark as confidential"
    )
    url = reverse("api:conclusion-list")
    # The note is a draft again: members no longer read it; the secretariat does.
    assert client_for("member_a").get(url).json()["count"] == 0
    assert client_for("secretariat_a").get(url).json()["count"] == 1
    note_services.conclusion_save(
        actor=cast.users["secretariat_a"],
        note=note,
        conclusion=conclusion,
        provider=conclusion.provider,
        category=conclusion.category,
        key_issues="k",
        rationale="r",
        foi_exemption=exemption("s40"),
    )
    note_services.meeting_note_circulate(actor=cast.users["secretariat_a"], note=note)
    note.refresh_from_db()
    note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    assert client_for("cqc_a").get(url).json()["count"] == 1
    assert client_for("observer_a").get(url).json()["count"] == 0
    assert client_for("reviewer").get(url).json()["count"] == 0


def test_action_owner_records_progress_through_the_api(cast, client_for):
    _, note, _ = agreed_meeting(cast)
    action = note.actions.get()
    url = reverse("api:action-detail", args=[action.pk])
    response = client_for("cqc_a").patch(url, {"status": "done"}, content_type="application/json")
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.status == "done" and action.completed_on == timezone.localdate()
    response = client_for("member_a").patch(
        url, {"status": "open"}, content_type="application/json"
    )
    assert response.status_code == 403
    overdue = (
        client_for("secretariat_a").get(reverse("api:action-list"), {"overdue": "true"}).json()
    )
    assert overdue["count"] == 0
