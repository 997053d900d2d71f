from django.apps import AppConfig


class RisksummitsConfig(AppConfig):
    name = "risksummits"
    verbose_name = "Risk summits"

    def ready(self) -> None:
        from . import registry

        registry.register()
