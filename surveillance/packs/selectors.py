"""What goes into a meeting pack, audience by audience.

Audiences: the secretariat and chair (the full pack) and each member organisation with a
member in the group. An organisation's pack holds exactly what that organisation may see:

* confidential agenda items, note passages, conclusions and actions only for statutory bodies
  (the rule `access_meetings.sees_confidential` applies to their members);
* the previous meeting's note once published (the full pack: once agreed);
* intelligence items through the intelligence access module (`pack_intelligence`);
* member returns shared with all members, and the organisation's own return;
* feedback from the region (`selectors_regional.regional_feedback_for_meeting`), read as a
  member of the organisation.

The document of each audience is plain data; its SHA-256 decides which audiences share a file.
The dashboard summary is national data, which every member sees; its matrix lists the providers
of the agenda items the audience may read (a provider named only by an item withheld from the
audience is not listed), so it is built once per distinct set of providers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from dashboard import charts
from dashboard import selectors as dashboard_selectors
from dashboard.models import Indicator, SpcSeries
from qsg.models import Organisation, QSGRole, User
from surveillance.meetings import access as am
from surveillance.meetings import agenda_signals
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Action, AgendaItem, Meeting, MeetingNote, NoteVersion
from surveillance.packs import intelligence as pack_intelligence
from surveillance.packs.models import MeetingPack, MemberReturn

Role = QSGRole.Role
NoteStatus = MeetingNote.Status

SECTIONS = [
    ("agenda", "Agenda"),
    ("previous-note", "Note of the previous meeting"),
    ("actions", "Action log"),
    ("dashboard", "Dashboard summary"),
    ("intelligence", "Intelligence shared with the group"),
    ("returns", "Returns from members"),
    ("regional", "Feedback from the region"),
    ("escalation", "Escalation levels"),
]


@dataclass(frozen=True)
class Audience:
    """Who one file is for: the full pack (organisation None) or one member organisation."""

    organisation: Organisation | None
    confidential: bool
    reader: User | None

    @property
    def is_full(self) -> bool:
        return self.organisation is None


def recipient_organisations(meeting: Meeting) -> list[Organisation]:
    """Member organisations with a member of the group: each receives its own view."""
    ids = QSGRole.objects.filter(
        qsg_id=meeting.qsg_id, role=Role.MEMBER, user__is_active=True
    ).values("user__organisation_id")
    return list(
        Organisation.objects.filter(pk__in=ids, memberships__qsg_id=meeting.qsg_id, is_active=True)
        .select_related("type")
        .order_by("name")
    )


def audiences(meeting: Meeting, *, secretariat_reader: User | None) -> list[Audience]:
    out = [Audience(organisation=None, confidential=True, reader=secretariat_reader)]
    members = (
        QSGRole.objects.filter(qsg_id=meeting.qsg_id, role=Role.MEMBER, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    reader_of: dict[int, User] = {}
    for role in members:
        reader_of.setdefault(role.user.organisation_id, role.user)
    for org in recipient_organisations(meeting):
        reader = reader_of.get(org.pk)
        # The organisation's pack is what its member may see (`access.sees_confidential`).
        confidential = am.sees_confidential(reader, meeting.qsg_id)
        out.append(Audience(organisation=org, confidential=confidential, reader=reader))
    return out


# Sections --------------------------------------------------------------------------------------


def _agenda(meeting: Meeting, audience: Audience) -> list[dict[str, Any]]:
    """The agenda as the audience's reader sees it (`access.agenda_of`): confidential items left
    out where the audience may not see them, no words of items made from intelligence the
    reader may not read."""
    rows = am.agenda_of(
        audience.reader, meeting, confidential=audience.confidential, drop_confidential=True
    )
    return [
        {
            "number": n,
            "title": row["title"],
            "kind": row["kind_label"],
            "presenter": ", ".join(
                x for x in (row["presenter"], row["presenter_organisation"]) if x
            ),
            "minutes": row["duration"],
            "providers": row["providers"],
            # For the dashboard section: none where the item is withheld from the audience.
            "provider_ids": row["provider_ids"],
            "papers": row["papers"],
            "confidential": row["confidential"],
            # Kept for the access log (not printed); none where the words are withheld.
            "intelligence_item_ids": [] if row["withheld"] else row["intelligence_item_ids"],
        }
        for n, row in enumerate(rows, start=1)
    ]


def _previous_note(previous: Meeting | None, *, audience: Audience) -> dict[str, Any] | None:
    if previous is None:
        return None
    note = MeetingNote.objects.filter(meeting=previous).first()
    statuses = (
        {NoteStatus.AGREED, NoteStatus.PUBLISHED} if audience.is_full else {NoteStatus.PUBLISHED}
    )
    if note is None or note.status not in statuses:
        return {"meeting": previous.title, "date": previous.date.isoformat(), "document": None}
    version = NoteVersion.objects.filter(note=note, number=note.version).first()
    document = (
        dict(version.snapshot) if version else selectors_meetings.note_document(previous, note)
    )
    document = selectors_meetings.redact_for(
        audience.reader, document, qsg_id=previous.qsg_id, confidential=audience.confidential
    )
    return {"meeting": previous.title, "date": previous.date.isoformat(), "document": document}


def _action_log(meeting: Meeting, since: dt.date | None, audience: Audience) -> list[dict]:
    """Open actions and those done since the previous meeting, as the audience's reader may read
    them (`access.action_rows_for_reader`): confidential ones only where the audience may see
    them, no words of an action made from intelligence the reader may not read."""
    rows = (
        Action.objects.filter(
            Q(note__status__in=[NoteStatus.AGREED, NoteStatus.PUBLISHED])
            | Q(note__isnull=True),  # transferred in (from a risk summit): confidential
            qsg_id=meeting.qsg_id,
        )
        .filter(
            Q(status__in=Action.OPEN_STATUSES)
            | Q(completed_on__gte=since or dt.date.min, status=Action.Status.DONE)
        )
        .select_related("owner_organisation", "owner", "provider")
        .order_by("number")
    )
    today = timezone.localdate()
    out = []
    for a in rows:
        if a.is_confidential and not audience.confidential:
            continue
        out.append(
            {
                "reference": a.reference,
                "description": a.description,
                "provider": a.provider.name if a.provider else "",
                "owner": a.owner_organisation.name
                + (f", {a.owner.display_name}" if a.owner else ""),
                "due": a.due_date.isoformat(),
                "status": a.get_status_display(),
                "overdue": a.is_open and a.due_date < today,
                "progress": a.progress_note,
                "confidential": a.is_confidential,
                "intelligence_item_ids": list(a.intelligence_item_ids or []),
            }
        )
    rows = am.action_rows_for_reader(
        audience.reader, [{**r, "progress_note": r.pop("progress")} for r in out]
    )
    return [
        {
            **{k: v for k, v in r.items() if k != "progress_note"},
            "progress": r["progress_note"],
            # Kept for the access log (not printed); none where the words are withheld.
            "intelligence_item_ids": [] if r["withheld"] else r["intelligence_item_ids"],
        }
        for r in rows
    ]


def _returns(pack: MeetingPack, audience: Audience) -> list[dict[str, Any]]:
    rows = (
        MemberReturn.objects.filter(pack=pack, status=MemberReturn.Status.SUBMITTED)
        .select_related("organisation")
        .prefetch_related("concern_providers")
        .order_by("organisation__name")
    )
    if not audience.is_full:
        rows = rows.filter(
            Q(handling=MemberReturn.Handling.MEMBERS) | Q(organisation=audience.organisation)
        )
    return [
        {
            "organisation": r.organisation.name,
            "nothing_to_report": r.nothing_to_report,
            "concerns": r.concerns,
            "providers": sorted(p.name for p in r.concern_providers.all()),
            "actions_completed": r.actions_completed,
            "intelligence": r.intelligence,
            "restricted": r.handling == MemberReturn.Handling.SECRETARIAT,
            "submitted": r.submitted_at.isoformat() if r.submitted_at else "",
        }
        for r in rows
    ]


def missing_returns(pack: MeetingPack) -> list[str]:
    submitted = set(
        MemberReturn.objects.filter(pack=pack, status=MemberReturn.Status.SUBMITTED).values_list(
            "organisation_id", flat=True
        )
    )
    return [o.name for o in recipient_organisations(pack.meeting) if o.pk not in submitted]


def document(
    pack: MeetingPack, audience: Audience, *, number: int, previous: Meeting | None = None
) -> dict[str, Any]:
    """Everything one audience's pack says except the dashboard summary (see module doc)."""
    meeting = pack.meeting
    if previous is None:
        previous = selectors_meetings.previous_meeting(meeting)
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    agenda = _agenda(meeting, audience)
    return {
        "meeting": {
            "title": meeting.title,
            "qsg": meeting.qsg.name,
            "date": start.date().isoformat(),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "venue": meeting.venue,
            "dial_in": meeting.dial_in,
        },
        "marking": pack.marking,
        "number": number,
        "full": audience.is_full,
        "confidential": audience.confidential,
        "agenda": agenda,
        # The providers of the agenda items the audience may read: the dashboard section's.
        "dashboard_providers": sorted({p for row in agenda for p in row["provider_ids"]}),
        "previous": _previous_note(previous, audience=audience),
        "actions": _action_log(meeting, previous.date if previous else None, audience),
        "intelligence": pack_intelligence.digest(meeting, reader=audience.reader),
        "returns": _returns(pack, audience),
        "missing_returns": missing_returns(pack) if audience.is_full else [],
        "regional": regional_feedback(meeting, audience),
        "escalation": escalation_levels(meeting, audience),
    }


def intelligence_by_section(doc: dict[str, Any]) -> dict[str, list[int]]:
    """The intelligence items whose words each section of one audience's pack carries (for the
    access log of downloads: `services.pack_download_record`)."""

    def shown(rows) -> set[int]:
        return {
            int(i)
            for r in rows or []
            if not r.get("withheld")
            for i in r.get("intelligence_item_ids") or []
        }

    previous = (doc.get("previous") or {}).get("document") or {}
    return {
        "agenda": sorted(shown(doc.get("agenda"))),
        "actions": sorted(shown(doc.get("actions"))),
        "previous-note": sorted(
            shown(previous.get("items"))
            | shown(previous.get("conclusions"))
            | shown(previous.get("actions"))
        ),
        "intelligence": sorted(int(i["id"]) for i in doc.get("intelligence") or []),
    }


def escalation_levels(meeting: Meeting, audience: Audience) -> list[dict[str, Any]]:
    """The group's providers above routine quality surveillance, read as the audience's reader
    through the escalation access layer: level, since when, lead, review date, exit criteria."""
    from surveillance.escalation import selectors as escalation

    if audience.reader is None:
        return []
    out = []
    for row in escalation.records_of_group(audience.reader, meeting.qsg):
        r = row.record
        if r.level == "routine":
            continue
        out.append(
            {
                "name": str(r),
                "level": r.get_level_display(),
                "since": r.level_since.isoformat(),
                "days": row.days_at_level,
                "lead": r.lead_organisation.name if r.lead_organisation else "",
                "review": r.review_date.isoformat() if r.review_date else "",
                "criteria": [
                    {"text": c.text, "status": c.get_status_display()}
                    for c in r.criteria.exclude(status="superseded").order_by("pk")
                ],
            }
        )
    return out


def regional_feedback(meeting: Meeting, audience: Audience) -> list[dict[str, Any]]:
    """Recommendations from the region for this meeting, read as the audience's reader through
    the regional work's selector (contract in selectors_regional)."""
    from surveillance.regional.selectors import regional_feedback_for_meeting

    if audience.reader is None:
        return []
    out = []
    for r in regional_feedback_for_meeting(audience.reader, meeting):
        source = f"{r['from_qsg']}, sent by {r['sent_by']} on {r['sent_on']:%-d %B %Y}"
        if r.get("provider"):
            source += f" (about {r['provider']})"
        out.append({"title": r["title"], "text": r["text"], "source": source})
    return out


def content_key(doc: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(doc, sort_keys=True, default=str, separators=(",", ":")).encode()
    ).hexdigest()


# Dashboard summary ------------------------------------------------------------------------------


def agenda_provider_ids(meeting: Meeting) -> list[int]:
    return sorted(
        set(
            AgendaItem.providers.through.objects.filter(agenda_item__meeting=meeting).values_list(
                "provider_id", flat=True
            )
        )
    )


def dashboard_summary(
    meeting: Meeting, *, reader: User, provider_ids: list[int] | None = None
) -> dict:
    """The matrix for the providers on this agenda (`provider_ids`: one audience's, the
    document's `dashboard_providers`; every agenda item's if not given) and a chart for every
    signal in the meeting's window (`agenda_signals.signal_window`, the one the agenda
    proposed from).

    Read as `reader` (the secretariat member who asked for the pack) through the dashboard's
    own selectors, so only providers they may see appear."""
    from qsg import access as qsg_access

    if provider_ids is None:
        provider_ids = agenda_provider_ids(meeting)
    visible = qsg_access.provider_ids_visible(reader, provider_ids)
    providers = list(qsg_access.providers_for(reader).filter(pk__in=visible).order_by("name"))
    series = list(
        dashboard_selectors.summaries()
        .filter(provider_id__in=[p.pk for p in providers], n_points__gt=0)
        .select_related("indicator")
    )
    indicator_ids = sorted({s.indicator_id for s in series})
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by("domain", "code"))
    by_key = {(s.provider_id, s.indicator_id): s for s in series}
    rows = []
    for p in providers:
        cells = []
        for ind in indicators:
            s = by_key.get((p.pk, ind.pk))
            cells.append(
                None
                if s is None
                else {
                    "value": charts.format_value(s.latest_value, ind.unit),
                    "variation": s.variation,
                    "variation_text": charts.VARIATION_TEXT.get(s.variation, ""),
                    "assurance": s.assurance,
                }
            )
        rows.append({"provider": p.name, "ods_code": p.ods_code, "cells": cells})

    window = agenda_signals.signal_window(meeting)
    signals = agenda_signals.signals_in(reader, meeting, window)
    grouped: dict[tuple[int, str], list] = {}
    for s in signals:
        grouped.setdefault((s.provider_id, s.indicator_code), []).append(s)
    chart_series = {
        (s.provider_id, s.indicator.code): s
        for s in SpcSeries.objects.filter(
            provider_id__in={k[0] for k in grouped},
            indicator__code__in={k[1] for k in grouped},
        ).select_related("indicator", "provider")
    }
    charts_out = []
    for key, found in grouped.items():
        s = chart_series.get(key)
        if s is None:
            continue
        points, svg = dashboard_selectors.chart_for(
            s, s.indicator, width=720, height=300, chart_id=f"pack-spc-{s.pk}"
        )
        charts_out.append(
            {
                "provider": s.provider.name,
                "indicator": s.indicator.name,
                "signals": [f"{g.kind_label}, {g.period_label}: {g.detail}" for g in found],
                "svg": svg,
                "description": dashboard_selectors.describe(s, s.indicator, points),
            }
        )
    return {
        "since": window.since,
        "until": window.until,
        "window": window.sentence(),
        "indicators": [{"code": i.code, "name": i.name} for i in indicators],
        "rows": rows,
        "charts": charts_out,
        "signal_count": len(signals),
    }


def footprint_providers(meeting: Meeting):
    from qsg.access import footprint

    return footprint(meeting.qsg)


def footprint_provider_ids(meeting: Meeting) -> set[int]:
    return set(footprint_providers(meeting).values_list("pk", flat=True))
