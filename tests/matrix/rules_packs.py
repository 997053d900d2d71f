"""Rules for meeting packs and member returns (pages and /api/v1/packs/).

QSG A's next meeting: the secretariat makes and publishes the pack; the secretariat and chair
read every return and the render job; members (member_a of the ICB, cqc_a of the CQC) write
their organisation's return and download their organisation's copy of the published version
only; the observer and the regional team see the pack page but receive no file; everyone
else gets 404.
"""

from tests.cast import A_PARTICIPANTS, REGIONAL_OVERSIGHT
from tests.surveillance.packs.factories import RESTRICTED, matrix_scenario

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
A_HIDDEN = everyone(but=A_VIEW)
SEC = users("secretariat_a")
READS_ALL = users("secretariat_a", "chair_a")
MEMBERS = users("member_a", "cqc_a")
REDIRECT = frozenset({302})


def _meeting(c):
    return {"pk": matrix_scenario(c)["meeting"].pk}


def _job(c):
    s = matrix_scenario(c)
    return {"pk": s["meeting"].pk, "job_id": s["job"].pk}


def _file(key):
    return lambda c: {
        "pk": matrix_scenario(c)["meeting"].pk,
        "version_pk": matrix_scenario(c)[key].pk,
    }


def _pack(c):
    return {"pk": matrix_scenario(c)["pack"].pk}


def _restricted(c):
    return RESTRICTED


def manage(**extra) -> Case:
    return Case(ok=SEC, forbidden=A_VIEW - SEC, hidden=A_HIDDEN, **extra)


RULES = {
    "surveillance:pack": [Case(ok=A_VIEW, hidden=A_HIDDEN, kwargs=_meeting, secret=_restricted)],
    "surveillance:pack-make": [manage(method="POST", kwargs=_meeting, ok_status=REDIRECT)],
    "surveillance:pack-settings": [
        manage(kwargs=_meeting),
        manage(method="POST", kwargs=_meeting, data=lambda c: {"marking": ""}, label="rejected"),
    ],
    "surveillance:pack-publish": [
        manage(method="POST", kwargs=_meeting, data=lambda c: {"number": 1}, ok_status=REDIRECT)
    ],
    "surveillance:pack-job": [
        Case(ok=READS_ALL, forbidden=A_VIEW - READS_ALL, hidden=A_HIDDEN, kwargs=_job)
    ],
    "surveillance:pack-retry": [manage(method="POST", kwargs=_job, ok_status=REDIRECT)],
    "surveillance:pack-download": [
        Case(ok=READS_ALL, hidden=everyone(but=READS_ALL), kwargs=_file("full"), label="full"),
        Case(ok=SEC | {"member_a"}, hidden=everyone(but=SEC | {"member_a"}), kwargs=_file("icb")),
        Case(ok=SEC | {"cqc_a"}, hidden=everyone(but=SEC | {"cqc_a"}), kwargs=_file("cqc")),
    ],
    "surveillance:pack-returns": [
        Case(
            ok=READS_ALL,
            forbidden=A_VIEW - READS_ALL,
            hidden=A_HIDDEN,
            kwargs=_meeting,
            secret=_restricted,
        )
    ],
    "surveillance:member-return": [
        Case(ok=MEMBERS, forbidden=A_VIEW - MEMBERS, hidden=A_HIDDEN, kwargs=_meeting),
        Case(
            method="POST",
            ok=MEMBERS,
            forbidden=A_VIEW - MEMBERS,
            hidden=A_HIDDEN,
            kwargs=_meeting,
            data=lambda c: {"concerns": "Patient NHS number 943 476 5919", "handling": "members"},
            label="rejected: patient-identifiable data",
        ),
    ],
    "api:pack-list": [
        Case(
            ok=everyone(),
            absent=A_HIDDEN,
            api=True,
            anonymous_status=API_ANON,
            secret=lambda c: matrix_scenario(c)["meeting"].title,
        )
    ],
    "api:pack-detail": [
        Case(ok=A_VIEW, hidden=A_HIDDEN, kwargs=_pack, api=True, anonymous_status=API_ANON)
    ],
    "api:pack-download": [
        Case(
            ok=READS_ALL | MEMBERS,
            hidden=everyone(but=READS_ALL | MEMBERS),
            kwargs=_pack,
            api=True,
            anonymous_status=API_ANON,
        ),
    ],
}
