"""Dashboard signals as an agenda source: what the data says since the last meeting.

One proposal per provider with signals (special cause concern, target missed, outlier against
peers) in the months since the QSG last met, read through the dashboard's own selectors so the
viewer sees only what the dashboard would show them. The window starts the month before the
previous meeting; where the data is older than that meeting (indicator data arrives months
late), it starts the month before the latest data, so a meeting always sees the newest signals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.http import Http404
from django.utils import timezone

from dashboard import selectors as dashboard


def signals_window_start(meeting, previous) -> dt.date | None:
    latest = dashboard.latest_data_month()
    if latest is None:
        return None
    if previous is None:
        return dashboard.month_before(latest)
    last_met = timezone.localtime(previous.starts_at).date().replace(day=1)
    return dashboard.month_before(min(last_met, latest))


def signals_for_meeting(user, meeting) -> list:
    from surveillance.meetings.selectors import Suggestion, previous_meeting

    since = signals_window_start(meeting, previous_meeting(meeting))
    if since is None:
        return []
    try:
        signals = dashboard.signals_since(user, meeting.qsg, since)
    except Http404:
        return []
    by_provider: dict[int, list] = defaultdict(list)
    for s in signals:
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
                reason=f"Since {since:%B %Y}. {reason}",
                provider_ids=[provider_id],
                presenter="NHS England (dashboard)",
                duration=10,
            )
        )
    return sorted(out, key=lambda s: s.title)
