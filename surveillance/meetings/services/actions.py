"""Actions recorded in the note, their progress, and reminders to their owners."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from qsg import notifications
from qsg.access import PARTICIPANT_ROLES
from qsg.models import QSG, Organisation, Provider, QSGRole, User
from surveillance.meetings.models import (
    Action,
    ActionReminder,
    AgendaItem,
    Conclusion,
    FOIExemption,
    MeetingNote,
    NoteVersion,
)
from surveillance.meetings.services._common import (
    NoteStatus,
    _exemption_check,
    _link,
    _notify,
    _require_draft,
    _stamp,
    _touch,
    screen_pid,
)


def action_links(conclusion: Conclusion | None, agenda_item: AgendaItem | None) -> list[int]:
    """The intelligence items an action was made from: those of its conclusion and of the agenda
    item it arose under."""
    return sorted(
        {
            int(i)
            for source in (conclusion, agenda_item)
            if source is not None
            for i in source.intelligence_item_ids or []
        }
    )


def _owner_check(owner: User | None, owner_organisation: Organisation) -> None:
    if owner is not None and owner.organisation_id != owner_organisation.pk:
        raise ValidationError(
            {"owner": f"{owner.display_name} does not work for {owner_organisation.name}"}
        )


@transaction.atomic
def action_save(
    *,
    actor,
    note: MeetingNote,
    description: str,
    owner_organisation: Organisation,
    due_date: dt.date,
    owner: User | None = None,
    provider: Provider | None = None,
    conclusion: Conclusion | None = None,
    agenda_item: AgendaItem | None = None,
    foi_exemption: FOIExemption | None = None,
    action: Action | None = None,
) -> Action:
    _require_draft(note)
    if not description.strip():
        raise ValidationError({"description": "Enter what is to be done"})
    meeting_day = timezone.localtime(note.meeting.starts_at).date()
    if due_date < meeting_day:
        raise ValidationError(
            {"due_date": "The due date must be on or after the date of the meeting"}
        )
    screen_pid({"description": ("Action", description)})
    _owner_check(owner, owner_organisation)
    _exemption_check(foi_exemption)
    if conclusion is not None and conclusion.note_id != note.pk:
        raise ValidationError({"conclusion": "Choose a conclusion of this note"})
    if agenda_item is not None and agenda_item.meeting_id != note.meeting_id:
        raise ValidationError({"agenda_item": "Choose an item of this meeting's agenda"})
    if action is None:
        qsg = QSG.objects.select_for_update().get(pk=note.meeting.qsg_id)
        top = Action.objects.filter(qsg=qsg).aggregate(m=Max("number"))["m"] or 0
        action = Action(qsg=qsg, note=note, number=top + 1)
    action.description = description.strip()
    action.owner_organisation = owner_organisation
    action.owner = owner
    action.due_date = due_date
    action.provider = provider or (conclusion.provider if conclusion else None)
    action.conclusion = conclusion
    action.agenda_item = agenda_item
    action.intelligence_item_ids = action_links(conclusion, agenda_item)
    action.foi_exemption = foi_exemption
    action.full_clean(validate_constraints=False)
    _stamp(action, actor)
    action.save()
    _touch(note)
    return action


@transaction.atomic
def action_delete(*, actor, note: MeetingNote, action: Action) -> None:
    _require_draft(note)
    agreed_before = any(
        action.pk in {a["id"] for a in snapshot.get("actions", [])}
        for snapshot in NoteVersion.objects.filter(note=note).values_list("snapshot", flat=True)
    )
    if agreed_before:
        raise ValidationError(
            "This action was agreed in an earlier version. Mark it as no longer needed instead."
        )
    _stamp(action, actor)
    action.delete()
    _touch(note)


@transaction.atomic
def action_update_status(
    *,
    actor,
    action: Action,
    status: str,
    progress_note: str = "",
    completed_on: dt.date | None = None,
) -> Action:
    """Progress on an action is recorded at any time; it is not part of the agreed text."""
    if status not in Action.Status.values:
        raise ValidationError({"status": "Choose a status"})
    screen_pid({"progress_note": ("Progress", progress_note)})
    if status == Action.Status.DONE:
        completed_on = completed_on or timezone.localdate()
        if completed_on > timezone.localdate():
            raise ValidationError(
                {"completed_on": "The date completed must be today or in the past"}
            )
    else:
        completed_on = None
    action.status = status
    action.progress_note = progress_note.strip()
    action.completed_on = completed_on
    action.full_clean(validate_constraints=False)
    _stamp(action, actor)
    action.save(update_fields=["status", "progress_note", "completed_on", "updated_at"])
    return action


# Actions transferred in (from a risk summit) -----------------------------------------------


@transaction.atomic
def action_transfer_in(
    *,
    actor,
    qsg_id: int,
    description: str,
    owner_organisation_id: int,
    due_date: dt.date,
    transferred_from: str,
    transferred_from_url: str = "",
    owner_id: int | None = None,
    provider_id: int | None = None,
) -> Action:
    """Put an action handed over from elsewhere (a risk summit) on the QSG's action log, once per
    source: a repeated call answers the action already made. It has no note; it is confidential,
    as its source is (`Action.is_confidential`), and reminders and the log treat it as agreed."""
    transferred_from = transferred_from.strip()[:120]
    if not transferred_from:
        raise ValidationError({"transferred_from": "Say where the action comes from"})
    existing = Action.objects.filter(transferred_from=transferred_from).first()
    if existing is not None:
        return existing
    if not description.strip():
        raise ValidationError({"description": "Enter what is to be done"})
    screen_pid({"description": ("Action", description)})
    owner = User.objects.filter(pk=owner_id).first() if owner_id else None
    owner_organisation = Organisation.objects.get(pk=owner_organisation_id)
    _owner_check(owner, owner_organisation)
    qsg = QSG.objects.select_for_update().get(pk=qsg_id)
    top = Action.objects.filter(qsg=qsg).aggregate(m=Max("number"))["m"] or 0
    action = Action(
        qsg=qsg,
        note=None,
        number=top + 1,
        description=description.strip()[:2000],
        owner_organisation=owner_organisation,
        owner=owner,
        due_date=due_date,
        provider_id=provider_id,
        transferred_from=transferred_from,
        transferred_from_url=transferred_from_url[:300],
    )
    action.full_clean(validate_constraints=False)
    _stamp(action, actor)
    action.save()
    return action


# Actions: reminders --------------------------------------------------------------------------

DUE_SOON_DAYS = 7


def action_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail owners about actions due within a week or overdue. A reminder of each kind is
    sent once per action: the reminder row is claimed before the e-mail is queued."""
    today = today or timezone.localdate()
    open_actions = Action.objects.filter(
        Q(note__status__in=[NoteStatus.AGREED, NoteStatus.PUBLISHED]) | Q(note__isnull=True),
        status__in=Action.OPEN_STATUSES,
    ).select_related("qsg", "owner")
    plans = [
        (
            ActionReminder.Kind.DUE_SOON,
            open_actions.filter(
                due_date__gt=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
            ),
        ),
        (ActionReminder.Kind.OVERDUE, open_actions.filter(due_date__lt=today)),
    ]
    sent = 0
    for kind, actions in plans:
        for action in actions.exclude(reminders__kind=kind):
            with transaction.atomic():
                if notifications.first_time(ActionReminder, action=action, kind=kind) is None:
                    continue
                recipients = (
                    [action.owner_id]
                    if action.owner_id
                    else list(
                        QSGRole.objects.filter(
                            qsg_id=action.qsg_id,
                            user__organisation_id=action.owner_organisation_id,
                            role__in=sorted(PARTICIPANT_ROLES),
                        ).values_list("user_id", flat=True)
                    )
                )
                when = "is due on" if kind == ActionReminder.Kind.DUE_SOON else "was due on"
                _notify(
                    recipients,
                    f"{action.qsg.name}: action {action.reference} {when} {action.due_date:%-d %B %Y}",
                    f"Action {action.reference} {when} {action.due_date:%-d %B %Y}. Record its progress:\n"
                    f"{_link('surveillance:action-update', action.pk)}",
                )
                sent += 1
    return sent
