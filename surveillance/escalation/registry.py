"""Escalation in the registries: navigation, home panel, provider section, API, demo, and the
agenda source that prompts a group when the dashboard shows measured exit criteria met."""

from __future__ import annotations


def register() -> None:
    from qsg import navigation
    from qsg.api.router import router
    from qsg.demo import register_seeder
    from surveillance.meetings.selectors import register_agenda_source
    from surveillance.meetings.services.note import register_on_agreed

    from . import api, demo, selectors, services, views

    navigation.register_nav(
        navigation.NavItem(
            "Escalation", "surveillance:escalation-index", order=45, visible=views.nav_visible
        )
    )
    navigation.register_home_panel(
        navigation.HomePanel(
            "escalation", "surveillance/escalation/panels/home.jinja", views.home_panel, order=35
        )
    )
    navigation.register_detail_section(
        "provider",
        navigation.DetailSection(
            "escalation",
            "surveillance/escalation/sections/provider.jinja",
            views.provider_section,
            order=15,
        ),
    )
    api.register(router)
    register_seeder("escalation", demo.seed, order=95)
    register_on_agreed("escalation", services.proposals_enact)
    register_agenda_source(
        "exit_criteria",
        "Exit criteria met on the dashboard",
        selectors.source_exit_criteria,
        order=25,
    )
