"""Agreed notes, local reports and assurance returns built through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qsg import services as qsg_services
from qsg.models import QSGRole
from surveillance.meetings.models import MeetingNote
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import attendance as attendance_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import schedule as schedule_services
from surveillance.regional import services as sv
from tests.surveillance.meetings.factories import category, ensure_reference_data, exemption

TEN = dt.time(10, 0)
ONE = dt.time(13, 0)
SECRET = "Ward closures discussed with the region in confidence"


def chair_of(cast, qsg_key: str):
    """Cast QSG A has a chair; others get one made on demand."""
    if qsg_key == "a":
        return cast.users["chair_a"]
    key = f"chair_{qsg_key}"
    if key not in cast.users:
        org = cast.orgs[f"nhse_{qsg_key}"]
        user = qsg_services.user_create(
            actor=None, username=key, organisation=org, password="cast-password-123"
        )
        qsg_services.role_assign(
            actor=None, qsg=cast.qsgs[qsg_key], user=user, role=QSGRole.Role.CHAIR
        )
        cast.users[key] = user
    return cast.users[key]


def agreed_note(
    cast,
    qsg_key: str,
    provider_key: str,
    *,
    key_issues: str,
    code: str = "regular-review",
    days: int = -7,
    confidential: bool = False,
    overdue_action: str = "",
    publish: bool = False,
):
    """A meeting of the QSG `days` from today whose note is agreed with one conclusion."""
    ensure_reference_data()
    secretariat = cast.users[f"secretariat_{qsg_key}"]
    chair = chair_of(cast, qsg_key)
    meeting = schedule_services.meeting_create(
        actor=secretariat,
        qsg=cast.qsgs[qsg_key],
        title=f"QSG {qsg_key.upper()} meeting",
        date=timezone.localdate() + dt.timedelta(days=days),
        start_time=TEN,
        end_time=ONE,
    )
    attendance_services.attendance_add(
        actor=secretariat,
        meeting=meeting,
        user=chair,
        organisation=chair.organisation,
        present_from=TEN,
        present_to=ONE,
    )
    provider = cast.providers[provider_key]
    item = agenda_services.agenda_item_create(
        actor=secretariat,
        meeting=meeting,
        title=provider.name,
        kind="provider",
        providers=[provider],
    )
    note = note_services.meeting_note_start(actor=secretariat, meeting=meeting)
    conclusion = note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=provider,
        category=category(code),
        key_issues=key_issues,
        rationale="Members' intelligence agrees with the data",
        agenda_item=item,
        foi_exemption=exemption("s41") if confidential else None,
    )
    if overdue_action:
        actions_services.action_save(
            actor=secretariat,
            note=note,
            description=overdue_action,
            owner_organisation=secretariat.organisation,
            due_date=timezone.localdate() + dt.timedelta(days=days + 1),
            provider=provider,
        )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note = MeetingNote.objects.get(pk=note.pk)
    note = note_services.meeting_note_agree(actor=chair, note=note)
    if publish:
        note_services.meeting_note_publish(actor=chair, note=note)
    return meeting, note, conclusion


def period(days: int = 90) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today - dt.timedelta(days=days), today


def regional_scenario(cast) -> dict:
    """QSG A: an agreed note; a submitted report (with SECRET in a section) for the earlier
    period and a draft for the later one; a recommendation from the region; a submitted
    assurance return for this month."""
    cached = cast.__dict__.get("_regional")
    if cached:
        return cached
    today = timezone.localdate()
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the acute medical unit")
    sec = cast.users["secretariat_a"]
    submitted = sv.local_report_draft(
        actor=sec,
        qsg=cast.qsgs["a"],
        period_start=today - dt.timedelta(days=180),
        period_end=today - dt.timedelta(days=91),
    )
    summary = submitted.sections.get(key="summary")
    sv.local_report_section_edit(actor=sec, section=summary, text=SECRET)
    submitted = sv.local_report_submit(actor=sec, report=submitted)
    draft = sv.local_report_draft(
        actor=sec, qsg=cast.qsgs["a"], period_start=today - dt.timedelta(days=90), period_end=today
    )
    recommendation = sv.recommendation_send(
        actor=cast.users["regional_secretariat"],
        region=cast.qsgs["r"],
        local_qsg=cast.qsgs["a"],
        title="Look again at staffing",
        text="Two local QSGs raised staffing this quarter.",
    )
    questions = sv.questions_for(cast.qsgs["a"])
    ret = sv.assurance_return_save(
        actor=sec,
        qsg=cast.qsgs["a"],
        month=today,
        answers={q.pk: {"rag": "green", "comments": "", "evidence": ""} for q in questions},
        submit=True,
    )
    out = {
        "submitted": submitted,
        "draft": draft,
        "draft_section": draft.sections.get(key="summary"),
        "recommendation": recommendation,
        "return": ret,
        "month": f"{today:%Y-%m}",
    }
    cast.__dict__["_regional"] = out
    return out
