"""Packs in the registries: the API and the render's job kind."""

from __future__ import annotations


def register() -> None:
    from qsg import jobs
    from qsg.api.router import router

    from . import api, tasks
    from .services import RENDER_KIND

    api.register(router)
    jobs.register_retry(RENDER_KIND, tasks.retry_pack, label="Meeting pack")
