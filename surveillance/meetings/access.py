"""Who sees and changes what in meetings. Built on `qsg.access.principal`.

Rules (docs/meetings.md has the reasons):

* A meeting, its schedule, agenda and attendance are visible to everyone who sees its QSG:
  participants (secretariat, chair, members, observers) and the regional team, read-only.
* The secretariat creates and changes the schedule, business plan, agenda, attendance, the
  draft note and its actions. Only the chair agrees the note and settles a disagreement.
* The note by state: a draft is for the secretariat and chair; members read it (and comment)
  once it is circulated; observers and the regional team read it once published, and so does
  the national team over the region (`Principal.reads_from_above`), never commenting.
* Confidential material (agenda items marked confidential, note passages, conclusions and
  actions carrying an FOI exemption) is for the secretariat, the chair and members of the
  QSG whose organisation is a statutory body. Observers, the regional team and members from
  non-statutory bodies get the open version. One function, `sees_confidential`, decides it
  for pages, API and PDF alike.
* Not visible: 404. Visible but not yours to change: 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qsg import access
from qsg.access import not_found, principal, require
from qsg.models import QSG, QSGRole
from surveillance.intelligence import access as intelligence_access
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    BusinessPlan,
    Conclusion,
    Meeting,
    MeetingNote,
    NoteVersion,
    SurveillanceLogEntry,
)

Role = QSGRole.Role
NoteStatus = MeetingNote.Status
ALL_STATUSES = frozenset(NoteStatus.values)
MEMBER_STATUSES = frozenset({NoteStatus.CIRCULATED, NoteStatus.AGREED, NoteStatus.PUBLISHED})
READER_STATUSES = frozenset({NoteStatus.PUBLISHED})


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise not_found() from None


# Roles -------------------------------------------------------------------------------------


def manages(user, qsg_id: int) -> bool:
    return principal(user).manages(qsg_id)


def chairs(user, qsg_id: int) -> bool:
    return principal(user).chairs(qsg_id)


def is_team(user, qsg_id: int) -> bool:
    """The secretariat or the chair (`Principal.is_team`)."""
    return principal(user).is_team(qsg_id)


def sees_confidential(user, qsg_id: int) -> bool:
    """Confidential items and passages: secretariat, chair, and members from statutory bodies
    (`qsg.access.is_statutory`). The one rule for pages, API, PDFs and packs."""
    if user is None:
        return False
    p = principal(user)
    if p.is_team(qsg_id):
        return True
    return Role.MEMBER in p.roles_in(qsg_id) and access.is_statutory(user)


def note_statuses(user, qsg_id: int) -> frozenset[str]:
    """The note states this person may read in this QSG."""
    p = principal(user)
    roles = p.roles_in(qsg_id)
    if p.is_team(qsg_id):
        return ALL_STATUSES
    if Role.MEMBER in roles:
        return MEMBER_STATUSES
    if Role.OBSERVER in roles or p.reads_from_above(qsg_id):
        return READER_STATUSES
    return frozenset()


def can_read_note(user, note: MeetingNote | None, qsg_id: int) -> bool:
    return note is not None and note.status in note_statuses(user, qsg_id)


def can_comment(user, note: MeetingNote, qsg_id: int) -> bool:
    return note.status == NoteStatus.CIRCULATED and principal(user).is_member_of(qsg_id)


def can_read_all_versions(user, qsg_id: int) -> bool:
    return bool(note_statuses(user, qsg_id) & {NoteStatus.AGREED})


def _by_qsg_statuses(user, *, qsg_field: str, status_field: str) -> Q:
    """A filter: rows whose note state this person may read, QSG by QSG."""
    p = principal(user)
    full = [q for q in p.qsg_ids if note_statuses(user, q) == ALL_STATUSES]
    members = [q for q in p.qsg_ids if note_statuses(user, q) == MEMBER_STATUSES]
    readers = [q for q in p.qsg_ids if note_statuses(user, q) == READER_STATUSES]
    return (
        Q(**{f"{qsg_field}__in": full})
        | Q(**{f"{qsg_field}__in": members, f"{status_field}__in": MEMBER_STATUSES})
        | Q(**{f"{qsg_field}__in": readers, f"{status_field}__in": READER_STATUSES})
    )


def _confidential_filter(user, *, qsg_field: str, flag: Q) -> Q:
    """Rows that are open, or confidential in a QSG where this person sees confidential things."""
    p = principal(user)
    trusted = [q for q in p.qsg_ids if sees_confidential(user, q)]
    return ~flag | Q(**{f"{qsg_field}__in": trusted})


# Meetings ----------------------------------------------------------------------------------


def meetings_for(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(qsg_id__in=principal(user).qsg_ids)


def meeting_for_user(user, pk, *, manage: bool = False) -> Meeting:
    meeting = meetings_for(user).select_related("qsg", "series").filter(pk=_int(pk)).first()
    if meeting is None:
        raise not_found()
    if manage:
        require(manages(user, meeting.qsg_id))
    return meeting


def qsg_for_user(user, pk, *, manage: bool = False) -> QSG:
    return access.qsg_for_user(user, pk, manage=manage)


def note_of(meeting: Meeting) -> MeetingNote | None:
    return MeetingNote.objects.filter(meeting=meeting).select_related("agreed_by").first()


def note_for_user(user, meeting: Meeting) -> MeetingNote:
    """The meeting's note if this person may read it in its present state; 404 otherwise."""
    note = note_of(meeting)
    if not can_read_note(user, note, meeting.qsg_id):
        raise not_found()
    return note


def version_for_user(user, meeting: Meeting, number) -> NoteVersion:
    note = note_of(meeting)
    if note is None:
        raise not_found()
    versions = NoteVersion.objects.filter(note=note, number=_int(number)).select_related(
        "agreed_by"
    )
    if not can_read_all_versions(user, meeting.qsg_id):
        if not note_statuses(user, meeting.qsg_id):
            raise not_found()
        versions = versions.filter(was_published=True)
    version = versions.first()
    if version is None:
        raise not_found()
    return version


def versions_for(user, meeting: Meeting, note: MeetingNote) -> QuerySet[NoteVersion]:
    versions = NoteVersion.objects.filter(note=note).select_related("agreed_by").order_by("-number")
    if not can_read_all_versions(user, meeting.qsg_id):
        versions = versions.filter(was_published=True)
    return versions


# Agenda and attendance ------------------------------------------------------------------------


def agenda_items_for(user) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting__qsg_id__in=principal(user).qsg_ids).filter(
        _confidential_filter(user, qsg_field="meeting__qsg_id", flag=Q(is_confidential=True))
    )


def agenda_item_for_user(user, meeting: Meeting, pk, *, manage: bool = False) -> AgendaItem:
    item = AgendaItem.objects.filter(meeting=meeting, pk=_int(pk)).first()
    if item is None or (item.is_confidential and not sees_confidential(user, meeting.qsg_id)):
        raise not_found()
    if manage:
        require(manages(user, meeting.qsg_id))
    return item


CONFIDENTIAL_LINE = (
    "Confidential item: details are for the secretariat, the chair and members from statutory "
    "bodies"
)
# An agenda item's words: what a reader who may not see it does not get.
AGENDA_WORDS = (
    "title",
    "description",
    "presenter",
    "presenter_organisation",
    "providers",
    "provider_ids",
    "papers",
)


def agenda_row(item: AgendaItem, number: int) -> dict:
    """One agenda item as plain data (providers and papers as lists of names)."""
    return {
        "id": item.pk,
        "number": number,
        "title": item.title,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "description": item.description,
        "presenter": item.presenter,
        "presenter_organisation": (
            item.presenter_organisation.name if item.presenter_organisation else ""
        ),
        "duration": item.duration_minutes,
        "providers": sorted(p.name for p in item.providers.all()),
        "provider_ids": sorted(p.pk for p in item.providers.all()),
        "papers": item.paper_list,
        "confidential": item.is_confidential,
        "intelligence_item_ids": list(item.intelligence_item_ids or []),
    }


def agenda_for_reader(
    reader, rows, *, qsg_id: int, confidential: bool | None = None, drop_confidential=False
) -> list[dict]:
    """Agenda rows (`agenda_row`) as `reader` may see them: the one rule for pages, packs and
    the note. A confidential item is for those who `sees_confidential` (or the audience's
    `confidential` flag, for a pack): others get `CONFIDENTIAL_LINE` in its place, or nothing
    with `drop_confidential`. An item made from intelligence the reader may not read keeps
    none of its words (`intelligence.access.inherit`). Rows get `redacted` when words are out.
    """
    trusted = sees_confidential(reader, qsg_id) if confidential is None else confidential
    out = []
    for row in rows:
        if row["confidential"] and not trusted:
            if drop_confidential:
                continue
            row = {
                **{k: [] if isinstance(row[k], list) else "" for k in AGENDA_WORDS},
                **{k: v for k, v in row.items() if k not in AGENDA_WORDS},
                "title": CONFIDENTIAL_LINE,
                "intelligence_item_ids": [],
                "redacted": True,
            }
        out.append(row)
    out = intelligence_access.inherit_for(reader, out, words=AGENDA_WORDS)
    return [{**r, "redacted": bool(r.get("redacted") or r["withheld"])} for r in out]


def agenda_of(reader, meeting: Meeting, **kwargs) -> list[dict]:
    """The meeting's agenda, in order, as `reader` may see it (`agenda_for_reader`)."""
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter_organisation")
        .prefetch_related("providers")
        .order_by("position", "pk")
    )
    rows = [agenda_row(item, n) for n, item in enumerate(items, start=1)]
    return agenda_for_reader(reader, rows, qsg_id=meeting.qsg_id, **kwargs)


def attendance_for(user) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting__qsg_id__in=principal(user).qsg_ids)


def attendance_row_for_user(user, meeting: Meeting, pk, *, manage: bool = False) -> Attendance:
    row = Attendance.objects.filter(meeting=meeting, pk=_int(pk)).first()
    if row is None:
        raise not_found()
    if manage:
        require(manages(user, meeting.qsg_id))
    return row


# Note content ------------------------------------------------------------------------------


def conclusions_for(user) -> QuerySet[Conclusion]:
    return Conclusion.objects.filter(
        _by_qsg_statuses(user, qsg_field="note__meeting__qsg_id", status_field="note__status"),
        _confidential_filter(
            user, qsg_field="note__meeting__qsg_id", flag=Q(foi_exemption__isnull=False)
        ),
    )


def note_part_for_user(user, meeting: Meeting, model, pk):
    """A passage, conclusion or action of this meeting's note, for the secretariat (or chair)."""
    note = note_for_user(user, meeting)
    row = model.objects.filter(note=note, pk=_int(pk)).first()
    if row is None:
        raise not_found()
    return note, row


def actions_for(user) -> QuerySet[Action]:
    """Actions of notes this person may read; an action transferred in from a risk summit (no
    note) is confidential, as the summit is."""
    p = principal(user)
    trusted = [q for q in p.qsg_ids if sees_confidential(user, q)]
    return Action.objects.filter(
        (
            Q(note__isnull=False)
            & _by_qsg_statuses(user, qsg_field="qsg_id", status_field="note__status")
        )
        | Q(note__isnull=True, qsg_id__in=trusted),
        _confidential_filter(user, qsg_field="qsg_id", flag=Q(foi_exemption__isnull=False)),
    )


# An action's words: what a reader who may not read the intelligence it was made from does not get.
ACTION_WORDS = ("description", "progress_note")


def action_rows_for_reader(reader, rows) -> list[dict]:
    """Action rows (plain dicts with `intelligence_item_ids`) as `reader` may read them: an
    action made from intelligence they may not read keeps none of its words
    (`intelligence.access.inherit`)."""
    return intelligence_access.inherit_for(reader, rows, words=ACTION_WORDS)


def actions_as_read(reader, actions) -> list[Action]:
    """`action_rows_for_reader` for Action records (pages): the words of a withheld action are
    replaced in memory only (never saved) and each record gets `withheld`."""
    actions = list(actions)
    rows = action_rows_for_reader(
        reader,
        [
            {
                **{k: getattr(a, k) for k in ACTION_WORDS},
                "intelligence_item_ids": a.intelligence_item_ids,
            }
            for a in actions
        ],
    )
    for action, row in zip(actions, rows, strict=True):
        for key in ACTION_WORDS:
            setattr(action, key, row[key])
        action.withheld = row["withheld"]
    return actions


def can_update_action(user, action: Action) -> bool:
    """The secretariat, or the person who owns the action, records its progress."""
    return manages(user, action.qsg_id) or (
        action.owner_id is not None and action.owner_id == getattr(user, "pk", None)
    )


def action_for_user(user, pk, *, update: bool = False) -> Action:
    action = (
        actions_for(user)
        .select_related("qsg", "note__meeting", "owner_organisation", "owner", "provider")
        .filter(pk=_int(pk))
        .first()
    )
    if action is None:
        raise not_found()
    if update:
        require(can_update_action(user, action))
    return action


def surveillance_log_for(user, provider) -> QuerySet[SurveillanceLogEntry]:
    """A provider's timeline: entries from QSGs whose agreed notes this person may read."""
    p = principal(user)
    member_level = [q for q in p.qsg_ids if NoteStatus.AGREED in note_statuses(user, q)]
    readers = [q for q in p.qsg_ids if note_statuses(user, q) == READER_STATUSES]
    trusted = [q for q in p.qsg_ids if sees_confidential(user, q)]
    visible = (
        Q(qsg_id__in=member_level)
        | Q(qsg_id__in=readers, conclusion__note__status=NoteStatus.PUBLISHED)
        | Q(qsg_id__in=trusted, source=SurveillanceLogEntry.Source.RISK_SUMMIT)
    )
    return SurveillanceLogEntry.objects.filter(visible, provider=provider).filter(
        Q(is_confidential=False) | Q(qsg_id__in=trusted)
    )


def surveillance_log_rows(user, provider, *, limit: int = 50) -> list[SurveillanceLogEntry]:
    """The provider's timeline as this person may read it: an entry from a conclusion made
    from intelligence they may not read keeps its level but not its rationale
    (`intelligence.access.inherit`)."""
    entries = list(
        surveillance_log_for(user, provider).select_related(
            "category", "qsg", "meeting", "conclusion"
        )[:limit]
    )
    rows = intelligence_access.inherit_for(
        user,
        [
            {
                "rationale": e.rationale,
                "intelligence_item_ids": e.conclusion.intelligence_item_ids if e.conclusion else [],
            }
            for e in entries
        ],
        words=("rationale",),
    )
    for entry, row in zip(entries, rows, strict=True):
        entry.rationale = row["rationale"]  # in memory only: never saved
    return entries


# Business plans -------------------------------------------------------------------------------


def plans_for(user) -> QuerySet[BusinessPlan]:
    return BusinessPlan.objects.filter(qsg_id__in=principal(user).qsg_ids)


def plan_for_user(user, pk, *, manage: bool = False) -> BusinessPlan:
    plan = plans_for(user).select_related("qsg").filter(pk=_int(pk)).first()
    if plan is None:
        raise not_found()
    if manage:
        require(manages(user, plan.qsg_id))
    return plan
