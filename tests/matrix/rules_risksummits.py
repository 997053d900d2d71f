"""Rules for the risk summit pages and API.

The summit (tests/risksummits/factories.world) is about provider_a1 and was triggered by
member_a. Taking part: QSG A's NHS England team (secretariat_a, chair_a), the ICB (member_a) and
the CQC (cqc_a); the local authority was removed, so observer_a, though a member of QSG A, does
not see it. regional_member works for the CQC but is not named, so does not see it either. The
regional team (regional_secretariat, reviewer) reads it. Guests are tested in
tests/risksummits/test_guests.py (the cast is fixed).
"""

import datetime as dt

from django.utils import timezone

from tests.cast import A_PARTICIPANTS, REGIONAL_OVERSIGHT
from tests.risksummits.factories import world

from . import API_ANON, Case, everyone, users

VIEW = users("secretariat_a", "chair_a", "member_a", "cqc_a", REGIONAL_OVERSIGHT)
HIDDEN = everyone(but=VIEW)
MANAGE = users("secretariat_a", "chair_a")
READ_ONLY = VIEW - MANAGE
CQC = users("cqc_a")
QSG_PARTICIPANTS = users("secretariat_a", "chair_a", "member_a", "cqc_a")
A_TRIGGER = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
# Not a statutory body (trust_c, a provider trust) or no provider to name: no trigger.
CANNOT_TRIGGER = users("outsider", "regional_member", "trust_c")
FOUND = frozenset({302})
LEADS = users("secretariat_a", "chair_a", "secretariat_b", "secretariat_c", "regional_secretariat")


def _moved_to(when) -> dict:
    local = timezone.localtime(when)
    return {
        "starts_at_date-day": local.day,
        "starts_at_date-month": local.month,
        "starts_at_date-year": local.year,
        "starts_at_time": local.strftime("%H:%M"),
    }


def _s(c):
    return {"pk": world(c).summit.pk}


def _ref(c):
    return world(c).summit.reference


def _sub(**names):
    def kwargs(c):
        w = world(c)
        out = {"pk": w.summit.pk}
        for key, attr in names.items():
            out[key] = getattr(w, attr).pk
        return out

    return kwargs


def view(**extra) -> Case:
    return Case(ok=VIEW, hidden=HIDDEN, secret=_ref, **extra)


def manage(**extra) -> Case:
    return Case(ok=MANAGE, forbidden=READ_ONLY, hidden=HIDDEN, **extra)


def only(allowed, **extra) -> Case:
    allowed = frozenset(allowed)
    return Case(ok=allowed, forbidden=VIEW - allowed, hidden=HIDDEN, **extra)


def api(**extra) -> Case:
    return Case(api=True, anonymous_status=API_ANON, **extra)


RULES = {
    "risksummits:list": [
        Case(ok=everyone(), absent=HIDDEN, secret=_ref, label="list hides others' summits"),
        Case(ok=everyone(), absent=HIDDEN, secret=_ref, query="?status=all"),
    ],
    "risksummits:trigger": [Case(ok=everyone(but=CANNOT_TRIGGER), forbidden=CANNOT_TRIGGER)],
    "risksummits:referrals-pick-up": [
        Case(
            method="POST",
            ok=LEADS,
            forbidden=everyone(but=LEADS),
            ok_status=FOUND,
            label="secretariats and chairs open summits from meeting conclusions",
        )
    ],
    "risksummits:detail": [view(kwargs=_s)],
    "risksummits:edit": [
        manage(kwargs=_s),
        manage(
            kwargs=_s,
            method="POST",
            ok_status=FOUND,
            data=lambda c: {
                "concern": "Unsafe staffing on the maternity unit",
                "source": "whistleblower",
                "urgency": "immediate",
                "clock_hours": 24,
                "ring_holder_window_hours": 24,
            },
        ),
    ],
    "risksummits:participant-add": [
        manage(kwargs=_s),
        manage(
            kwargs=_s,
            method="POST",
            ok_status=FOUND,
            data=lambda c: {
                "organisation": c.orgs["la_a"].pk,
                "people": [c.users["observer_a"].pk],
            },
        ),
    ],
    "risksummits:participant-remove": [
        manage(kwargs=_sub(participant_pk="icb")),
        manage(kwargs=_sub(participant_pk="icb"), method="POST", ok_status=FOUND),
    ],
    "risksummits:representative-add": [manage(kwargs=_sub(participant_pk="icb"))],
    "risksummits:guest-invite": [
        manage(kwargs=_s),
        manage(
            kwargs=_s,
            method="POST",
            ok_status=FOUND,
            data=lambda c: {
                "organisation_name": "Alpha Constabulary",
                "first_name": "Pat",
                "last_name": "Guest",
                "email": "pat.guest@police.example",
            },
        ),
    ],
    "risksummits:ring-holder": [
        view(kwargs=_s),
        only(
            QSG_PARTICIPANTS,
            kwargs=_s,
            method="POST",
            ok_status=FOUND,
            data=lambda c: {"position": "agree"},
        ),
    ],
    "risksummits:ring-holder-propose": [only(QSG_PARTICIPANTS, kwargs=_s)],
    "risksummits:ring-holder-confirm": [
        only(MANAGE, kwargs=_s),
        only(
            MANAGE,
            kwargs=_s,
            method="POST",
            ok_status=FOUND,
            data=lambda c: {"note": "Agreed on the call"},
        ),
    ],
    "risksummits:judgement": [only(CQC, kwargs=_s)],
    "risksummits:checks": [manage(kwargs=_s)],
    "risksummits:impact-request": [only(CQC, kwargs=_s)],
    "risksummits:impact-respond": [
        view(kwargs=_sub(request_pk="impact")),
        only(
            users("secretariat_a", "chair_a", "member_a"),
            kwargs=_sub(request_pk="impact"),
            method="POST",
            ok_status=FOUND,
            data=lambda c: {
                "impact": "moderate",
                "assessment": "Neighbouring units can take most births",
            },
        ),
    ],
    "risksummits:meeting-book": [manage(kwargs=_s)],
    "risksummits:meeting": [view(kwargs=_sub(meeting_pk="held"))],
    "risksummits:meeting-record": [manage(kwargs=_sub(meeting_pk="held"))],
    "risksummits:meeting-move": [
        manage(kwargs=_sub(meeting_pk="booked")),
        manage(
            kwargs=_sub(meeting_pk="booked"),
            method="POST",
            ok_status=FOUND,
            data=lambda c: _moved_to(world(c).booked.starts_at + dt.timedelta(days=1)),
        ),
    ],
    "risksummits:meeting-cancel": [
        manage(kwargs=_sub(meeting_pk="booked")),
        manage(
            kwargs=_sub(meeting_pk="booked"),
            method="POST",
            ok_status=FOUND,
            data=lambda c: {"reason": "Chair unwell"},
        ),
    ],
    "risksummits:action-create": [manage(kwargs=_s)],
    "risksummits:action": [
        view(kwargs=_sub(action_pk="action")),
        only(
            users("secretariat_a", "chair_a", "member_a"),
            kwargs=_sub(action_pk="action"),
            method="POST",
            ok_status=FOUND,
            data=lambda c: {"status": "in_progress", "progress_note": "Rota agreed"},
        ),
    ],
    "risksummits:close": [manage(kwargs=_s)],
    "risksummits:document-request": [
        Case(
            kwargs=_s,
            method="POST",
            ok=VIEW,
            hidden=HIDDEN,
            ok_status=FOUND,
            data=lambda c: {"kind": "meeting", "meeting": world(c).held.pk},
        )
    ],
    "risksummits:document": [view(kwargs=_sub(document_pk="document"))],
    "risksummits:document-download": [
        Case(kwargs=_sub(document_pk="document"), ok=VIEW, hidden=HIDDEN)
    ],
    "risksummits:access-log": [only(users("secretariat_a"), kwargs=_s)],
    # API
    "api:risk-summit-list": [
        api(ok=everyone(), absent=HIDDEN, secret=_ref),
        api(
            method="POST",
            ok=A_TRIGGER,
            hidden=everyone(but=A_TRIGGER),
            ok_status=frozenset({201}),
            data=lambda c: {
                "providers": [c.providers["provider_a1"].pk],
                "concern": "Media reports of long waits in the emergency department",
                "source": "media",
                "urgency": "urgent",
                "judged_at": _recent(),
            },
        ),
    ],
    "api:risk-summit-detail": [api(kwargs=_s, ok=VIEW, hidden=HIDDEN, secret=_ref)],
    "api:risk-summit-participants": [api(kwargs=_s, ok=VIEW, hidden=HIDDEN)],
    "api:risk-summit-meetings": [api(kwargs=_s, ok=VIEW, hidden=HIDDEN)],
    "api:risk-summit-judgements": [api(kwargs=_s, ok=VIEW, hidden=HIDDEN)],
    "api:risk-summit-actions": [
        api(kwargs=_s, ok=VIEW, hidden=HIDDEN),
        api(
            kwargs=_s,
            method="POST",
            ok=MANAGE,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok_status=frozenset({201}),
            data=lambda c: {
                "objective": "continuity",
                "description": "Divert ambulances to the neighbouring unit if needed",
                "owner_organisation": c.orgs["icb_a"].pk,
                "due_on": (_today() + _days(3)).isoformat(),
            },
        ),
    ],
}


def _recent() -> str:
    from django.utils import timezone

    return (timezone.now() - _days(0, hours=1)).isoformat()


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _days(n, hours=0):
    import datetime as dt

    return dt.timedelta(days=n, hours=hours)
