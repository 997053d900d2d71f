"""The summit's meetings: booked, recorded as held (who was there, the discussion, the
judgements) or cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qsg import once
from qsg.models import User
from qsg.vocabulary import say

from .. import rules
from ..models import Attendance, Representative, RiskSummit, SummitMeeting
from ._common import (
    ALREADY_SENT,
    CLOCK_SKEW,
    _actor,
    _bump,
    _event,
    _link,
    _lock,
    _notify_summit,
    _now,
    _require_open,
    _stamp,
    screen_pid,
)


def _check_meeting_start(
    summit: RiskSummit, starts_at: dt.datetime, field: str = "starts_at"
) -> None:
    if starts_at < summit.judged_at:
        when = timezone.localtime(summit.judged_at)
        raise ValidationError(
            {
                field: "The meeting cannot start before the judgement that started the clock "
                f"({when:%-d %B %Y at %H:%M})"
            }
        )


def _check_clock(
    summit: RiskSummit,
    starts_at: dt.datetime,
    late_reason: str,
    meeting: SummitMeeting | None = None,
) -> None:
    error = rules.late_first_meeting_error(
        summit, starts_at=starts_at, late_reason=late_reason, meeting=meeting
    )
    if error:
        raise ValidationError({"late_reason": error})


def _renumber(summit: RiskSummit, actor) -> None:
    """Number the summit's meetings by date (`rules.meeting_order`); say so if any changed."""
    meetings = list(SummitMeeting.objects.select_for_update().filter(summit=summit))
    ordered = rules.meeting_order(meetings)
    if [m.number for m in ordered] == list(range(1, len(ordered) + 1)):
        return
    before = {m.pk: m.title for m in meetings}
    SummitMeeting.objects.filter(summit=summit).update(number=F("number") + 10000)
    for number, m in enumerate(ordered, start=1):
        SummitMeeting.objects.filter(pk=m.pk).update(number=number)
        m.number = number
    moved = [
        f"{timezone.localtime(m.starts_at):%-d %B %Y} is now the {m.title.lower()}"
        for m in ordered
        if m.status != SummitMeeting.Status.CANCELLED and before[m.pk] != m.title
    ]
    if moved:
        _event(
            summit, actor, "meetings_renumbered", "Meetings numbered by date: " + "; ".join(moved)
        )


@transaction.atomic
def meeting_book(
    *,
    actor,
    summit: RiskSummit,
    starts_at: dt.datetime,
    format: str,
    venue: str = "",
    shared_with_provider: bool = False,
    late_reason: str = "",
    form_token: str = "",
) -> SummitMeeting:
    screen_pid(
        {"venue": ("The venue", venue), "late_reason": ("The reason", late_reason)},
        allow={"venue": ("postcode", "phone_number")},
    )
    claim = once.claim(user=actor, scope=f"risk_summit_meeting:{summit.pk}", token=form_token)
    if not claim.first:
        return claim.repeat(SummitMeeting, ALREADY_SENT)
    summit = _lock(summit)
    _require_open(summit)
    _check_meeting_start(summit, starts_at)
    if starts_at > _now() + dt.timedelta(days=365):
        raise ValidationError({"starts_at": "The meeting must be within the next year"})
    _check_clock(summit, starts_at, late_reason)
    screen_pid({"late_reason": ("The reason", late_reason)})
    late_first = rules.late_first_meeting_error(summit, starts_at=starts_at, late_reason="")
    meeting = SummitMeeting(
        summit=summit,
        number=SummitMeeting.objects.filter(summit=summit).count() + 1,
        starts_at=starts_at,
        format=format,
        venue=venue.strip(),
        shared_with_provider=shared_with_provider,
        late_reason=late_reason.strip()[:500] if late_first else "",
        created_by=_actor(actor),
    )
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save()
    _renumber(summit, actor)
    meeting.refresh_from_db(fields=["number"])
    claim.remember(meeting)
    when = timezone.localtime(starts_at)
    late = f" (after the clock's deadline: {meeting.late_reason})" if late_first else ""
    _event(
        summit,
        actor,
        "meeting_booked",
        f"{meeting.title} booked for {when:%-d %B %Y at %H:%M}{late}",
        shared=shared_with_provider,
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"{say('Risk summit')} {summit.reference}: {meeting.title.lower()} on {when:%-d %B %Y at %H:%M}",
        f"{say('A risk summit meeting has been booked.')}\n{_link('risksummits:meeting', summit.pk, meeting.pk)}",
        exclude=actor,
    )
    return meeting


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: SummitMeeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    chaired_by: str,
    discussion: str,
    judgements: str,
    present: Iterable[User],
    shared_with_provider: bool,
    late_reason: str = "",
) -> SummitMeeting:
    """Record a meeting as held: when, who was there, the discussion and the judgements."""
    summit = _lock(meeting.summit)
    _require_open(summit)
    meeting = SummitMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == SummitMeeting.Status.CANCELLED:
        raise ValidationError("This meeting was cancelled")
    _check_meeting_start(summit, starts_at)
    if starts_at > _now() + CLOCK_SKEW:
        raise ValidationError({"starts_at": "A meeting is recorded as held once it has started"})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The meeting must end after it starts"})
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise ValidationError({"ends_at": "A meeting lasts at most 12 hours"})
    late_reason = late_reason.strip() or meeting.late_reason
    _check_clock(summit, starts_at, late_reason, meeting)
    present = list(present)
    if not present:
        raise ValidationError({"present": "Choose who attended"})
    screen_pid(
        {
            "discussion": ("The discussion", discussion),
            "judgements": ("The judgements", judgements),
            "chaired_by": ("The chair", chaired_by),
            "late_reason": ("The reason", late_reason),
        },
        allow={"chaired_by": ("personal_name",)},  # the chair's own name
    )
    linked = dict(
        Representative.objects.filter(summit=summit, participant__is_active=True).values_list(
            "user_id", "participant__organisation_id"
        )
    )
    for person in present:
        if person.pk not in linked:
            raise ValidationError({"present": f"{person.display_name} does not take part"})
    was_held = meeting.status == SummitMeeting.Status.HELD
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.chaired_by = chaired_by.strip()
    meeting.discussion = discussion.strip()
    meeting.judgements = judgements.strip()
    meeting.shared_with_provider = shared_with_provider
    late_first = rules.late_first_meeting_error(
        summit, starts_at=starts_at, late_reason="", meeting=meeting
    )
    meeting.late_reason = late_reason[:500] if late_first else ""
    meeting.status = SummitMeeting.Status.HELD
    meeting.held_recorded_at = meeting.held_recorded_at or _now()
    meeting.revision = meeting.revision + (1 if was_held else 0)
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save()
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user=person, organisation_id=linked[person.pk], present=True)
        for person in present
    )
    _renumber(summit, actor)
    meeting.refresh_from_db(fields=["number"])
    when = timezone.localtime(starts_at)
    verb = "record updated" if was_held else "held"
    _event(
        summit,
        actor,
        "meeting_held",
        f"{meeting.title} {verb} ({when:%-d %B %Y at %H:%M}, {len(present)} present)",
        shared=shared_with_provider,
    )
    _bump(summit)
    return meeting


@transaction.atomic
def meeting_move(
    *, actor, meeting: SummitMeeting, starts_at: dt.datetime, late_reason: str = ""
) -> SummitMeeting:
    """Move a booked meeting to another time. The meetings are numbered by date again, and a
    move that makes a late first meeting needs the reason, as booking one does."""
    summit = _lock(meeting.summit)
    _require_open(summit)
    meeting = SummitMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != SummitMeeting.Status.BOOKED:
        raise ValidationError(
            "Only a booked meeting can be moved. Change a held meeting's record instead"
        )
    _check_meeting_start(summit, starts_at)
    if starts_at > _now() + dt.timedelta(days=365):
        raise ValidationError({"starts_at": "The meeting must be within the next year"})
    late_reason = late_reason.strip() or meeting.late_reason
    _check_clock(summit, starts_at, late_reason, meeting)
    screen_pid({"late_reason": ("The reason", late_reason)})
    if starts_at == meeting.starts_at and late_reason == meeting.late_reason:
        return meeting
    before, title = timezone.localtime(meeting.starts_at), meeting.title
    meeting.starts_at = starts_at
    late_first = rules.late_first_meeting_error(
        summit, starts_at=starts_at, late_reason="", meeting=meeting
    )
    meeting.late_reason = late_reason[:500] if late_first else ""
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save(update_fields=["starts_at", "late_reason"])
    when = timezone.localtime(starts_at)
    late = f" (after the clock's deadline: {meeting.late_reason})" if late_first else ""
    _event(
        summit,
        actor,
        "meeting_moved",
        f"{title} moved from {before:%-d %B %Y at %H:%M} to {when:%-d %B %Y at %H:%M}{late}",
        shared=meeting.shared_with_provider,
    )
    _renumber(summit, actor)
    meeting.refresh_from_db(fields=["number"])
    _bump(summit)
    _notify_summit(
        summit,
        f"{say('Risk summit')} {summit.reference}: {meeting.title.lower()} moved to "
        f"{when:%-d %B %Y at %H:%M}",
        f"{say('A risk summit meeting has moved.')}\n{_link('risksummits:meeting', summit.pk, meeting.pk)}",
        exclude=actor,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: SummitMeeting, reason: str) -> SummitMeeting:
    summit = _lock(meeting.summit)
    _require_open(summit)
    meeting = SummitMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != SummitMeeting.Status.BOOKED:
        raise ValidationError("Only a booked meeting can be cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the meeting is cancelled"})
    screen_pid({"reason": ("The reason", reason)})
    title = meeting.title
    meeting.status = SummitMeeting.Status.CANCELLED
    _stamp(meeting, actor)
    meeting.save(update_fields=["status"])
    _event(summit, actor, "meeting_cancelled", f"{title} cancelled: {reason.strip()}"[:500])
    _renumber(summit, actor)
    meeting.refresh_from_db(fields=["number"])
    _bump(summit)
    return meeting
