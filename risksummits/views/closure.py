"""Closing the summit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from qsg.views import apply_errors, posted

from ..forms import CloseForm
from ..services import closure
from ._common import BASE, _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def summit_close(request, pk):
    standing = _open(request, pk, "Close the summit", manage=True)
    summit = standing.summit
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            closure.summit_close(actor=request.user, summit=summit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Risk summit {summit.reference} has been closed")
            return redirect(summit.get_absolute_url())
    problems = closure.closure_problems(summit).get("__all__", []) if summit.is_open else []
    return render(request, BASE + "close.jinja", _ctx(standing, form=form, problems=problems))
