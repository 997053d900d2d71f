"""The risk summit's state machine, in one place with its clock.

Stages (`stage`):

* **first meeting due**: open, no meeting held yet. The clock runs: the relevant members first
  meet within `clock_hours` (24 or 48) of the judgement (`clock.state`).
* **meeting until action is taken**: open, the first meeting held; follow-ups at intervals.
* **closed**: nothing changes any more.

Transitions, each one service, each guarded here:

* trigger -> first meeting due. One open summit per provider (`open_summit_for`; the database
  keeps it too, `SummitProvider.one_open_summit_per_provider`).
* book / record / cancel a meeting (open only). A meeting that would be the first and starts
  after the clock's deadline needs a recorded reason (`late_first_meeting_error`): a careful
  team cannot always meet in time, but the record says why.
* close (open -> closed) when `closure_problems` is empty: no meeting still booked, every
  action closed or transferred, the CQC's judgement, the checks, a held meeting, a settled
  ring-holder.

Order and labels every page, the API and the PDFs read from here: meetings are numbered by
date (`meeting_order`), and who holds the ring now is `RiskSummit.current_ring_holder_id`
(`participant_role`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from qsg.vocabulary import say

from . import clock
from .models import CQCJudgement, Participant, RiskSummit, SummitAction, SummitMeeting

FIRST_MEETING_DUE = "first_meeting_due"
MEETING = "meeting"
CLOSED = "closed"

STAGE_LABELS = {
    FIRST_MEETING_DUE: "Open: the first meeting is due",
    MEETING: "Open: meeting until action has been taken",
    CLOSED: "Closed",
}

# Transitions: which are allowed from which stage (the guards below decide the rest).
BOOK_MEETING = "book_meeting"
RECORD_MEETING = "record_meeting"
CANCEL_MEETING = "cancel_meeting"
ADD_ACTION = "add_action"
CLOSE = "close"
ALLOWED = {
    FIRST_MEETING_DUE: frozenset({BOOK_MEETING, RECORD_MEETING, CANCEL_MEETING, ADD_ACTION}),
    MEETING: frozenset({BOOK_MEETING, RECORD_MEETING, CANCEL_MEETING, ADD_ACTION, CLOSE}),
    CLOSED: frozenset(),
}

Status = SummitMeeting.Status


@dataclass(frozen=True)
class Stage:
    name: str
    clock: clock.ClockState
    problems: tuple[str, ...]  # what stops closure (empty when closed)

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.name]

    @property
    def allowed(self) -> frozenset[str]:
        allowed = ALLOWED[self.name]
        return allowed - {CLOSE} if self.problems else allowed

    @property
    def can_close(self) -> bool:
        return CLOSE in self.allowed


def clock_for(summit: RiskSummit, meetings=None, *, now: dt.datetime | None = None):
    if meetings is None:
        meetings = summit.meetings.all()
    return clock.state(
        judged_at=summit.judged_at,
        clock_hours=summit.clock_hours,
        meetings=[
            clock.MeetingTime(m.starts_at, m.status)
            for m in meetings
            if m.status != Status.CANCELLED
        ],
        now=now or timezone.now(),
    )


def stage_name(summit: RiskSummit, meetings: Iterable[SummitMeeting]) -> str:
    if summit.status == RiskSummit.Status.CLOSED:
        return CLOSED
    return MEETING if any(m.status == Status.HELD for m in meetings) else FIRST_MEETING_DUE


def stage(summit: RiskSummit, meetings=None, *, now: dt.datetime | None = None) -> Stage:
    meetings = list(summit.meetings.all() if meetings is None else meetings)
    name = stage_name(summit, meetings)
    problems = () if name == CLOSED else tuple(closure_problems(summit).get("__all__", []))
    return Stage(name, clock_for(summit, meetings, now=now), problems)


# Meetings: numbered by date -------------------------------------------------------------------


def meeting_order(meetings: Iterable[SummitMeeting]) -> list[SummitMeeting]:
    """Meetings in the order they are numbered: by date (then booking), the cancelled last."""
    rows = sorted(meetings, key=lambda m: (m.starts_at, m.pk or 0))
    return [m for m in rows if m.status != Status.CANCELLED] + [
        m for m in rows if m.status == Status.CANCELLED
    ]


def late_first_meeting_error(
    summit: RiskSummit,
    *,
    starts_at: dt.datetime,
    late_reason: str,
    meeting: SummitMeeting | None = None,
) -> str | None:
    """The error when a meeting at `starts_at` would be the summit's first and start after the
    clock's deadline with no reason given; None when the clock is kept or a reason is given."""
    deadline = summit.first_meeting_due
    if starts_at <= deadline or late_reason.strip():
        return None
    others = SummitMeeting.objects.filter(summit=summit).exclude(status=Status.CANCELLED)
    if meeting is not None and meeting.pk:
        others = others.exclude(pk=meeting.pk)
    if others.filter(starts_at__lte=starts_at).exists():
        return None  # an earlier meeting is the first
    when = timezone.localtime(deadline)
    return (
        f"The first meeting must be held by {when:%-d %B %Y at %H:%M}, "
        f"{summit.clock_hours} hours after the judgement. Choose an earlier time, or say why "
        "the members cannot meet in time"
    )


# Closure ----------------------------------------------------------------------------------------


def closure_problems(summit: RiskSummit) -> dict[str, list[str]]:
    """Everything that stops the summit closing, by form field ('__all__' for the rest)."""
    problems: dict[str, list[str]] = {}

    def add(key: str, text: str) -> None:
        problems.setdefault(key, []).append(text)

    booked = list(
        SummitMeeting.objects.filter(summit=summit, status=Status.BOOKED).order_by(
            "starts_at", "pk"
        )
    )
    if booked:
        which = "; ".join(
            f"{m.title.lower()}, {timezone.localtime(m.starts_at):%-d %B %Y at %H:%M}"
            for m in booked
        )
        add(
            "__all__",
            f"Record as held or cancel every booked meeting first (still booked: {which})",
        )
    open_actions = SummitAction.objects.filter(
        summit=summit, status__in=SummitAction.OPEN_STATUSES
    ).order_by("number")
    if open_actions:
        numbers = ", ".join(str(a.number) for a in open_actions)
        add("__all__", f"Close or transfer every action first (still open: {numbers})")
    if summit.involves_child_safeguarding and not summit.lscb_notified:
        add(
            "__all__",
            say(
                "The concern involves child safeguarding: record whether the Local Safeguarding "
                "Children Board was notified"
            ),
        )
    if summit.involves_adult_safeguarding and not summit.adult_safeguarding_followed:
        add(
            "__all__",
            "The concern involves adult safeguarding: record whether the adult safeguarding "
            "protocol was followed",
        )
    if not summit.professional_referral:
        add("__all__", "Record whether a referral to a professional regulator was considered")
    if not CQCJudgement.objects.filter(summit=summit).exists():
        add("__all__", "The CQC's regulatory judgement has not been recorded")
    if not SummitMeeting.objects.filter(summit=summit, status=Status.HELD).exists():
        add("__all__", say("No summit meeting has been recorded as held"))
    if summit.current_ring_holder_id is None:
        add("__all__", say("The ring-holder has not been agreed"))
    return problems


# One open summit per provider ----------------------------------------------------------------


def open_summit_for(provider_ids: Iterable[int]) -> RiskSummit | None:
    """The open summit already about one of these providers, if any."""
    return (
        RiskSummit.objects.filter(
            status=RiskSummit.Status.OPEN, providers__id__in=list(provider_ids)
        )
        .order_by("triggered_at", "pk")
        .first()
    )


# The ring-holder -------------------------------------------------------------------------------


def participant_role(summit: RiskSummit, participant: Participant) -> str:
    """Why an organisation takes part, as pages, the API and the PDFs say it: the ring-holder
    now (agreed or by default), the one proposed, or why it was added."""
    if participant.organisation_id == summit.ring_holder_id:
        if summit.current_ring_holder_id is not None:
            return say("Holds the ring")
        if summit.ring_holder_status == RiskSummit.RingHolderStatus.PROPOSED:
            return say("Proposed to hold the ring")
    if participant.basis == Participant.Basis.RING_HOLDER:
        return say("Was proposed to hold the ring")
    return say(participant.get_basis_display())
