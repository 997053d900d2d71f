"""One place per rule (issue 13, build 3): each rule is written once, in the access layer, and
the code holds no second copy of it. The rules themselves are tested where they are used; this
test fails if a copy comes back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("qsg", "dashboard", "surveillance", "risksummits")


def _sources(kind: str):
    """Application code (".py", without migrations and demo seeders, which pick sample rows
    and decide nothing) or templates (".jinja")."""
    if kind == ".jinja":
        for path in (ROOT / "templates").rglob("*.jinja"):
            yield path.relative_to(ROOT).as_posix(), path.read_text()
        return
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "demo.py":
                continue
            yield path.relative_to(ROOT).as_posix(), path.read_text()


# (what, pattern, the one file allowed to hold it, where to look)
RULES = [
    ("statutory member", r"is_statutory\s*=\s*True|type\.is_statutory", "qsg/access.py", ".py"),
    (
        "secretariat or chair",
        r"SECRETARIAT in \w+ or (Role\.)?CHAIR in|manages\([^)]*\) or [\w.]*chairs\(",
        "qsg/access.py",
        ".py",
    ),
    (
        "read roles",
        r"\(?\{?Role\.SECRETARIAT, Role\.CHAIR, Role\.MEMBER, Role\.OBSERVER",
        "qsg/access.py",
        ".py",
    ),
    (
        "provider footprint",
        r"Provider\.objects\.filter\(qsg__regional_qsg=",
        "qsg/access.py",
        ".py",
    ),
    (
        "attribution of a 'do not attribute' item",
        r"do_not_attribute=False|not item\.do_not_attribute",
        "surveillance/intelligence/access.py",
        ".py",
    ),
    (
        "confidential agenda items decided in a template",
        r"is_confidential and not sees_confidential|\bsees_confidential\b",
        None,
        ".jinja",
    ),
]


@pytest.mark.parametrize("what,pattern,home,kind", RULES, ids=[r[0] for r in RULES])
def test_each_rule_is_written_once(what, pattern, home, kind):
    found = sorted(
        name for name, text in _sources(kind) if re.search(pattern, text) and name != home
    )
    assert found == [], f"{what} is decided outside {home or 'the access layer'}: {found}"


@pytest.mark.django_db
def test_a_statutory_member_is_one_of_an_active_statutory_organisation(cast):
    from qsg import access
    from qsg.models import Organisation
    from surveillance.meetings import access as am

    cqc_a, qsg_a = cast.users["cqc_a"], cast.qsgs["a"].pk
    assert access.is_statutory(cqc_a) and am.sees_confidential(cqc_a, qsg_a)
    Organisation.objects.filter(pk=cast.orgs["cqc"].pk).update(is_active=False)
    access.forget(cqc_a)
    assert not access.is_statutory(cqc_a)
    assert not am.sees_confidential(cqc_a, qsg_a)
    assert am.sees_confidential(cast.users["chair_a"], qsg_a)  # the team, whatever the body


@pytest.mark.django_db
def test_pack_audiences_use_the_same_confidential_rule_as_the_pages(cast):
    from surveillance.meetings import access as am
    from surveillance.packs import selectors as selectors_packs
    from tests.surveillance.meetings.factories import meeting
    from tests.surveillance.packs.factories import add_non_statutory_member

    add_non_statutory_member(cast)
    m = meeting(cast, days=7)
    audiences = selectors_packs.audiences(m, secretariat_reader=cast.users["secretariat_a"])
    members = [a for a in audiences if not a.is_full]
    assert {a.organisation.pk for a in members} >= {cast.orgs["cqc"].pk, cast.orgs["voice_a"].pk}
    for a in members:
        assert a.confidential == am.sees_confidential(a.reader, m.qsg_id), a.organisation.name
    assert not next(a for a in members if a.organisation == cast.orgs["voice_a"]).confidential


@pytest.mark.django_db
def test_a_regional_footprint_is_its_locals_providers(cast):
    from qsg import access
    from qsg.models import Provider

    regional = set(access.footprint(cast.qsgs["r"]).values_list("pk", flat=True))
    locals_ = set(
        Provider.objects.filter(
            qsg__in=[cast.qsgs["a"], cast.qsgs["b"]], is_active=True
        ).values_list("pk", flat=True)
    )
    assert regional == locals_ and regional
    local = set(access.footprint(cast.qsgs["a"]).values_list("pk", flat=True))
    assert local == set(
        Provider.objects.filter(qsg=cast.qsgs["a"], is_active=True).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_attribution_as_a_clause_is_the_same_rule_as_for_one_item(cast):
    """`attributable_q` (lists, filters) and `sees_attribution` (one item) agree for the cast."""
    from surveillance.intelligence import access
    from surveillance.intelligence.models import IntelligenceItem
    from tests.surveillance.intelligence.factories import submit

    submit(cast, "member_a", do_not_attribute=True)
    submit(cast, "member_a", do_not_attribute=False)
    submit(cast, "cqc_a", do_not_attribute=True)
    items = list(IntelligenceItem.objects.all())
    assert {i.do_not_attribute for i in items} == {True, False}
    for user in cast.users.values():
        clause = set(
            IntelligenceItem.objects.filter(access.attributable_q(user)).values_list(
                "pk", flat=True
            )
        )
        one_by_one = {i.pk for i in items if access.sees_attribution(user, i)}
        assert clause == one_by_one, user.username
