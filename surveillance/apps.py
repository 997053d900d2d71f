from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        from qsg import navigation
        from qsg.api.router import router
        from qsg.demo import register_seeder

        from . import (
            api_intelligence,
            api_meetings,
            api_packs,
            api_regional,
            demo_intelligence,
            demo_meetings,
            demo_regional,
            navigation_intelligence,
            navigation_meetings,
            selectors_regional,
            tasks_meetings,
            tasks_packs,
            views_regional,
        )

        navigation_meetings.register()
        navigation_intelligence.register()
        api_meetings.register(router)
        api_packs.register(router)
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

        from qsg import jobs

        from .services_meetings import PDF_KIND
        from .services_packs import RENDER_KIND

        jobs.register_retry(PDF_KIND, tasks_meetings.retry_note_pdf, label="Meeting note PDF")
        jobs.register_retry(RENDER_KIND, tasks_packs.retry_pack, label="Meeting pack")
