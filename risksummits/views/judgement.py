"""The CQC's judgement, the referral and safeguarding checks, rapid impact assessments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from qsg import once
from qsg.pages import posted, submit

from .. import access
from ..forms import ChecksForm, ImpactRequestForm, ImpactResponseForm, JudgementForm
from ..models import ImpactAssessmentResponse
from ..services.judgement import (
    checks_record,
    impact_request_create,
    impact_response_record,
    judgement_record,
)
from ._common import BASE, _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def judgement(request, pk):
    standing = _open(request, pk, "CQC judgement")
    if standing.shared_only:
        raise Http404
    access.require(standing.is_cqc)
    form = once.with_token(
        JudgementForm(posted(request), initial={"judged_on": timezone.localdate()})
    )
    return submit(
        request,
        form,
        lambda data: judgement_record(
            actor=request.user, standing=standing, form_token=once.token_of(form), **data
        ),
        done="The CQC's regulatory judgement has been recorded",
        then=standing.summit.get_absolute_url() + "#judgement",
    ) or render(request, BASE + "judgement_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def checks(request, pk):
    standing = _open(request, pk, "Referral and safeguarding checks", manage=True)
    summit = standing.summit
    initial = {f: getattr(summit, f) for f in ChecksForm.base_fields}
    form = ChecksForm(posted(request), initial=initial)
    return submit(
        request,
        form,
        lambda data: checks_record(actor=request.user, summit=summit, **data),
        done="The checks have been recorded",
        then=summit.get_absolute_url() + "#checks",
    ) or render(request, BASE + "checks_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def impact_request(request, pk):
    standing = _open(request, pk, "Ask for a rapid impact assessment")
    if standing.shared_only:
        raise Http404
    access.require(standing.is_cqc)
    form = once.with_token(ImpactRequestForm(posted(request)))
    return submit(
        request,
        form,
        lambda data: impact_request_create(
            actor=request.user,
            standing=standing,
            action_considered=data["action_considered"],
            respond_by=data["respond_by"],
            form_token=once.token_of(form),
        ),
        done="The other participants have been asked for an assessment",
        then=standing.summit.get_absolute_url() + "#impact",
        rename={"respond_by": "respond_by_date"},
    ) or render(request, BASE + "impact_request_form.jinja", _ctx(standing, form=form))


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
    responses = impact.responses.select_related("organisation", "responded_by")
    return submit(
        request,
        form,
        lambda data: impact_response_record(
            actor=request.user, standing=standing, request=impact, **data
        ),
        done="Your organisation's assessment has been recorded",
        then=standing.summit.get_absolute_url() + "#impact",
    ) or render(
        request,
        BASE + "impact_respond.jinja",
        _ctx(standing, form=form, impact=impact, responses=responses),
    )
