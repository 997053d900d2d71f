"""The network API: tokens, 400s with field errors, pagination and filters, no 500s."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.cast import PASSWORD


@pytest.fixture
def api_for(cast):
    def make(username):
        client = APIClient()
        client.force_authenticate(cast.users[username])
        return client

    return make


def test_token_auth_round_trip(cast):
    client = APIClient()
    response = client.post(
        reverse("api:auth-token"), {"username": "member_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(reverse("api:me")).json()
    assert me["username"] == "member_a"
    assert me["roles"] == [{"qsg": cast.qsgs["a"].pk, "qsg_name": "Area A QSG", "role": "member"}]


def test_token_refused_for_wrong_password(cast):
    response = APIClient().post(
        reverse("api:auth-token"), {"username": "member_a", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_unauthenticated_api_is_refused(cast):
    assert APIClient().get(reverse("api:provider-list")).status_code in (401, 403)


def test_duplicate_ods_code_is_a_field_error(cast, api_for):
    response = api_for("secretariat_a").post(
        reverse("api:provider-list"),
        {"ods_code": "RAA", "name": "Copy", "sector": "acute", "qsg": cast.qsgs["a"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"ods_code": ["A provider with ODS code RAA already exists"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ods_code": "", "name": "X", "sector": "acute"}, "ods_code"),
        ({"ods_code": "RZZ", "name": "X", "sector": "spaceport"}, "sector"),
        ({"ods_code": "RZZ", "name": "", "sector": "acute"}, "name"),
        ({"ods_code": "RZZ" * 10, "name": "X", "sector": "acute"}, "ods_code"),
        ({"ods_code": "RZZ", "name": "X", "sector": "acute", "qsg": "not-a-number"}, "qsg"),
        (
            {"ods_code": "RZZ", "name": "X", "sector": "acute", "commissioners": [999999]},
            "commissioners",
        ),
    ],
)
def test_invalid_provider_gives_field_errors(cast, api_for, payload, field):
    payload = {"qsg": cast.qsgs["a"].pk, **payload}
    response = api_for("secretariat_a").post(reverse("api:provider-list"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_regional_qsg_is_not_a_footprint(cast, api_for):
    response = api_for("regional_secretariat").post(
        reverse("api:provider-list"),
        {"ods_code": "RZZ", "name": "X", "sector": "acute", "qsg": cast.qsgs["r"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "qsg" in response.json()


def test_malformed_json_is_a_400(cast, api_for):
    response = api_for("secretariat_a").generic(
        "POST", reverse("api:provider-list"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_list_pagination_and_filters(cast, api_for):
    client = api_for("reviewer")
    page = client.get(reverse("api:provider-list"), {"page_size": 1}).json()
    assert page["count"] == 3  # A1, A2, B1: the reviewer reads both locals of the region
    assert len(page["results"]) == 1
    assert page["next"]
    only_b = client.get(reverse("api:provider-list"), {"qsg": cast.qsgs["b"].pk}).json()
    assert [p["ods_code"] for p in only_b["results"]] == ["RBA"]
    search = client.get(reverse("api:provider-list"), {"search": "community"}).json()
    assert [p["ods_code"] for p in search["results"]] == ["RAB"]


def test_filter_on_a_qsg_you_cannot_see_returns_nothing(cast, api_for):
    response = api_for("member_b").get(reverse("api:provider-list"), {"qsg": cast.qsgs["a"].pk})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["count"] == 0


def test_membership_api_round_trip(cast, api_for):
    client = api_for("secretariat_a")
    created = client.post(
        reverse("api:membership-list"),
        {
            "qsg": cast.qsgs["a"].pk,
            "organisation": cast.orgs["outsider_org"].pk,
            "kind": "co_opted",
        },
        format="json",
    )
    assert created.status_code == 201
    again = client.post(
        reverse("api:membership-list"),
        {
            "qsg": cast.qsgs["a"].pk,
            "organisation": cast.orgs["outsider_org"].pk,
            "kind": "co_opted",
        },
        format="json",
    )
    assert again.status_code == 400
    assert "already a member" in again.json()["organisation"][0]


def test_delete_refusal_is_a_400_with_reason(cast, api_for):
    response = api_for("secretariat_a").delete(
        reverse("api:organisation-detail", args=[cast.orgs["icb_a"].pk])
    )
    assert response.status_code == 400
    assert "cannot be deleted" in response.json()["non_field_errors"][0]


def test_schema_is_valid_openapi(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/providers/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]
