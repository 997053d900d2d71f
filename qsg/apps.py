from django.apps import AppConfig


class QsgConfig(AppConfig):
    name = "qsg"
    verbose_name = "QSG network"

    def ready(self) -> None:
        from . import registry

        registry.register()
