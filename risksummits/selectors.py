"""Reads that are more than a filter: the summit page's pieces, the clock, home-page alerts, and
the plain documents that PDFs are printed from."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from qsg.jinja2 import uk_date, uk_datetime

from . import access, clock, rules
from .access import SummitAccess
from .models import (
    Attendance,
    CQCJudgement,
    ImpactAssessmentRequest,
    ImpactAssessmentResponse,
    Participant,
    Representative,
    RiskSummit,
    SummitAction,
    SummitMeeting,
)

Objective = SummitAction.Objective


def clock_for(
    summit: RiskSummit, meetings=None, *, now: dt.datetime | None = None
) -> clock.ClockState:
    return rules.clock_for(summit, meetings, now=now)


def participants_with_people(standing: SummitAccess) -> list[Participant]:
    return list(
        access.participants_for(standing)
        .select_related("organisation__type")
        .prefetch_related(
            Prefetch(
                "representatives",
                queryset=Representative.objects.select_related("user").order_by(
                    "user__last_name", "user__first_name"
                ),
            )
        )
        .order_by("is_guest", "organisation__name")
    )


def actions_by_objective(actions) -> OrderedDict[str, dict]:
    """The three objectives of the NQB report, each with its actions (possibly none)."""
    groups: OrderedDict[str, dict] = OrderedDict(
        (value, {"label": label, "actions": []}) for value, label in Objective.choices
    )
    for action in actions:
        groups[action.objective]["actions"].append(action)
    return groups


def impact_requests(standing: SummitAccess) -> list[ImpactAssessmentRequest]:
    if standing.shared_only:
        return []
    return list(
        ImpactAssessmentRequest.objects.filter(summit=standing.summit)
        .select_related("requested_by", "organisation")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=ImpactAssessmentResponse.objects.select_related(
                    "organisation", "responded_by"
                ),
            )
        )
    )


def summit_list(user, *, status: str = ""):
    qs = (
        access.summits_for(user)
        .select_related("qsg", "ring_holder")
        .prefetch_related("providers", "meetings")
        .annotate(
            open_actions=Count(
                "actions", filter=Q(actions__status__in=SummitAction.OPEN_STATUSES), distinct=True
            )
        )
        .order_by("status", "-triggered_at")
    )
    if status in {RiskSummit.Status.OPEN, RiskSummit.Status.CLOSED}:
        qs = qs.filter(status=status)
    return qs


# Home page -----------------------------------------------------------------------------------------


def home_alerts(user, *, now: dt.datetime | None = None, links=None) -> dict | None:
    """Open summits the user leads, holds the ring for or takes part in whose first meeting is
    not booked or held in time, and their overdue actions. `links`: the user's
    `access.summit_links_for`, if already read."""
    now = now or timezone.now()
    links = access.summit_links_for(user) if links is None else links
    mine = access.summits_in_hand_for(user, links).filter(status=RiskSummit.Status.OPEN)
    summits = list(mine.select_related("qsg").prefetch_related("meetings", "providers")[:50])
    if not summits:
        return None
    clock_alerts = []
    for summit in summits:
        state = clock_for(summit, summit.meetings.all(), now=now)
        if state.is_alarm and not state.is_met:
            clock_alerts.append({"summit": summit, "clock": state})
    overdue = list(
        SummitAction.objects.filter(
            summit__in=[s.pk for s in summits],
            status__in=SummitAction.OPEN_STATUSES,
            due_on__lt=timezone.localtime(now).date(),
        )
        .select_related("summit", "owner_organisation")
        .order_by("due_on")[:20]
    )
    if not clock_alerts and not overdue:
        return None
    return {"clock_alerts": clock_alerts, "overdue": overdue, "now": now}


def my_summits(user, *, links=None) -> dict | None:
    """`links`: the user's `access.summit_links_for`, if already read."""
    links = access.summit_links_for(user) if links is None else links
    if not links.active:
        return None
    summits = list(
        access.participating_summits_for(user, links)
        .select_related("qsg", "ring_holder")
        .prefetch_related("providers", "meetings")
        .order_by("status", "-triggered_at")[:20]
    )
    if not summits:
        return None
    return {"rows": [{"summit": s, "clock": clock_for(s, s.meetings.all())} for s in summits]}


# Documents for PDFs: plain values, frozen into the document row when asked for ------------------


def _dt(value) -> str:
    return uk_datetime(value) if value else ""


def _d(value) -> str:
    return uk_date(value) if value else ""


def _head(summit: RiskSummit) -> dict:
    return {
        "reference": summit.reference,
        "qsg": summit.qsg.name,
        "providers": [f"{p.name} ({p.ods_code})" for p in summit.providers.order_by("name")],
        "status": rules.STAGE_LABELS[rules.stage_name(summit, summit.meetings.all())],
        "ring_holder": summit.ring_holder.name if summit.ring_holder else "Not yet agreed",
        "ring_holder_status": summit.get_ring_holder_status_display(),
        "ring_holder_basis": summit.ring_holder_basis,
        "judged_at": _dt(summit.judged_at),
        "clock_hours": summit.clock_hours,
        "deadline": _dt(summit.first_meeting_due),
        "triggered_at": _dt(summit.triggered_at),
        "triggered_by": summit.triggering_organisation.name,
        "origin": summit.origin_label or summit.get_origin_display(),
    }


def _action_rows(actions) -> list[dict]:
    return [
        {
            "number": a.number,
            "objective": a.get_objective_display(),
            "description": a.description,
            "owner": a.owner_organisation.name + (f" ({a.owner.display_name})" if a.owner else ""),
            "due": _d(a.due_on),
            "status": a.get_status_display(),
            "transferred_to": a.transferred_to,
        }
        for a in actions
    ]


def _grouped(actions) -> list[dict]:
    rows = _action_rows(actions)
    return [
        {"label": label, "actions": [r for r in rows if r["objective"] == label]}
        for _, label in Objective.choices
    ]


def meeting_document(meeting: SummitMeeting) -> dict:
    summit = meeting.summit
    attendance = (
        Attendance.objects.filter(meeting=meeting, present=True)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name")
    )
    actions = (
        SummitAction.objects.filter(meeting=meeting)
        .select_related("owner_organisation", "owner")
        .order_by("objective", "number")
    )
    state = clock_for(summit)
    return {
        "kind": "meeting",
        "summit": _head(summit),
        "meeting": {
            "title": meeting.title,
            "number": meeting.number,
            "starts_at": _dt(meeting.starts_at),
            "ends_at": _dt(meeting.ends_at),
            "format": meeting.get_format_display(),
            "venue": meeting.venue,
            "chaired_by": meeting.chaired_by,
            "discussion": meeting.discussion,
            "judgements": meeting.judgements,
            "shared_with_provider": meeting.shared_with_provider,
            "within_clock": meeting.number == 1 and meeting.starts_at <= summit.first_meeting_due,
            "late_reason": meeting.late_reason,
        },
        "clock": state.label,
        "attendance": [
            {"name": a.user.display_name, "organisation": a.organisation.name} for a in attendance
        ],
        "objectives": _grouped(actions),
    }


def closure_document(summit: RiskSummit) -> dict:
    meetings = rules.meeting_order(summit.meetings.all())
    judgements = CQCJudgement.objects.filter(summit=summit).select_related("organisation")
    requests = (
        ImpactAssessmentRequest.objects.filter(summit=summit)
        .prefetch_related("responses__organisation")
        .order_by("created_at")
    )
    participants = (
        Participant.objects.filter(summit=summit, is_active=True)
        .select_related("organisation")
        .order_by("is_guest", "organisation__name")
    )
    actions = (
        SummitAction.objects.filter(summit=summit)
        .select_related("owner_organisation", "owner")
        .order_by("objective", "number")
    )
    state = clock_for(summit, meetings)
    A = RiskSummit.Answer
    printed = access.summit_for_document(summit)  # one file for everyone on the summit
    return {
        "kind": "closure",
        "summit": _head(summit),
        "concern": printed.concern,
        # The intelligence items whose words the file carries, for the access log of each
        # download (`services.access_log.document_download_record`).
        "intelligence_item_ids": [] if printed.withheld else sorted(summit.intelligence_item_ids),
        "source": summit.get_source_display()
        + (f": {printed.source_detail}" if printed.source_detail else ""),
        "urgency": summit.clock_label,
        "clock": state.label,
        "first_held": _dt(state.first_held_at),
        "participants": [
            {
                "organisation": p.organisation.name,
                "basis": rules.participant_role(summit, p),
                "guest": p.is_guest,
                "shared_only": p.shared_items_only,
            }
            for p in participants
        ],
        "judgements": [
            {
                "finding": j.get_finding_display(),
                "date": _d(j.judged_on),
                "rationale": j.rationale,
                "organisation": j.organisation.name,
            }
            for j in judgements
        ],
        "checks": {
            "professional": (
                f"Referral made to {summit.professional_regulator} on {_d(summit.professional_referral_on)}"
                if summit.professional_referral == RiskSummit.ProfessionalReferral.MADE
                else (summit.get_professional_referral_display() or "Not recorded")
            ),
            "adult": (summit.get_adult_safeguarding_followed_display() or "Not recorded")
            + (f": {summit.adult_safeguarding_reason}" if summit.adult_safeguarding_reason else ""),
            "adult_involved": summit.involves_adult_safeguarding,
            "lscb": (
                f"Yes, on {_d(summit.lscb_notified_on)}"
                if summit.lscb_notified == A.YES
                else (summit.get_lscb_notified_display() or "Not recorded")
                + (f": {summit.lscb_reason}" if summit.lscb_reason else "")
            ),
            "child_involved": summit.involves_child_safeguarding,
        },
        "impact": [
            {
                "action_considered": r.action_considered,
                "respond_by": _dt(r.respond_by),
                "responses": [
                    {
                        "organisation": x.organisation.name,
                        "impact": x.get_impact_display(),
                        "assessment": x.assessment,
                    }
                    for x in r.responses.all()
                ],
            }
            for r in requests
        ],
        "meetings": [
            {
                "title": m.title,
                "when": _dt(m.starts_at),
                "late_reason": m.late_reason,
                "status": m.get_status_display(),
                "judgements": m.judgements,
            }
            for m in meetings
        ],
        "objectives": _grouped(actions),
        "outcome": summit.get_outcome_display(),
        "outcome_summary": summit.outcome_summary,
        "level_after": summit.get_level_after_display(),
        "closed_at": _dt(summit.closed_at),
        "closed_by": summit.closed_by.display_name if summit.closed_by else "",
        "timeline": [{"at": _dt(e.at), "text": e.text} for e in summit.events.order_by("at", "pk")],
    }
