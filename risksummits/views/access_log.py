"""The summit's access log (the QSG secretariat reads it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qsg.views import page_of

from .. import access
from ..models import AccessLogEntry
from ..services.access_log import access_log_record
from ._common import BASE, _ctx


@login_required
@require_GET
def access_log(request, pk):
    standing = access.summit_for_user(request.user, pk)
    access.require(standing.can_read_log)
    access_log_record(user=request.user, summit=standing.summit, what="Access log")
    entries = AccessLogEntry.objects.filter(summit=standing.summit).select_related(
        "user", "user__organisation"
    )
    return render(
        request, BASE + "access_log.jinja", _ctx(standing, page=page_of(request, entries, 100))
    )
