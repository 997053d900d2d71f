from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        from qsg import navigation
        from qsg.api.router import router
        from qsg.demo import register_seeder
        from surveillance.intelligence import api as api_intelligence
        from surveillance.intelligence import demo as demo_intelligence
        from surveillance.intelligence import navigation as navigation_intelligence
        from surveillance.meetings import api as api_meetings
        from surveillance.meetings import demo as demo_meetings
        from surveillance.meetings import navigation as navigation_meetings
        from surveillance.meetings import tasks as tasks_meetings
        from surveillance.packs import api as api_packs
        from surveillance.packs import tasks as tasks_packs
        from surveillance.regional import api as api_regional
        from surveillance.regional import demo as demo_regional
        from surveillance.regional import selectors as selectors_regional
        from surveillance.regional import views as views_regional

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
        from surveillance.meetings.services.pdf import PDF_KIND
        from surveillance.packs.services import RENDER_KIND

        jobs.register_retry(PDF_KIND, tasks_meetings.retry_note_pdf, label="Meeting note PDF")
        jobs.register_retry(RENDER_KIND, tasks_packs.retry_pack, label="Meeting pack")
