"""The clock's alerts (beat): the first meeting not booked or held in time, actions past their
due dates. Each alert is e-mailed once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qsg import notifications
from qsg.vocabulary import say

from .. import clock
from ..models import RiskSummit, SentAlert, SummitAction, SummitMeeting
from ._common import _event, _link, _notify, _now, lead_user_ids, participant_user_ids


def _alert_once(summit: RiskSummit, kind: str, key: str, *, action=None) -> SentAlert | None:
    return notifications.first_time(SentAlert, summit=summit, kind=kind, key=key, action=action)


def _ring_holder_user_ids(summit: RiskSummit) -> list[int]:
    if not summit.ring_holder_id:
        return []
    return participant_user_ids(summit, organisation_id=summit.ring_holder_id)


def alerts_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each due alert once: the first meeting not booked by half the clock, not held by
    the deadline, and actions past their due dates. A sent-alert row is claimed before the e-mail
    is queued, so running twice (or on two workers) sends nothing more."""
    now = now or _now()
    today = timezone.localtime(now).date()
    sent = 0
    open_summits = RiskSummit.objects.filter(status=RiskSummit.Status.OPEN).exclude(
        meetings__status=SummitMeeting.Status.HELD
    )
    for summit in open_summits.distinct():
        if summit.alerts.filter(kind=SentAlert.Kind.MEETING_OVERDUE).exists():
            continue
        meetings = [
            clock.MeetingTime(m.starts_at, m.status)
            for m in summit.meetings.exclude(status=SummitMeeting.Status.CANCELLED)
        ]
        state = clock.state(
            judged_at=summit.judged_at, clock_hours=summit.clock_hours, meetings=meetings, now=now
        )
        kind = None
        if state.state == clock.OVERDUE:
            kind = SentAlert.Kind.MEETING_OVERDUE
            subject = f"{say('Risk summit')} {summit.reference}: first meeting not held within {summit.clock_hours} hours"
        elif state.state in (clock.NOT_BOOKED, clock.BOOKED_LATE) and clock.not_booked_alert_due(
            judged_at=summit.judged_at, clock_hours=summit.clock_hours, now=now
        ):
            kind = SentAlert.Kind.MEETING_NOT_BOOKED
            subject = f"{say('Risk summit')} {summit.reference}: first meeting not booked in time"
        if kind is None:
            continue
        with transaction.atomic():
            alert = _alert_once(summit, kind, f"{kind}:{summit.pk}")
            if alert is None:
                continue
            recipients = lead_user_ids(summit) + _ring_holder_user_ids(summit)
            alert.recipients = _notify(
                recipients,
                subject,
                f"The first meeting must be held by {timezone.localtime(state.deadline):%-d %B %Y at %H:%M}.\n"
                f"{_link('risksummits:detail', summit.pk)}",
            )
            alert.save(update_fields=["recipients"])
            _event(summit, None, "alert", f"Alert sent: {alert.get_kind_display().lower()}")
        sent += 1
    overdue = (
        SummitAction.objects.filter(
            summit__status=RiskSummit.Status.OPEN,
            status__in=SummitAction.OPEN_STATUSES,
            due_on__lt=today,
        )
        .exclude(alerts__kind=SentAlert.Kind.ACTION_OVERDUE)
        .select_related("summit")
    )
    for action in overdue:
        summit = action.summit
        with transaction.atomic():
            alert = _alert_once(
                summit,
                SentAlert.Kind.ACTION_OVERDUE,
                f"action_overdue:{action.pk}:{action.due_on.isoformat()}",
                action=action,
            )
            if alert is None:
                continue
            owners = (
                [action.owner_id]
                if action.owner_id
                else participant_user_ids(summit, organisation_id=action.owner_organisation_id)
            )
            alert.recipients = _notify(
                owners + _ring_holder_user_ids(summit) + lead_user_ids(summit),
                f"{say('Risk summit')} {summit.reference}: action {action.number} was due on {action.due_on:%-d %B %Y}",
                say("An action from a risk summit is past its due date.") + "\n"
                f"{_link('risksummits:action', summit.pk, action.pk)}",
            )
            alert.save(update_fields=["recipients"])
            _event(summit, None, "alert", f"Alert sent: action {action.number} is overdue")
        sent += 1
    return sent
