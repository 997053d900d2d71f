"""What meetings add to the network's pages: navigation, home panels, QSG and provider sections."""

from __future__ import annotations

from django.utils import timezone

from qsg import access as qsg_access
from qsg.navigation import (
    DetailSection,
    HomePanel,
    NavItem,
    register_detail_section,
    register_home_panel,
    register_nav,
)
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Meeting


def _has_any_qsg(request) -> bool:
    return bool(qsg_access.principal(request.user).qsg_ids)


def next_meetings_panel(request) -> dict | None:
    if not _has_any_qsg(request):
        return None
    return {"meetings": selectors_meetings.next_meetings(request.user)}


def my_actions_panel(request) -> dict | None:
    if not _has_any_qsg(request):
        return None
    return {"actions": selectors_meetings.my_actions(request.user), "today": timezone.localdate()}


def qsg_section(request, qsg) -> dict:
    upcoming = (
        Meeting.objects.filter(
            qsg=qsg, ends_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED
        )
        .order_by("starts_at")
        .first()
    )
    return {"qsg": qsg, "next": upcoming, "can_manage": am.manages(request.user, qsg.pk)}


def provider_section(request, provider) -> dict:
    entries = am.surveillance_log_rows(request.user, provider)
    return {"provider": provider, "entries": entries, "current": entries[0] if entries else None}


def register() -> None:
    register_nav(
        NavItem(
            "Meetings",
            "surveillance:meeting-index",
            order=30,
            visible=_has_any_qsg,
            # A group's meetings, business plans and coverage live under /qsgs/<id>/.
            pages=("surveillance:meeting-list", "surveillance:plan-list", "surveillance:coverage"),
        )
    )
    register_nav(NavItem("Actions", "surveillance:action-list", order=40, visible=_has_any_qsg))
    register_home_panel(
        HomePanel(
            "next-meetings",
            "surveillance/meetings/panels/next_meetings.jinja",
            next_meetings_panel,
            order=20,
        )
    )
    register_home_panel(
        HomePanel(
            "my-actions",
            "surveillance/meetings/panels/my_actions.jinja",
            my_actions_panel,
            order=30,
        )
    )
    register_detail_section(
        "qsg",
        DetailSection(
            "meetings", "surveillance/meetings/sections/qsg.jinja", qsg_section, order=10
        ),
    )
    register_detail_section(
        "provider",
        DetailSection(
            "surveillance-log",
            "surveillance/meetings/sections/provider.jinja",
            provider_section,
            order=10,
        ),
    )
