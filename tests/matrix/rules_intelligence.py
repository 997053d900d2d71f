"""Rules for the intelligence API (surveillance app).

Items of QSG A submitted by member_a (Alpha ICB). Released items shared with QSG A's members
reach everyone with a role in A; "my organisation only" reaches member_a and the QSG team
(secretariat, chair) only; an untriaged item reaches member_a and the team; only the
secretariat triages; members of other organisations corroborate. Everyone else: 404, and lists
and searches leave the items out.
"""

from tests.cast import A_PARTICIPANTS, EVERYONE
from tests.surveillance.intelligence.factories import (
    ATTRIBUTION_SECRET,
    SECRET,
    api_body,
    scenario,
)

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS)
OWN_VIEW = users("member_a", "secretariat_a", "chair_a")
SEES_SOURCE = users("member_a", "secretariat_a")


def _item(key):
    return lambda c: {"pk": scenario(c)[key].pk}


def _secret(c):
    scenario(c)
    return SECRET


def _source_secret(c):
    scenario(c)
    return ATTRIBUTION_SECRET


def _created_only_by_a(cast, username, response):
    expected = 201 if username in A_VIEW else 400
    assert response.status_code == expected, (username, response.status_code)


def _theme(c):
    from surveillance.intelligence.models import Theme

    return {"theme": Theme.objects.get(code="safeguarding").pk, "for_next_meeting": True}


RULES = {
    "api:intelligence-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=everyone(but=OWN_VIEW),
            secret=_secret,
            anonymous_status=API_ANON,
        ),
        Case(
            api=True,
            ok=everyone(),
            query="?search=Willow+birthing",
            absent=everyone(but=OWN_VIEW),
            secret=_secret,
            anonymous_status=API_ANON,
            label="full-text search",
        ),
        Case(
            api=True,
            method="POST",
            ok=everyone(),
            data=api_body,
            ok_status=frozenset({201, 400}),
            anonymous_status=API_ANON,
            extra_check=_created_only_by_a,
            label="submit",
        ),
    ],
    "api:intelligence-detail": [
        Case(
            api=True,
            kwargs=_item("shared"),
            ok=A_VIEW,
            hidden=everyone(but=A_VIEW),
            anonymous_status=API_ANON,
        ),
        Case(
            api=True,
            kwargs=_item("own"),
            ok=OWN_VIEW,
            hidden=everyone(but=OWN_VIEW),
            secret=_secret,
            anonymous_status=API_ANON,
            label="my organisation only",
        ),
        Case(
            api=True,
            kwargs=_item("hidden_source"),
            ok=A_VIEW,
            hidden=everyone(but=A_VIEW),
            absent=A_VIEW - SEES_SOURCE,
            secret=_source_secret,
            anonymous_status=API_ANON,
            label="do not attribute",
        ),
    ],
    "api:intelligence-triage": [
        Case(
            api=True,
            method="POST",
            kwargs=_item("untriaged"),
            data=_theme,
            ok=users("secretariat_a"),
            forbidden=users("member_a", "chair_a"),
            hidden=everyone(but=OWN_VIEW),
            anonymous_status=API_ANON,
        )
    ],
    "api:intelligence-corroborate": [
        Case(
            api=True,
            method="POST",
            kwargs=_item("shared"),
            data=lambda c: {"note": "We have had two similar concerns raised with us."},
            ok=A_VIEW - {"member_a"},
            ok_status=frozenset({201}),
            forbidden=users("member_a"),
            hidden=everyone(but=A_VIEW),
            anonymous_status=API_ANON,
        )
    ],
    "api:intelligence-theme-list": [
        Case(api=True, ok=frozenset(EVERYONE), anonymous_status=API_ANON)
    ],
}
