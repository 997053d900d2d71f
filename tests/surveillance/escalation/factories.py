"""Escalation records built through the service, as the pages and the API build them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dashboard.models import Indicator
from surveillance.escalation import services as sv

SECRET = "Maternity triage unit"  # the service's name: in lists and pages
RATIONALE = "Repeated staffing gaps on the maternity triage unit noted by three members"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def decide(cast, provider_key="provider_a1", *, actor="secretariat_a", **kw):
    """A decision with sensible defaults for the level asked for."""
    level = kw.pop("level", "enhanced")
    decided_on = kw.pop("decided_on", days_ago(30))
    defaults = {
        "decided_by": "The group by consensus",
        "rationale": RATIONALE,
        "group": None,
    }
    if level != "routine":
        defaults["lead_organisation"] = cast.orgs["icb_a"]
        defaults["review_date"] = decided_on + dt.timedelta(days=90)
    defaults.update(kw)
    return sv.decision_record(
        actor=cast.users[actor],
        provider=cast.providers[provider_key],
        level=level,
        decided_on=decided_on,
        **defaults,
    )


def measure(code="AE_4HR", target=5.0, comparison="lte", months=3, text="Four-hour waits"):
    return {
        "text": text,
        "indicator": Indicator.objects.get(code=code),
        "comparison": comparison,
        "target": target,
        "months": months,
    }


def statement(text="Triage staffing plan agreed by the board"):
    return {"text": text}


def escalation_scenario(cast) -> dict:
    """Provider A1's maternity triage unit in enhanced surveillance (QSG A), with a statement
    and a measure as exit criteria."""
    cached = cast.__dict__.get("_escalation")
    if cached:
        return cached
    decision = decide(
        cast,
        service=SECRET,
        exit_criteria=[statement(), measure()],
        improvement_plan="Recruit and retain triage midwives",
    )
    out = {"record": decision.record, "decision": decision}
    cast.__dict__["_escalation"] = out
    return out
