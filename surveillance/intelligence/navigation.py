"""What intelligence adds to the network's pages: navigation, a home panel, a provider section."""

from __future__ import annotations

from qsg.navigation import (
    DetailSection,
    HomePanel,
    NavItem,
    register_detail_section,
    register_home_panel,
    register_nav,
)
from surveillance.intelligence import access
from surveillance.intelligence import selectors as sel


def _takes_part(request) -> bool:
    return access.takes_part(request.user)


def home_panel(request) -> dict | None:
    if not _takes_part(request):
        return None
    return {
        "queue": access.triage_queue_for(request.user).count(),
        "drafts": access.drafts_for(request.user).count(),
        "recent": list(sel.visible_items(request.user).order_by(*sel.NEWEST_FIRST)[:5]),
        "can_submit": access.can_submit_somewhere(request.user),
    }


def provider_section(request, provider) -> dict:
    return {"provider": provider, "entries": sel.provider_timeline(request.user, provider)}


def register() -> None:
    register_nav(
        NavItem("Intelligence", "surveillance:intelligence-list", order=35, visible=_takes_part)
    )
    register_home_panel(
        HomePanel(
            "intelligence", "surveillance/intelligence/panels/home.jinja", home_panel, order=25
        )
    )
    register_detail_section(
        "provider",
        DetailSection(
            "intelligence",
            "surveillance/intelligence/sections/provider.jinja",
            provider_section,
            order=20,
        ),
    )
