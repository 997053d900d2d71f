"""What the dashboard adds to the network core: navigation, home panels, sections, API, demo."""

from __future__ import annotations


def register() -> None:
    from qsg import demo, navigation
    from qsg.api.router import router

    from . import panels
    from .api import register as register_api
    from .demo import seed_dashboard

    navigation.register_nav(navigation.NavItem("Dashboard", "dashboard:home", order=30))
    panels.register()
    register_api(router)
    demo.register_seeder("dashboard", seed_dashboard, order=20)
