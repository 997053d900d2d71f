"""Reads about meetings that are more than a filter: the note as a document, quorum, agenda
suggestions, coverage of the business cycle, providers' current levels, home panels.

The note document is plain data (dicts, lists, strings). The same function feeds the page,
the frozen version stored at agreement and the PDF; `redact()` takes confidential material out
for readers who may not see it, so every channel applies one rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from qsg.access import footprint
from qsg.models import QSG, Provider, QSGRole
from qsg.vocabulary import profiles_in_force
from surveillance.meetings import rules as meetings_rules
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionCategory,
    Meeting,
    MeetingNote,
    NotePassage,
    PlanEntry,
    QuorumRequirement,
    SurveillanceLogEntry,
)

Role = QSGRole.Role


# Quorum -------------------------------------------------------------------------------------


def default_requirements(qsg: QSG) -> list[meetings_rules.Requirement]:
    """The usual terms: the chair, a commissioner and the CQC present."""
    from qsg.models import OrganisationType

    commissioners = frozenset(
        OrganisationType.objects.filter(is_commissioner=True, is_nhs_england=False).values_list(
            "pk", flat=True
        )
    )
    cqc = frozenset(OrganisationType.objects.filter(code="cqc").values_list("pk", flat=True))
    return [
        meetings_rules.Requirement(label="The chair", role=Role.CHAIR),
        meetings_rules.Requirement(label="A commissioner", type_ids=commissioners),
        meetings_rules.Requirement(label="The Care Quality Commission", type_ids=cqc),
    ]


def requirements_for(qsg: QSG) -> tuple[list[meetings_rules.Requirement], bool]:
    """(requirements, is_default). A QSG without its own rule uses the usual terms."""
    rows = list(QuorumRequirement.objects.filter(qsg=qsg).prefetch_related("organisation_types"))
    if not rows:
        return default_requirements(qsg), True
    return [
        meetings_rules.Requirement(
            label=r.label,
            role=r.role,
            type_ids=frozenset(t.pk for t in r.organisation_types.all()),
            minimum=r.minimum,
        )
        for r in rows
    ], False


def meeting_quorum(meeting: Meeting) -> meetings_rules.QuorumResult:
    requirements, _ = requirements_for(meeting.qsg)
    rows = list(
        Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT).select_related(
            "organisation"
        )
    )
    roles: dict[int, set[str]] = defaultdict(set)
    user_ids = [r.user_id for r in rows if r.user_id]
    for user_id, role in QSGRole.objects.filter(
        qsg_id=meeting.qsg_id, user_id__in=user_ids
    ).values_list("user_id", "role"):
        roles[user_id].add(role)
    present = [
        meetings_rules.Present(
            key=f"u{r.user_id}" if r.user_id else f"n{r.name.lower()}:{r.organisation_id}",
            name=r.name,
            roles=meetings_rules.quorum_roles(r.capacity, roles.get(r.user_id, ())),
            organisation_type_id=r.organisation.type_id,
            organisation_id=r.organisation_id,
        )
        for r in rows
    ]
    return meetings_rules.quorum_check(requirements, present)


@dataclass(frozen=True)
class Expected:
    """Someone expected at a meeting: a person with a role in the QSG whose organisation is a
    member, in the capacity their role gives them."""

    user: Any
    capacity: str
    recorded: bool

    @property
    def capacity_label(self) -> str:
        return Attendance.Capacity(self.capacity).label


# A person with several roles attends in the first of these.
_CAPACITY_OF_ROLE = (
    (Role.CHAIR, Attendance.Capacity.CHAIR),
    (Role.SECRETARIAT, Attendance.Capacity.SECRETARIAT),
    (Role.MEMBER, Attendance.Capacity.MEMBER),
    (Role.OBSERVER, Attendance.Capacity.OBSERVER),
)


def expected_attendees(meeting: Meeting) -> list[Expected]:
    """Everyone expected at the meeting, from the membership, and whether they are recorded
    (present, apologies, or a deputy standing in for them)."""
    from qsg.models import User

    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in QSGRole.objects.filter(
        qsg_id=meeting.qsg_id,
        role__in=[r for r, _ in _CAPACITY_OF_ROLE],
        user__is_active=True,
        user__organisation__memberships__qsg_id=meeting.qsg_id,
    ).values_list("user_id", "role"):
        roles[user_id].add(role)
    people = (
        User.objects.filter(pk__in=roles)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name")
    )
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("user_id", "deputy_for"))
    recorded_ids = {user_id for user_id, _ in rows if user_id}
    deputised = {name.strip().lower() for _, name in rows if name}
    return [
        Expected(
            user=u,
            capacity=next(c for r, c in _CAPACITY_OF_ROLE if r in roles[u.pk]),
            recorded=u.pk in recorded_ids or u.display_name.strip().lower() in deputised,
        )
        for u in people
    ]


# The note as a document --------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def note_document(meeting: Meeting, note: MeetingNote | None) -> dict[str, Any]:
    """Everything the note says, confidential material included and marked (see `redact`)."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter_organisation")
        .prefetch_related("providers")
        .order_by("position", "pk")
    )
    passages: dict[int, list[NotePassage]] = defaultdict(list)
    conclusions: list[Conclusion] = []
    actions: list[Action] = []
    if note is not None:
        for p in NotePassage.objects.filter(note=note).select_related("foi_exemption"):
            passages[p.agenda_item_id].append(p)
        conclusions = list(
            Conclusion.objects.filter(note=note)
            .select_related("provider", "category", "foi_exemption", "settled_by", "agenda_item")
            .order_by("agenda_item__position", "provider__name")
        )
        actions = list(
            Action.objects.filter(note=note)
            .select_related("owner_organisation", "owner", "provider", "foi_exemption")
            .order_by("number")
        )
    attendance = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("organisation")
        .order_by("status", "organisation__name", "name", "present_from")
    )
    quorum = meeting_quorum(meeting)
    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    return {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "qsg": meeting.qsg.name,
            "date": local_start.date().isoformat(),
            "start": local_start.strftime("%H:%M"),
            "end": local_end.strftime("%H:%M"),
            "venue": meeting.venue,
            "dial_in": meeting.dial_in,
        },
        "version": note.version if note else 1,
        "status": note.status if note else "none",
        "status_label": note.get_status_display() if note else "Not started",
        "revision": note.revision if note else 0,
        "revision_reason": note.revision_reason if note else "",
        "agreed_at": _iso(note.agreed_at) if note else None,
        "agreed_by": note.agreed_by.display_name if note and note.agreed_by else "",
        "quorate": quorum.quorate,
        "quorum_missing": quorum.missing,
        "attendance": [
            {
                "name": a.name,
                "organisation": a.organisation.name,
                "capacity": a.get_capacity_display(),
                "status": a.status,
                "from": a.present_from.strftime("%H:%M") if a.present_from else "",
                "to": a.present_to.strftime("%H:%M") if a.present_to else "",
                "minutes": a.minutes,
                "duration": meetings_rules.format_minutes(a.minutes),
                "deputy_for": a.deputy_for,
            }
            for a in attendance
        ],
        "items": [
            {
                "id": i.pk,
                "number": n,
                "title": i.title,
                "kind": i.kind,
                "presenter": i.presenter,
                "presenter_organisation": i.presenter_organisation.name
                if i.presenter_organisation
                else "",
                "duration": i.duration_minutes,
                "confidential": i.is_confidential,
                "intelligence_item_ids": list(i.intelligence_item_ids or []),
                "providers": [p.name for p in i.providers.all()],
                "papers": i.paper_list,
                "passages": [
                    {
                        "id": p.pk,
                        "text": p.text,
                        "exemption": p.foi_exemption.label if p.foi_exemption else "",
                    }
                    for p in sorted(passages.get(i.pk, []), key=lambda p: (p.position, p.pk))
                ],
            }
            for n, i in enumerate(items, start=1)
        ],
        "conclusions": [
            {
                "id": c.pk,
                "provider": c.provider.name,
                "provider_id": c.provider_id,
                "ods_code": c.provider.ods_code,
                "category": c.category.label,
                "category_code": c.category.code,
                "level": c.category.level,
                "key_issues": c.key_issues,
                "rationale": c.rationale,
                "dissent": c.dissent,
                "chair_decision": c.chair_decision,
                "settled_by": c.settled_by.display_name if c.settled_by else "",
                "exemption": c.foi_exemption.label if c.foi_exemption else "",
                "intelligence_item_ids": list(c.intelligence_item_ids or []),
            }
            for c in conclusions
        ],
        "actions": [
            {
                "id": a.pk,
                "reference": a.reference,
                "description": a.description,
                "provider": a.provider.name if a.provider else "",
                "owner_organisation": a.owner_organisation.name,
                "owner": a.owner.display_name if a.owner else "",
                "due": a.due_date.isoformat(),
                "status": a.get_status_display(),
                "exemption": a.foi_exemption.label if a.foi_exemption else "",
                "intelligence_item_ids": list(a.intelligence_item_ids or []),
            }
            for a in actions
        ],
    }


WITHHELD = "Withheld: confidential"


# Words of agenda items and conclusions made from intelligence (`intelligence.access.inherit`).
ITEM_WORDS = ("title", "presenter", "presenter_organisation", "providers", "papers", "passages")
CONCLUSION_WORDS = ("key_issues", "rationale", "dissent", "chair_decision")
NOTE_ACTION_WORDS = ("description",)


# The document's parts made from intelligence, and the records they were frozen from.
LINKED_PARTS = (("items", AgendaItem), ("conclusions", Conclusion), ("actions", Action))


def with_links(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every agenda item, conclusion and action carrying the intelligence
    items it was made from; versions frozen before the links were kept read them from the
    records."""
    missing = {
        part: [r["id"] for r in document.get(part, []) if "intelligence_item_ids" not in r]
        for part, _ in LINKED_PARTS
    }
    if not any(missing.values()):
        return document
    out = dict(document)
    for part, model in LINKED_PARTS:
        if not missing[part]:
            continue
        links = dict(
            model.objects.filter(pk__in=missing[part]).values_list("pk", "intelligence_item_ids")
        )
        out[part] = [
            r
            if "intelligence_item_ids" in r
            else {**r, "intelligence_item_ids": links.get(r["id"]) or []}
            for r in document[part]
        ]
    return out


def document_links(document: dict[str, Any]) -> set[int]:
    """Every intelligence item the document's records were made from (`with_links` first)."""
    document = with_links(document)
    return {
        int(x)
        for part, _ in LINKED_PARTS
        for row in document.get(part, [])
        for x in row.get("intelligence_item_ids") or []
    }


def redact(
    document: dict[str, Any], *, confidential: bool, withheld: frozenset[int] = frozenset()
) -> dict[str, Any]:
    """The document as a reader sees it: without confidential material unless allowed, and
    without the words of records made from the intelligence items in `withheld`."""
    from surveillance.intelligence.access import inherit

    document = with_links(document)
    if confidential:
        out = {**document, "audience": "full"}
    else:
        items = []
        for item in document["items"]:
            if item["confidential"]:
                continue
            kept = [p for p in item["passages"] if not p["exemption"]]
            items.append(
                {**item, "passages": kept, "passages_withheld": len(item["passages"]) - len(kept)}
            )
        out = {
            **document,
            "audience": "open",
            "items": items,
            "conclusions": [c for c in document["conclusions"] if not c["exemption"]],
            "actions": [a for a in document["actions"] if not a["exemption"]],
        }
    out["items"] = [
        {**item, "withheld_reason": _withheld_reason(item)}
        for item in inherit(out["items"], withheld, words=ITEM_WORDS)
    ]
    out["conclusions"] = inherit(out["conclusions"], withheld, words=CONCLUSION_WORDS)
    out["actions"] = inherit(out["actions"], withheld, words=NOTE_ACTION_WORDS)
    return out


def _withheld_reason(item: dict[str, Any]) -> str:
    """Say that a record is withheld, and why, where the reader would otherwise read nothing
    (or less) and take it for "No record."."""
    if item.get("withheld"):
        return "The record of this item is withheld: it draws on intelligence not shared with you."
    hidden = item.get("passages_withheld", 0)
    if not hidden:
        return ""
    if not item["passages"]:
        return "The record of this item is withheld from this copy: it is confidential."
    passages = "passage" if hidden == 1 else "passages"
    return f"{hidden} further {passages} withheld from this copy: confidential."


def redact_for(
    reader, document: dict[str, Any], *, qsg_id: int, confidential: bool | None = None
) -> dict[str, Any]:
    """`redact` for one reader: the confidential rule (`access.sees_confidential`, or a pack
    audience's flag) and the intelligence items the reader may not read."""
    from surveillance.intelligence.access import withheld_ids
    from surveillance.meetings.access import sees_confidential

    document = with_links(document)
    trusted = sees_confidential(reader, qsg_id) if confidential is None else confidential
    withheld = withheld_ids(reader, document_links(document))
    return redact(document, confidential=trusted, withheld=withheld)


def document_dates(document: dict[str, Any]) -> dict[str, Any]:
    """Parse the ISO strings back for templates."""
    out = dict(document)
    out["date"] = dt.date.fromisoformat(document["meeting"]["date"])
    out["agreed_on"] = (
        dt.datetime.fromisoformat(document["agreed_at"]) if document.get("agreed_at") else None
    )
    for a in out["actions"]:
        a["due_date"] = dt.date.fromisoformat(a["due"])
    return out


# Surveillance levels ------------------------------------------------------------------------


def current_levels(provider_ids) -> dict[int, SurveillanceLogEntry]:
    """Each provider's latest agreed conclusion (one query)."""
    latest = (
        SurveillanceLogEntry.objects.filter(provider_id=OuterRef("provider_id"))
        .order_by("-decided_on", "-pk")
        .values("pk")[:1]
    )
    rows = (
        SurveillanceLogEntry.objects.filter(provider_id__in=list(provider_ids))
        .filter(pk=Subquery(latest))
        .select_related("category", "qsg", "meeting")
    )
    return {r.provider_id: r for r in rows}


def providers_under_review(qsg: QSG) -> list[tuple[Provider, SurveillanceLogEntry]]:
    """Providers in the footprint (`qsg.access.footprint`: led there or sitting there too)
    whose current level keeps them on every agenda. The level may have been concluded by
    another group whose footprint the provider sits in: callers showing it to someone check
    `entry.qsg_id` for confidentiality."""
    provider_ids = footprint(qsg).values_list("pk", flat=True)
    levels = current_levels(provider_ids)
    keep = {pid: e for pid, e in levels.items() if e.category.keeps_on_agenda}
    providers = Provider.objects.filter(pk__in=keep).order_by("name")
    return [(p, keep[p.pk]) for p in providers]


# Agenda sources --------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A proposed agenda item: the secretariat ticks it to add it."""

    source: str
    key: str
    title: str
    kind: str
    reason: str
    provider_ids: list[int] = field(default_factory=list)
    intelligence_item_ids: list[int] = field(default_factory=list)
    presenter: str = ""
    confidential: bool = False
    duration: int = 10

    @property
    def token(self) -> str:
        return f"{self.source}:{self.key}"


AgendaSource = Callable[[Any, Meeting], list[Suggestion]]
_SOURCES: dict[str, tuple[int, str, AgendaSource]] = {}


def register_agenda_source(key: str, label: str, fn: AgendaSource, order: int = 100) -> None:
    """Another part of the product (the dashboard's signals, say) adds what it proposes.

    `fn(user, meeting)` must return only what `user` may see.
    """
    _SOURCES[key] = (order, label, fn)


def agenda_sources() -> list[tuple[str, str, AgendaSource]]:
    return [(k, label, fn) for k, (_, label, fn) in sorted(_SOURCES.items(), key=lambda i: i[1][0])]


def agenda_suggestions(user, meeting: Meeting) -> list[tuple[str, str, list[Suggestion]]]:
    """Each registered source with its proposals, leaving out what is already on the agenda."""
    taken = set(
        AgendaItem.objects.filter(meeting=meeting)
        .exclude(source_key="")
        .values_list("source", "source_key")
    )
    out = []
    for key, label, fn in agenda_sources():
        proposals = [s for s in fn(user, meeting) if (s.source, s.key) not in taken]
        out.append((key, label, proposals))
    return out


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(qsg_id=meeting.qsg_id, starts_at__lt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def source_matters_arising(user, meeting: Meeting) -> list[Suggestion]:
    """Open actions from earlier agreed notes of this QSG: one item listing them."""
    from surveillance.meetings.access import sees_confidential

    actions = Action.objects.filter(
        Q(
            note__status__in=[MeetingNote.Status.AGREED, MeetingNote.Status.PUBLISHED],
            note__meeting__starts_at__lt=meeting.starts_at,
        )
        | Q(note__isnull=True, created_at__lt=meeting.starts_at),  # transferred in
        qsg_id=meeting.qsg_id,
        status__in=Action.OPEN_STATUSES,
    )
    if not sees_confidential(user, meeting.qsg_id):
        actions = actions.filter(foi_exemption__isnull=True, transferred_from="")
    rows = list(actions.values_list("number", "due_date", "provider_id"))
    if not rows:
        return []
    today = timezone.localdate()
    overdue = sum(1 for _, due, _ in rows if due < today)
    refs = ", ".join(f"A{n}" for n, _, _ in sorted(rows)[:12])
    more = "" if len(rows) <= 12 else f" and {len(rows) - 12} more"
    return [
        Suggestion(
            source="matters_arising",
            key="open-actions",
            title="Previous note and matters arising",
            kind=AgendaItem.Kind.MATTERS_ARISING,
            reason=f"{len(rows)} open action{'s' if len(rows) != 1 else ''} ({overdue} overdue): {refs}{more}",
            provider_ids=sorted({p for _, _, p in rows if p}),
            presenter="Chair",
        )
    ]


def source_business_cycle(user, meeting: Meeting) -> list[Suggestion]:
    entries = (
        PlanEntry.objects.filter(meeting=meeting)
        .prefetch_related(Prefetch("providers", queryset=Provider.objects.only("pk", "name")))
        .order_by("pk")
    )
    out = []
    for e in entries:
        names = [p.name for p in e.providers.all()]
        reason = "Planned in the business cycle"
        if names:
            reason += f": {len(names)} provider{'s' if len(names) != 1 else ''}"
        out.append(
            Suggestion(
                source="business_cycle",
                key=f"entry-{e.pk}",
                title=e.title,
                kind=AgendaItem.Kind.THEME
                if e.kind == PlanEntry.Kind.THEME
                else AgendaItem.Kind.PROVIDER,
                reason=reason,
                provider_ids=[p.pk for p in e.providers.all()],
                duration=20,
            )
        )
    return out


def source_regular_review(user, meeting: Meeting) -> list[Suggestion]:
    if not meeting.qsg.is_local:
        return []
    return [
        Suggestion(
            source="regular_review",
            key=f"provider-{p.pk}",
            title=f"{p.name}: under review",
            kind=AgendaItem.Kind.PROVIDER,
            reason=f"{entry.category.label} since {entry.decided_on:%-d %B %Y}",
            provider_ids=[p.pk],
            duration=15,
        )
        for p, entry in providers_under_review(meeting.qsg)
        if entry.meeting_id != meeting.pk and _reads_level(user, entry)
    ]


def _reads_level(user, entry: SurveillanceLogEntry) -> bool:
    """A level concluded in confidence, read only by those who see that group's confidential
    conclusions (it may be another group's: a provider in two footprints)."""
    from surveillance.meetings.access import sees_confidential

    return not entry.is_confidential or sees_confidential(user, entry.qsg_id)


def source_signals(user, meeting: Meeting) -> list[Suggestion]:
    from surveillance.meetings.agenda_signals import signals_for_meeting

    return signals_for_meeting(user, meeting)


def source_intelligence(user, meeting: Meeting) -> list[Suggestion]:
    from surveillance.meetings.agenda_intelligence import intelligence_for_meeting

    return intelligence_for_meeting(user, meeting)


# Business cycle coverage -----------------------------------------------------------------------


@dataclass
class CoverageRow:
    provider: Provider
    last_discussed: dt.date | None
    next_planned: dt.date | None
    level: SurveillanceLogEntry | None
    flagged: bool


def coverage(
    qsg: QSG, *, period_start: dt.date, period_end: dt.date, today: dt.date
) -> list[CoverageRow]:
    """Each provider in the footprint: last discussed, next planned, flagged if not discussed
    in the period and not planned before it ends (five queries, whatever the footprint). The
    footprint is `qsg.access.footprint`: a provider led by another group and sitting in this
    one's footprint too (an ambulance trust serving two systems) is covered here as well."""
    providers = list(footprint(qsg)) if qsg.is_local else []
    ids = [p.pk for p in providers]
    discussed = dict(
        Conclusion.objects.filter(
            provider_id__in=ids,
            note__status__in=[MeetingNote.Status.AGREED, MeetingNote.Status.PUBLISHED],
        )
        .values("provider_id")
        .annotate(last=Max("note__meeting__starts_at"))
        .values_list("provider_id", "last")
    )
    planned: dict[int, dt.datetime] = {}
    for pid, starts in (
        PlanEntry.objects.filter(
            plan__qsg=qsg,
            providers__in=ids,
            meeting__starts_at__date__gte=today,
            meeting__status=Meeting.Status.SCHEDULED,
        )
        .values_list("providers", "meeting__starts_at")
        .order_by("meeting__starts_at")
    ):
        planned.setdefault(pid, starts)
    for pid, starts in (
        AgendaItem.objects.filter(
            meeting__qsg=qsg, providers__in=ids, meeting__starts_at__date__gte=today
        )
        .values_list("providers", "meeting__starts_at")
        .order_by("meeting__starts_at")
    ):
        if pid not in planned or starts < planned[pid]:
            planned[pid] = starts
    levels = current_levels(ids)
    rows = []
    for p in providers:
        last = discussed.get(p.pk)
        last_date = timezone.localtime(last).date() if last else None
        nxt = planned.get(p.pk)
        next_date = timezone.localtime(nxt).date() if nxt else None
        in_period = last_date is not None and period_start <= last_date <= period_end
        planned_in_period = next_date is not None and next_date <= period_end
        rows.append(
            CoverageRow(
                provider=p,
                last_discussed=last_date,
                next_planned=next_date,
                level=levels.get(p.pk),
                flagged=not in_period and not planned_in_period,
            )
        )
    return rows


# Home page ------------------------------------------------------------------------------------


def next_meetings(user, *, limit: int = 5) -> list[Meeting]:
    from surveillance.meetings.access import meetings_for

    return list(
        meetings_for(user)
        .filter(ends_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED)
        .select_related("qsg")
        .order_by("starts_at")[:limit]
    )


def my_actions(user, *, limit: int = 10):
    from surveillance.meetings.access import actions_as_read, actions_for

    p_org = getattr(user, "organisation_id", None)
    return actions_as_read(
        user,
        actions_for(user)
        .filter(status__in=Action.OPEN_STATUSES)
        .filter(Q(owner_id=user.pk) | Q(owner_organisation_id=p_org))
        .select_related("qsg", "owner_organisation", "provider")
        .order_by("due_date")[:limit],
    )


def categories(*, keep=None) -> QuerySet[ConclusionCategory]:
    """The conclusion categories the deployment's profile offers, and `keep` (a conclusion's
    own category, so that editing a conclusion never changes its category unasked)."""
    offered = Q(is_active=True, profile__in=profiles_in_force())
    if keep is not None:
        offered |= Q(pk=getattr(keep, "pk", keep))
    return ConclusionCategory.objects.filter(offered)
