"""Rules for the meetings pages and API (surveillance app).

Who is who for QSG A: the secretariat manages; the chair agrees and settles; members
(member_a from an ICB, cqc_a from the CQC, both statutory) read circulated notes and see
confidential material; the observer and the regional team read published notes only, without
confidential material; everyone else gets 404.
"""

from tests.cast import A_PARTICIPANTS, REGIONAL_OVERSIGHT
from tests.surveillance.meetings.factories import scenario

from . import API_ANON, Case, everyone, users

A_VIEW = users(A_PARTICIPANTS, REGIONAL_OVERSIGHT)
A_HIDDEN = everyone(but=A_VIEW)
SEC = users("secretariat_a")
CHAIR = users("chair_a")
MEMBERS = users("member_a", "cqc_a")
NOTE_TEAM = SEC | CHAIR
CIRCULATED_READERS = NOTE_TEAM | MEMBERS
CONFIDENTIAL_READERS = NOTE_TEAM | MEMBERS
SECRET = "Whistleblower account shared in confidence"
REDIRECT = frozenset({302})


def _secret(c):
    return SECRET


def manage(**extra) -> Case:
    return Case(ok=SEC, forbidden=A_VIEW - SEC, hidden=A_HIDDEN, **extra)


def view(**extra) -> Case:
    return Case(ok=A_VIEW, hidden=A_HIDDEN, **extra)


def _s(key):
    return lambda c: scenario(c)[key]


def _qsg(c):
    return {"qsg_pk": c.qsgs["a"].pk}


def _m(key):
    return lambda c: {"pk": scenario(c)[key].pk}


def _with(meeting_key, name, obj_key):
    return lambda c: {"pk": scenario(c)[meeting_key].pk, name: scenario(c)[obj_key].pk}


def _job(c):
    s = scenario(c)
    return {"pk": s["published"].pk, "job_id": s["job"].pk}


def _api(key):
    return lambda c: {"pk": scenario(c)[key].pk}


RULES = {
    "surveillance:meeting-index": [Case(ok=everyone())],
    "surveillance:meeting-list": [view(kwargs=_qsg)],
    "surveillance:series-create": [
        manage(kwargs=_qsg),
        manage(method="POST", kwargs=_qsg, data=lambda c: {"title": ""}, label="rejected form"),
    ],
    "surveillance:meeting-create": [manage(kwargs=_qsg)],
    "surveillance:qsg-ics": [view(kwargs=_qsg)],
    "surveillance:plan-list": [view(kwargs=_qsg)],
    "surveillance:coverage": [view(kwargs=_qsg)],
    "surveillance:quorum-settings": [
        view(kwargs=_qsg),
        manage(method="POST", kwargs=_qsg, data=lambda c: {"label": ""}, label="rejected form"),
    ],
    "surveillance:quorum-defaults": [manage(method="POST", kwargs=_qsg, ok_status=REDIRECT)],
    "surveillance:quorum-requirement-delete": [
        manage(
            kwargs=lambda c: {
                "qsg_pk": c.qsgs["a"].pk,
                "requirement_pk": scenario(c)["requirement"].pk,
            }
        )
    ],
    "surveillance:series-ics": [
        view(kwargs=lambda c: {"series_pk": _series(c).pk}),
    ],
    "surveillance:meeting-detail": [view(kwargs=_m("upcoming"))],
    "surveillance:meeting-edit": [manage(kwargs=_m("upcoming"))],
    "surveillance:meeting-ics": [view(kwargs=_m("upcoming"))],
    "surveillance:agenda": [view(kwargs=_m("upcoming"))],
    "surveillance:agenda-template": [
        manage(method="POST", kwargs=_m("upcoming"), ok_status=REDIRECT)
    ],
    "surveillance:agenda-suggestions": [
        manage(method="POST", kwargs=_m("upcoming"), ok_status=REDIRECT)
    ],
    "surveillance:agenda-item-create": [manage(kwargs=_m("upcoming"))],
    "surveillance:agenda-item-edit": [manage(kwargs=_with("upcoming", "item_pk", "item"))],
    "surveillance:agenda-item-delete": [manage(kwargs=_with("upcoming", "item_pk", "item"))],
    "surveillance:agenda-item-move": [
        manage(method="POST", kwargs=_with("upcoming", "item_pk", "item"), ok_status=REDIRECT)
    ],
    "surveillance:attendance": [
        view(kwargs=_m("draft")),
        manage(
            method="POST",
            kwargs=_m("draft"),
            data=lambda c: {"status": "present"},
            label="rejected form",
        ),
    ],
    "surveillance:quorum-panel": [view(kwargs=_m("draft"))],
    "surveillance:attendance-expected": [
        manage(kwargs=_m("draft")),
        manage(method="POST", kwargs=_m("draft"), data=lambda c: {}, label="rejected form"),
    ],
    "surveillance:attendance-edit": [manage(kwargs=_with("draft", "row_pk", "draft_attendance"))],
    "surveillance:attendance-delete": [manage(kwargs=_with("draft", "row_pk", "draft_attendance"))],
    "surveillance:note": [
        Case(
            kwargs=_m("draft"),
            ok=A_VIEW,
            hidden=A_HIDDEN,
            absent=A_VIEW - NOTE_TEAM,
            secret=_secret,
            label="draft: content for the secretariat and chair only",
        ),
        Case(
            kwargs=_m("circulated"),
            ok=A_VIEW,
            hidden=A_HIDDEN,
            absent=A_VIEW - CIRCULATED_READERS,
            secret=lambda c: "Mortality above expected",
            label="circulated: content for members",
        ),
        Case(
            kwargs=_m("published"),
            ok=A_VIEW,
            hidden=A_HIDDEN,
            absent=A_VIEW - CONFIDENTIAL_READERS,
            secret=_secret,
            label="published: confidential passage only for the confidential audience",
        ),
        Case(kwargs=_m("upcoming"), ok=A_VIEW, hidden=A_HIDDEN, label="no note yet"),
    ],
    "surveillance:note-start": [manage(method="POST", kwargs=_m("upcoming"), ok_status=REDIRECT)],
    "surveillance:passage-create": [manage(kwargs=_m("draft"))],
    "surveillance:passage-edit": [manage(kwargs=_with("draft", "passage_pk", "draft_passage"))],
    "surveillance:passage-delete": [manage(kwargs=_with("draft", "passage_pk", "draft_passage"))],
    "surveillance:conclusion-create": [manage(kwargs=_m("draft"))],
    "surveillance:conclusion-edit": [
        manage(kwargs=_with("draft", "conclusion_pk", "draft_conclusion"))
    ],
    "surveillance:conclusion-delete": [
        manage(kwargs=_with("draft", "conclusion_pk", "draft_conclusion"))
    ],
    "surveillance:conclusion-settle": [
        Case(
            kwargs=_with("draft", "conclusion_pk", "draft_conclusion"),
            ok=CHAIR,
            forbidden=SEC,
            hidden=everyone(but=NOTE_TEAM),
        )
    ],
    "surveillance:action-create": [manage(kwargs=_m("draft"))],
    "surveillance:action-edit": [manage(kwargs=_with("draft", "action_pk", "draft_action"))],
    "surveillance:action-delete": [manage(kwargs=_with("draft", "action_pk", "draft_action"))],
    "surveillance:note-circulate": [manage(kwargs=_m("draft"))],
    "surveillance:note-comment": [
        Case(
            method="POST",
            kwargs=_m("circulated"),
            data=lambda c: {"text": ""},
            ok=CIRCULATED_READERS,
            hidden=everyone(but=CIRCULATED_READERS),
            label="rejected comment re-renders",
        )
    ],
    "surveillance:note-agree": [
        Case(
            kwargs=_m("circulated"),
            ok=CHAIR,
            forbidden=SEC | MEMBERS,
            hidden=everyone(but=CIRCULATED_READERS),
        )
    ],
    "surveillance:note-revise": [manage(kwargs=_m("published"))],
    "surveillance:note-publish": [
        Case(
            method="POST",
            kwargs=_m("published"),
            ok=NOTE_TEAM,
            forbidden=A_VIEW - NOTE_TEAM,
            hidden=A_HIDDEN,
            ok_status=REDIRECT,
        )
    ],
    "surveillance:note-version": [
        view(
            kwargs=lambda c: {"pk": scenario(c)["published"].pk, "number": 1},
            absent=A_VIEW - CONFIDENTIAL_READERS,
            secret=_secret,
        )
    ],
    "surveillance:note-pdf": [view(kwargs=_m("published"), ok_status=frozenset({200, 302}))],
    "surveillance:note-pdf-status": [
        Case(
            kwargs=_job,
            ok=CONFIDENTIAL_READERS,
            hidden=everyone(but=CONFIDENTIAL_READERS),
            label="full audience job",
        )
    ],
    "surveillance:note-pdf-download": [
        Case(
            kwargs=_job,
            ok=CONFIDENTIAL_READERS,
            hidden=everyone(but=CONFIDENTIAL_READERS),
            label="full audience PDF",
        )
    ],
    "surveillance:action-list": [
        Case(ok=everyone(), absent=A_HIDDEN, secret=lambda c: "CQC to bring forward the inspection")
    ],
    "surveillance:action-update": [
        view(kwargs=lambda c: {"action_pk": scenario(c)["action"].pk}),
        Case(
            method="POST",
            kwargs=lambda c: {"action_pk": scenario(c)["action"].pk},
            data=lambda c: {"status": "in_progress", "progress_note": "Inspection booked"},
            ok=users("secretariat_a", "cqc_a"),
            forbidden=A_VIEW - users("secretariat_a", "cqc_a"),
            hidden=A_HIDDEN,
            ok_status=REDIRECT,
            label="the secretariat or the owner records progress",
        ),
    ],
    "surveillance:plan-detail": [view(kwargs=_api("plan"))],
    "surveillance:plan-entry-create": [manage(kwargs=_api("plan"))],
    "surveillance:plan-entry-delete": [
        manage(kwargs=lambda c: {"pk": scenario(c)["plan"].pk, "entry_pk": scenario(c)["entry"].pk})
    ],
    "surveillance:plan-distribute": [
        manage(
            method="POST",
            kwargs=_api("plan"),
            data=lambda c: {"group_by": "sector"},
            ok_status=REDIRECT,
        )
    ],
    # API
    "api:meeting-list": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:meeting-detail": [
        view(api=True, kwargs=_api("upcoming"), anonymous_status=API_ANON),
        manage(
            method="PATCH",
            api=True,
            kwargs=_api("upcoming"),
            data=lambda c: {"venue": "Room 2"},
            anonymous_status=API_ANON,
        ),
    ],
    "api:agenda-item-list": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:agenda-item-detail": [
        view(api=True, kwargs=_api("item"), anonymous_status=API_ANON),
        manage(
            method="PATCH",
            api=True,
            kwargs=_api("item"),
            data=lambda c: {"duration_minutes": 15},
            anonymous_status=API_ANON,
        ),
    ],
    "api:attendance-list": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:attendance-detail": [
        view(api=True, kwargs=_api("draft_attendance"), anonymous_status=API_ANON)
    ],
    "api:conclusion-list": [
        Case(
            api=True,
            ok=everyone(),
            absent=A_HIDDEN,
            secret=lambda c: "Concerns from two members corroborate the data",
            anonymous_status=API_ANON,
        )
    ],
    "api:conclusion-detail": [
        view(api=True, kwargs=_api("conclusion"), anonymous_status=API_ANON),
        Case(
            api=True,
            kwargs=_api("draft_conclusion"),
            ok=NOTE_TEAM,
            hidden=everyone(but=NOTE_TEAM),
            anonymous_status=API_ANON,
            label="a draft's conclusion",
        ),
    ],
    "api:action-list": [Case(api=True, ok=everyone(), anonymous_status=API_ANON)],
    "api:action-detail": [
        view(api=True, kwargs=_api("action"), anonymous_status=API_ANON),
        Case(
            method="PATCH",
            api=True,
            kwargs=_api("action"),
            data=lambda c: {"status": "in_progress"},
            ok=users("secretariat_a", "cqc_a"),
            forbidden=A_VIEW - users("secretariat_a", "cqc_a"),
            hidden=A_HIDDEN,
            anonymous_status=API_ANON,
        ),
    ],
}


def _series(c):
    from surveillance.meetings.services import schedule as schedule_services

    existing = c.__dict__.get("_series")
    if existing is None:
        import datetime as dt

        from django.utils import timezone

        scenario(c)
        start = timezone.localdate() + dt.timedelta(days=60)
        existing = schedule_services.meeting_series_create(
            actor=c.users["secretariat_a"],
            qsg=c.qsgs["a"],
            title="Area A QSG",
            cadence="local_2013",
            first_date=start,
            until=start + dt.timedelta(days=200),
            start_time=dt.time(10),
            end_time=dt.time(12),
        )
        c.__dict__["_series"] = existing
    return existing
