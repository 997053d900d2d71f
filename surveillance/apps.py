from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        from qsg.api.router import router
        from qsg.demo import register_seeder

        from . import (  # noqa: F401
            api_meetings,
            api_packs,
            demo_meetings,
            navigation_meetings,
            tasks_meetings,
            tasks_packs,
        )

        navigation_meetings.register()
        api_meetings.register(router)
        api_packs.register(router)
        register_seeder("meetings", demo_meetings.seed, order=50)
