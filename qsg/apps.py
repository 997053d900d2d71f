from django.apps import AppConfig


class QsgConfig(AppConfig):
    name = "qsg"
    verbose_name = "QSG network"

    def ready(self) -> None:
        from . import home, navigation
        from .api.router import router
        from .api.views import register

        navigation.register_nav(navigation.NavItem("QSGs", "qsg:qsg-list", order=10))
        navigation.register_nav(navigation.NavItem("Providers", "qsg:provider-list", order=20))
        navigation.register_nav(
            navigation.NavItem("Organisations", "qsg:organisation-list", order=90)
        )
        home.register()
        register(router)
