"""The dashboard's home-page panels and its section on a provider's page."""

from __future__ import annotations

from qsg import access as qsg_access
from qsg.models import Job
from qsg.navigation import DetailSection, HomePanel, register_detail_section, register_home_panel

from . import access, selectors, services, ui


def analyst_jobs(request) -> dict | None:
    """Analysts: their latest imports and the latest recomputes."""
    if not access.is_analyst(request.user):
        return None
    imports = list(access.batches_for(request.user).select_related("job")[:3])
    recomputes = list(Job.objects.filter(kind=services.RECOMPUTE_KIND).order_by("-created_at")[:3])
    return {"imports": imports, "recomputes": recomputes}


def qsg_signals(request) -> dict | None:
    """Members: signals in their QSGs since the month before the latest data."""
    p = qsg_access.principal(request.user)
    if p.is_anonymous or not p.roles:
        return None
    qsgs = sorted(
        (q for q in qsg_access.visible_qsgs(request.user) if q.pk in p.roles),
        key=lambda q: (q.name, q.pk),
    )
    latest = selectors.latest_data_month(request.user) if qsgs else None
    if latest is None:
        return None
    since = selectors.month_before(latest)
    by_qsg = selectors.signal_counts_by_qsg(request.user, qsgs, since)
    rows = []
    for qsg in qsgs:
        counts = by_qsg[qsg.pk]
        rows.append({"qsg": qsg, "since": since, "counts": counts, "total": sum(counts.values())})
    return {"rows": rows, "kinds": selectors.SIGNAL_KINDS}


def provider_section(request, provider) -> dict | None:
    series = list(
        selectors.summaries()
        .filter(provider=provider, n_points__gt=0)
        .select_related("indicator")
        .order_by("indicator__domain", "indicator__code")
    )
    if not series:
        return None
    return {"provider": provider, "series": series, "ui": ui}


def register() -> None:
    register_home_panel(
        HomePanel("dashboard-signals", "dashboard/panels/signals.jinja", qsg_signals, order=20)
    )
    register_home_panel(
        HomePanel("dashboard-jobs", "dashboard/panels/jobs.jinja", analyst_jobs, order=25)
    )
    register_detail_section(
        "provider",
        DetailSection("dashboard", "dashboard/sections/provider.jinja", provider_section, order=20),
    )
