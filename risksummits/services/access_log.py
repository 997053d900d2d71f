"""The summit's access log: every page, API read and PDF download of a summit."""

from __future__ import annotations

from ..models import AccessLogEntry, RiskSummit


def access_log_record(*, user, summit: RiskSummit, what: str, channel: str = "page") -> None:
    AccessLogEntry.objects.create(summit=summit, user=user, what=what[:120], channel=channel[:10])
