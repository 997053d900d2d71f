"""Rules for the intelligence pages (surveillance app).

The scenario, in QSG A: `shared` (submitted by member_a of the ICB, triaged, shared with the
QSG's members), `named` (shared by name with the CQC, so cqc_a sees it too; the regional CQC
member holds no role in QSG A and does not), and member_a's `draft`. Members of QSG A read `shared`; only the secretariat triages;
the owner and the secretariat widen; other organisations corroborate; everyone else gets 404,
and lists, exports and searches leave the items out.
"""

from __future__ import annotations

from tests.cast import A_PARTICIPANTS

from . import Case, everyone, users

SECRET = "Registered nurse cover below the agreed minimum on nights"
NAMED_SECRET = "Inspection found medicines stored above safe temperature"
REDIRECT = frozenset({302})

A_VIEW = users(A_PARTICIPANTS)
A_HIDDEN = everyone(but=A_VIEW)
SECRETARIATS = users("secretariat_a", "secretariat_b", "secretariat_c", "regional_secretariat")
HAS_ROLE = everyone(but={"outsider"})
# A role in the QSG is needed to read its intelligence (issue 14 build 2): not regional_member.
NAMED_VIEW = users("member_a", "secretariat_a", "chair_a", "cqc_a")


def scenario(cast) -> dict:
    cached = cast.__dict__.get("_intelligence_pages")
    if cached:
        return cached
    from surveillance.intelligence import services as si
    from tests.surveillance.intelligence.factories import fields, released

    shared = released(cast, summary=SECRET)
    named = released(
        cast,
        summary=NAMED_SECRET,
        distribution="named",
        named_organisations=[cast.orgs["cqc"]],
    )
    draft = si.intelligence_item_save_draft(
        actor=cast.users["member_a"], **fields(cast, summary="A draft not yet submitted")
    )
    cast.__dict__["_intelligence_pages"] = {"shared": shared, "named": named, "draft": draft}
    return cast.__dict__["_intelligence_pages"]


def _pk(key):
    return lambda c: {"pk": scenario(c)[key].pk}


def _secret(c):
    scenario(c)
    return SECRET


def _listing(**extra) -> Case:
    return Case(ok=everyone(), absent=A_HIDDEN, secret=_secret, **extra)


def _in_a(**extra) -> Case:
    return Case(ok=A_VIEW, hidden=A_HIDDEN, secret=_secret, kwargs=_pk("shared"), **extra)


def _secretariat_of_a(**extra) -> Case:
    return Case(
        ok=users("secretariat_a"),
        forbidden=A_VIEW - {"secretariat_a"},
        hidden=A_HIDDEN,
        secret=_secret,
        kwargs=_pk("shared"),
        **extra,
    )


RULES = {
    "surveillance:intelligence-list": [
        _listing(),
        _listing(query="?q=nurse+cover", label="search"),
    ],
    "surveillance:intelligence-export": [
        _listing(),
        _listing(query="?q=nurse+cover", label="search"),
    ],
    "surveillance:intelligence-new": [
        Case(ok=HAS_ROLE, hidden=users("outsider")),
        Case(
            method="POST",
            data=lambda c: {"qsg": "", "providers": ""},
            ok=HAS_ROLE,
            hidden=users("outsider"),
            label="rejected form",
        ),
    ],
    "surveillance:intelligence-step": [
        Case(
            kwargs=lambda c: {"pk": scenario(c)["draft"].pk, "step": "details"},
            ok=users("member_a"),
            hidden=everyone(but={"member_a"}),
        )
    ],
    "surveillance:intelligence-check": [
        Case(kwargs=_pk("draft"), ok=users("member_a"), hidden=everyone(but={"member_a"}))
    ],
    "surveillance:intelligence-draft-delete": [
        Case(kwargs=_pk("draft"), ok=users("member_a"), hidden=everyone(but={"member_a"})),
        Case(
            method="POST",
            kwargs=_pk("draft"),
            ok=users("member_a"),
            hidden=everyone(but={"member_a"}),
            ok_status=REDIRECT,
            label="delete",
        ),
    ],
    "surveillance:intelligence-submitted": [
        Case(kwargs=_pk("shared"), ok=users("member_a"), hidden=everyone(but={"member_a"}))
    ],
    "surveillance:intelligence-detail": [
        _in_a(),
        Case(
            kwargs=_pk("named"),
            ok=NAMED_VIEW,
            hidden=everyone(but=NAMED_VIEW),
            secret=lambda c: NAMED_SECRET,
            label="shared by name",
        ),
    ],
    "surveillance:intelligence-corroborate": [
        Case(
            method="POST",
            kwargs=_pk("shared"),
            data=lambda c: {"note": ""},
            ok=A_VIEW - {"member_a"},
            forbidden=users("member_a"),
            hidden=A_HIDDEN,
            ok_status=REDIRECT,
            secret=_secret,
        )
    ],
    "surveillance:intelligence-widen": [
        Case(
            kwargs=_pk("shared"),
            ok=users("member_a", "secretariat_a"),
            forbidden=A_VIEW - {"member_a", "secretariat_a"},
            hidden=A_HIDDEN,
            secret=_secret,
        )
    ],
    "surveillance:intelligence-triage": [
        _secretariat_of_a(),
        _secretariat_of_a(method="POST", data=lambda c: {"theme": ""}, label="rejected form"),
    ],
    "surveillance:intelligence-merge": [
        _secretariat_of_a(method="POST", data=lambda c: {"into": ""}, label="rejected form"),
    ],
    "surveillance:intelligence-triage-queue": [
        Case(ok=SECRETARIATS, hidden=everyone(but=SECRETARIATS))
    ],
    "surveillance:intelligence-access-log": [
        Case(ok=SECRETARIATS, hidden=everyone(but=SECRETARIATS))
    ],
}
