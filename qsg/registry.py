"""What the network core puts in its own registries: navigation, home panels, the API.

Every app fills the registries of the layers below it (and its own) from one function,
`registry.register()`, called only from its `AppConfig.ready()`; nothing registers at import
time. See docs/architecture.md, "Extension points".
"""

from __future__ import annotations


def register() -> None:
    from . import home, navigation
    from .api.router import router
    from .api.views import register as register_api

    navigation.register_nav(navigation.NavItem("QSGs", "qsg:qsg-list", order=10))
    navigation.register_nav(navigation.NavItem("Providers", "qsg:provider-list", order=20))
    navigation.register_nav(navigation.NavItem("Organisations", "qsg:organisation-list", order=90))
    home.register()
    register_api(router)
