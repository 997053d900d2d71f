"""The records a summit keeps: the CQC's regulatory judgement, the referral and safeguarding
checks, and rapid impact assessments (the CQC's requests and the other participants' answers).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qsg import once
from qsg.vocabulary import say

from ..access import SummitAccess
from ..models import (
    CQCJudgement,
    ImpactAssessmentRequest,
    ImpactAssessmentResponse,
    Representative,
    RiskSummit,
)
from ._common import (
    ALREADY_SENT,
    _bump,
    _event,
    _link,
    _lock,
    _notify,
    _notify_summit,
    _now,
    _require_open,
    _stamp,
    _today,
    screen_pid,
)


@transaction.atomic
def judgement_record(
    *,
    actor,
    standing: SummitAccess,
    finding: str,
    judged_on: dt.date,
    rationale: str,
    form_token: str = "",
) -> CQCJudgement:
    claim = once.claim(
        user=actor, scope=f"risk_summit_judgement:{standing.summit.pk}", token=form_token
    )
    if not claim.first:
        return claim.repeat(CQCJudgement, ALREADY_SENT)
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.is_cqc:
        raise ValidationError("Only the Care Quality Commission records its regulatory judgement")
    if judged_on > _today():
        raise ValidationError(
            {"judged_on": "The date of the judgement must be today or in the past"}
        )
    if judged_on < timezone.localtime(summit.judged_at).date() - dt.timedelta(days=90):
        raise ValidationError(
            {"judged_on": say("The date of the judgement must be close to the summit's trigger")}
        )
    screen_pid({"rationale": ("The rationale", rationale)})
    judgement = CQCJudgement(
        summit=summit,
        finding=finding,
        judged_on=judged_on,
        rationale=rationale.strip(),
        recorded_by=actor,
        organisation_id=standing.participant.organisation_id,
    )
    judgement.full_clean()
    _stamp(judgement, actor)
    judgement.save()
    claim.remember(judgement)
    _event(
        summit,
        actor,
        "cqc_judgement",
        f"The CQC recorded its regulatory judgement: {judgement.get_finding_display().lower()}",
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"{say('Risk summit')} {summit.reference}: the CQC's regulatory judgement",
        f"The CQC has recorded its regulatory judgement.\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return judgement


CHECK_FIELDS = (
    "professional_referral",
    "professional_regulator",
    "professional_referral_on",
    "adult_safeguarding_followed",
    "adult_safeguarding_reason",
    "lscb_notified",
    "lscb_notified_on",
    "lscb_reason",
)


@transaction.atomic
def checks_record(*, actor, summit: RiskSummit, **values) -> RiskSummit:
    """Professional standards referral, adult safeguarding protocol and LSCB notification."""
    unknown = set(values) - set(CHECK_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    summit = _lock(summit)
    _require_open(summit)
    v = {k: values.get(k, getattr(summit, k)) for k in CHECK_FIELDS}
    for key in ("professional_regulator", "adult_safeguarding_reason", "lscb_reason"):
        v[key] = (v[key] or "").strip()
    errors: dict[str, str] = {}
    today = _today()
    A = RiskSummit.Answer
    if v["professional_referral"] == RiskSummit.ProfessionalReferral.MADE:
        if not v["professional_regulator"]:
            errors["professional_regulator"] = "Choose the regulator the referral was made to"
        if not v["professional_referral_on"]:
            errors["professional_referral_on"] = "Enter the date the referral was made"
    else:
        v["professional_regulator"] = ""
        v["professional_referral_on"] = None
    if v["professional_referral_on"] and v["professional_referral_on"] > today:
        errors["professional_referral_on"] = "The date of the referral must be today or in the past"
    if v["adult_safeguarding_followed"] in (A.NO, A.NOT_APPLICABLE):
        if not v["adult_safeguarding_reason"]:
            errors["adult_safeguarding_reason"] = (
                "Say why the adult safeguarding protocol was not followed"
                if v["adult_safeguarding_followed"] == A.NO
                else "Say why the adult safeguarding protocol does not apply"
            )
    elif v["adult_safeguarding_followed"] == A.YES:
        v["adult_safeguarding_reason"] = ""
    if summit.involves_adult_safeguarding and v["adult_safeguarding_followed"] == A.NOT_APPLICABLE:
        errors["adult_safeguarding_followed"] = (
            "The concern involves adult safeguarding, so the protocol applies"
        )
    if v["lscb_notified"] == A.YES:
        if not v["lscb_notified_on"]:
            errors["lscb_notified_on"] = "Enter the date the LSCB was notified"
        v["lscb_reason"] = ""
    else:
        v["lscb_notified_on"] = None
        if v["lscb_notified"] in (A.NO, A.NOT_APPLICABLE) and not v["lscb_reason"]:
            errors["lscb_reason"] = (
                "Say why the LSCB has not been notified"
                if v["lscb_notified"] == A.NO
                else "Say why notifying the LSCB does not apply"
            )
    if summit.involves_child_safeguarding and v["lscb_notified"] == A.NOT_APPLICABLE:
        errors["lscb_notified"] = (
            "The concern involves child safeguarding, so the LSCB must be notified"
        )
    if v["lscb_notified_on"] and v["lscb_notified_on"] > today:
        errors["lscb_notified_on"] = "The date of notification must be today or in the past"
    if errors:
        raise ValidationError(errors)
    screen_pid(
        {
            "adult_safeguarding_reason": ("The reason", v["adult_safeguarding_reason"]),
            "lscb_reason": ("The reason", v["lscb_reason"]),
        }
    )
    changed = [k for k in CHECK_FIELDS if getattr(summit, k) != v[k]]
    for key in changed:
        setattr(summit, key, v[key])
    summit.full_clean()
    if changed:
        _stamp(summit, actor)
        summit.save(update_fields=changed)
        _bump(summit)
        _event(summit, actor, "checks", "Referral and safeguarding checks recorded")
    return summit


@transaction.atomic
def impact_request_create(
    *,
    actor,
    standing: SummitAccess,
    action_considered: str,
    respond_by: dt.datetime,
    form_token: str = "",
) -> ImpactAssessmentRequest:
    claim = once.claim(
        user=actor, scope=f"risk_summit_impact:{standing.summit.pk}", token=form_token
    )
    if not claim.first:
        return claim.repeat(ImpactAssessmentRequest, ALREADY_SENT)
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.is_cqc:
        raise ValidationError("Only the Care Quality Commission asks for a rapid impact assessment")
    if respond_by <= _now():
        raise ValidationError({"respond_by": "The time to respond by must be in the future"})
    if not action_considered.strip():
        raise ValidationError({"action_considered": "Describe the action the CQC is considering"})
    screen_pid({"action_considered": ("The action considered", action_considered)})
    request = ImpactAssessmentRequest(
        summit=summit,
        action_considered=action_considered.strip(),
        respond_by=respond_by,
        requested_by=actor,
        organisation_id=standing.participant.organisation_id,
    )
    request.full_clean()
    _stamp(request, actor)
    request.save()
    claim.remember(request)
    _event(summit, actor, "impact_requested", "The CQC asked members for a rapid impact assessment")
    _bump(summit)
    others = list(
        Representative.objects.filter(
            summit=summit, participant__is_active=True, participant__shared_items_only=False
        )
        .exclude(participant__organisation_id=standing.participant.organisation_id)
        .values_list("user_id", flat=True)
    )
    _notify(
        others,
        f"{say('Risk summit')} {summit.reference}: rapid impact assessment requested",
        "The CQC asks your organisation for a rapid impact assessment by "
        f"{timezone.localtime(respond_by):%-d %B %Y at %H:%M}.\n"
        f"{_link('risksummits:impact-respond', summit.pk, request.pk)}",
        exclude=actor,
    )
    return request


@transaction.atomic
def impact_response_record(
    *,
    actor,
    standing: SummitAccess,
    request: ImpactAssessmentRequest,
    impact: str,
    assessment: str,
) -> ImpactAssessmentResponse:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.can_answer_impact:
        raise ValidationError("Only the other participants answer the CQC's request")
    screen_pid({"assessment": ("The assessment", assessment)})
    response = ImpactAssessmentResponse.objects.filter(
        request=request, organisation_id=standing.participant.organisation_id
    ).first()
    if response is None:
        response = ImpactAssessmentResponse(
            request=request, organisation_id=standing.participant.organisation_id
        )
    response.impact = impact
    response.assessment = assessment.strip()
    response.responded_by = actor
    response.full_clean()
    _stamp(response, actor)
    response.save()
    _event(
        summit,
        actor,
        "impact_answered",
        f"{standing.participant.organisation.name} answered the rapid impact assessment",
    )
    _bump(summit)
    return response
