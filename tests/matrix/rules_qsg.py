"""Rules for the network pages and API (qsg app), the schema, docs and health probes."""

from tests.cast import A_PARTICIPANTS, EVERYONE, REGIONAL_OVERSIGHT

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
A_HIDDEN = everyone(but=A_VIEW)
A_MANAGE = users("secretariat_a")
A_READ_ONLY = A_VIEW - A_MANAGE
SECRETARIATS = users("secretariat_a", "secretariat_b", "secretariat_c", "regional_secretariat")
LOCAL_SECRETARIATS = users("secretariat_a", "secretariat_b", "secretariat_c")
B1_VIEW = users("secretariat_b", "member_b", "member_a", REGIONAL_OVERSIGHT)


def _qsg_a(c):
    return {"pk": c.qsgs["a"].pk}


def _membership(c):
    return {"pk": c.qsgs["a"].pk, "membership_pk": c.memberships["a:hw_a"].pk}


def _role(c):
    return {"pk": c.qsgs["a"].pk, "role_pk": c.roles["observer_a"].pk}


def _icb_a(c):
    return {"pk": c.orgs["icb_a"].pk}


def _a1(c):
    return {"pk": c.providers["provider_a1"].pk}


def manage_a(**extra) -> Case:
    """A page of QSG A that only its secretariat may use."""
    return Case(ok=A_MANAGE, forbidden=A_READ_ONLY, hidden=A_HIDDEN, **extra)


def _provider_form(c):
    return {
        "ods_code": "RAA",
        "name": "Alpha General Hospital (renamed)",
        "sector": "acute",
        "qsg": c.qsgs["a"].pk,
        "district": "North",
        "commissioners": [c.orgs["icb_a"].pk],
    }


def _a1_secret(c):
    return c.providers["provider_a1"].name


FAILED_JOB_ERROR = "matrix: the PDF of QSG A's note could not be written"


def _failed_job_a(c):
    """A failed PDF job of QSG A; its error text is the secret other QSGs must not see."""
    from qsg.models import Job

    job, _ = Job.objects.get_or_create(
        key="matrix:failed-job-a",
        defaults={
            "kind": "meeting_note_pdf",
            "status": Job.Status.FAILED,
            "qsg": c.qsgs["a"],
            "organisation": c.orgs["nhse_a"],
            "error": FAILED_JOB_ERROR,
            "attempts": 1,
        },
    )
    return job


def _failed_job_secret(c):
    _failed_job_a(c)
    return FAILED_JOB_ERROR


def _failed_job_kwargs(c):
    return {"pk": _failed_job_a(c).pk}


PUBLIC_200 = Case(public=True, ok=frozenset(EVERYONE), anonymous_status=frozenset({200}))
SSO_OFF = Case(
    public=True,
    ok=frozenset(EVERYONE),
    ok_status=frozenset({404}),
    anonymous_status=frozenset({404}),
)


def _token_of(cast, username: str) -> int:
    from qsg.accounts.models import ApiToken
    from qsg.accounts.services import token_issue

    token, _ = token_issue(
        user=cast.users[username],
        name="Matrix token",
        origin=ApiToken.Origin.ACCOUNT_PAGE,
        two_factor_verified=False,
    )
    return token.pk


RULES = {
    # Accounts
    "qsg:home": [Case(ok=everyone())],
    "qsg:login": [
        Case(
            public=True,
            ok=frozenset(EVERYONE),
            ok_status=frozenset({200, 302}),
            anonymous_status=frozenset({200}),
        )
    ],
    "qsg:logout": [
        Case(
            method="POST",
            public=True,
            ok=frozenset(EVERYONE),
            ok_status=frozenset({302}),
            anonymous_status=frozenset({302}),
        )
    ],
    "qsg:password-change": [Case(ok=everyone())],
    "qsg:password-change-done": [Case(ok=everyone())],
    "qsg:password-reset": [PUBLIC_200],
    "qsg:password-reset-done": [PUBLIC_200],
    "qsg:password-reset-confirm": [
        Case(
            public=True,
            ok=frozenset(EVERYONE),
            kwargs=lambda c: {"uidb64": "MQ", "token": "bad-token"},
            anonymous_status=frozenset({200}),
        )
    ],
    "qsg:password-reset-complete": [PUBLIC_200],
    "qsg:profile": [Case(ok=everyone())],
    # Signing in: every page is about the person's own account.
    "qsg:two-factor-verify": [Case(ok=everyone(), ok_status=frozenset({200, 302}))],
    "qsg:two-factor-setup": [Case(ok=everyone())],
    "qsg:two-factor-recovery-codes": [Case(ok=everyone())],
    "qsg:account-activity": [Case(ok=everyone())],
    "qsg:token-create": [Case(ok=everyone())],
    "qsg:token-revoke": [
        Case(
            method="POST",
            kwargs=lambda c: {"pk": _token_of(c, "member_a")},
            ok=users("member_a"),
            hidden=everyone(but={"member_a"}),
            ok_status=frozenset({302}),
            label="only the owner revokes a token; others are told it does not exist",
        )
    ],
    # Single sign-on is not configured in the test settings: 404 for everyone.
    "qsg:oidc-login": [SSO_OFF],
    "qsg:oidc-callback": [SSO_OFF],
    "qsg:oidc-logged-out": [PUBLIC_200],
    # Organisations
    "qsg:organisation-list": [
        Case(
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: c.orgs["hw_a"].name,
            label="list hides others",
        ),
    ],
    "qsg:organisation-create": [
        Case(ok=SECRETARIATS, forbidden=everyone(but=SECRETARIATS)),
        Case(
            method="POST",
            data=lambda c: {"name": "New Hospice Trust", "type": c.orgs["outsider_org"].type_id},
            ok=SECRETARIATS,
            forbidden=everyone(but=SECRETARIATS),
            ok_status=frozenset({302}),
        ),
    ],
    "qsg:organisation-detail": [
        Case(kwargs=_icb_a, ok=A_VIEW, hidden=A_HIDDEN, secret=lambda c: c.orgs["icb_a"].name)
    ],
    "qsg:organisation-edit": [
        manage_a(kwargs=_icb_a),
        manage_a(
            method="POST",
            kwargs=_icb_a,
            ok_status=frozenset({302}),
            data=lambda c: {
                "name": "Alpha ICB",
                "type": c.orgs["icb_a"].type_id,
                "ods_code": "14L",
                "email": "",
            },
        ),
    ],
    "qsg:organisation-delete": [
        manage_a(kwargs=_icb_a),
        # Refused (it has members and people): the page answers 200 with the reason.
        manage_a(method="POST", kwargs=_icb_a, ok_status=frozenset({200})),
    ],
    # QSGs
    "qsg:qsg-list": [Case(ok=everyone(), absent=A_HIDDEN, secret=lambda c: c.qsgs["a"].name)],
    "qsg:qsg-detail": [
        Case(kwargs=_qsg_a, ok=A_VIEW, hidden=A_HIDDEN, secret=lambda c: c.qsgs["a"].name)
    ],
    "qsg:qsg-settings": [
        manage_a(kwargs=_qsg_a),
        manage_a(
            method="POST",
            kwargs=_qsg_a,
            data=lambda c: {"footprint": "Alpha"},
            ok_status=frozenset({302}),
        ),
    ],
    "qsg:qsg-history": [manage_a(kwargs=_qsg_a)],
    "qsg:membership-add": [
        manage_a(kwargs=_qsg_a),
        manage_a(
            method="POST",
            kwargs=_qsg_a,
            ok_status=frozenset({302}),
            data=lambda c: {"organisation": c.orgs["outsider_org"].pk, "kind": "co_opted"},
        ),
    ],
    "qsg:membership-edit": [
        manage_a(kwargs=_membership),
        manage_a(
            method="POST",
            kwargs=_membership,
            data=lambda c: {"kind": "full"},
            ok_status=frozenset({302}),
        ),
    ],
    "qsg:membership-remove": [
        manage_a(kwargs=_membership),
        manage_a(method="POST", kwargs=_membership, ok_status=frozenset({302})),
    ],
    "qsg:role-add": [
        manage_a(kwargs=_qsg_a),
        manage_a(
            method="POST",
            kwargs=_qsg_a,
            ok_status=frozenset({302}),
            data=lambda c: {"user": c.users["member_a"].pk, "role": "observer"},
        ),
    ],
    "qsg:role-remove": [
        manage_a(kwargs=_role),
        manage_a(method="POST", kwargs=_role, ok_status=frozenset({302})),
    ],
    # Providers
    "qsg:provider-list": [Case(ok=everyone(), absent=A_HIDDEN, secret=_a1_secret)],
    "qsg:provider-create": [
        Case(ok=LOCAL_SECRETARIATS, forbidden=everyone(but=LOCAL_SECRETARIATS)),
    ],
    "qsg:provider-detail": [
        Case(kwargs=_a1, ok=A_VIEW, hidden=A_HIDDEN, secret=_a1_secret),
        Case(
            kwargs=lambda c: {"pk": c.providers["provider_b1"].pk},
            ok=B1_VIEW,
            hidden=everyone(but=B1_VIEW),
            secret=lambda c: c.providers["provider_b1"].name,
            label="commissioner outside the footprint sees it",
        ),
    ],
    "qsg:provider-edit": [
        manage_a(kwargs=_a1),
        manage_a(method="POST", kwargs=_a1, data=_provider_form, ok_status=frozenset({302})),
    ],
    "qsg:provider-delete": [
        manage_a(kwargs=_a1),
        manage_a(method="POST", kwargs=_a1, ok_status=frozenset({302})),
    ],
    # API
    "api:api-root": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:auth-token": [
        Case(
            method="POST",
            api=True,
            public=True,
            ok=frozenset(EVERYONE),
            anonymous_status=frozenset({200}),
            data=lambda c: {"username": "member_a", "password": "cast-password-123"},
        ),
    ],
    "api:me": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:organisation-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: c.orgs["hw_a"].name,
            anonymous_status=API_ANON,
        ),
        Case(
            method="POST",
            api=True,
            ok=SECRETARIATS,
            forbidden=everyone(but=SECRETARIATS),
            ok_status=frozenset({201}),
            data=lambda c: {"name": "New Hospice Trust", "type": "other"},
            anonymous_status=API_ANON,
        ),
    ],
    "api:organisation-detail": [
        Case(
            api=True,
            kwargs=_icb_a,
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=lambda c: c.orgs["icb_a"].name,
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="PATCH",
            api=True,
            kwargs=_icb_a,
            data=lambda c: {"email": "quality@alpha.nhs.uk"},
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="DELETE",
            api=True,
            kwargs=_icb_a,
            ok_status=frozenset({400}),
            anonymous_status=API_ANON,
        ),
    ],
    "api:qsg-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: c.qsgs["a"].name,
            anonymous_status=API_ANON,
        )
    ],
    "api:qsg-detail": [
        Case(
            api=True,
            kwargs=_qsg_a,
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=lambda c: c.qsgs["a"].name,
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="PATCH",
            api=True,
            kwargs=_qsg_a,
            data=lambda c: {"moderation_enabled": False},
            anonymous_status=API_ANON,
        ),
    ],
    "api:membership-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: c.orgs["hw_a"].name,
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="POST",
            api=True,
            ok_status=frozenset({201}),
            anonymous_status=API_ANON,
            data=lambda c: {
                "qsg": c.qsgs["a"].pk,
                "organisation": c.orgs["outsider_org"].pk,
                "kind": "co_opted",
            },
        ),
    ],
    "api:membership-detail": [
        Case(
            api=True,
            kwargs=lambda c: {"pk": c.memberships["a:hw_a"].pk},
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=lambda c: c.orgs["hw_a"].name,
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="PATCH",
            api=True,
            kwargs=lambda c: {"pk": c.memberships["a:hw_a"].pk},
            data=lambda c: {"kind": "full"},
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="DELETE",
            api=True,
            kwargs=lambda c: {"pk": c.memberships["a:hw_a"].pk},
            ok_status=frozenset({204}),
            anonymous_status=API_ANON,
        ),
    ],
    "api:qsg-role-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: "Observer_A",
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="POST",
            api=True,
            ok_status=frozenset({201}),
            anonymous_status=API_ANON,
            data=lambda c: {
                "qsg": c.qsgs["a"].pk,
                "user": c.users["member_a"].pk,
                "role": "observer",
            },
        ),
    ],
    "api:qsg-role-detail": [
        Case(
            api=True,
            kwargs=lambda c: {"pk": c.roles["observer_a"].pk},
            ok=A_VIEW,
            hidden=A_HIDDEN,
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="DELETE",
            api=True,
            kwargs=lambda c: {"pk": c.roles["observer_a"].pk},
            ok_status=frozenset({204}),
            anonymous_status=API_ANON,
        ),
    ],
    "api:provider-list": [
        Case(
            api=True, ok=everyone(), absent=A_HIDDEN, secret=_a1_secret, anonymous_status=API_ANON
        ),
        manage_a(
            method="POST",
            api=True,
            ok_status=frozenset({201}),
            anonymous_status=API_ANON,
            data=lambda c: {
                "ods_code": "RZZ",
                "name": "Zulu Hospital",
                "sector": "acute",
                "qsg": c.qsgs["a"].pk,
            },
        ),
    ],
    "api:provider-detail": [
        Case(
            api=True,
            kwargs=_a1,
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=_a1_secret,
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="PATCH",
            api=True,
            kwargs=_a1,
            data=lambda c: {"name": "Alpha Hospital"},
            anonymous_status=API_ANON,
        ),
        manage_a(
            method="PUT",
            api=True,
            kwargs=_a1,
            anonymous_status=API_ANON,
            data=lambda c: {
                "ods_code": "RAA",
                "name": "Alpha Hospital",
                "sector": "acute",
                "qsg": c.qsgs["a"].pk,
                "district": "",
                "commissioners": [c.orgs["icb_a"].pk],
            },
        ),
        manage_a(
            method="DELETE",
            api=True,
            kwargs=_a1,
            ok_status=frozenset({204}),
            anonymous_status=API_ANON,
        ),
    ],
    "api-schema": [Case(public=True, ok=frozenset(EVERYONE), anonymous_status=frozenset({200}))],
    "api-docs": [Case(public=True, ok=frozenset(EVERYONE), anonymous_status=frozenset({200}))],
    # Failed background jobs: the secretariat of the job's QSG (and staff) only.
    "qsg:failed-jobs": [
        Case(
            ok=SECRETARIATS,
            forbidden=everyone(but=SECRETARIATS),
            absent=SECRETARIATS - A_MANAGE,
            secret=_failed_job_secret,
        )
    ],
    "qsg:job-retry": [
        Case(
            method="POST",
            kwargs=_failed_job_kwargs,
            ok=A_MANAGE,
            ok_status=frozenset({302}),
            hidden=SECRETARIATS - A_MANAGE,
            forbidden=everyone(but=SECRETARIATS),
            secret=_failed_job_secret,
        )
    ],
    "qsg:readyz": [PUBLIC_200],
    "qsg:healthz": [PUBLIC_200],
}
