"""Who attended (or sent apologies), and each QSG's quorum rule."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from qsg.models import QSG, Organisation, User
from surveillance.meetings import rules as meetings_rules
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Attendance, Meeting, QuorumRequirement
from surveillance.meetings.services._common import _record_editable, _stamp


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
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the person's name"
    if status == Attendance.Status.PRESENT:
        if present_from is None:
            errors["present_from"] = "Enter the time they arrived, like 10:00"
        if present_to is None:
            errors["present_to"] = "Enter the time they left, like 12:30"
        if present_from and present_to and present_to <= present_from:
            errors["present_to"] = "The time they left must be after the time they arrived"
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
) -> Attendance:
    if user is not None:
        name = name.strip() or user.display_name
        organisation = organisation or user.organisation
    _record_editable(meeting)
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
