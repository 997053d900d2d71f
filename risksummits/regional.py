"""What risk summits tell the regional work in surveillance (which cannot import this app)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from . import access
from .models import RiskSummit


def summits_for_region(user, *, qsg_ids, start: dt.date, end: dt.date) -> list[dict]:
    """Summits `user` may see about providers of these QSGs, open at some time in the period."""
    summits = (
        access.summits_for(user)
        .filter(qsg_id__in=list(qsg_ids), triggered_at__date__lte=end)
        .filter(Q(status=RiskSummit.Status.OPEN) | Q(closed_at__date__gte=start))
        .prefetch_related("providers")
        .order_by("triggered_at", "pk")
    )
    rows = []
    for s in summits:
        for provider in s.providers.all():
            rows.append(
                {
                    "provider_id": provider.pk,
                    "provider": provider.name,
                    "qsg_id": s.qsg_id,
                    "reference": s.reference,
                    "status": s.get_status_display(),
                    "opened_on": timezone.localtime(s.triggered_at).date().isoformat(),
                    "url": s.get_absolute_url(),
                }
            )
    return rows
