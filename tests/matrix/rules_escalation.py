"""Rules for escalation records (surveillance app).

A record kept by QSG A is read by everyone who sees QSG A (its participants and the regional
secretariat and reviewer); decisions are recorded by QSG A's secretariat and chair and the
regional secretariat; everyone else who sees it gets 403, the rest 404.
"""

from tests.cast import A_PARTICIPANTS, REGIONAL_OVERSIGHT
from tests.surveillance.escalation.factories import SECRET, days_ago, escalation_scenario

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
A_HIDDEN = everyone(but=A_VIEW)
DECIDE = users("secretariat_a", "chair_a", "regional_secretariat")
REGION = users("regional_secretariat", "reviewer", "regional_member")


def _secret(c):
    return SECRET


def _record(c):
    return {"pk": escalation_scenario(c)["record"].pk}


def _provider(c):
    escalation_scenario(c)
    return {"provider_pk": c.providers["provider_a1"].pk}


def _group(key):
    def kwargs(c):
        escalation_scenario(c)
        return {"qsg_pk": c.qsgs[key].pk}

    return kwargs


def view(**extra) -> Case:
    return Case(ok=A_VIEW, hidden=A_HIDDEN, **extra)


def decide(**extra) -> Case:
    return Case(ok=DECIDE, forbidden=A_VIEW - DECIDE, hidden=A_HIDDEN, **extra)


def _api_decision(c):
    return {
        "provider": c.providers["provider_a1"].pk,
        "level": "enhanced",
        "decided_on": days_ago(3).isoformat(),
        "decided_by": "The group by consensus",
        "rationale": "Falling staffing levels",
        "lead_organisation": c.orgs["icb_a"].pk,
        "review_date": days_ago(-60).isoformat(),
        "exit_criteria": [{"text": "Staffing plan agreed"}],
    }


RULES = {
    "surveillance:escalation-index": [
        Case(ok=everyone(), absent=A_HIDDEN, secret=lambda c: (escalation_scenario(c), SECRET)[1])
    ],
    "surveillance:escalation-group": [
        view(kwargs=_group("a"), secret=_secret),
        Case(
            kwargs=_group("r"),
            ok=REGION,
            hidden=everyone(but=REGION),
            absent=users("regional_member"),
            secret=_secret,
            label="regional list",
        ),
    ],
    "surveillance:escalation-detail": [view(kwargs=_record, secret=_secret)],
    "surveillance:escalation-decide": [
        decide(kwargs=_record),
        decide(
            method="POST",
            kwargs=_record,
            data=lambda c: {"level": "nope", "rationale": "NHS number 943 476 5919"},
            label="rejected form",
        ),
    ],
    "surveillance:escalation-start": [
        decide(kwargs=_provider),
        decide(method="POST", kwargs=_provider, data=lambda c: {}, label="rejected form"),
    ],
    "api:escalation-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: (escalation_scenario(c), SECRET)[1],
            anonymous_status=API_ANON,
        ),
        Case(
            method="POST",
            api=True,
            data=_api_decision,
            ok=DECIDE,
            forbidden=A_VIEW - DECIDE,
            hidden=A_HIDDEN,
            ok_status=frozenset({201}),
            anonymous_status=API_ANON,
            label="record a decision",
        ),
    ],
    "api:escalation-detail": [
        view(api=True, kwargs=_record, secret=_secret, anonymous_status=API_ANON)
    ],
}


# Rapid quality reviews (risksummits app) -------------------------------------------------------
# Opening one: statutory members of a QSG and the region's oversight (as for a risk summit).
# An outcome: those who manage the review (its QSG's secretariat and chair) and decide for the
# provider's group; others who see the review get 403, everyone else 404.


def _review(c):
    from risksummits.models import RiskSummit

    found = c.__dict__.get("_review")
    if found:
        return found
    from django.utils import timezone

    from risksummits.services import rapid_review

    review = rapid_review.rapid_review_start(
        actor=c.users["member_a"],
        providers=[c.providers["provider_a2"]],
        concern="Warning notice on district nursing",
        trigger=RiskSummit.Trigger.REGULATOR_ACTION,
        judged_at=timezone.now(),
        clock_hours=72,
        convened_by=c.orgs["icb_a"],
    )
    c.__dict__["_review"] = review
    return review


def _outcome(c):
    review = _review(c)
    return {"pk": review.pk, "provider_pk": c.providers["provider_a2"].pk}


REVIEW_VIEW = users(
    "secretariat_a", "chair_a", "member_a", "cqc_a", "observer_a", REGIONAL_OVERSIGHT
)
REVIEW_LEADS = users("secretariat_a", "chair_a")
# Not a statutory body (trust_c, a provider trust) or no provider to name: no trigger.
CANNOT_TRIGGER = users("outsider", "regional_member", "trust_c")


def outcome(**extra) -> Case:
    return Case(
        ok=REVIEW_LEADS,
        forbidden=REVIEW_VIEW - REVIEW_LEADS,
        hidden=everyone(but=REVIEW_VIEW),
        kwargs=_outcome,
        **extra,
    )


RULES.update(
    {
        "risksummits:rapid-review-start": [
            Case(ok=everyone(but=CANNOT_TRIGGER), forbidden=CANNOT_TRIGGER),
            Case(
                method="POST",
                data=lambda c: {"trigger": "nope"},
                ok=everyone(but=CANNOT_TRIGGER),
                forbidden=CANNOT_TRIGGER,
                label="rejected form",
            ),
        ],
        "risksummits:rapid-review-outcome": [
            outcome(),
            outcome(method="POST", data=lambda c: {"level": "nope"}, label="rejected form"),
        ],
    }
)


def _draft_conclusion(c):
    found = c.__dict__.get("_draft_conclusion")
    if found:
        return {"pk": found.pk}
    from tests.surveillance.meetings.factories import meeting, note_with_content

    _note, _item, conclusion = note_with_content(c, meeting(c, days=-3))
    c.__dict__["_draft_conclusion"] = conclusion
    return {"pk": conclusion.pk}


PROPOSE_SEE = users("secretariat_a", "chair_a")
RULES["surveillance:escalation-propose"] = [
    Case(
        kwargs=_draft_conclusion,
        ok=users("secretariat_a"),
        forbidden=PROPOSE_SEE - users("secretariat_a"),
        hidden=everyone(but=PROPOSE_SEE),
    ),
    Case(
        method="POST",
        kwargs=_draft_conclusion,
        data=lambda c: {"level": "nope"},
        ok=users("secretariat_a"),
        forbidden=PROPOSE_SEE - users("secretariat_a"),
        hidden=everyone(but=PROPOSE_SEE),
        label="rejected form",
    ),
]
