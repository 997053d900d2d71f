"""Meetings built through the services, as the product builds them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from surveillance.meetings.models import ConclusionCategory, FOIExemption, MeetingNote
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import attendance as attendance_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import pdf as pdf_services
from surveillance.meetings.services import plans as plans_services
from surveillance.meetings.services import schedule as schedule_services

TEN = dt.time(10, 0)
ONE = dt.time(13, 0)


def ensure_reference_data() -> None:
    """Transactional tests flush the database; put back the labels the migration seeded."""
    from tests import reference

    reference.ensure()


def category(code: str) -> ConclusionCategory:
    return ConclusionCategory.objects.get(code=code)


def exemption(code: str = "s41") -> FOIExemption:
    return FOIExemption.objects.get(code=code)


def meeting(cast, *, qsg="a", days=-7, title="Area A QSG meeting"):
    date = timezone.localdate() + dt.timedelta(days=days)
    return schedule_services.meeting_create(
        actor=cast.users["secretariat_a"] if qsg == "a" else None,
        qsg=cast.qsgs[qsg],
        title=title,
        date=date,
        start_time=TEN,
        end_time=ONE,
        venue="Room 1, Quarry House",
    )


def attend(cast, m, username, start=TEN, end=ONE):
    user = cast.users[username]
    return attendance_services.attendance_add(
        actor=cast.users["secretariat_a"],
        meeting=m,
        user=user,
        organisation=user.organisation,
        present_from=start,
        present_to=end,
    )


def quorate(cast, m):
    for username in ("chair_a", "member_a", "cqc_a", "secretariat_a"):
        attend(cast, m, username)


def note_with_content(
    cast,
    m,
    *,
    conclusion="regular-review",
    confidential_text="Whistleblower account shared in confidence",
):
    """A draft note: one open and one confidential passage, a conclusion and an action."""
    secretariat = cast.users["secretariat_a"]
    agenda_services.agenda_apply_template(actor=secretariat, meeting=m)
    item = agenda_services.agenda_item_create(
        actor=secretariat,
        meeting=m,
        title="Alpha General Hospital",
        kind="provider",
        providers=[cast.providers["provider_a1"]],
    )
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.passage_save(
        actor=secretariat,
        note=note,
        agenda_item=item,
        text="Mortality above expected for two quarters.",
    )
    note_services.passage_save(
        actor=secretariat,
        note=note,
        agenda_item=item,
        text=confidential_text,
        foi_exemption=exemption("s41"),
    )
    c = note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category(conclusion),
        key_issues="Mortality and staffing",
        rationale="Concerns from two members corroborate the data",
        agenda_item=item,
    )
    actions_services.action_save(
        actor=secretariat,
        note=note,
        description="CQC to bring forward the inspection",
        owner_organisation=cast.orgs["cqc"],
        owner=cast.users["cqc_a"],
        due_date=timezone.localdate() + dt.timedelta(days=30),
        conclusion=c,
    )
    return note, item, c


def circulated_with_gaps(cast, *, dissent="The ICB wanted further information first"):
    """A circulated note the chair cannot agree yet: provider_a2 on the agenda with no
    conclusion, and a disagreement on provider_a1's conclusion that the chair has not settled."""
    m = meeting(cast)
    quorate(cast, m)
    note, item, conclusion = note_with_content(cast, m)
    secretariat = cast.users["secretariat_a"]
    agenda_services.agenda_item_create(
        actor=secretariat,
        meeting=m,
        title="Alpha Community Services",
        kind="provider",
        providers=[cast.providers["provider_a2"]],
    )
    note_services.conclusion_save(
        actor=secretariat,
        note=note,
        conclusion=conclusion,
        provider=conclusion.provider,
        category=conclusion.category,
        key_issues=conclusion.key_issues,
        rationale=conclusion.rationale,
        dissent=dissent,
        agenda_item=item,
    )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    return m, MeetingNote.objects.get(pk=note.pk), conclusion


def agree(cast, note):
    note_services.meeting_note_circulate(actor=cast.users["secretariat_a"], note=note)
    note = MeetingNote.objects.get(pk=note.pk)
    return note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)


def agreed_meeting(cast, *, days=-7, conclusion="regular-review"):
    m = meeting(cast, days=days)
    quorate(cast, m)
    note, _item, c = note_with_content(cast, m, conclusion=conclusion)
    note = agree(cast, note)
    return m, note, c


def scenario(cast) -> dict:
    """Meetings of QSG A in every state, built once per test and kept on the cast.

    published: agreed and published note with a confidential passage and an action owned by
    cqc_a; circulated: note out for comment; draft: draft note with a disagreement waiting for
    the chair; upcoming: no note, one agenda item. Plus a business plan, a quorum rule and a
    finished PDF job (full audience) for the published note.
    """
    cached = cast.__dict__.get("_meetings")
    if cached:
        return cached
    from django.core.files.storage import default_storage  # noqa: F401

    from qsg import pdf
    from qsg.models import Job
    from surveillance.meetings.models import Action, NotePassage

    secretariat = cast.users["secretariat_a"]
    published, note, conclusion = agreed_meeting(cast, days=-60)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)

    circulated = meeting(cast, days=-20)
    quorate(cast, circulated)
    c_note, _, _ = note_with_content(cast, circulated)
    note_services.meeting_note_circulate(actor=secretariat, note=c_note)

    draft = meeting(cast, days=-3)
    quorate(cast, draft)
    d_note, d_item, d_conclusion = note_with_content(cast, draft)
    note_services.conclusion_save(
        actor=secretariat,
        note=d_note,
        conclusion=d_conclusion,
        provider=d_conclusion.provider,
        category=d_conclusion.category,
        key_issues=d_conclusion.key_issues,
        rationale=d_conclusion.rationale,
        dissent="The ICB preferred further information first",
        agenda_item=d_item,
    )

    upcoming = meeting(cast, days=30)
    item = agenda_services.agenda_item_create(
        actor=secretariat, meeting=upcoming, title="Welcome and introductions"
    )
    plan = plans_services.business_plan_create(
        actor=secretariat,
        qsg=cast.qsgs["a"],
        title="Business cycle",
        period_start=timezone.localdate() - dt.timedelta(days=90),
        period_end=timezone.localdate() + dt.timedelta(days=270),
    )
    entry = plans_services.plan_entry_add(
        actor=secretariat,
        plan=plan,
        kind="providers",
        title="Acute providers",
        meeting=upcoming,
        providers=[cast.providers["provider_a1"]],
    )
    attendance_services.quorum_use_defaults(actor=secretariat, qsg=cast.qsgs["a"])
    requirement = cast.qsgs["a"].quorum_requirements.first()

    job, _ = pdf_services.meeting_note_pdf_request(actor=secretariat, note=note, audience="full")
    path = pdf.store(f"meeting-notes/{job.pk}.pdf", b"%PDF-1.7 test")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, counts={**job.counts, "path": path, "filename": "note.pdf"}
    )

    cached = {
        "published": published,
        "published_note": note,
        "conclusion": conclusion,
        "action": Action.objects.filter(note=note).first(),
        "circulated": circulated,
        "draft": draft,
        "draft_note": d_note,
        "draft_conclusion": d_conclusion,
        "draft_action": Action.objects.filter(note=d_note).first(),
        "draft_passage": NotePassage.objects.filter(note=d_note).first(),
        "draft_attendance": draft.attendance.first(),
        "upcoming": upcoming,
        "item": item,
        "plan": plan,
        "entry": entry,
        "requirement": requirement,
        "job": job,
    }
    cast.__dict__["_meetings"] = cached
    return cached
