"""Group tiers as data (issue 16, build 1) and providers in several groups' footprints with a
lead group (build 2).

A national group over region R reads R and its local groups A and B read-only, as R's team
reads its locals, through `qsg.access` only; region S (not under it) stays hidden. A provider
led by QSG C and sitting in QSG A's footprint too is read by A's people (its page, the
dashboard matrix, the escalation lists) while C alone keeps and decides its escalation record.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dashboard import access as dashboard_access
from qsg import access, services
from qsg.models import QSG, OrganisationType, User
from surveillance.escalation import access as escalation_access
from surveillance.escalation import selectors as escalation_selectors
from surveillance.regional import access as regional_access
from tests.cast import PASSWORD
from tests.signin import log_in
from tests.surveillance.escalation.factories import decide, statement
from tests.surveillance.regional.factories import regional_scenario

pytestmark = pytest.mark.django_db


def _national(cast, role: str = "secretariat") -> User:
    """A national group over region R, its team's organisation, and one secretariat person."""
    team_type, _ = OrganisationType.objects.get_or_create(
        code="nhse-national", defaults={"label": "NHS England national team"}
    )
    team = services.organisation_create(
        actor=None, name="NHS England national team", type=team_type
    )
    national = QSG(
        name="National QG",
        slug="national-qg",
        level=QSG.Level.NATIONAL,
        convening_organisation=team,
    )
    national.full_clean()
    national.save()
    region = cast.qsgs["r"]
    region.regional_qsg = national
    region.full_clean()
    region.save()
    services.membership_add(actor=None, qsg=national, organisation=team)
    person = services.user_create(
        actor=None,
        username="national_sec",
        organisation=team,
        password=PASSWORD,
        first_name="Nia",
        last_name="National",
        email="national_sec@example.nhs.uk",
    )
    services.role_assign(actor=None, qsg=national, user=person, role=role)
    cast.qsgs["n"] = national
    return person


def _client(client, user):
    log_in(client, user)
    return client


# Tiers -------------------------------------------------------------------------------------------


def test_each_tier_sits_under_the_tier_above_only(cast):
    national = QSG(name="N", slug="n", level=QSG.Level.NATIONAL)
    national.full_clean()
    national.save()
    # A local group under a national one, or a region under a region: refused by validation.
    for level, parent in ((QSG.Level.LOCAL, national), (QSG.Level.REGIONAL, cast.qsgs["s"])):
        with pytest.raises(ValidationError) as caught:
            QSG(name=f"x {level}", slug=f"x-{level}", level=level, regional_qsg=parent).full_clean()
        assert "regional_qsg" in caught.value.message_dict
    # A national group under anything, or a local group with no region: refused by the database.
    for level, parent in ((QSG.Level.NATIONAL, cast.qsgs["r"]), (QSG.Level.LOCAL, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            QSG.objects.create(
                name=f"y {level}", slug=f"y-{level}", level=level, regional_qsg=parent
            )
    # A region may sit under a national group, or (as in the 2013 network) under none.
    cast.qsgs["r"].regional_qsg = national
    cast.qsgs["r"].full_clean()


def test_the_national_team_reads_its_regions_and_their_locals_read_only(cast):
    person = _national(cast)
    p = access.principal(person)
    q = cast.qsgs
    assert p.read_only == {q["r"].pk, q["a"].pk, q["b"].pk}
    assert not p.sees_qsg(q["s"].pk) and not p.sees_qsg(q["c"].pk)
    # Read-only: no oversight, so nothing that oversight allows.
    assert not p.overseen and not p.oversees(q["a"].pk)
    assert not escalation_access.can_decide(person, q["a"].pk)
    assert not regional_access.can_send_recommendations(person, q["r"].pk)
    assert set(access.footprint(q["n"])) == {
        cast.providers[k] for k in ("provider_a1", "provider_a2", "provider_b1")
    }
    assert set(access.providers_for(person)) == set(access.footprint(q["n"]))


def test_a_national_member_without_an_oversight_role_reads_nothing_below(cast):
    person = _national(cast, role="member")
    assert access.principal(person).read_only == frozenset()


def test_the_national_team_reads_the_regional_view_reports_and_escalations(cast, client):
    s = regional_scenario(cast)
    record = decide(cast, exit_criteria=[statement()]).record
    client = _client(client, _national(cast))
    region, other = cast.qsgs["r"], cast.qsgs["s"]
    view = client.get(reverse("surveillance:regional-view", args=[region.pk]))
    assert view.status_code == 200
    assert client.get(reverse("surveillance:regional-view", args=[other.pk])).status_code == 404
    # The submitted local report: read, but neither comment nor acknowledgement.
    report = client.get(s["submitted"].get_absolute_url()).content.decode()
    assert "Comment on the report" not in report and "Acknowledge the report" not in report
    comment = reverse("surveillance:local-report-comment", args=[s["submitted"].pk])
    assert (
        client.post(comment, {"text": "From the national team", "form_token": "n1"}).status_code
        == 403
    )
    assert client.get(s["draft"].get_absolute_url()).status_code == 404
    # Escalation: the region's list and the record, read; no decision.
    listing = client.get(reverse("surveillance:escalation-group", args=[region.pk]))
    assert listing.status_code == 200 and record.provider.name in listing.content.decode()
    national_list = client.get(reverse("surveillance:escalation-group", args=[cast.qsgs["n"].pk]))
    assert record.provider.name in national_list.content.decode()
    assert client.get(record.get_absolute_url()).status_code == 200
    decide_url = reverse("surveillance:escalation-decide", args=[record.pk])
    assert client.get(decide_url).status_code == 403


# Providers in several footprints -----------------------------------------------------------------


@pytest.fixture
def shared(cast):
    """Provider C1: led by QSG C (region S), in QSG A's footprint too."""
    provider = cast.providers["provider_c1"]
    services.provider_update(actor=None, provider=provider, other_qsgs=[cast.qsgs["a"]])
    return provider


def test_a_provider_in_another_groups_footprint_is_read_there(cast, shared):
    q = cast.qsgs
    assert shared in access.footprint(q["a"]) and shared in access.footprint(q["r"])
    assert shared in access.footprint(q["c"])
    assert shared not in access.footprint(q["b"])
    for key in ("member_a", "observer_a", "reviewer"):
        assert access.provider_for_user(cast.users[key], shared.pk) == shared
    with pytest.raises(access.Http404):
        access.provider_for_user(cast.users["member_b"], shared.pk)
    # Only the lead group's secretariat changes it.
    with pytest.raises(access.PermissionDenied):
        access.provider_for_user(cast.users["secretariat_a"], shared.pk, manage=True)
    assert access.provider_for_user(cast.users["secretariat_c"], shared.pk, manage=True)
    assert shared in dashboard_access.scope_providers(cast.users["member_a"], q["a"])


def test_the_lead_group_keeps_the_escalation_record_and_the_others_read_it(cast, shared):
    record = decide(cast, "provider_c1", actor="secretariat_c", exit_criteria=[statement()]).record
    assert record.qsg == cast.qsgs["c"]
    member_a, sec_a = cast.users["member_a"], cast.users["secretariat_a"]
    assert escalation_access.record_for_user(member_a, record.pk) == record
    rows = escalation_selectors.records_of_group(member_a, cast.qsgs["a"])
    assert [r.record for r in rows] == [record]
    with pytest.raises(access.PermissionDenied):
        escalation_access.record_for_user(sec_a, record.pk, manage=True)
    with pytest.raises(access.PermissionDenied):
        escalation_access.provider_to_decide(sec_a, shared.pk)
    with pytest.raises(access.Http404):
        escalation_access.record_for_user(cast.users["member_b"], record.pk)


def test_the_lead_group_is_not_also_another_group(cast, shared):
    with pytest.raises(ValidationError):
        services.provider_update(actor=None, provider=shared, other_qsgs=[cast.qsgs["c"]])
    with pytest.raises(ValidationError):
        services.provider_update(actor=None, provider=shared, qsg=cast.qsgs["a"])
    with pytest.raises(ValidationError):
        services.provider_update(actor=None, provider=shared, other_qsgs=[cast.qsgs["r"]])


# Pages and API -----------------------------------------------------------------------------------


def test_pages_show_the_lead_group_and_the_other_groups(cast, shared, client_for):
    a, c = cast.qsgs["a"], cast.qsgs["c"]
    member_a = client_for("member_a")
    page = member_a.get(shared.get_absolute_url()).content.decode()
    assert "(lead group: it keeps the escalation record)" in page
    assert "Also in the footprint of" in page and f'href="{a.get_absolute_url()}"' in page
    group = member_a.get(a.get_absolute_url()).content.decode()
    assert "(of which 1 led by another group)" in group
    listing = member_a.get(reverse("qsg:provider-list"), {"qsg": a.pk}).content.decode()
    assert shared.name in listing
    # C's secretariat sees the provider but not QSG A: A is named, not linked.
    page_c = client_for("secretariat_c").get(shared.get_absolute_url()).content.decode()
    assert a.name in page_c and f'href="{a.get_absolute_url()}"' not in page_c
    record = decide(cast, "provider_c1", actor="secretariat_c", exit_criteria=[statement()]).record
    detail = member_a.get(record.get_absolute_url()).content.decode()
    assert f"{c.name} (the lead group; also read by {a.name})" in detail
    assert reverse("surveillance:escalation-group", args=[c.pk]) not in detail
    assert "Record a decision" not in detail


def test_the_api_names_the_other_groups_the_reader_sees(cast, shared, client_for):
    url = f"/api/v1/providers/{shared.pk}/"
    assert client_for("member_a").get(url).json()["other_qsgs"] == [cast.qsgs["a"].pk]
    body = client_for("secretariat_c").get(url).json()
    assert body["qsg"] == cast.qsgs["c"].pk and body["other_qsgs"] == []


def test_a_national_groups_page_lists_its_regions(cast, client):
    client = _client(client, _national(cast))
    page = client.get(cast.qsgs["n"].get_absolute_url()).content.decode()
    assert " under this group</h2>" in page and cast.qsgs["r"].name in page
    assert cast.qsgs["s"].name not in page
    assert client.get(cast.qsgs["a"].get_absolute_url()).status_code == 200
    assert client.get(cast.qsgs["c"].get_absolute_url()).status_code == 404


# A provider trust as a member organisation ---------------------------------------------------------


def test_a_provider_trusts_person_sees_what_is_shared_with_its_group_and_nothing_else(cast):
    from surveillance.intelligence import access as intelligence_access
    from surveillance.intelligence.models import IntelligenceItem
    from surveillance.meetings import access as meetings_access
    from tests.surveillance.intelligence.factories import released

    trust = cast.users["trust_c"]
    assert trust.organisation.type.code == "provider-trust"
    Distribution = IntelligenceItem.Distribution
    in_c = {"qsg": cast.qsgs["c"], "providers": [cast.providers["provider_c1"]]}
    shared = released(cast, "member_c", "secretariat_c", **in_c)
    own_org = released(
        cast, "member_c", "secretariat_c", distribution=Distribution.ORGANISATION, **in_c
    )
    elsewhere = released(cast)  # QSG A's, shared with A's members
    seen = set(intelligence_access.items_for(trust).values_list("pk", flat=True))
    assert shared.pk in seen and own_org.pk not in seen and elsewhere.pk not in seen
    # Its group's escalation records, read; not decided; nothing of QSG A.
    record = decide(cast, "provider_c1", actor="secretariat_c", exit_criteria=[statement()]).record
    other = decide(cast, exit_criteria=[statement()]).record
    assert escalation_access.record_for_user(trust, record.pk) == record
    assert not escalation_access.can_decide(trust, cast.qsgs["c"].pk)
    with pytest.raises(access.Http404):
        escalation_access.record_for_user(trust, other.pk)
    # Not a statutory body: the open version of confidential meeting material.
    assert not access.is_statutory(trust)
    assert not meetings_access.sees_confidential(trust, cast.qsgs["c"].pk)
    assert meetings_access.sees_confidential(cast.users["member_c"], cast.qsgs["c"].pk)
    assert set(access.providers_for(trust)) == {cast.providers["provider_c1"]}


# The national team reads summits and published notes below it (issue 16, build 1) -------------


def test_the_national_team_reads_summits_below_it_read_only(cast, client):
    from risksummits import access as summit_access
    from tests.cast import add_national
    from tests.risksummits.factories import world

    add_national(cast)
    summit = world(cast).summit
    for username in ("national_secretariat", "national_reviewer"):
        person = cast.users[username]
        standing = summit_access.summit_for_user(person, summit.pk)
        assert standing.oversees and not standing.can_manage and not standing.participant
        assert summit in summit_access.summits_for(person)
        with pytest.raises(access.PermissionDenied):
            summit_access.summit_for_user(person, summit.pk, manage=True)
        assert not summit_access.can_trigger(person)
    log_in(client, cast.users["national_reviewer"])
    page = client.get(summit.get_absolute_url())
    assert page.status_code == 200 and summit.reference in page.content.decode()
    assert "<form" not in page.content.decode().split('id="maincontent"')[-1]


def test_the_national_team_reads_published_notes_below_it_and_nothing_earlier(cast, client):
    from surveillance.meetings import access as meetings_access
    from tests.cast import add_national
    from tests.surveillance.meetings.factories import scenario

    add_national(cast)
    s = scenario(cast)
    person = cast.users["national_reviewer"]
    a = cast.qsgs["a"].pk
    assert meetings_access.note_statuses(person, a) == meetings_access.READER_STATUSES
    assert meetings_access.note_for_user(person, s["published"]) == s["published_note"]
    assert not meetings_access.can_comment(person, s["published_note"], a)
    assert not meetings_access.sees_confidential(person, a)
    for key in ("circulated", "draft"):
        with pytest.raises(access.Http404):
            meetings_access.note_for_user(person, s[key])
    log_in(client, person)
    published = client.get(reverse("surveillance:note", args=[s["published"].pk]))
    assert published.status_code == 200
    assert s["conclusion"].key_issues in published.content.decode()
    # The page of a meeting whose note is only circulated answers, without its words.
    circulated = client.get(reverse("surveillance:note", args=[s["circulated"].pk]))
    assert circulated.status_code == 200
    assert s["conclusion"].key_issues not in circulated.content.decode()


# Other groups set by the lead group's secretariat (issue 16, build 2) ----------------------------


def _edit_data(provider, **changes):
    data = {
        "ods_code": provider.ods_code,
        "name": provider.name,
        "sector": provider.sector,
        "qsg": provider.qsg_id,
        "district": provider.district,
        "commissioners": list(provider.commissioners.values_list("pk", flat=True)),
    }
    return {**data, **changes}


@pytest.fixture
def sees_b(cast):
    """secretariat_a (QSG A's secretariat) is also a member of QSG B, so sees B."""
    services.membership_add(actor=None, qsg=cast.qsgs["b"], organisation=cast.orgs["nhse_a"])
    services.role_assign(
        actor=None, qsg=cast.qsgs["b"], user=cast.users["secretariat_a"], role="member"
    )


def test_the_lead_groups_secretariat_sets_the_other_groups_on_the_edit_page(
    cast, sees_b, client_for
):
    provider = cast.providers["provider_a1"]
    b, c = cast.qsgs["b"], cast.qsgs["c"]
    url = reverse("qsg:provider-edit", args=[provider.pk])
    secretariat = client_for("secretariat_a")
    form = secretariat.get(url).content.decode()
    assert f'name="other_qsgs" type="checkbox" value="{b.pk}"' in form
    assert b.name in form and c.name not in form
    # Its own lead group is not offered as another.
    assert f'name="other_qsgs" type="checkbox" value="{cast.qsgs["a"].pk}"' not in form
    # A group it cannot see answers exactly as one that does not exist.
    for pk in (c.pk, 987654):
        page = secretariat.post(url, _edit_data(provider, other_qsgs=[pk]))
        assert page.status_code == 200
        assert f"Select a valid choice. {pk} is not one of the available choices." in (
            page.content.decode()
        )
        assert c.name not in page.content.decode()
    assert not provider.other_qsgs.exists()
    done = secretariat.post(url, _edit_data(provider, other_qsgs=[b.pk]))
    assert done.status_code == 302
    assert list(provider.other_qsgs.all()) == [b]
    assert access.provider_for_user(cast.users["member_b"], provider.pk) == provider
    # Only the lead group's secretariat: B's secretariat reads it there, changes nothing.
    assert client_for("secretariat_b").post(url, _edit_data(provider)).status_code == 403
    assert list(provider.other_qsgs.all()) == [b]


def test_the_api_sets_the_other_groups_it_sees_and_keeps_the_rest(cast, sees_b, client_for):
    provider = cast.providers["provider_a1"]
    b, c = cast.qsgs["b"], cast.qsgs["c"]
    url = f"/api/v1/providers/{provider.pk}/"
    api = client_for("secretariat_a")

    def patch(client, ids):
        return client.patch(url, {"other_qsgs": ids}, content_type="application/json")

    hidden, missing = patch(api, [c.pk]), patch(api, [987654])
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["other_qsgs"] == [
        m.replace("987654", str(c.pk)) for m in missing.json()["other_qsgs"]
    ]
    done = patch(api, [b.pk])
    assert done.status_code == 200 and done.json()["other_qsgs"] == [b.pk]
    # The lead group itself is not another group.
    assert patch(api, [cast.qsgs["a"].pk]).status_code == 400
    # A group the secretariat cannot see stays when it clears those it sees.
    services.provider_update(actor=None, provider=provider, other_qsgs=[b, c])
    cleared = patch(client_for("secretariat_a"), [])
    assert cleared.status_code == 200
    assert list(provider.other_qsgs.all()) == [c]
