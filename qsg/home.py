"""The network's part of the home page: the QSGs the person belongs to, with their roles."""

from . import access
from .models import QSG
from .navigation import HomePanel, register_home_panel


def my_qsgs(request) -> dict:
    p = access.principal(request.user)
    qsgs = list(
        QSG.objects.filter(pk__in=p.qsg_ids)
        .select_related("regional_qsg")
        .order_by("level", "name")
    )
    rows = [{"qsg": q, "roles": p.role_names(q.pk), "oversight": p.oversees(q.pk)} for q in qsgs]
    return {"rows": rows}


def register() -> None:
    register_home_panel(HomePanel("my-qsgs", "qsg/panels/my_qsgs.jinja", my_qsgs, order=10))
