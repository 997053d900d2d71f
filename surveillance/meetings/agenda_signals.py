"""Dashboard signals for a meeting: one window per meeting, read by the agenda and the pack.

A meeting's window is the indicator data that is new to the group: the periods loaded since the
previous meeting was held (indicator data arrives months late, so the window follows what was
loaded, not the calendar). It ends with the latest period loaded by the time the meeting is held
(or now, for a meeting to come). If the previous meeting saw no data, or there is none, the
window is the two newest months. A window with nothing new says so: the agenda proposes no
signals and the pack prints "No new dashboard data since the meeting of ...". Signals are read
through the dashboard's own selectors, so a viewer sees only what the dashboard would show them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from dashboard import selectors as dashboard
from qsg import access as qsg_access
from qsg.models import Provider
from qsg.vocabulary import say


@dataclass(frozen=True)
class SignalWindow:
    since: dt.date | None  # the first period in the window
    until: dt.date | None  # the last period in the window
    previous: Any = None  # the previous meeting, if any

    @property
    def has_data(self) -> bool:
        return self.since is not None and self.until is not None and self.since <= self.until

    def sentence(self) -> str:
        if self.until is None:
            return say("There is no dashboard data for this QSG's providers yet.")
        if not self.has_data:
            held = timezone.localtime(self.previous.starts_at)
            return (
                f"No new dashboard data since the meeting of {held:%-d %B %Y}: the latest, "
                f"to {self.until:%B %Y}, was there."
            )
        return f"Dashboard data from {self.since:%B %Y} to {self.until:%B %Y}."


def _footprint_ids(qsg) -> list[int]:
    return list(Provider.objects.filter(qsg_access.in_footprint(qsg)).values_list("pk", flat=True))


def signal_window(meeting) -> SignalWindow:
    """The one window of a meeting (see the module's docstring)."""
    from surveillance.meetings.selectors import previous_meeting

    previous = previous_meeting(meeting)
    ids = _footprint_ids(meeting.qsg)
    until = dashboard.data_period_loaded_by(ids, min(meeting.starts_at, timezone.now()))
    if until is None:
        return SignalWindow(since=None, until=None, previous=previous)
    seen = dashboard.data_period_loaded_by(ids, previous.starts_at) if previous else None
    if seen is None:
        return SignalWindow(since=dashboard.month_before(until), until=until, previous=previous)
    return SignalWindow(since=_month_after(seen), until=until, previous=previous)


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def signals_in(user, meeting, window: SignalWindow) -> list:
    """The dashboard's signals for the meeting's QSG inside the window, as `user` may see them."""
    if not window.has_data:
        return []
    try:
        found = dashboard.signals_since(user, meeting.qsg, window.since)
    except Http404:
        return []
    return [s for s in found if s.period <= window.until]


def signals_for_meeting(user, meeting) -> list:
    from surveillance.meetings.selectors import Suggestion

    window = signal_window(meeting)
    by_provider: dict[int, list] = defaultdict(list)
    for s in signals_in(user, meeting, window):
        by_provider[s.provider_id].append(s)
    out = []
    for provider_id, found in by_provider.items():
        first = found[0]
        kinds = defaultdict(list)
        for s in found:
            kinds[s.kind_label].append(s.indicator_name)
        reason = "; ".join(
            f"{label}: {', '.join(sorted(set(names)))}" for label, names in kinds.items()
        )
        out.append(
            Suggestion(
                source="signals",
                key=f"provider-{provider_id}",
                title=f"{first.provider_name}: dashboard signals",
                kind="signals",
                reason=f"Since {window.since:%B %Y}. {reason}",
                provider_ids=[provider_id],
                presenter="NHS England (dashboard)",
                duration=10,
            )
        )
    return sorted(out, key=lambda s: s.title)


def next_meeting_window(user, qsg) -> dict | None:
    """The window of the QSG's next meeting, for the dashboard's signals page (registered in
    dashboard.selectors.register_meeting_window); None if none is scheduled."""
    from surveillance.meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(
            qsg=qsg, starts_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED
        )
        .select_related("qsg")
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    window = signal_window(meeting)
    return {
        "since": window.since,
        "until": window.until,
        "has_data": window.has_data,
        "meeting": f"the meeting of {timezone.localtime(meeting.starts_at):%-d %B %Y}",
        "sentence": window.sentence(),
    }
