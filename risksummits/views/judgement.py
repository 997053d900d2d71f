"""The CQC's judgement, the referral and safeguarding checks, rapid impact assessments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from qsg.views import apply_errors, posted

from .. import access
from ..forms import ChecksForm, ImpactRequestForm, ImpactResponseForm, JudgementForm
from ..models import ImpactAssessmentResponse
from ..services.judgement import (
    checks_record,
    impact_request_create,
    impact_response_record,
    judgement_record,
)
from ._common import BASE, _ctx, _new_token, _open, _token


@login_required
@require_http_methods(["GET", "POST"])
def judgement(request, pk):
    standing = _open(request, pk, "CQC judgement")
    if standing.shared_only:
        raise Http404
    access.require(standing.is_cqc)
    form = JudgementForm(
        posted(request), initial={"form_token": _new_token(), "judged_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_token", None)
        try:
            judgement_record(actor=request.user, standing=standing, form_token=_token(form), **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The CQC's regulatory judgement has been recorded")
            return redirect(standing.summit.get_absolute_url() + "#judgement")
    return render(request, BASE + "judgement_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def checks(request, pk):
    standing = _open(request, pk, "Referral and safeguarding checks", manage=True)
    summit = standing.summit
    initial = {f: getattr(summit, f) for f in ChecksForm.base_fields}
    form = ChecksForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            checks_record(actor=request.user, summit=summit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The checks have been recorded")
            return redirect(summit.get_absolute_url() + "#checks")
    return render(request, BASE + "checks_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def impact_request(request, pk):
    standing = _open(request, pk, "Ask for a rapid impact assessment")
    if standing.shared_only:
        raise Http404
    access.require(standing.is_cqc)
    form = ImpactRequestForm(posted(request), initial={"form_token": _new_token()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            impact_request_create(
                actor=request.user,
                standing=standing,
                action_considered=data["action_considered"],
                respond_by=data["respond_by"],
                form_token=_token(form),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "respond_by" in error.error_dict:
                error = ValidationError({"respond_by_date": error.error_dict["respond_by"]})
            apply_errors(form, error)
        else:
            messages.success(request, "The other participants have been asked for an assessment")
            return redirect(standing.summit.get_absolute_url() + "#impact")
    return render(request, BASE + "impact_request_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def impact_respond(request, pk, request_pk):
    standing = _open(request, pk, "Rapid impact assessment")
    impact = access.impact_request_for(standing, request_pk)
    mine = None
    if standing.participant is not None:
        mine = ImpactAssessmentResponse.objects.filter(
            request=impact, organisation_id=standing.participant.organisation_id
        ).first()
    initial = {"impact": mine.impact, "assessment": mine.assessment} if mine else {}
    form = ImpactResponseForm(posted(request), initial=initial)
    if request.method == "POST":
        access.require(standing.can_answer_impact)
        if form.is_valid():
            try:
                impact_response_record(
                    actor=request.user, standing=standing, request=impact, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Your organisation's assessment has been recorded")
                return redirect(standing.summit.get_absolute_url() + "#impact")
    responses = impact.responses.select_related("organisation", "responded_by")
    return render(
        request,
        BASE + "impact_respond.jinja",
        _ctx(standing, form=form, impact=impact, responses=responses),
    )
