"""The network's part of the home page: the QSGs the person belongs to, with their roles."""

from . import access
from .navigation import HomePanel, register_home_panel


def my_qsgs(request) -> dict:
    p = access.principal(request.user)
    qsgs = access.visible_qsgs(request.user)
    rows = [{"qsg": q, "roles": p.role_names(q.pk), "oversight": p.oversees(q.pk)} for q in qsgs]
    return {"rows": rows}


def failed_jobs(request) -> dict | None:
    """A warning for the secretariat (and staff) when background work has failed."""
    if not access.can_see_failed_jobs(request.user):
        return None
    count = access.failed_jobs_for(request.user).count()
    return {"count": count} if count else None


def register() -> None:
    register_home_panel(HomePanel("my-qsgs", "qsg/panels/my_qsgs.jinja", my_qsgs, order=10))
    register_home_panel(
        HomePanel("failed-jobs", "qsg/panels/failed_jobs.jinja", failed_jobs, order=1)
    )
