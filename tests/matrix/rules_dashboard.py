"""Rules for the dashboard's pages and API.

member_b is the cast's analyst: they may load data for any provider and change the catalogue,
but see only QSG B's providers (so QSG A's charts are 404 for them, like for anyone outside A).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cast import A_PARTICIPANTS, REGIONAL_OVERSIGHT
from tests.dashboard.helpers import HEADER, csv_bytes, load, seed_cast_data

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
A_HIDDEN = everyone(but=A_VIEW)
ANALYST = users("member_b")
NOT_ANALYST = everyone(but=ANALYST)
B1_VIEW = users("secretariat_b", "member_b", "member_a", REGIONAL_OVERSIGHT)


def _seeded(fn):
    def kwargs(c):
        seed_cast_data(c)
        return fn(c)

    return kwargs


def _a1(c):
    return {"pk": c.providers["provider_a1"].pk}


def _a1_series(c):
    return {"pk": c.providers["provider_a1"].pk, "code": "AE_4HR"}


def _b1_series(c):
    return {"pk": c.providers["provider_b1"].pk, "code": "AE_4HR"}


def _qsg_a(c):
    return {"pk": c.qsgs["a"].pk}


def _a1_secret(c):
    return c.providers["provider_a1"].name


def _batch(c):
    """A rejected import by the analyst (so that it has an error report)."""
    batch = load(c.users["member_b"], csv_bytes(["RAA,AE_4HR,2019-13,5,,"]), recompute_now=False)
    return {"pk": batch.pk}


def _pending(c):
    """A published-layout file the analyst uploaded and has not yet confirmed."""
    from dashboard.models import PendingUpload
    from tests.dashboard.test_presets import ae_file

    pending = PendingUpload.objects.create(
        preset="ae-monthly-csv", file_name="ae.csv", content=ae_file(),
        uploaded_by=c.users["member_b"],
    )  # fmt: skip
    return {"pk": pending.pk}


def _job(c):
    batch = load(c.users["member_b"], csv_bytes(["RAA,AE_4HR,2019-01,5,,"]), recompute_now=False)
    return {"job": str(batch.job_id)}


def _observation(c):
    from dashboard.models import Observation

    seed_cast_data(c)
    return {"pk": Observation.objects.filter(provider=c.providers["provider_a1"]).first().pk}


def _upload(c):
    return {
        "file": SimpleUploadedFile(
            "upload.csv", (HEADER + "RBA,AE_4HR,2019-02,,50,1000\n").encode()
        ),
        "source": "Test",
    }


def _indicator_form(c):
    return {
        "name": "A&E experience (renamed)",
        "metric": "% not seen within 4 hours",
        "domain": "4",
        "quality_dimension": "experience",
        "unit": "percent",
        "kind": "proportion",
        "multiplier": "100",
        "improvement_direction": "decrease",
        "target": "5",
        "is_active": "on",
    }


def _new_indicator(c):
    return {**_indicator_form(c), "code": "NEW_ONE", "name": "A new indicator"}


ANALYST_PAGE = Case(ok=ANALYST, forbidden=NOT_ANALYST)

RULES = {
    "dashboard:home": [Case(ok=everyone())],
    "dashboard:indicator-list": [Case(ok=everyone())],
    "dashboard:indicator-detail": [
        Case(
            kwargs=_seeded(lambda c: {"code": "AE_4HR"}),
            ok=everyone(),
            absent=A_HIDDEN,
            secret=_a1_secret,
            label="every provider's status, scoped",
        ),
        Case(kwargs=lambda c: {"code": "NO_SUCH"}, hidden=everyone()),
    ],
    "dashboard:indicator-create": [
        ANALYST_PAGE,
        Case(
            method="POST",
            data=_new_indicator,
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            ok_status=frozenset({302}),
        ),
    ],
    "dashboard:indicator-edit": [
        Case(kwargs=lambda c: {"code": "AE_4HR"}, ok=ANALYST, forbidden=NOT_ANALYST),
        Case(
            method="POST",
            kwargs=lambda c: {"code": "AE_4HR"},
            data=_indicator_form,
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            ok_status=frozenset({302}),
        ),
    ],
    "dashboard:qsg-matrix": [
        Case(kwargs=_seeded(_qsg_a), ok=A_VIEW, hidden=A_HIDDEN, secret=_a1_secret)
    ],
    "dashboard:qsg-signals": [
        Case(kwargs=_seeded(_qsg_a), ok=A_VIEW, hidden=A_HIDDEN, secret=_a1_secret)
    ],
    "dashboard:provider": [
        Case(kwargs=_seeded(_a1), ok=A_VIEW, hidden=A_HIDDEN, secret=_a1_secret)
    ],
    "dashboard:series": [
        Case(kwargs=_seeded(_a1_series), ok=A_VIEW, hidden=A_HIDDEN, secret=_a1_secret),
        Case(
            kwargs=_seeded(_b1_series),
            ok=B1_VIEW,
            hidden=everyone(but=B1_VIEW),
            label="commissioner outside the footprint sees it",
        ),
    ],
    "dashboard:rebase-add": [
        Case(
            method="POST",
            kwargs=_seeded(_b1_series),
            data=lambda c: {"period": "2017-06-01", "reason": "New streaming model"},
            ok=ANALYST,
            forbidden=B1_VIEW - ANALYST,
            hidden=everyone(but=B1_VIEW),
            ok_status=frozenset({302}),
        )
    ],
    "dashboard:import-list": [ANALYST_PAGE],
    "dashboard:import-new": [
        ANALYST_PAGE,
        Case(
            method="POST",
            data=_upload,
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            ok_status=frozenset({302}),
        ),
    ],
    "dashboard:import-preview": [
        Case(kwargs=_pending, ok=ANALYST, hidden=NOT_ANALYST),
        Case(
            method="POST",
            kwargs=_pending,
            data=lambda c: {"cancel": "1"},
            ok=ANALYST,
            hidden=NOT_ANALYST,
            ok_status=frozenset({302}),
        ),
    ],
    "dashboard:import-template": [ANALYST_PAGE],
    "dashboard:import-detail": [Case(kwargs=_batch, ok=ANALYST, hidden=NOT_ANALYST)],
    "dashboard:import-errors": [Case(kwargs=_batch, ok=ANALYST, hidden=NOT_ANALYST)],
    "dashboard:mapping-list": [
        ANALYST_PAGE,
        Case(
            method="POST",
            data=lambda c: {
                "name": "Trust returns",
                "provider_column": "org",
                "period_column": "month",
                "indicator_column": "measure",
                "value_column": "rate",
            },
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            ok_status=frozenset({302}),
        ),
    ],
    "dashboard:job-list": [
        ANALYST_PAGE,
        Case(method="POST", ok=ANALYST, forbidden=NOT_ANALYST, ok_status=frozenset({302})),
    ],
    # API
    "api:indicator-list": [
        Case(api=True, ok=everyone(), anonymous_status=API_ANON),
        Case(
            method="POST",
            api=True,
            data=lambda c: {**_new_indicator(c), "is_active": True},
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            ok_status=frozenset({201}),
            anonymous_status=API_ANON,
        ),
    ],
    "api:indicator-detail": [
        Case(
            api=True, kwargs=lambda c: {"code": "AE_4HR"}, ok=everyone(), anonymous_status=API_ANON
        ),
        Case(
            method="PATCH",
            api=True,
            kwargs=lambda c: {"code": "AE_4HR"},
            data=lambda c: {"target": 4.5},
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            anonymous_status=API_ANON,
        ),
    ],
    "api:observation-list": [
        Case(
            api=True,
            kwargs=_seeded(lambda c: {}),
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: '"RAA"',
            anonymous_status=API_ANON,
        )
    ],
    "api:observation-detail": [
        Case(
            api=True,
            kwargs=_observation,
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=lambda c: '"RAA"',
            anonymous_status=API_ANON,
        )
    ],
    "api:observation-import": [
        # JSON carries no file: the analyst gets past the permission check to a 400.
        Case(
            method="POST",
            api=True,
            ok=ANALYST,
            forbidden=NOT_ANALYST,
            ok_status=frozenset({400, 415}),
            anonymous_status=API_ANON,
        )
    ],
    "api:import-job-list": [
        Case(api=True, ok=ANALYST, forbidden=NOT_ANALYST, anonymous_status=API_ANON)
    ],
    "api:import-job-detail": [
        Case(api=True, kwargs=_job, ok=ANALYST, hidden=NOT_ANALYST, anonymous_status=API_ANON)
    ],
    "api:spc-list": [
        Case(
            api=True,
            kwargs=_seeded(lambda c: {}),
            query="?provider=RAA&indicator=AE_4HR",
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=lambda c: '"RAA"',
            anonymous_status=API_ANON,
        )
    ],
    "api:signal-list": [
        Case(
            api=True,
            kwargs=_seeded(lambda c: {}),
            query="?qsg=a-qsg&since=2017-01-01",
            ok=A_VIEW,
            hidden=A_HIDDEN,
            secret=lambda c: '"RAA"',
            anonymous_status=API_ANON,
        )
    ],
}
