"""Closing the summit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from qsg.pages import posted, submit
from qsg.vocabulary import say

from ..forms import CloseForm
from ..services import closure
from ._common import BASE, _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def summit_close(request, pk):
    standing = _open(request, pk, "Close the summit", manage=True)
    summit = standing.summit
    form = CloseForm(posted(request))
    response = submit(
        request,
        form,
        lambda data: closure.summit_close(actor=request.user, summit=summit, **data),
        done=f"{say('Risk summit')} {summit.reference} has been closed",
        then=summit.get_absolute_url(),
    )
    if response:
        return response
    problems = closure.closure_problems(summit).get("__all__", []) if summit.is_open else []
    return render(request, BASE + "close.jinja", _ctx(standing, form=form, problems=problems))
