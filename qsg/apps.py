from django.apps import AppConfig


class QsgConfig(AppConfig):
    name = "qsg"
    verbose_name = "QSG network"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from . import middleware, registry
        from .ids import IdConverter

        # Before any URL configuration is read: `<id:pk>` in every app's urls.py.
        register_converter(IdConverter, "id")

        registry.register()
        user_logged_in.connect(
            middleware.stamp_session_at_sign_in, dispatch_uid="qsg-session-stamps-at-sign-in"
        )
