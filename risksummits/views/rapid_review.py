"""A rapid quality review's outcomes as escalation decisions (it is opened by the summit's own
trigger view, `views.trigger.summit_trigger`, in its 2022 face)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from qsg import access as qsg_access
from qsg import once, vocabulary
from qsg.pages import posted, submit
from surveillance.escalation import access as escalation_access
from surveillance.escalation.forms import RENAME, DecisionForm
from surveillance.escalation.models import EscalationRecord

from .. import access
from ..services import rapid_review
from ._common import _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def rapid_review_outcome(request, pk, provider_pk):
    """The review's outcome for one of its providers: the escalation level it sets. For those
    who manage the review and decide for the provider's group."""
    standing = _open(request, pk, "Record an outcome", manage=True)
    summit = standing.summit
    provider = (
        summit.providers.select_related("qsg", "qsg__regional_qsg").filter(pk=provider_pk).first()
    )
    if provider is None or not summit.is_rapid_review:
        raise qsg_access.not_found()
    access.require(escalation_access.can_decide(request.user, provider.qsg_id))
    record = EscalationRecord.objects.filter(provider=provider, service="").first()
    form = once.with_token(
        DecisionForm(
            posted(request),
            provider=provider,
            record=record,
            user=request.user,
            initial={
                "decided_by": f"{vocabulary.term('risk_summit', capital=True)} {summit.reference}",
                "decided_on": timezone.localdate(),
            },
        )
    )
    return submit(
        request,
        form,
        lambda data: rapid_review.rapid_review_outcome(
            actor=request.user,
            summit=summit,
            provider=provider,
            idempotency_key=once.token_of(form),
            **form.service_kwargs(),
        ),
        done=lambda d: f"Outcome recorded: {d.record} is at {d.get_level_to_display().lower()}",
        then=summit.get_absolute_url(),
        rename=RENAME,
    ) or render(
        request,
        "surveillance/escalation/decide.jinja",
        _ctx(
            standing,
            form=form,
            title="Record the review's outcome: the escalation level",
            caption=f"{summit.reference}: {provider.name}",
            record=record,
            back=summit.get_absolute_url(),
        ),
    )


def rapid_review_panel(user, standing) -> dict | None:
    """What a review's page adds: who convened it, what triggered it, when it meets next, and
    each provider's escalation level (as the reader may see it) with the outcome link."""
    summit = standing.summit
    if not summit.is_rapid_review:
        return None
    providers = list(summit.providers.select_related("qsg").order_by("name"))
    records = {
        r.provider_id: r
        for r in escalation_access.records_for(user).filter(provider__in=providers, service="")
    }
    rows = [
        {
            "provider": p,
            "record": records.get(p.pk),
            "can_set": standing.can_manage
            and summit.is_open
            and escalation_access.can_decide(user, p.qsg_id),
        }
        for p in providers
    ]
    return {"next_due": rapid_review.next_meeting_due(summit), "rows": rows}
