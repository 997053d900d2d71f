"""Demo rapid quality review, in the 2022 profile only: West Yorkshire's ICB convenes a review
of the provider the Regional Quality Group placed in intensive support (see
surveillance.escalation.demo), triggered by that level decision and meeting monthly."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qsg import vocabulary
from qsg.models import Organisation, Provider, User

from .models import RiskSummit
from .services import rapid_review


def seed(*, stdout=None, password=None, **kwargs) -> None:
    if vocabulary.profile() != "2022":
        return
    from qsg import demo_2022 as net

    provider = Provider.objects.filter(ods_code="RXF").first()
    chair = User.objects.filter(username="wy.chair").first()
    icb = Organisation.objects.filter(name=net.SYSTEMS[0][2]).first()
    if provider is None or chair is None or icb is None:
        return
    if RiskSummit.objects.filter(providers=provider, kind=RiskSummit.Kind.RAPID_REVIEW).exists():
        return
    review = rapid_review.rapid_review_start(
        actor=chair,
        providers=[provider],
        concern="Intensive support agreed by the Regional Quality Group: maternity staffing and "
        "urgent care performance have not improved under enhanced surveillance.",
        trigger=RiskSummit.Trigger.LEVEL_DECISION,
        judged_at=timezone.now() - dt.timedelta(days=2),
        clock_hours=120,
        convened_by=icb,
        meeting_interval_days=28,
    )
    if stdout is not None:
        stdout.write(f"Rapid quality review {review.reference} opened for {provider.name}.")
