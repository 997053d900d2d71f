from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        from . import registry

        registry.register()
