"""Network pages: bad input gets field errors and keeps what was typed; nothing cascades away."""

from django.urls import reverse

from qsg.models import Membership, Organisation, Provider


def test_duplicate_ods_code_is_refused_and_typed_values_kept(cast, client_for):
    client = client_for("secretariat_a")
    response = client.post(
        reverse("qsg:provider-create"),
        {
            "ods_code": "raa",
            "name": "Typed provider name",
            "sector": "acute",
            "qsg": cast.qsgs["a"].pk,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "A provider with ODS code RAA already exists" in body
    assert 'href="#id_ods_code"' in body  # the error summary links to the field
    assert 'value="Typed provider name"' in body
    assert "<title>Error: " in body
    assert Provider.objects.filter(ods_code="RAA").count() == 1


def test_provider_form_field_errors(cast, client_for):
    client = client_for("secretariat_a")
    response = client.post(
        reverse("qsg:provider-create"), {"ods_code": "R!", "name": "", "sector": "x"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter an ODS code of 3 to 10 letters and numbers" in body
    assert "Select a valid choice" in body
    assert 'value="R!"' in body


def test_secretariat_cannot_place_provider_in_another_qsg(cast, client_for):
    client = client_for("secretariat_a")
    response = client.post(
        reverse("qsg:provider-create"),
        {"ods_code": "RZZ", "name": "Zulu", "sector": "acute", "qsg": cast.qsgs["b"].pk},
    )
    assert response.status_code == 200
    assert not Provider.objects.filter(ods_code="RZZ").exists()


def test_deleting_organisation_with_members_is_refused_with_reason(cast, client_for):
    client = client_for("secretariat_a")
    response = client.post(reverse("qsg:organisation-delete", args=[cast.orgs["icb_a"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be deleted because it still has people and it is still a member of a QSG" in body
    assert Organisation.objects.filter(pk=cast.orgs["icb_a"].pk).exists()


def test_deleting_an_unused_organisation_works(cast, client_for):
    from qsg import services

    spare = services.organisation_create(
        actor=None, name="Spare Trust", type=cast.orgs["outsider_org"].type
    )
    response = client_for("secretariat_a").post(reverse("qsg:organisation-delete", args=[spare.pk]))
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=spare.pk).exists()


def test_membership_cannot_be_removed_while_people_hold_roles(cast, client_for):
    membership = cast.memberships["a:icb_a"]
    response = client_for("secretariat_a").post(
        reverse("qsg:membership-remove", args=[cast.qsgs["a"].pk, membership.pk])
    )
    assert response.status_code == 200
    assert "while its people hold roles there" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_adding_the_same_member_twice_creates_one(cast, client_for):
    client = client_for("secretariat_a")
    url = reverse("qsg:membership-add", args=[cast.qsgs["a"].pk])
    data = {"organisation": cast.orgs["outsider_org"].pk, "kind": "core"}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 200  # the organisation is no longer a choice: a field error
    assert (
        Membership.objects.filter(
            qsg=cast.qsgs["a"], organisation=cast.orgs["outsider_org"]
        ).count()
        == 1
    )


def test_invalid_join_date_keeps_the_typed_parts(cast, client_for):
    response = client_for("secretariat_a").post(
        reverse("qsg:membership-add", args=[cast.qsgs["a"].pk]),
        {
            "organisation": cast.orgs["outsider_org"].pk,
            "kind": "core",
            "joined_on-day": "31",
            "joined_on-month": "2",
            "joined_on-year": "2024",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a real date" in body
    assert 'value="31"' in body and 'value="2024"' in body
    assert 'href="#id_joined_on-day"' in body


def test_last_secretariat_cannot_be_removed(cast, client_for):
    role = cast.roles["secretariat_a"]
    response = client_for("secretariat_a").post(
        reverse("qsg:role-remove", args=[cast.qsgs["a"].pk, role.pk])
    )
    assert response.status_code == 200
    assert "must keep at least one secretariat member" in response.content.decode()


def test_role_only_for_people_of_member_organisations(cast, client_for):
    response = client_for("secretariat_a").post(
        reverse("qsg:role-add", args=[cast.qsgs["a"].pk]),
        {"user": cast.users["member_b"].pk, "role": "member"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_audit_trail_is_shown_to_the_secretariat_only(cast, client_for):
    secretariat = client_for("secretariat_a")
    secretariat.post(
        reverse("qsg:provider-edit", args=[cast.providers["provider_a1"].pk]),
        {
            "ods_code": "RAA",
            "name": "Alpha General Hospital NHS Trust",
            "sector": "acute",
            "qsg": cast.qsgs["a"].pk,
            "commissioners": [cast.orgs["icb_a"].pk],
        },
    )
    page = secretariat.get(
        reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk])
    ).content.decode()
    assert "Change history" in page
    assert "Alpha General Hospital → Alpha General Hospital NHS Trust" in page
    assert "Secretariat A" in page  # who made the change
    member_page = (
        client_for("member_a")
        .get(reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk]))
        .content.decode()
    )
    assert "Change history" not in member_page


def test_provider_register_search(cast, client_for):
    client = client_for("secretariat_a")
    body = client.get(reverse("qsg:provider-list"), {"q": "community"}).content.decode()
    assert "Alpha Community Services" in body
    assert "Alpha General Hospital" not in body
    body = client.get(reverse("qsg:provider-list"), {"q": "raa"}).content.decode()
    assert "Alpha General Hospital" in body


def test_pages_send_a_nonce_csp(cast, client_for):
    response = client_for("member_a").get(reverse("qsg:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_summary_links_are_links_not_escaped_text(cast, client_for):
    client = client_for("secretariat_a")
    provider_page = client.get(
        reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk])
    ).content.decode()
    assert f'<a href="/qsgs/{cast.qsgs["a"].pk}/">Area A QSG</a>' in provider_page
    assert "&lt;a href" not in provider_page
    qsg_page = client.get(reverse("qsg:qsg-detail", args=[cast.qsgs["a"].pk])).content.decode()
    assert f'?qsg={cast.qsgs["a"].pk}">2</a>' in qsg_page
    assert "&lt;a href" not in qsg_page
