from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        from qsg import navigation
        from qsg.api.router import router
        from qsg.demo import register_seeder

        from . import (  # noqa: F401
            api_intelligence,
            api_meetings,
            api_regional,
            demo_intelligence,
            demo_meetings,
            demo_regional,
            navigation_intelligence,
            navigation_meetings,
            selectors_regional,
            tasks_meetings,
            views_regional,
        )

        navigation_meetings.register()
        navigation_intelligence.register()
        api_meetings.register(router)
        api_intelligence.register(router)
        register_seeder("meetings", demo_meetings.seed, order=50)
        register_seeder("intelligence", demo_intelligence.seed, order=55)

        selectors_regional.register()
        navigation.register_nav(
            navigation.NavItem(
                "Regional",
                "surveillance:regional-index",
                order=50,
                visible=views_regional.nav_visible,
            )
        )
        navigation.register_home_panel(
            navigation.HomePanel(
                "regional",
                "surveillance/regional/panels/home.jinja",
                views_regional.home_panel,
                order=40,
            )
        )
        api_regional.register(router)
        register_seeder("regional", demo_regional.seed, order=90)
