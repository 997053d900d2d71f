"""Intelligence in the registries: navigation, home panel, provider section, API, demo."""

from __future__ import annotations


def register() -> None:
    from qsg.api.router import router
    from qsg.demo import register_seeder

    from . import api, demo, navigation

    navigation.register()
    api.register(router)
    register_seeder("intelligence", demo.seed, order=55)
