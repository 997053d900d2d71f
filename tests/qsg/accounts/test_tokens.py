"""Named API tokens: expiry, scope, hashing, last use, revocation, and who may get one how."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qsg.accounts.models import AccountEvent, ApiToken
from tests.cast import PASSWORD
from tests.signin import log_in

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def exchange(username, **extra):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_a_token_is_named_expires_and_is_stored_hashed(cast):
    response = exchange("member_a", name="Returns script")
    assert response.status_code == 200
    body = response.json()
    raw = body["token"]
    assert body["name"] == "Returns script" and body["scope"] == "read_write"
    token = ApiToken.objects.get(user=cast.users["member_a"])
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert raw not in stored
    assert timedelta(days=89, hours=23) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert api(raw).get(reverse("api:me")).json()["username"] == "member_a"
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Bearer works as well as Token.
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get(reverse("api:me")).status_code == 200


def test_each_exchange_makes_a_new_token(cast):
    first = exchange("member_a").json()["token"]
    second = exchange("member_a").json()["token"]
    assert first != second
    assert ApiToken.objects.filter(user=cast.users["member_a"]).count() == 2


def test_a_read_only_token_is_refused_on_writes(cast):
    raw = exchange("member_b", scope="read").json()["token"]
    client = api(raw)
    assert client.get(reverse("api:provider-list")).status_code == 200
    response = client.post(
        reverse("api:provider-list"),
        {"ods_code": "RZZ", "name": "X", "sector": "acute", "qsg": cast.qsgs["b"].pk},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This token is read-only"


def test_an_expired_token_is_refused(cast):
    raw = exchange("member_a").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(raw).get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "The token has expired"


def test_expiry_is_chosen_within_the_limit(cast):
    assert exchange("member_a", days=7).status_code == 200
    too_long = exchange("member_a", days=366)
    assert too_long.status_code == 400 and "days" in too_long.json()


def test_accounts_that_need_a_second_factor_cannot_exchange_a_password(cast):
    response = exchange("secretariat_a")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=cast.users["secretariat_a"]).exists()
    assert AccountEvent.objects.filter(
        user=cast.users["secretariat_a"], kind="token_refused"
    ).exists()


def test_but_their_verified_session_can_make_one(cast):
    session = log_in(Client(), cast.users["secretariat_a"])
    response = session.post(TOKEN_URL, {"name": "From my session"}, content_type="application/json")
    assert response.status_code == 200
    token = ApiToken.objects.get(user=cast.users["secretariat_a"])
    assert token.two_factor_verified and token.origin == "session"
    assert api(response.json()["token"]).get(reverse("api:me")).status_code == 200


def test_an_unverified_session_cannot(cast):
    session = log_in(Client(), cast.users["secretariat_a"], second_factor=False)
    response = session.post(TOKEN_URL, {}, content_type="application/json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_password_token_stops_working_when_its_owner_needs_a_second_factor(cast):
    from qsg import services

    raw = exchange("member_c").json()["token"]
    assert api(raw).get(reverse("api:me")).status_code == 200
    services.role_assign(actor=None, qsg=cast.qsgs["c"], user=cast.users["member_c"], role="chair")
    response = api(raw).get(reverse("api:me"))
    assert response.status_code == 401
    assert "two-factor" in response.json()["detail"]


def test_a_token_cannot_make_a_token(cast):
    raw = exchange("member_a", scope="read").json()["token"]
    response = api(raw).post(TOKEN_URL, {"scope": "read_write"}, format="json")
    assert response.status_code == 403


def test_tokens_are_listed_made_and_revoked_on_the_account_page(cast):
    user = cast.users["member_a"]
    client = log_in(Client(), user)
    blank = client.post(reverse("qsg:token-create"), {"name": " ", "scope": "read", "days": "90"})
    assert "<title>Error: " in blank.content.decode()
    made = client.post(
        reverse("qsg:token-create"), {"name": "Quarterly", "scope": "read", "days": "30"}
    )
    page = made.content.decode()
    token = ApiToken.objects.get(user=user, name="Quarterly")
    raw = next(w for w in page.split('"') if w.startswith("qsg_") and len(w) > 20)
    assert ApiToken.digest(raw) == token.key_hash
    assert token.scope == "read" and (token.expires_at - timezone.now()).days == 29
    profile = client.get(reverse("qsg:profile")).content.decode()
    assert "Quarterly" in profile and token.prefix in profile and raw not in profile
    other = log_in(Client(), cast.users["member_b"])
    assert other.post(reverse("qsg:token-revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("qsg:token-revoke", args=[token.pk])).status_code == 302
    assert api(raw).get(reverse("api:me")).status_code == 401
    assert token.prefix not in client.get(reverse("qsg:profile")).content.decode()
    kinds = set(AccountEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert {"token_created", "token_revoked"} <= kinds


def test_old_drf_tokens_are_carried_over_hashed_for_thirty_days(cast):
    user = cast.users["member_a"]
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "user_id bigint NOT NULL, created timestamptz NOT NULL)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", [old_key, user.pk])
    migration = importlib.import_module("qsg.migrations.0005_migrate_authtokens")
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.forwards(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=user)
    assert token.origin == "migrated" and token.key_hash != old_key
    assert 29 <= (token.expires_at - timezone.now()).days < 30
    assert api(old_key).get(reverse("api:me")).json()["username"] == "member_a"
