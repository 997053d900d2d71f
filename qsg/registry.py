"""What the network core puts in its own registries: navigation, home panels, the API.

Every app fills the registries of the layers below it (and its own) from one function,
`registry.register()`, called only from its `AppConfig.ready()`; nothing registers at import
time. See docs/architecture.md, "Extension points".
"""

from __future__ import annotations


def _sees_a_qsg(request) -> bool:
    from . import access

    return bool(access.principal(request.user).qsg_ids)


def _sees_providers(request) -> bool:
    """A role in a QSG, or an organisation that commissions a provider (an ICB without one)."""
    from . import access

    return _sees_a_qsg(request) or access.providers_for(request.user).exists()


def register() -> None:
    from . import home, navigation, vocabulary
    from .api.router import router
    from .api.views import register as register_api

    # A header entry only for those with something behind it: a guest of one summit sees no
    # empty QSGs or Providers pages.
    navigation.register_nav(
        navigation.NavItem(
            lambda: vocabulary.term("qsgs", capital=True),
            "qsg:qsg-list",
            order=10,
            visible=_sees_a_qsg,
        )
    )
    navigation.register_nav(
        navigation.NavItem("Providers", "qsg:provider-list", order=20, visible=_sees_providers)
    )
    # A guest of a summit (no role anywhere) sees only the summit: no Organisations page either.
    navigation.register_nav(
        navigation.NavItem("Organisations", "qsg:organisation-list", order=90, visible=_sees_a_qsg)
    )
    home.register()
    register_api(router)
