from django.apps import AppConfig


class QsgConfig(AppConfig):
    name = "qsg"
    verbose_name = "QSG network"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import registry
        from .ids import IdConverter

        # Before any URL configuration is read: `<id:pk>` in every app's urls.py.
        register_converter(IdConverter, "id")

        registry.register()
