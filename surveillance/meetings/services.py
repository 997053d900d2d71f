"""Every write about meetings: atomic, validated, audited; side effects on commit.

Workflow of the note: draft -> circulated (members comment) -> agreed by the chair (locked,
frozen as a version; conclusions update providers' surveillance levels and "risk summit
required" leaves a referral) -> published to members. Changing an agreed note opens a new
version with a reason; every agreed version stays readable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from qsg import broker, notifications
from qsg import services as qsg_services
from qsg.models import QSG, Job, Organisation, Provider, QSGRole, User
from surveillance.intelligence import pid
from surveillance.meetings import rules as meetings_rules
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import (
    Action,
    ActionReminder,
    AgendaItem,
    Attendance,
    BusinessPlan,
    Conclusion,
    ConclusionCategory,
    FOIExemption,
    Meeting,
    MeetingNote,
    MeetingSeries,
    NoteComment,
    NoteEvent,
    NotePassage,
    NoteVersion,
    PlanEntry,
    QuorumRequirement,
    RiskSummitReferral,
    SurveillanceLogEntry,
)

Role = QSGRole.Role
NoteStatus = MeetingNote.Status
_stamp = qsg_services._stamp


def _now():
    return timezone.now()


def _local(date: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time))


def screen_pid(fields: dict[str, tuple[str, str]]) -> None:
    """Refuse patient-identifiable data: {field name: (label, text)}. A QSG record holds none."""
    errors: dict[str, list[str]] = {}
    for name, (label, text) in fields.items():
        findings = pid.screen(text or "")
        if findings:
            errors[name] = pid.describe(findings, label)
    if errors:
        raise ValidationError(errors)


def _on_commit(fn) -> None:
    transaction.on_commit(fn)


def _event(meeting: Meeting, actor, verb: str, *, version: int = 1, detail: str = "") -> NoteEvent:
    return NoteEvent.objects.create(
        meeting=meeting,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        version=version,
        detail=detail[:500],
    )


def _notify(user_ids: Iterable[int], subject: str, body: str) -> None:
    notifications.notify(user_ids=user_ids, subject=subject, body=body)


def _link(name: str, *args) -> str:
    return settings.QSG_SITE_URL.rstrip("/") + reverse(name, args=args)


# Schedule ------------------------------------------------------------------------------------


def _check_times(start: dt.time, end: dt.time, field: str = "end_time") -> None:
    if end <= start:
        raise ValidationError({field: "The end time must be after the start time"})


@transaction.atomic
def meeting_series_create(
    *,
    actor,
    qsg: QSG,
    title: str,
    cadence: str,
    first_date: dt.date,
    until: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str = "",
    dial_in: str = "",
) -> MeetingSeries:
    """A series and its meetings, dated by the cadence rule (each date can be changed later)."""
    _check_times(start_time, end_time)
    if until < first_date:
        raise ValidationError({"until": "The last date must be on or after the first meeting"})
    if (until - first_date).days > 3 * 366:
        raise ValidationError({"until": "Plan a series of three years or less"})
    series = MeetingSeries(
        qsg=qsg,
        title=title.strip(),
        cadence=cadence,
        first_date=first_date,
        until=until,
        start_time=start_time,
        end_time=end_time,
        venue=venue,
        dial_in=dial_in,
    )
    series.full_clean()
    _stamp(series, actor)
    series.save()
    for date in meetings_rules.cadence_dates(cadence, first_date, until):
        meeting = Meeting(
            qsg=qsg,
            series=series,
            title=series.title,
            starts_at=_local(date, start_time),
            ends_at=_local(date, end_time),
            venue=venue,
            dial_in=dial_in,
        )
        meeting.full_clean()
        _stamp(meeting, actor)
        meeting.save()
    return series


@transaction.atomic
def meeting_create(
    *,
    actor,
    qsg: QSG,
    title: str,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str = "",
    dial_in: str = "",
) -> Meeting:
    _check_times(start_time, end_time)
    meeting = Meeting(
        qsg=qsg,
        title=title.strip(),
        starts_at=_local(date, start_time),
        ends_at=_local(date, end_time),
        venue=venue,
        dial_in=dial_in,
    )
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title: str,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str,
    dial_in: str,
    status: str,
) -> Meeting:
    _check_times(start_time, end_time)
    meeting.title = title.strip()
    meeting.starts_at = _local(date, start_time)
    meeting.ends_at = _local(date, end_time)
    meeting.venue = venue
    meeting.dial_in = dial_in
    meeting.status = status
    meeting.sequence += 1
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save(
        update_fields=[
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "dial_in",
            "status",
            "sequence",
            "updated_at",
        ]
    )
    return meeting


# Agenda ---------------------------------------------------------------------------------------

LOCAL_TEMPLATE = [
    ("Welcome and introductions", "Chair", 5, AgendaItem.Kind.STANDARD),
    ("Previous note and matters arising", "Chair", 10, AgendaItem.Kind.MATTERS_ARISING),
    ("Update from the regional QSG", "Chair", 10, AgendaItem.Kind.REPORT),
    ("Overview of local information", "All", 30, AgendaItem.Kind.REPORT),
    (
        "Any additional information participants wish to share",
        "All",
        20,
        AgendaItem.Kind.INTELLIGENCE,
    ),
    (
        "Reflection and summary of the information known and shared",
        "All",
        10,
        AgendaItem.Kind.STANDARD,
    ),
    ("Agree principal risks or concerns", "All", 15, AgendaItem.Kind.STANDARD),
    ("Confirm consensus and agree next steps", "All", 10, AgendaItem.Kind.STANDARD),
    ("Date, time and venue of next meeting", "Chair", 5, AgendaItem.Kind.STANDARD),
]
REGIONAL_TEMPLATE = [
    ("Welcome and introduction", "Regional director (chair)", 5, AgendaItem.Kind.STANDARD),
    ("Previous note and matters arising", "Chair", 10, AgendaItem.Kind.MATTERS_ARISING),
    ("Overview of regional information", "All", 30, AgendaItem.Kind.REPORT),
    ("Reports from local QSGs", "Area directors", 40, AgendaItem.Kind.REPORT),
    (
        "Any additional information participants wish to share",
        "All",
        20,
        AgendaItem.Kind.INTELLIGENCE,
    ),
    (
        "Reflection and summary of the information known and shared",
        "All",
        10,
        AgendaItem.Kind.STANDARD,
    ),
    ("Reflection on meeting process and information supplied", "All", 5, AgendaItem.Kind.STANDARD),
    (
        "Confirm consensus on good practice and concern, and agree next steps",
        "All",
        10,
        AgendaItem.Kind.STANDARD,
    ),
    ("Date and format of future meetings", "Chair", 5, AgendaItem.Kind.STANDARD),
]


def _record_editable(meeting: Meeting) -> None:
    note = MeetingNote.objects.filter(meeting=meeting).only("status").first()
    if note is not None and note.is_locked:
        raise ValidationError(
            "The note of this meeting has been agreed, so its agenda and attendance are fixed. "
            "Open a new version of the note to change them."
        )


def _next_position(meeting: Meeting) -> int:
    top = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"]
    return (top or 0) + 10


CLOSING_FROM = 6  # template items from the sixth on close the meeting; new items go before them


def _renumber(meeting: Meeting, *, new: AgendaItem | None = None) -> None:
    """Positions 10, 20, ...; a new item goes before the template's closing items."""
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting=meeting)
        .exclude(pk=getattr(new, "pk", None))
        .order_by("position", "pk")
    )
    if new is not None:
        closing = next(
            (
                i
                for i, x in enumerate(items)
                if x.source == "template"
                and x.source_key.rsplit("-", 1)[-1].isdigit()
                and int(x.source_key.rsplit("-", 1)[-1]) >= CLOSING_FROM
            ),
            len(items),
        )
        items.insert(closing, new)
    for n, x in enumerate(items, start=1):
        if x.position != n * 10:
            x.position = n * 10
            x.save(update_fields=["position"])


@transaction.atomic
def agenda_apply_template(*, actor, meeting: Meeting) -> int:
    """Add the annex C (regional) or D (local) items not already on the agenda. Idempotent.

    The template's "matters arising" item is the matters arising source's item: it lists the
    open actions, and is not proposed again."""
    _record_editable(meeting)
    template = LOCAL_TEMPLATE if meeting.qsg.is_local else REGIONAL_TEMPLATE
    existing = set(
        AgendaItem.objects.filter(meeting=meeting)
        .exclude(source_key="")
        .values_list("source", "source_key")
    )
    arising = {s.key: s for s in selectors_meetings.source_matters_arising(actor, meeting)}.get(
        "open-actions"
    )
    added = 0
    keys: list[tuple[str, str]] = []
    for index, (title, presenter, minutes, kind) in enumerate(template):
        key = f"{'local' if meeting.qsg.is_local else 'regional'}-{index + 1}"
        source, source_key, description, providers = "template", key, "", []
        if kind == AgendaItem.Kind.MATTERS_ARISING:
            source, source_key = "matters_arising", "open-actions"
            if arising is not None:
                description = arising.reason
                providers = list(Provider.objects.filter(pk__in=arising.provider_ids))
        keys.append((source, source_key))
        if (source, source_key) in existing:
            continue
        item = AgendaItem(
            meeting=meeting,
            position=0,
            title=title,
            presenter=presenter,
            duration_minutes=minutes,
            kind=kind,
            description=description,
            source=source,
            source_key=source_key,
        )
        item.full_clean(validate_constraints=False)
        _stamp(item, actor)
        item.save()
        if providers:
            item.providers.set(providers)
        added += 1
    # Opening template items, then everything else as it was, then the closing items.
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    by_key = {(i.source, i.source_key): i for i in items}
    template_items = [by_key[k] for k in keys if k in by_key]
    opening = template_items[: CLOSING_FROM - 1]
    closing = template_items[CLOSING_FROM - 1 :]
    middle = [i for i in items if i not in template_items]
    for n, item in enumerate([*opening, *middle, *closing], start=1):
        if item.position != n * 10:
            item.position = n * 10
            item.save(update_fields=["position"])
    return added


def _agenda_fields_check(title: str, description: str, papers: str) -> None:
    if not title.strip():
        raise ValidationError({"title": "Enter a title for the item"})
    screen_pid(
        {
            "title": ("Title", title),
            "description": ("Description", description),
            "papers": ("Papers", papers),
        }
    )


@transaction.atomic
def agenda_item_create(
    *,
    actor,
    meeting: Meeting,
    title: str,
    kind: str = AgendaItem.Kind.STANDARD,
    description: str = "",
    presenter: str = "",
    presenter_organisation: Organisation | None = None,
    duration_minutes: int = 10,
    papers: str = "",
    is_confidential: bool = False,
    providers: Iterable[Provider] = (),
    source: str = "",
    source_key: str = "",
    intelligence_item_ids: Iterable[int] = (),
) -> AgendaItem:
    _record_editable(meeting)
    _agenda_fields_check(title, description, papers)
    item = AgendaItem(
        meeting=meeting,
        position=_next_position(meeting),
        title=title.strip(),
        kind=kind,
        description=description,
        presenter=presenter,
        presenter_organisation=presenter_organisation,
        duration_minutes=duration_minutes,
        papers=papers,
        is_confidential=is_confidential,
        source=source,
        source_key=source_key,
        intelligence_item_ids=sorted(set(intelligence_item_ids)),
    )
    item.full_clean(validate_constraints=False)
    _stamp(item, actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError("That is already on the agenda") from None
    _renumber(meeting, new=item)
    providers = list(providers)
    if providers:
        item.providers.set(providers)
    return item


@transaction.atomic
def agenda_item_update(
    *, actor, item: AgendaItem, providers: Iterable[Provider] | None = None, **changes
) -> AgendaItem:
    _record_editable(item.meeting)
    allowed = {
        "title",
        "kind",
        "description",
        "presenter",
        "presenter_organisation",
        "duration_minutes",
        "papers",
        "is_confidential",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    _agenda_fields_check(
        changes.get("title", item.title),
        changes.get("description", item.description),
        changes.get("papers", item.papers),
    )
    for key, value in changes.items():
        setattr(item, key, value)
    item.full_clean(validate_constraints=False)
    _stamp(item, actor)
    if changes:
        item.save(update_fields=list(changes))
    if providers is not None:
        item.providers.set(list(providers))
    return item


@transaction.atomic
def agenda_item_delete(*, actor, item: AgendaItem) -> None:
    _record_editable(item.meeting)
    if item.passages.exists() or item.conclusions.exists():
        raise ValidationError(
            "This item has a record of discussion or conclusions in the note. Remove those first."
        )
    _stamp(item, actor)
    item.delete()


@transaction.atomic
def agenda_item_move(*, actor, item: AgendaItem, direction: str) -> None:
    """Swap with the neighbour above or below (positions are renumbered 10, 20, ...)."""
    _record_editable(item.meeting)
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=item.meeting_id)
        .order_by("position", "pk")
    )
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for n, x in enumerate(items, start=1):
        if x.position != n * 10:
            x.position = n * 10
            x.save(update_fields=["position"])


@transaction.atomic
def agenda_add_suggestions(*, actor, meeting: Meeting, tokens: Iterable[str]) -> int:
    """Add the ticked proposals. They are recomputed for the actor, so nothing unseen gets in;
    proposals already added are skipped, so a double submit adds each once."""
    wanted = set(tokens)
    added = 0
    providers = (
        {p.pk: p for p in Provider.objects.filter(qsg_id=meeting.qsg_id)}
        if meeting.qsg.is_local
        else {}
    )
    for _, _, proposals in selectors_meetings.agenda_suggestions(actor, meeting):
        for s in proposals:
            if s.token not in wanted:
                continue
            linked = [providers[i] for i in s.provider_ids if i in providers]
            if len(linked) < len(s.provider_ids):
                linked = list(Provider.objects.filter(pk__in=s.provider_ids))
            try:
                agenda_item_create(
                    actor=actor,
                    meeting=meeting,
                    title=s.title[:200],
                    kind=s.kind,
                    description=s.reason[:2000],
                    presenter=s.presenter,
                    duration_minutes=s.duration,
                    is_confidential=s.confidential,
                    providers=linked,
                    source=s.source,
                    source_key=s.key,
                    intelligence_item_ids=s.intelligence_item_ids,
                )
            except ValidationError:
                continue
            added += 1
    return added


# Attendance -----------------------------------------------------------------------------------


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


# The note -----------------------------------------------------------------------------------


def _require_draft(note: MeetingNote) -> None:
    if note.is_locked:
        raise ValidationError(
            f"Version {note.version} of this note has been agreed and cannot be changed. "
            "Open a new version, giving the reason, to change it."
        )


def _touch(note: MeetingNote) -> None:
    MeetingNote.objects.filter(pk=note.pk).update(revision=F("revision") + 1)
    note.refresh_from_db(fields=["revision"])


@transaction.atomic
def meeting_note_start(*, actor, meeting: Meeting) -> MeetingNote:
    note, created = MeetingNote.objects.get_or_create(meeting=meeting)
    if created:
        _event(meeting, actor, NoteEvent.Verb.CREATED)
    return note


def _exemption_check(foi_exemption: FOIExemption | None) -> None:
    if foi_exemption is not None and not foi_exemption.is_active:
        raise ValidationError({"foi_exemption": "Choose a current exemption ground"})


@transaction.atomic
def passage_save(
    *,
    actor,
    note: MeetingNote,
    agenda_item: AgendaItem,
    text: str,
    foi_exemption: FOIExemption | None = None,
    passage: NotePassage | None = None,
) -> NotePassage:
    _require_draft(note)
    if agenda_item.meeting_id != note.meeting_id:
        raise ValidationError({"agenda_item": "Choose an item of this meeting's agenda"})
    if not text.strip():
        raise ValidationError({"text": "Enter the record of discussion"})
    screen_pid({"text": ("Record of discussion", text)})
    _exemption_check(foi_exemption)
    if passage is None:
        top = NotePassage.objects.filter(note=note, agenda_item=agenda_item).aggregate(
            m=Max("position")
        )["m"]
        passage = NotePassage(note=note, agenda_item=agenda_item, position=(top or 0) + 1)
    passage.text = text.strip()
    passage.foi_exemption = foi_exemption
    passage.full_clean()
    _stamp(passage, actor)
    passage.save()
    _touch(note)
    return passage


@transaction.atomic
def passage_delete(*, actor, note: MeetingNote, passage: NotePassage) -> None:
    _require_draft(note)
    _stamp(passage, actor)
    passage.delete()
    _touch(note)


@transaction.atomic
def conclusion_save(
    *,
    actor,
    note: MeetingNote,
    provider: Provider,
    category: ConclusionCategory,
    key_issues: str,
    rationale: str,
    dissent: str = "",
    agenda_item: AgendaItem | None = None,
    foi_exemption: FOIExemption | None = None,
    conclusion: Conclusion | None = None,
) -> Conclusion:
    _require_draft(note)
    errors = {}
    if not key_issues.strip():
        errors["key_issues"] = "Enter the key issues or concerns discussed"
    if not rationale.strip():
        errors["rationale"] = "Enter why the group reached this conclusion"
    if not category.is_active:
        errors["category"] = "Choose a current conclusion"
    if agenda_item is not None and agenda_item.meeting_id != note.meeting_id:
        errors["agenda_item"] = "Choose an item of this meeting's agenda"
    if errors:
        raise ValidationError(errors)
    screen_pid(
        {
            "key_issues": ("Key issues", key_issues),
            "rationale": ("Rationale", rationale),
            "dissent": ("Disagreement", dissent),
        }
    )
    _exemption_check(foi_exemption)
    clash = Conclusion.objects.filter(note=note, provider=provider)
    if conclusion is not None:
        clash = clash.exclude(pk=conclusion.pk)
    if clash.exists():
        raise ValidationError({"provider": f"A conclusion on {provider.name} is already recorded"})
    if conclusion is None:
        conclusion = Conclusion(note=note, provider=provider)
    elif conclusion.dissent.strip() != dissent.strip():
        # A changed disagreement needs the chair's decision again.
        conclusion.chair_decision = ""
        conclusion.settled_by = None
        conclusion.settled_at = None
    conclusion.provider = provider
    conclusion.category = category
    conclusion.key_issues = key_issues.strip()
    conclusion.rationale = rationale.strip()
    conclusion.dissent = dissent.strip()
    conclusion.agenda_item = agenda_item
    if agenda_item is not None and agenda_item.intelligence_item_ids:
        # The intelligence discussed under the item stays linked to the conclusion it led to.
        conclusion.intelligence_item_ids = sorted(
            set(conclusion.intelligence_item_ids) | set(agenda_item.intelligence_item_ids)
        )
    conclusion.foi_exemption = foi_exemption
    conclusion.full_clean(validate_constraints=False)
    _stamp(conclusion, actor)
    conclusion.save()
    _touch(note)
    return conclusion


@transaction.atomic
def conclusion_delete(*, actor, note: MeetingNote, conclusion: Conclusion) -> None:
    _require_draft(note)
    if conclusion.log_entries.exists() or conclusion.referrals.exists():
        raise ValidationError(
            "This conclusion was agreed in an earlier version and is in the provider's surveillance "
            "log. Record a different conclusion instead of removing it."
        )
    _stamp(conclusion, actor)
    conclusion.delete()
    _touch(note)


@transaction.atomic
def conclusion_settle(
    *, actor, note: MeetingNote, conclusion: Conclusion, decision: str
) -> Conclusion:
    """The chair settles a material disagreement (guidance, chapter 7)."""
    if not qsg_access_chairs(actor, note.meeting.qsg_id):
        raise ValidationError("Only the chair settles a disagreement")
    _require_draft(note)
    if not conclusion.dissent.strip():
        raise ValidationError({"decision": "No disagreement is recorded on this conclusion"})
    if not decision.strip():
        raise ValidationError({"decision": "Enter the chair's decision"})
    screen_pid({"decision": ("Chair's decision", decision)})
    conclusion.chair_decision = decision.strip()
    conclusion.settled_by = actor
    conclusion.settled_at = _now()
    _stamp(conclusion, actor)
    conclusion.save(update_fields=["chair_decision", "settled_by", "settled_at"])
    _touch(note)
    _event(
        note.meeting,
        actor,
        NoteEvent.Verb.DISSENT_SETTLED,
        version=note.version,
        detail=conclusion.provider.name,
    )
    return conclusion


def qsg_access_chairs(user, qsg_id: int) -> bool:
    from qsg.access import principal

    return principal(user).chairs(qsg_id)


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


# Workflow --------------------------------------------------------------------------------------


def _member_user_ids(qsg_id: int, roles=(Role.MEMBER, Role.CHAIR, Role.SECRETARIAT)) -> list[int]:
    return list(
        QSGRole.objects.filter(qsg_id=qsg_id, role__in=roles, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def meeting_note_circulate(
    *, actor, note: MeetingNote, comments_by: dt.date | None = None
) -> MeetingNote:
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.DRAFT:
        raise ValidationError("Only a draft note can be circulated")
    if not Attendance.objects.filter(
        meeting_id=note.meeting_id, status=Attendance.Status.PRESENT
    ).exists():
        raise ValidationError("Record who attended before circulating the note")
    if comments_by is not None and comments_by < timezone.localdate():
        raise ValidationError({"comments_by": "The date for comments must be today or later"})
    note.status = NoteStatus.CIRCULATED
    note.circulated_at = _now()
    note.comments_by = comments_by
    _stamp(note, actor)
    note.save(update_fields=["status", "circulated_at", "comments_by"])
    meeting = note.meeting
    _event(meeting, actor, NoteEvent.Verb.CIRCULATED, version=note.version)
    _notify(
        _member_user_ids(meeting.qsg_id),
        f"Draft note of {meeting.title} for comment",
        "The draft note of the meeting is ready for your comments"
        + (f" by {comments_by:%-d %B %Y}" if comments_by else "")
        + f":\n{_link('surveillance:note', meeting.pk)}",
    )
    return note


@transaction.atomic
def meeting_note_comment(
    *, actor, note: MeetingNote, text: str, agenda_item: AgendaItem | None = None
) -> NoteComment:
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.CIRCULATED:
        raise ValidationError("Comments are taken only while the note is circulated")
    if not text.strip():
        raise ValidationError({"text": "Enter your comment"})
    screen_pid({"text": ("Comment", text)})
    comment = NoteComment(
        note=note, version=note.version, author=actor, text=text.strip(), agenda_item=agenda_item
    )
    comment.full_clean()
    comment.save()
    _event(note.meeting, actor, NoteEvent.Verb.COMMENTED, version=note.version)
    return comment


@transaction.atomic
def level_record_from_risk_summit(
    *,
    provider_id: int,
    qsg_id: int,
    category_code: str,
    decided_on: dt.date,
    rationale: str,
    summit_reference: str,
) -> SurveillanceLogEntry:
    """Put the level decided when a risk summit closed on the provider's timeline (once per
    summit and provider: a repeated call changes nothing). Confidential, as the summit is."""
    category = ConclusionCategory.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise ValidationError({"level_after": [f"Unknown level of surveillance: {category_code}"]})
    entry, _ = SurveillanceLogEntry.objects.get_or_create(
        provider_id=provider_id,
        source=SurveillanceLogEntry.Source.RISK_SUMMIT,
        source_reference=summit_reference,
        defaults={
            "qsg_id": qsg_id,
            "category": category,
            "level": category.level,
            "rationale": rationale,
            "is_confidential": True,
            "decided_on": decided_on,
        },
    )
    return entry


def _apply_to_providers(note: MeetingNote, version: int) -> None:
    """Agreed conclusions set each provider's level; "risk summit required" leaves a referral."""
    meeting = note.meeting
    decided_on = timezone.localtime(meeting.starts_at).date()
    for c in Conclusion.objects.filter(note=note).select_related("category", "provider"):
        SurveillanceLogEntry.objects.update_or_create(
            provider=c.provider,
            meeting=meeting,
            defaults={
                "qsg_id": meeting.qsg_id,
                "conclusion": c,
                "category": c.category,
                "level": c.category.level,
                "rationale": c.rationale,
                "is_confidential": c.foi_exemption_id is not None,
                "decided_on": decided_on,
                "note_version": version,
            },
        )
        if c.category.triggers_risk_summit:
            RiskSummitReferral.objects.get_or_create(
                provider=c.provider,
                conclusion=c,
                defaults={"qsg_id": meeting.qsg_id, "meeting": meeting, "rationale": c.rationale},
            )


@transaction.atomic
def meeting_note_agree(*, actor, note: MeetingNote) -> MeetingNote:
    note = MeetingNote.objects.select_for_update().select_related("meeting__qsg").get(pk=note.pk)
    meeting = note.meeting
    if not qsg_access_chairs(actor, meeting.qsg_id):
        raise ValidationError("Only the chair agrees the note")
    if note.status != NoteStatus.CIRCULATED:
        raise ValidationError("Circulate the note to members before it is agreed")
    waiting = [
        c.provider.name
        for c in Conclusion.objects.filter(note=note).select_related("provider")
        if c.awaits_chair
    ]
    if waiting:
        raise ValidationError(
            "Settle the disagreement recorded on "
            + ", ".join(waiting)
            + " before agreeing the note"
        )
    now = _now()
    note.status = NoteStatus.AGREED
    note.agreed_at = now
    note.agreed_by = actor
    _stamp(note, actor)
    note.save(update_fields=["status", "agreed_at", "agreed_by"])
    document = selectors_meetings.note_document(meeting, note)
    NoteVersion.objects.create(
        note=note,
        number=note.version,
        snapshot=document,
        reason=note.revision_reason,
        agreed_by=actor,
        agreed_at=now,
    )
    _apply_to_providers(note, note.version)
    _event(meeting, actor, NoteEvent.Verb.AGREED, version=note.version)
    return note


@transaction.atomic
def meeting_note_revise(*, actor, note: MeetingNote, reason: str) -> MeetingNote:
    """Open a new version of an agreed note. The agreed version stays as it was."""
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if not note.is_locked:
        raise ValidationError("Only an agreed note needs a new version; change the draft instead")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the agreed note needs to change"})
    screen_pid({"reason": ("Reason", reason)})
    note.version += 1
    note.status = NoteStatus.DRAFT
    note.revision_reason = reason.strip()[:500]
    note.agreed_at = None
    note.agreed_by = None
    note.circulated_at = None
    note.comments_by = None
    note.published_at = None
    _stamp(note, actor)
    note.save(
        update_fields=[
            "version",
            "status",
            "revision_reason",
            "agreed_at",
            "agreed_by",
            "circulated_at",
            "comments_by",
            "published_at",
        ]
    )
    _touch(note)
    _event(note.meeting, actor, NoteEvent.Verb.REVISED, version=note.version, detail=reason)
    return note


@transaction.atomic
def meeting_note_publish(*, actor, note: MeetingNote) -> MeetingNote:
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.AGREED:
        raise ValidationError("Only an agreed note can be published")
    note.status = NoteStatus.PUBLISHED
    note.published_at = _now()
    _stamp(note, actor)
    note.save(update_fields=["status", "published_at"])
    NoteVersion.objects.filter(note=note, number=note.version).update(was_published=True)
    meeting = note.meeting
    _event(meeting, actor, NoteEvent.Verb.PUBLISHED, version=note.version)
    _notify(
        _member_user_ids(meeting.qsg_id, roles=(Role.MEMBER, Role.OBSERVER)),
        f"Agreed note of {meeting.title}",
        f"The agreed note of the meeting has been published:\n{_link('surveillance:note', meeting.pk)}",
    )
    return note


# Risk summit hand-off ----------------------------------------------------------------------------


def risk_summit_referrals_pending(*, qsg_ids: Iterable[int] | None = None):
    """Referrals not yet picked up by the risk summits work, oldest first."""
    rows = RiskSummitReferral.objects.filter(claimed_at__isnull=True).select_related(
        "provider", "qsg", "meeting", "conclusion"
    )
    if qsg_ids is not None:
        rows = rows.filter(qsg_id__in=list(qsg_ids))
    return rows.order_by("created_at", "pk")


def risk_summit_referral_claim(*, referral_id: int, reference: str) -> bool:
    """Claim a referral once (a conditional UPDATE). Claiming again with the same reference is a
    no-op that answers True; a claim by anyone else after the first answers False."""
    reference = reference.strip()[:100]
    if not reference:
        raise ValidationError({"reference": "Give the risk summit's reference"})
    claimed = RiskSummitReferral.objects.filter(pk=referral_id, claimed_at__isnull=True).update(
        claimed_at=_now(), claimed_reference=reference
    )
    if claimed:
        return True
    return RiskSummitReferral.objects.filter(pk=referral_id, claimed_reference=reference).exists()


# Business plans ----------------------------------------------------------------------------


@transaction.atomic
def business_plan_create(
    *, actor, qsg: QSG, title: str, period_start: dt.date, period_end: dt.date
) -> BusinessPlan:
    if period_end <= period_start:
        raise ValidationError({"period_end": "The end of the period must be after its start"})
    plan = BusinessPlan(
        qsg=qsg, title=title.strip(), period_start=period_start, period_end=period_end
    )
    plan.full_clean()
    _stamp(plan, actor)
    plan.save()
    return plan


@transaction.atomic
def plan_entry_add(
    *, actor, plan: BusinessPlan, kind: str, title: str, meeting: Meeting | None, providers=()
) -> PlanEntry:
    providers = list(providers)
    if meeting is not None and meeting.qsg_id != plan.qsg_id:
        raise ValidationError({"meeting": "Choose a meeting of this QSG"})
    if kind == PlanEntry.Kind.PROVIDERS and not providers:
        raise ValidationError({"providers": "Choose at least one provider"})
    if any(p.qsg_id != plan.qsg_id for p in providers):
        raise ValidationError({"providers": "Choose providers in this QSG's footprint"})
    screen_pid({"title": ("Title", title)})
    entry = PlanEntry(plan=plan, kind=kind, title=title.strip(), meeting=meeting)
    entry.full_clean()
    _stamp(entry, actor)
    entry.save()
    entry.providers.set(providers)
    return entry


@transaction.atomic
def plan_entry_remove(*, actor, entry: PlanEntry) -> None:
    _stamp(entry, actor)
    entry.delete()


@transaction.atomic
def business_plan_distribute(*, actor, plan: BusinessPlan, group_by: str) -> int:
    """Group the footprint's providers by sector or district and deal the groups round the
    meetings in the period, so every provider is considered once. Providers already planned
    are left where they are. Returns the number of entries made."""
    if group_by not in {"sector", "district"}:
        raise ValidationError({"group_by": "Group by sector or by district"})
    meetings = list(
        Meeting.objects.filter(
            qsg=plan.qsg,
            status=Meeting.Status.SCHEDULED,
            starts_at__date__gte=plan.period_start,
            starts_at__date__lte=plan.period_end,
        ).order_by("starts_at")
    )
    if not meetings:
        raise ValidationError("Schedule the meetings in this period first")
    planned = set(
        PlanEntry.objects.filter(plan=plan)
        .values_list("providers", flat=True)
        .exclude(providers=None)
    )
    groups: dict[str, list[Provider]] = defaultdict(list)
    for p in Provider.objects.filter(qsg=plan.qsg, is_active=True).order_by("name"):
        if p.pk in planned:
            continue
        label = (
            p.get_sector_display()
            if group_by == "sector"
            else (p.district or "District not recorded")
        )
        groups[label].append(p)
    made = 0
    for index, (label, providers) in enumerate(sorted(groups.items())):
        plan_entry_add(
            actor=actor,
            plan=plan,
            kind=PlanEntry.Kind.PROVIDERS,
            title=f"{label} providers",
            meeting=meetings[index % len(meetings)],
            providers=providers,
        )
        made += 1
    return made


# Actions: reminders --------------------------------------------------------------------------

DUE_SOON_DAYS = 7


def action_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail owners about actions due within a week or overdue. A reminder of each kind is
    sent once per action: the reminder row is claimed before the e-mail is queued."""
    today = today or timezone.localdate()
    open_actions = Action.objects.filter(
        status__in=Action.OPEN_STATUSES,
        note__status__in=[NoteStatus.AGREED, NoteStatus.PUBLISHED],
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
                try:
                    with transaction.atomic():
                        ActionReminder.objects.create(action=action, kind=kind)
                except IntegrityError:
                    continue
                recipients = (
                    [action.owner_id]
                    if action.owner_id
                    else list(
                        QSGRole.objects.filter(
                            qsg_id=action.qsg_id,
                            user__organisation_id=action.owner_organisation_id,
                            role__in=[Role.MEMBER, Role.CHAIR, Role.SECRETARIAT],
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


# PDF note ------------------------------------------------------------------------------------

PDF_KIND = "meeting_note_pdf"


def pdf_job_key(note: MeetingNote, audience: str) -> str:
    return f"{PDF_KIND}:{note.pk}:v{note.version}:r{note.revision}:{audience}"


@transaction.atomic
def meeting_note_pdf_request(*, actor, note: MeetingNote, audience: str) -> tuple[Job, bool]:
    """The job rendering this version (and revision) of the note for this audience.

    Returns (job, queued): a finished job is reused (the PDF is cached per version and audience);
    a failed one is queued again.
    """
    if audience not in {"full", "open"}:
        raise ValidationError("Unknown audience")
    key = pdf_job_key(note, audience)
    job, created = Job.objects.select_for_update().get_or_create(
        key=key,
        defaults={
            "kind": PDF_KIND,
            "created_by": actor,
            "organisation_id": getattr(actor, "organisation_id", None),
            "qsg_id": note.meeting.qsg_id,
            "counts": {"meeting": note.meeting_id, "note": note.pk, "audience": audience},
        },
    )
    requeue = not created and job.status in {Job.Status.FAILED, Job.Status.NOT_QUEUED}
    if requeue:
        job.status = Job.Status.QUEUED
        job.progress = 0
        job.error = ""
        job.message = ""
        job.save(update_fields=["status", "progress", "error", "message"])
    if created or requeue:
        _event(
            note.meeting, actor, NoteEvent.Verb.PDF_REQUESTED, version=note.version, detail=audience
        )
        job_id = str(job.pk)

        def enqueue():
            from surveillance.meetings.tasks import render_meeting_note_pdf

            try:
                broker.publish(render_meeting_note_pdf, {"job_id": job_id})
            except Exception as exc:
                Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                    status=Job.Status.NOT_QUEUED, error=str(exc)[:500]
                )

        _on_commit(enqueue)
    return job, created or requeue
