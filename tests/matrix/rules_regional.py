"""Rules for local reports, the regional view and assurance returns (surveillance app).

QSG A's reports: drafts for its secretariat (who changes them) and chair; submitted ones for
everyone who sees QSG A (its participants and the regional secretariat and reviewer). The
regional view of Test North: anyone with a role in the regional QSG (regional_member too);
recommendations are sent, and submitted reports commented on and acknowledged, by those who oversee
the locals (the regional secretariat and reviewer). Everyone else: 404.
"""

from tests.cast import A_PARTICIPANTS, REGIONAL_OVERSIGHT
from tests.surveillance.regional.factories import SECRET, regional_scenario

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
A_HIDDEN = everyone(but=A_VIEW)
SEC = users("secretariat_a")
DRAFT_READERS = users("secretariat_a", "chair_a")
REGION = users("regional_secretariat", "reviewer", "regional_member")
REVIEWERS = users(REGIONAL_OVERSIGHT)  # the regional secretariat, chair and reviewers
REDIRECT = frozenset({302})


def _s(key):
    return lambda c: regional_scenario(c)[key]


def _pk(key):
    return lambda c: {"pk": regional_scenario(c)[key].pk}


def _qsg(c):
    regional_scenario(c)
    return {"qsg_pk": c.qsgs["a"].pk}


def _region(c):
    regional_scenario(c)
    return {"pk": c.qsgs["r"].pk}


def _month(c):
    s = regional_scenario(c)
    return {"qsg_pk": c.qsgs["a"].pk, "month": s["month"]}


def _section(c):
    s = regional_scenario(c)
    return {"pk": s["draft"].pk, "section_pk": s["draft_section"].pk}


def _secret(c):
    return SECRET


def view(**extra) -> Case:
    return Case(ok=A_VIEW, hidden=A_HIDDEN, **extra)


def manage(**extra) -> Case:
    return Case(ok=SEC, forbidden=A_VIEW - SEC, hidden=A_HIDDEN, **extra)


def review(**extra) -> Case:
    return Case(ok=REVIEWERS, forbidden=A_VIEW - REVIEWERS, hidden=A_HIDDEN, **extra)


def draft_manage(**extra) -> Case:
    return Case(ok=SEC, forbidden=DRAFT_READERS - SEC, hidden=everyone(but=DRAFT_READERS), **extra)


RULES = {
    "surveillance:regional-index": [Case(ok=everyone())],
    "surveillance:regional-view": [
        Case(kwargs=_region, ok=REGION, hidden=everyone(but=REGION)),
        Case(
            kwargs=_region,
            query="?quarter=not-a-quarter",
            hidden=everyone(),
            label="malformed period",
        ),
    ],
    "surveillance:recommendation-create": [
        Case(
            kwargs=_region,
            ok=REVIEWERS,
            forbidden=REGION - REVIEWERS,
            hidden=everyone(but=REGION),
        ),
        Case(
            method="POST",
            kwargs=_region,
            data=lambda c: {"title": ""},
            ok=REVIEWERS,
            forbidden=REGION - REVIEWERS,
            hidden=everyone(but=REGION),
            label="rejected form",
        ),
    ],
    "surveillance:local-report-list": [view(kwargs=_qsg)],
    "surveillance:local-report-create": [
        manage(kwargs=_qsg),
        manage(
            method="POST",
            kwargs=_qsg,
            data=lambda c: {"period_start_day": "x"},
            label="rejected form",
        ),
    ],
    "surveillance:local-report-detail": [
        view(kwargs=_pk("submitted"), secret=_secret, label="submitted"),
        Case(
            kwargs=_pk("draft"),
            ok=DRAFT_READERS,
            hidden=everyone(but=DRAFT_READERS),
            label="draft",
        ),
    ],
    "surveillance:local-report-section-edit": [
        draft_manage(kwargs=_section),
        draft_manage(
            method="POST",
            kwargs=_section,
            data=lambda c: {"text": "NHS number 943 476 5919"},
            label="rejected: patient-identifiable",
        ),
    ],
    "surveillance:local-report-redraft": [
        draft_manage(method="POST", kwargs=_pk("draft"), ok_status=REDIRECT)
    ],
    "surveillance:local-report-submit": [
        draft_manage(kwargs=_pk("draft")),
        draft_manage(method="POST", kwargs=_pk("draft"), ok_status=REDIRECT),
    ],
    "surveillance:local-report-comment": [
        review(kwargs=_pk("submitted")),
        review(method="POST", kwargs=_pk("submitted"), data=lambda c: {}, label="rejected form"),
    ],
    "surveillance:local-report-acknowledge": [
        review(method="POST", kwargs=_pk("submitted"), ok_status=REDIRECT)
    ],
    "surveillance:assurance-list": [view(kwargs=_qsg)],
    "surveillance:assurance-return": [
        view(kwargs=_month),
        manage(
            method="POST",
            kwargs=_month,
            data=lambda c: {"rag_1": "purple"},
            label="rejected form",
        ),
    ],
    "api:local-report-list": [
        Case(api=True, ok=everyone(), absent=A_HIDDEN, secret=_secret, anonymous_status=API_ANON)
    ],
    "api:local-report-detail": [
        view(api=True, kwargs=_pk("submitted"), secret=_secret, anonymous_status=API_ANON)
    ],
    "api:local-report-submit": [
        draft_manage(method="POST", api=True, kwargs=_pk("draft"), anonymous_status=API_ANON)
    ],
    "api:local-report-comments": [
        view(api=True, kwargs=_pk("submitted"), anonymous_status=API_ANON),
        review(
            method="POST",
            api=True,
            kwargs=_pk("submitted"),
            data=lambda c: {"text": "Please say what changed."},
            ok_status=frozenset({201}),
            anonymous_status=API_ANON,
        ),
        review(
            method="POST",
            api=True,
            kwargs=_pk("submitted"),
            data=lambda c: {"text": ""},
            ok_status=frozenset({400}),
            anonymous_status=API_ANON,
            label="rejected: empty",
        ),
    ],
    "api:local-report-acknowledge": [
        review(method="POST", api=True, kwargs=_pk("submitted"), anonymous_status=API_ANON)
    ],
    "api:assurance-return-list": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:assurance-return-detail": [
        view(api=True, kwargs=_pk("return"), anonymous_status=API_ANON)
    ],
}
