"""Regional work in the registries: navigation, home panel, API, demo, and the agenda source
"Feedback from the region" (the regional view's summit source is filled by risk summits)."""

from __future__ import annotations


def register() -> None:
    from qsg import navigation
    from qsg.api.router import router
    from qsg.demo import register_seeder
    from surveillance.meetings.selectors import register_agenda_source

    from . import api, demo, selectors, views

    navigation.register_nav(
        navigation.NavItem(
            "Regional", "surveillance:regional-index", order=50, visible=views.nav_visible
        )
    )
    navigation.register_home_panel(
        navigation.HomePanel(
            "regional", "surveillance/regional/panels/home.jinja", views.home_panel, order=40
        )
    )
    api.register(router)
    register_seeder("regional", demo.seed, order=97)
    register_agenda_source(
        "regional_feedback",
        "Feedback from the region",
        selectors.source_regional_feedback,
        order=35,
    )
