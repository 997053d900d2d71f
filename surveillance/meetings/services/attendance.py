"""Who attended (or sent apologies), and each QSG's quorum rule."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qsg.models import QSG, Organisation, User
from surveillance.meetings import rules as meetings_rules
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Attendance, Meeting, QuorumRequirement
from surveillance.meetings.services._common import _record_editable, _stamp, screen_pid

# A person's own name is what these fields hold; anything else that identifies a patient is not.
NAMES = {"name": ("personal_name",), "deputy_for": ("personal_name",)}


def _screen_attendance(name: str, deputy_for: str) -> None:
    screen_pid({"name": ("Name", name), "deputy_for": ("Deputy for", deputy_for)}, allow=NAMES)


def _times_check(
    meeting: Meeting, present_from: dt.time | None, present_to: dt.time | None, *, who: str
) -> dict[str, str]:
    """Arrival and departure of someone present: both given, in order, inside the meeting."""
    errors: dict[str, str] = {}
    them = "they" if who == "They" else who
    if present_from is None:
        errors["present_from"] = f"Enter the time {them} arrived, like 10:00"
    if present_to is None:
        errors["present_to"] = f"Enter the time {them} left, like 12:30"
    if errors:
        return errors
    if present_to <= present_from:
        return {"present_to": f"The time {them} left must be after the time {them} arrived"}
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    if present_from < starts.time():
        errors["present_from"] = f"{who} cannot arrive before the meeting starts at {starts:%H:%M}"
    if ends.date() == starts.date() and present_to > ends.time():
        errors["present_to"] = f"{who} cannot leave after the meeting ends at {ends:%H:%M}"
    return errors


def _attendance_check(
    meeting: Meeting,
    *,
    row_pk: int | None,
    user: User | None,
    name: str,
    organisation: Organisation,
    status: str,
    present_from: dt.time | None,
    present_to: dt.time | None,
    who: str = "They",
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the person's name"
    if status == Attendance.Status.PRESENT:
        errors.update(_times_check(meeting, present_from, present_to, who=who))
    if errors:
        raise ValidationError(errors)
    others = Attendance.objects.filter(meeting=meeting).exclude(pk=row_pk)
    if user is not None:
        others = others.filter(user=user)
    else:
        others = others.filter(name__iexact=name.strip(), organisation=organisation)
    if status == Attendance.Status.APOLOGIES:
        if others.filter(status=Attendance.Status.APOLOGIES).exists():
            raise ValidationError({"name": f"Apologies from {name} are already recorded"})
        if others.filter(status=Attendance.Status.PRESENT).exists():
            raise ValidationError({"status": f"{name} is recorded as present at this meeting"})
        return
    if others.filter(status=Attendance.Status.APOLOGIES).exists():
        raise ValidationError({"status": f"{name} sent apologies. Remove the apologies first"})
    spans = others.filter(status=Attendance.Status.PRESENT).values_list(
        "present_from", "present_to"
    )
    if meetings_rules.overlaps(spans, (present_from, present_to)):
        raise ValidationError(
            {"present_from": f"{name} is already recorded as present for part of this time"}
        )


@transaction.atomic
def attendance_add(
    *,
    actor,
    meeting: Meeting,
    organisation: Organisation,
    name: str = "",
    user: User | None = None,
    capacity: str = Attendance.Capacity.MEMBER,
    status: str = Attendance.Status.PRESENT,
    present_from: dt.time | None = None,
    present_to: dt.time | None = None,
    deputy_for: str = "",
    who: str = "They",
) -> Attendance:
    if user is not None:
        name = name.strip() or user.display_name
        organisation = organisation or user.organisation
    _record_editable(meeting)
    _screen_attendance(name, deputy_for)
    if status == Attendance.Status.APOLOGIES:
        present_from = present_to = None
    _attendance_check(
        meeting,
        row_pk=None,
        user=user,
        name=name,
        organisation=organisation,
        status=status,
        present_from=present_from,
        present_to=present_to,
        who=who,
    )
    row = Attendance(
        meeting=meeting,
        user=user,
        name=name.strip(),
        organisation=organisation,
        capacity=capacity,
        status=status,
        present_from=present_from,
        present_to=present_to,
        deputy_for=deputy_for.strip(),
    )
    row.full_clean()
    _stamp(row, actor)
    row.save()
    return row


EXPECTED_ANSWERS = ("present", "apologies", "deputy", "absent")


@transaction.atomic
def attendance_record_expected(*, actor, meeting: Meeting, answers: list[dict]) -> list[Attendance]:
    """Record everyone expected at once: each answer is {expected, status, present_from,
    present_to, deputy}, where `expected` is a `selectors.Expected` and `status` one of
    EXPECTED_ANSWERS ("absent": nothing is recorded). All or nothing: errors come back keyed
    `<field>_<user id>` (status, from, to, deputy) and name the person."""
    _record_editable(meeting)
    errors: dict[str, list[str]] = {}
    rows: list[Attendance] = []
    names = {"present_from": "from", "present_to": "to", "name": "deputy", "status": "status"}
    for answer in answers:
        person = answer["expected"].user
        status = answer["status"]
        if status not in EXPECTED_ANSWERS:
            errors[f"status_{person.pk}"] = [f"Choose whether {person.display_name} attended"]
            continue
        if status == "absent":
            continue
        deputy = (answer.get("deputy") or "").strip()
        if status == "deputy" and not deputy:
            errors[f"deputy_{person.pk}"] = [
                f"Enter the name of the deputy for {person.display_name}"
            ]
            continue
        try:
            with transaction.atomic():
                rows.append(
                    attendance_add(
                        actor=actor,
                        meeting=meeting,
                        organisation=person.organisation,
                        user=None if status == "deputy" else person,
                        name=deputy if status == "deputy" else person.display_name,
                        capacity=(
                            Attendance.Capacity.MEMBER
                            if status == "deputy"
                            else answer["expected"].capacity
                        ),
                        status="apologies" if status == "apologies" else "present",
                        present_from=answer.get("present_from"),
                        present_to=answer.get("present_to"),
                        deputy_for=person.display_name if status == "deputy" else "",
                        who=deputy or person.display_name,
                    )
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                key = f"{names.get(field, 'status')}_{person.pk}"
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def attendance_update(*, actor, row: Attendance, **changes) -> Attendance:
    allowed = {
        "name",
        "organisation",
        "capacity",
        "status",
        "present_from",
        "present_to",
        "deputy_for",
        "user",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    _record_editable(row.meeting)
    for key, value in changes.items():
        setattr(row, key, value)
    _screen_attendance(row.name, row.deputy_for)
    if row.status == Attendance.Status.APOLOGIES:
        row.present_from = row.present_to = None
    _attendance_check(
        row.meeting,
        row_pk=row.pk,
        user=row.user,
        name=row.name,
        organisation=row.organisation,
        status=row.status,
        present_from=row.present_from,
        present_to=row.present_to,
    )
    row.full_clean()
    _stamp(row, actor)
    row.save(update_fields=[*allowed - {"user"}, "user"])
    return row


@transaction.atomic
def attendance_remove(*, actor, row: Attendance) -> None:
    _record_editable(row.meeting)
    _stamp(row, actor)
    row.delete()


# Quorum rules ----------------------------------------------------------------------------------


@transaction.atomic
def quorum_requirement_add(
    *, actor, qsg: QSG, label: str, role: str = "", organisation_types=(), minimum: int = 1
) -> QuorumRequirement:
    types = list(organisation_types)
    if not role and not types:
        raise ValidationError(
            {
                "role": "Choose a role, or at least one type of organisation, that meets this requirement"
            }
        )
    if minimum < 1:
        raise ValidationError({"minimum": "At least one person must meet the requirement"})
    screen_pid({"label": ("Label", label)})
    top = QuorumRequirement.objects.filter(qsg=qsg).aggregate(m=Max("sort_order"))["m"] or 0
    row = QuorumRequirement(
        qsg=qsg, label=label.strip(), role=role, minimum=minimum, sort_order=top + 10
    )
    row.full_clean()
    _stamp(row, actor)
    row.save()
    row.organisation_types.set(types)
    return row


@transaction.atomic
def quorum_requirement_remove(*, actor, requirement: QuorumRequirement) -> None:
    _stamp(requirement, actor)
    requirement.delete()


@transaction.atomic
def quorum_use_defaults(*, actor, qsg: QSG) -> None:
    """Write the usual terms as the QSG's own rule, so the secretariat can change them."""
    if QuorumRequirement.objects.filter(qsg=qsg).exists():
        return
    for req in selectors_meetings.default_requirements(qsg):
        quorum_requirement_add(
            actor=actor, qsg=qsg, label=req.label, role=req.role, organisation_types=req.type_ids
        )
