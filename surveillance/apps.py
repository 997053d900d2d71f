from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        from qsg.api.router import router
        from qsg.demo import register_seeder

        from . import (  # noqa: F401
            api_intelligence,
            api_meetings,
            demo_intelligence,
            demo_meetings,
            navigation_meetings,
            tasks_meetings,
        )

        navigation_meetings.register()
        api_meetings.register(router)
        api_intelligence.register(router)
        register_seeder("meetings", demo_meetings.seed, order=50)
        register_seeder("intelligence", demo_intelligence.seed, order=55)
